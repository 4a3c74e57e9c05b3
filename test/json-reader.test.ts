// Unit tests of the strict JSON reader (assembly/json/document.ts and friends) through build/test/json.wasm.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { JsonError, JsonType, JsonWasm } from "./json-harness.ts";

let wasm: JsonWasm;

beforeAll(() => {
  wasm = JsonWasm.load();
});

beforeEach(() => {
  wasm.resetLimits();
});

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

describe("grammar and error classes", () => {
  const cases: Array<[string, string | Uint8Array, JsonError, number]> = [
    ["empty input", "", JsonError.Empty, 0],
    ["only whitespace", " \t\r\n", JsonError.Empty, 4],
    ["BOM", bytes(0xef, 0xbb, 0xbf, ...ascii("{}")), JsonError.ByteOrderMark, 0],
    ["form feed is not whitespace", "[\f]", JsonError.UnexpectedByte, 1],
    ["NBSP is not whitespace", bytes(0xc2, 0xa0, ...ascii("1")), JsonError.UnexpectedByte, 0],
    ["trailing garbage", "[1] x", JsonError.TrailingContent, 4],
    ["two values", "1 2", JsonError.TrailingContent, 2],
    ["trailing comma in array", "[1,]", JsonError.UnexpectedByte, 3],
    ["trailing comma in object", '{"a":1,}', JsonError.UnexpectedByte, 7],
    ["missing colon", '{"a" 1}', JsonError.UnexpectedByte, 5],
    ["single quotes", "['a']", JsonError.UnexpectedByte, 1],
    ["unquoted key", "{a:1}", JsonError.UnexpectedByte, 1],
    ["truncated array", "[1,2", JsonError.UnexpectedEnd, 4],
    ["truncated string", '"abc', JsonError.UnexpectedEnd, 4],
    ["truncated literal", "tru", JsonError.UnexpectedEnd, 3],
    ["bad literal", "nul1", JsonError.UnexpectedByte, 3],
    ["capitalised literal", "True", JsonError.UnexpectedByte, 0],
    ["leading zero", "01", JsonError.InvalidNumber, 1],
    ["negative leading zero", "-01", JsonError.InvalidNumber, 2],
    ["plus sign", "+1", JsonError.UnexpectedByte, 0],
    ["fraction without integer", ".5", JsonError.UnexpectedByte, 0],
    ["dot without fraction", "1.", JsonError.InvalidNumber, 2],
    ["dot then exponent", "1.e5", JsonError.InvalidNumber, 2],
    ["exponent without digits", "1e", JsonError.InvalidNumber, 2],
    ["exponent sign without digits", "1e+", JsonError.InvalidNumber, 3],
    ["lone minus", "-", JsonError.InvalidNumber, 1],
    ["minus then letter", "-a", JsonError.InvalidNumber, 1],
    ["NaN", "NaN", JsonError.UnexpectedByte, 0],
    ["Infinity", "-Infinity", JsonError.InvalidNumber, 1],
    ["hex number", "0x10", JsonError.TrailingContent, 1],
    ["raw tab in string", '"a\tb"', JsonError.ControlCharacter, 2],
    ["raw NUL in string", bytes(0x22, 0x00, 0x22), JsonError.ControlCharacter, 1],
    ["raw DEL is allowed", bytes(0x22, 0x7f, 0x22), JsonError.None, -1],
    ["invalid escape", '"\\x"', JsonError.InvalidEscape, 1],
    ["escaped apostrophe", '"\\\'"', JsonError.InvalidEscape, 1],
    ["short \\u", '"\\u12"', JsonError.InvalidEscape, 1],
    ["\\u at end", '"\\u1', JsonError.UnexpectedEnd, 4],
    ["non-hex \\u", '"\\u12G4"', JsonError.InvalidEscape, 1],
    ["lone high surrogate", '"\\uD800"', JsonError.LoneSurrogate, 1],
    ["lone low surrogate", '"\\uDC00"', JsonError.LoneSurrogate, 1],
    ["inverted surrogates", '"\\uDC00\\uD800"', JsonError.LoneSurrogate, 1],
    ["two highs", '"\\uD800\\uD800"', JsonError.LoneSurrogate, 1],
    ["high then raw low bytes", bytes(0x22, ...ascii("\\uD800"), 0xed, 0xb0, 0x80, 0x22), JsonError.LoneSurrogate, 1],
    ["overlong slash", bytes(0x22, 0xc0, 0xaf, 0x22), JsonError.InvalidUtf8, 1],
    ["overlong 3-byte", bytes(0x22, 0xe0, 0x80, 0xaf, 0x22), JsonError.InvalidUtf8, 1],
    ["overlong 4-byte", bytes(0x22, 0xf0, 0x80, 0x80, 0xaf, 0x22), JsonError.InvalidUtf8, 1],
    ["UTF-8 surrogate", bytes(0x22, 0xed, 0xa0, 0x80, 0x22), JsonError.InvalidUtf8, 1],
    ["above U+10FFFF", bytes(0x22, 0xf4, 0x90, 0x80, 0x80, 0x22), JsonError.InvalidUtf8, 1],
    ["F5 lead", bytes(0x22, 0xf5, 0x80, 0x80, 0x80, 0x22), JsonError.InvalidUtf8, 1],
    ["stray continuation", bytes(0x22, 0x80, 0x22), JsonError.InvalidUtf8, 1],
    ["truncated sequence before quote", bytes(0x22, 0xe2, 0x82, 0x22), JsonError.InvalidUtf8, 1],
    ["truncated sequence at end", bytes(0x22, 0xe2, 0x82), JsonError.InvalidUtf8, 1],
    ["lead byte swallowing the quote", bytes(...ascii('["x'), 0xc3, ...ascii('","b"]')), JsonError.InvalidUtf8, 3],
    ["non-ASCII outside strings", bytes(0x5b, 0xc3, 0xa9, 0x5d), JsonError.UnexpectedByte, 1],
  ];
  it.each(cases)("%s", (_name, input, error, offset) => {
    expect(wasm.parse(input)).toBe(error);
    expect(wasm.x.lastError()).toBe(error);
    expect(wasm.x.errorOffset()).toBe(offset);
    if (error !== JsonError.None) expect(wasm.x.root()).toBe(-1);
  });

  it("accepts every valid UTF-8 boundary sequence", () => {
    const good = [
      [0xc2, 0x80], [0xdf, 0xbf], [0xe0, 0xa0, 0x80], [0xed, 0x9f, 0xbf], [0xee, 0x80, 0x80], [0xef, 0xbf, 0xbf],
      [0xf0, 0x90, 0x80, 0x80], [0xf4, 0x8f, 0xbf, 0xbf], [0xf3, 0xbf, 0xbf, 0xbf],
    ];
    for (const seq of good) {
      expect(wasm.parse(bytes(0x22, ...seq, 0x22)), seq.join(",")).toBe(JsonError.None);
      expect(wasm.getString(0)).toBe(new TextDecoder().decode(bytes(...seq)));
    }
  });

  it("agrees with a strict UTF-8 decoder on every lead byte, second byte and length", () => {
    const strict = new TextDecoder("utf-8", { fatal: true });
    for (let b0 = 0x80; b0 <= 0xff; b0++) {
      for (let b1 = 0; b1 <= 0xff; b1++) {
        for (let tail = 0; tail <= 2; tail++) {
          const seq = bytes(b0, b1, ...new Array<number>(tail).fill(0x80));
          let valid = true;
          try {
            strict.decode(seq);
          } catch {
            valid = false;
          }
          const error = wasm.parse(bytes(0x22, ...seq, 0x22));
          const label = `${b0.toString(16)} ${b1.toString(16)} +${tail}`;
          if (valid) expect(error, label).toBe(JsonError.None);
          else expect(error, label).not.toBe(JsonError.None);
        }
      }
    }
  });

  it("gives a message for every error", () => {
    const seen = new Set<string>();
    for (let e = JsonError.None; e <= JsonError.DuplicateKey; e++) {
      const message = wasm.errorMessage(e);
      expect(message.length).toBeGreaterThan(0);
      seen.add(message);
    }
    expect(seen.size).toBe(JsonError.DuplicateKey + 1);
    expect(wasm.errorMessage(JsonError.DuplicateKey)).toBe("duplicate object key");
  });
});

describe("node table", () => {
  it("exposes types, ranges, children and keys", () => {
    const text = ' {"a": [1, "x", true, false, null, {}], "b\\n": {"c": -2.5e1}} ';
    expect(wasm.parse(text)).toBe(JsonError.None);
    const root = wasm.x.root();
    expect(root).toBe(0);
    expect(wasm.x.type(root)).toBe(JsonType.Object);
    expect(wasm.x.start(root)).toBe(1);
    expect(wasm.x.end(root)).toBe(text.length - 1);
    expect(wasm.x.length(root)).toBe(2);
    const [ka, kb] = wasm.children(root);
    expect(wasm.x.isKey(ka!)).toBe(1);
    expect(wasm.x.type(ka!)).toBe(JsonType.String);
    expect(wasm.getString(ka!)).toBe("a");
    expect(wasm.getString(kb!)).toBe("b\n");
    expect(wasm.x.hasEscapes(kb!)).toBe(1);
    expect(wasm.x.hasEscapes(ka!)).toBe(0);
    expect(wasm.x.nextSibling(kb!)).toBe(-1);
    const arr = wasm.x.keyValue(ka!);
    expect(arr).toBe(wasm.get(root, "a"));
    expect(wasm.x.type(arr)).toBe(JsonType.Array);
    expect(wasm.x.length(arr)).toBe(6);
    expect(wasm.rawText(arr)).toBe('[1, "x", true, false, null, {}]');
    const items = wasm.children(arr);
    expect(items.map((n) => wasm.x.type(n))).toEqual([
      JsonType.Number, JsonType.String, JsonType.True, JsonType.False, JsonType.Null, JsonType.Object,
    ]);
    expect(items.map((n) => wasm.x.isKey(n))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(wasm.rawText(items[1]!)).toBe('"x"');
    expect(wasm.x.getBool(items[2]!, 0)).toBe(1);
    expect(wasm.x.getBool(items[3]!, 1)).toBe(0);
    expect(wasm.x.getBool(items[4]!, 1)).toBe(1);
    expect(wasm.x.length(items[5]!)).toBe(0);
    expect(wasm.x.firstChild(items[5]!)).toBe(-1);
    const inner = wasm.get(root, "b\n");
    expect(wasm.x.getNumber(wasm.get(inner, "c"))).toBe(-25);
    expect(wasm.x.isInteger(wasm.get(inner, "c"))).toBe(1);
    expect(wasm.get(root, "b")).toBe(-1);
    expect(wasm.get(arr, "a")).toBe(-1);
    expect(wasm.x.keyValue(arr)).toBe(-1);
    expect(wasm.x.isType(arr, JsonType.Array)).toBe(1);
    expect(wasm.x.isType(arr, JsonType.Object)).toBe(0);
  });

  it("answers safely for ids that name no node", () => {
    expect(wasm.parse("[1]")).toBe(JsonError.None);
    for (const id of [-1, -2, 2, 1000, 0x7fffffff, -0x80000000]) {
      expect(wasm.x.type(id)).toBe(JsonType.Absent);
      expect(wasm.x.isType(id, JsonType.Null)).toBe(0);
      expect(wasm.x.start(id)).toBe(-1);
      expect(wasm.x.end(id)).toBe(-1);
      expect(wasm.x.length(id)).toBe(0);
      expect(wasm.x.firstChild(id)).toBe(-1);
      expect(wasm.x.nextSibling(id)).toBe(-1);
      expect(wasm.x.keyValue(id)).toBe(-1);
      expect(wasm.x.hasEscapes(id)).toBe(0);
      expect(wasm.x.getBool(id, 1)).toBe(1);
      expect(wasm.x.getNumber(id)).toBeNaN();
      expect(wasm.x.isInteger(id)).toBe(0);
      expect(wasm.getString(id)).toBeNull();
      expect(wasm.get(id, "a")).toBe(-1);
      expect(wasm.stringEquals(id, "")).toBe(false);
      expect(wasm.rawText(id)).toBe("");
    }
    // After a failed parse nothing is exposed, not even the nodes built before the error.
    expect(wasm.parse('[1, "x", 2')).toBe(JsonError.UnexpectedEnd);
    expect(wasm.x.root()).toBe(-1);
    expect(wasm.x.type(0)).toBe(JsonType.Absent);
    expect(wasm.x.nodeTableSize()).toBe(0);
  });

  it("accepts scalars at the root", () => {
    for (const [text, type] of [["null", JsonType.Null], ["true", JsonType.True], [" 0 ", JsonType.Number], ['""', JsonType.String]] as const) {
      expect(wasm.parse(text), text).toBe(JsonError.None);
      expect(wasm.x.type(0)).toBe(type);
      expect(wasm.x.nodeTableSize()).toBe(1);
    }
  });

  it("parses through parseString and parseBytes too", () => {
    expect(wasm.x.parseText(wasm.putText('{"k":"\u00e9\u{1F600}"}'))).toBe(JsonError.None);
    expect(wasm.getString(wasm.get(0, "k"))).toBe("\u00e9\u{1F600}");
    // A lone surrogate in the AssemblyScript string cannot become valid UTF-8.
    expect(wasm.x.parseText(wasm.putText('"\ud800"'))).not.toBe(JsonError.None);
    const n = wasm.putInput(new TextEncoder().encode('[1,{"a":null}]'));
    expect(wasm.x.parseBytesCopy(n)).toBe(JsonError.None);
    expect(wasm.x.length(0)).toBe(2);
  });

  it("keeps each document's nodes apart (the scanner's tables are shared)", () => {
    const first = new TextEncoder().encode('{"a":[1,2,3],"b":"x"}');
    const copy = wasm.x.inputBuffer(first.length + 64) + 64; // the first document's bytes stay put
    new Uint8Array(wasm.x.memory.buffer, copy, first.length).set(first);
    expect(wasm.x.parseRange(copy, first.length)).toBe(JsonError.None);
    expect(wasm.x.parseOther(wasm.putInput(new TextEncoder().encode('[{"a":1,"a":2}]')))).toBe(-1);
    expect(wasm.x.parseOther(wasm.putInput(new TextEncoder().encode('[true, {"z": [[]]}]')))).toBe(2);
    expect(wasm.x.length(wasm.get(0, "a"))).toBe(3);
    expect(wasm.getString(wasm.get(0, "b"))).toBe("x");
  });

  it("refuses a byte range outside linear memory instead of trapping", () => {
    const size = wasm.x.memory.buffer.byteLength;
    expect(wasm.x.parseRange(size - 2, 10)).toBe(JsonError.TooLarge);
    expect(wasm.x.parseRange(0xfffffff0, 0x20)).toBe(JsonError.TooLarge);
    expect(wasm.x.parseRange(0, -1)).toBe(JsonError.TooLarge);
    expect(wasm.parse("1")).toBe(JsonError.None);
  });
});

describe("strings", () => {
  it("decodes every escape form", () => {
    const text = '"\\"\\\\\\/\\b\\f\\n\\r\\t\\u0000\\u001f\\u0041\\u00e9\\u20ac\\uFFFF\\ud83d\\ude00\\uDBFF\\uDFFF"';
    expect(wasm.parse(text)).toBe(JsonError.None);
    expect(wasm.getString(0)).toBe(JSON.parse(text));
    expect(wasm.x.hasEscapes(0)).toBe(1);
    expect(wasm.stringEquals(0, JSON.parse(text) as string)).toBe(true);
  });

  it("decodes raw UTF-8 of every length", () => {
    const s = "aé€😀\u{10FFFF}\u0080\u07ff\u0800\uffff";
    expect(wasm.parse(JSON.stringify(s))).toBe(JsonError.None);
    expect(wasm.getString(0)).toBe(s);
    expect(wasm.x.hasEscapes(0)).toBe(0);
    expect(wasm.stringEquals(0, s)).toBe(true);
  });

  it("compares decoded text exactly", () => {
    expect(wasm.parse('["", "abc", "a\\u0062c", "\\ud83d\\ude00", "😀", "é"]')).toBe(JsonError.None);
    const [empty, abc, escaped, pairEscaped, pairRaw, eacute] = wasm.children(0);
    expect(wasm.stringEquals(empty!, "")).toBe(true);
    expect(wasm.stringEquals(empty!, "a")).toBe(false);
    expect(wasm.stringEquals(abc!, "abc")).toBe(true);
    expect(wasm.stringEquals(abc!, "ab")).toBe(false);
    expect(wasm.stringEquals(abc!, "abcd")).toBe(false);
    expect(wasm.stringEquals(abc!, "abd")).toBe(false);
    expect(wasm.stringEquals(escaped!, "abc")).toBe(true);
    expect(wasm.stringEquals(escaped!, "a\\u0062c")).toBe(false);
    expect(wasm.stringEquals(pairEscaped!, "😀")).toBe(true);
    expect(wasm.stringEquals(pairEscaped!, "\ud83d")).toBe(false);
    expect(wasm.stringEquals(pairRaw!, "😀")).toBe(true);
    expect(wasm.stringEquals(pairRaw!, "\ud83d\ude01")).toBe(false);
    expect(wasm.stringEquals(eacute!, "é")).toBe(true);
    expect(wasm.stringEquals(eacute!, "e")).toBe(false);
    // Numbers and containers are not strings.
    expect(wasm.parse("[1]")).toBe(JsonError.None);
    expect(wasm.stringEquals(0, "[1]")).toBe(false);
    expect(wasm.stringEquals(wasm.x.firstChild(0), "1")).toBe(false);
  });

  it("skips long ASCII runs and still finds specials at every alignment", () => {
    for (let pad = 0; pad < 24; pad++) {
      const prefix = "x".repeat(pad);
      expect(wasm.parse(`"${prefix}"`)).toBe(JsonError.None);
      expect(wasm.getString(0)).toBe(prefix);
      expect(wasm.parse(`"${prefix}\\n${prefix}"`)).toBe(JsonError.None);
      expect(wasm.getString(0)).toBe(`${prefix}\n${prefix}`);
      expect(wasm.parse(`"${prefix}\u0001"`)).toBe(JsonError.ControlCharacter);
      expect(wasm.x.errorOffset()).toBe(pad + 1);
      expect(wasm.parse(bytes(0x22, ...ascii(prefix), 0xff, 0x22))).toBe(JsonError.InvalidUtf8);
      expect(wasm.x.errorOffset()).toBe(pad + 1);
      expect(wasm.parse(`"${prefix}`)).toBe(JsonError.UnexpectedEnd);
    }
  });
});

describe("numbers", () => {
  const values = [
    "0", "-0", "1", "-1", "0.5", "1e3", "1E3", "1e+3", "1e-3", "-1.25e-2", "403", "403.0", "4.03e2", "123.456",
    "9007199254740991", "9007199254740992", "9007199254740993", "18446744073709551616", "1e22", "1e23",
    "0.1", "0.30000000000000004", "2.2250738585072011e-308", "2.2250738585072012e-308", "4.9e-324",
    "2.4703282292062327e-324", "2.4703282292062328e-324", "1.7976931348623157e308", "1.7976931348623158e308",
    "1.7976931348623159e308", "1e309", "-1e309", "1e-400", "-1e-400", "123456789012345678901234567890",
    "0.000000000000000000000000000000000000000000001", "7.2057594037927933e16",
    `9007199254740993.${"0".repeat(900)}1`, `1${"0".repeat(400)}e-400`, "1e999999999999999999999",
  ];
  it.each(values)("%s has the value JSON.parse gives", (text) => {
    expect(wasm.parse(text)).toBe(JsonError.None);
    expect(Object.is(wasm.x.getNumber(0), JSON.parse(text))).toBe(true);
  });

  const integers: Array<[string, boolean]> = [
    ["0", true], ["-0", true], ["403", true], ["403.0", true], ["4.03e2", true], ["4030e-1", true], ["0.0e5", true],
    ["9007199254740992", true], ["-9007199254740992", true], ["9007199254740993", false], ["1e16", false],
    ["9.007199254740992e15", true], ["0.5", false], ["1.5e0", false], ["1e-1", false], ["1e400", false],
    ["1.0000000000000000000001", false],
  ];
  it.each(integers)("isInteger(%s) = %s", (text, expected) => {
    expect(wasm.parse(text)).toBe(JsonError.None);
    expect(wasm.x.isInteger(0)).toBe(expected ? 1 : 0);
  });
});

describe("duplicate keys", () => {
  const duplicates: Array<[string, string]> = [
    ["plain", '{"a":1,"a":2}'],
    ["escaped letter", '{"name":1,"n\\u0061me":2}'],
    ["escaped both", '{"n\\u0061me":1,"\\u006eame":2}'],
    ["escaped slash", '{"a/b":1,"a\\/b":2}'],
    ["escaped non-ASCII", '{"é":1,"\\u00e9":2}'],
    ["surrogate pair vs raw", '{"😀":1,"\\ud83d\\ude00":2}'],
    ["empty keys", '{"":1,"":2}'],
    ["not adjacent", '{"a":1,"b":2,"c":3,"a":4}'],
    ["after a nested object", '{"a":{"a":1,"b":{"a":2}},"b":1,"a":3}'],
    ["nested", '{"x":{"y":1,"y":2}}'],
    ["in an array of objects", '[{"a":1},{"a":1,"a":2}]'],
  ];
  it.each(duplicates)("rejects %s", (_name, text) => {
    expect(wasm.parse(text)).toBe(JsonError.DuplicateKey);
    // The offset points at the opening quote of the second occurrence.
    expect(new TextEncoder().encode(text)[wasm.x.errorOffset()]).toBe(0x22);
  });

  it("reports the second occurrence", () => {
    const text = '{"method":"tools/call","params":{},"method":"x"}';
    expect(wasm.parse(text)).toBe(JsonError.DuplicateKey);
    expect(wasm.x.errorOffset()).toBe(text.lastIndexOf('"method"'));
  });

  it("accepts equal keys in different objects and near-equal keys", () => {
    expect(wasm.parse('[{"a":1},{"a":2},{"a":{"a":{"a":3}}}]')).toBe(JsonError.None);
    expect(wasm.parse('{"a":1,"A":2,"a ":3,"\\u00e9":4,"e\\u0301":5,"é\\u0000":6}')).toBe(JsonError.None);
    expect(wasm.x.length(0)).toBe(6);
  });

  it("finds duplicates far below recordDepth", () => {
    wasm.setLimits({ recordDepth: 1 });
    const deep = (inner: string): string => '{"p":'.repeat(30) + inner + "}".repeat(30);
    expect(wasm.parse(deep('{"k":1,"k\\u0000":2}'))).toBe(JsonError.None);
    expect(wasm.parse(deep('{"k":1,"\\u006b":2}'))).toBe(JsonError.DuplicateKey);
    expect(wasm.parse(deep('[{"a":1},{"b":1,"b":2}]'))).toBe(JsonError.DuplicateKey);
  });

  it("can be switched off; get() then returns the last member like JSON.parse", () => {
    wasm.setLimits({ rejectDuplicateKeys: false });
    const text = '{"name":"first","n\\u0061me":"last"}';
    expect(wasm.parse(text)).toBe(JsonError.None);
    expect(wasm.getString(wasm.get(0, "name"))).toBe((JSON.parse(text) as { name: string }).name);
    expect(wasm.x.length(0)).toBe(2);
  });

  it("handles 100k distinct keys in linear time, and a duplicate at the end", () => {
    wasm.setLimits({ maxBytes: 1 << 22 });
    const keys = Array.from({ length: 100_000 }, (_, i) => `"key${i}":${i}`);
    const text = `{${keys.join(",")}}`;
    const t0 = performance.now();
    expect(wasm.parse(text)).toBe(JsonError.None);
    const elapsed = performance.now() - t0;
    expect(wasm.x.length(0)).toBe(100_000);
    expect(wasm.x.getNumber(wasm.get(0, "key99999"))).toBe(99999);
    // Generous bound (the parse takes a few ms): only a quadratic algorithm would come near it.
    expect(elapsed).toBeLessThan(2000);
    expect(wasm.parse(`{${keys.join(",")},"key\\u0030":0}`)).toBe(JsonError.DuplicateKey);
    // Many small objects after a big one reuse the big table without clearing it.
    const small = Array.from({ length: 20_000 }, (_, i) => `{"a":${i},"b":${i}}`).join(",");
    expect(wasm.parse(`[{${keys.join(",")}},${small}]`)).toBe(JsonError.None);
  });

  it("stays correct when keys collide in the hash table (sort fallback)", () => {
    // Keys whose hashes (a JS port of keys.ts hashBytes) agree in their low 11 bits all land in one cluster
    // of the per-level table, which pushes the object over its probe budget and into the sort fallback.
    const colliding: string[] = [];
    for (let i = 0; colliding.length < 400; i++) {
      const k = `k${i}`;
      if ((hashBytes(new TextEncoder().encode(k)) & 0x7ff) === 0) colliding.push(k);
    }
    const body = colliding.map((k, i) => `"${k}":${i}`).join(",");
    expect(wasm.parse(`{${body}}`)).toBe(JsonError.None);
    expect(wasm.x.getNumber(wasm.get(0, colliding[399]!))).toBe(399);
    const dup = colliding[3]!.replace("k", "\\u006b");
    const text = `{${body},"${dup}":1}`;
    expect(wasm.parse(text)).toBe(JsonError.DuplicateKey);
    expect(wasm.x.errorOffset()).toBe(text.lastIndexOf('"'+dup));
    expect(wasm.parse(`{"${colliding[7]}":0,${body}}`)).toBe(JsonError.DuplicateKey);
  });
});

/** JS port of assembly/json/keys.ts hashBytes, only to build colliding keys. */
function hashBytes(b: Uint8Array): number {
  const mul = (a: number, c: number): number => Math.imul(a, c) >>> 0;
  const rotl = (x: number, r: number): number => ((x << r) | (x >>> (32 - r))) >>> 0;
  let h = (0x9747b28c ^ b.length) >>> 0;
  let i = 0;
  for (; i + 4 <= b.length; i += 4) {
    let k = (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
    k = mul(rotl(mul(k, 0xcc9e2d51), 15), 0x1b873593);
    h = (h ^ k) >>> 0;
    h = (mul(rotl(h, 13), 5) + 0xe6546b64) >>> 0;
  }
  let tail = 0;
  for (let shift = 0; i < b.length; i++, shift += 8) tail = (tail | (b[i]! << shift)) >>> 0;
  tail = mul(rotl(mul(tail, 0xcc9e2d51), 15), 0x1b873593);
  h = (h ^ tail) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  h = mul(h, 0x85ebca6b);
  h = (h ^ (h >>> 13)) >>> 0;
  h = mul(h, 0xc2b2ae35);
  h = (h ^ (h >>> 16)) >>> 0;
  return h;
}

describe("limits", () => {
  it("maxBytes is checked before scanning", () => {
    wasm.setLimits({ maxBytes: 8 });
    expect(wasm.parse("[1,2,34]")).toBe(JsonError.None);
    expect(wasm.parse("[1,2,345]")).toBe(JsonError.TooLarge);
    expect(wasm.x.errorOffset()).toBe(0);
  });

  it("maxDepth counts nested arrays and objects", () => {
    const nest = (n: number): string => '{"a":['.repeat(n / 2) + "]}".repeat(n / 2);
    expect(wasm.parse("[".repeat(64) + "]".repeat(64))).toBe(JsonError.None);
    expect(wasm.parse("[".repeat(65) + "]".repeat(65))).toBe(JsonError.TooDeep);
    expect(wasm.x.errorOffset()).toBe(64);
    expect(wasm.parse(nest(64))).toBe(JsonError.None);
    expect(wasm.parse(nest(66))).toBe(JsonError.TooDeep);
    expect(wasm.parse("[".repeat(100_000))).toBe(JsonError.TooDeep);
    wasm.setLimits({ maxDepth: 0 });
    expect(wasm.parse("1")).toBe(JsonError.None);
    expect(wasm.parse("[]")).toBe(JsonError.TooDeep);
    wasm.setLimits({ maxDepth: 1000 });
    expect(wasm.parse("[".repeat(1000) + "]".repeat(1000))).toBe(JsonError.None);
  });

  it("maxValues counts values and keys, stored or not", () => {
    wasm.setLimits({ maxValues: 5 });
    expect(wasm.parse('{"a":1,"b":2}')).toBe(JsonError.None); // root + 2 keys + 2 values
    expect(wasm.parse('{"a":1,"b":[]}')).toBe(JsonError.None);
    expect(wasm.parse('{"a":1,"b":[2]}')).toBe(JsonError.TooManyValues);
    expect(wasm.parse("[1,2,3,4,5]")).toBe(JsonError.TooManyValues);
    wasm.setLimits({ maxValues: 5, recordDepth: 0 });
    expect(wasm.parse("[1,2,3,4,5]")).toBe(JsonError.TooManyValues);
  });

  it("recordDepth stores only the top of the tree but validates everything", () => {
    wasm.setLimits({ recordDepth: 1 });
    const text = '{"jsonrpc":"2.0","method":"tools/call","params":{"name":"x","arguments":{"deep":[1,2,{"z":3}]}}}';
    expect(wasm.parse(text)).toBe(JsonError.None);
    expect(wasm.x.nodeTableSize()).toBe(7); // root + 3 keys + 3 values
    const params = wasm.get(0, "params");
    expect(wasm.x.type(params)).toBe(JsonType.Object);
    expect(wasm.x.length(params)).toBe(2); // counted although not stored
    expect(wasm.x.firstChild(params)).toBe(-1);
    expect(wasm.get(params, "name")).toBe(-1);
    expect(wasm.rawText(params)).toBe('{"name":"x","arguments":{"deep":[1,2,{"z":3}]}}');
    expect(wasm.getString(wasm.get(0, "method"))).toBe("tools/call");

    wasm.setLimits({ recordDepth: 0 });
    expect(wasm.parse("[1,[2,3],4]")).toBe(JsonError.None);
    expect(wasm.x.nodeTableSize()).toBe(1);
    expect(wasm.x.length(0)).toBe(3);
    expect(wasm.x.firstChild(0)).toBe(-1);

    wasm.setLimits({ recordDepth: -5 }); // treated as 0: the root is always stored
    expect(wasm.parse("[1]")).toBe(JsonError.None);
    expect(wasm.x.root()).toBe(0);

    wasm.setLimits({ recordDepth: 1 });
    for (const bad of ['{"a":{"b":"\\x"}}', '{"a":{"b":01}}', '{"a":[{"b":"\\udc00"}]}', '{"a":{"b":[tru]}}']) {
      expect(wasm.parse(bad), bad).not.toBe(JsonError.None);
    }
    expect(wasm.parse(bytes(...ascii('{"a":{"b":"'), 0xc0, 0x80, ...ascii('"}}')))).toBe(JsonError.InvalidUtf8);
  });

  it("reuses its tables: repeated parses do not grow memory", () => {
    const doc = JSON.stringify({ a: Array.from({ length: 2000 }, (_, i) => ({ id: i, name: `n${i}`, tags: ["x", "y"] })) });
    for (let i = 0; i < 5; i++) expect(wasm.parse(doc)).toBe(JsonError.None);
    const before = wasm.x.memory.buffer.byteLength;
    for (let i = 0; i < 200; i++) expect(wasm.parse(doc)).toBe(JsonError.None);
    expect(wasm.x.memory.buffer.byteLength).toBe(before);
  });
});
