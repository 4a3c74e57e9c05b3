// Tests of JsonWriter and jsonQuote (assembly/json/writer.ts) through build/test/json.wasm.
import fc from "fast-check";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { canonicalOf, JsonError, JsonWasm } from "./json-harness.ts";

let wasm: JsonWasm;

beforeAll(() => {
  wasm = JsonWasm.load();
});

beforeEach(() => {
  wasm.x.wReset();
  wasm.resetLimits();
});

const SEED = 20261122;

/** What the writer should produce for a JS string: lone surrogates replaced by U+FFFD. */
function wellFormed(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += s[i]! + s[i + 1]!;
        i++;
        continue;
      }
    }
    out += c >= 0xd800 && c <= 0xdfff ? "\ufffd" : s[i]!;
  }
  return out;
}

/** Writes a JS value through the writer's calls. */
function write(v: unknown): void {
  const x = wasm.x;
  if (v === null) x.wNull();
  else if (typeof v === "boolean") x.wBool(v ? 1 : 0);
  else if (typeof v === "number") x.wNumber(v);
  else if (typeof v === "string") x.wString(wasm.putText(v));
  else if (Array.isArray(v)) {
    x.wBeginArray();
    for (const item of v) write(item);
    x.wEndArray();
  } else {
    const o = v as Record<string, unknown>;
    x.wBeginObject();
    for (const k of Object.keys(o)) {
      x.wKey(wasm.putText(k));
      write(o[k]);
    }
    x.wEndObject();
  }
}

const anyUtf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 40 });

describe("JsonWriter", () => {
  it("places commas and colons", () => {
    const x = wasm.x;
    x.wBeginObject();
    x.wKey(wasm.putText("a"));
    x.wBeginArray();
    x.wInteger(1n);
    x.wString(wasm.putText("x"));
    x.wBool(1);
    x.wBool(0);
    x.wNull();
    x.wBeginArray();
    x.wEndArray();
    x.wEndArray();
    x.wKey(wasm.putText("b"));
    x.wBeginObject();
    x.wEndObject();
    x.wKey(wasm.putText("c"));
    x.wNumber(1.5);
    x.wEndObject();
    const out = '{"a":[1,"x",true,false,null,[]],"b":{},"c":1.5}';
    expect(wasm.writerOutput()).toBe(out);
    expect(x.wByteLength()).toBe(out.length);
    expect(x.wMisused()).toBe(0);
    expect(wasm.outputUtf16(x.wOutputString())).toBe(out);
  });

  it("escapes per RFC 8259 plus U+2028/U+2029", () => {
    wasm.x.wString(wasm.putText('"\\/\b\f\n\r\t\u0000\u001f\u007f\u2028\u2029é😀'));
    expect(wasm.writerOutput()).toBe('"\\"\\\\/\\b\\f\\n\\r\\t\\u0000\\u001f\u007f\\u2028\\u2029é😀"');
  });

  it("replaces lone surrogates with U+FFFD", () => {
    wasm.x.wString(wasm.putText("a\ud800b\udc00c\udbff\ud83d\ude00\ud800"));
    expect(JSON.parse(wasm.writerOutput())).toBe("a\ufffdb\ufffdc\ufffd😀\ufffd");
  });

  it("writes integers and numbers", () => {
    const x = wasm.x;
    const cases: Array<[() => void, string]> = [
      [() => x.wInteger(0n), "0"],
      [() => x.wInteger(-42n), "-42"],
      [() => x.wInteger(9223372036854775807n), "9223372036854775807"],
      [() => x.wInteger(-9223372036854775808n), "-9223372036854775808"],
      [() => x.wNumber(403), "403"],
      [() => x.wNumber(-0), "-0"],
      [() => x.wNumber(2 ** 53), "9007199254740992"],
      [() => x.wNumber(NaN), "null"],
      [() => x.wNumber(Infinity), "null"],
      [() => x.wNumber(-Infinity), "null"],
    ];
    for (const [call, text] of cases) {
      x.wReset();
      call();
      expect(wasm.writerOutput()).toBe(text);
    }
  });

  it("round-trips random doubles through JSON.parse", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (d) => {
        wasm.x.wReset();
        wasm.x.wNumber(d);
        const text = wasm.writerOutput();
        expect(Object.is(JSON.parse(text), d), text).toBe(true);
        expect(wasm.parse(text), text).toBe(JsonError.None);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it("round-trips any UTF-16 string (lone surrogates → U+FFFD), through JSON.parse and our reader", () => {
    fc.assert(
      fc.property(fc.oneof(anyUtf16, fc.string({ unit: "binary", maxLength: 40 })), (s) => {
        wasm.x.wReset();
        wasm.x.wString(wasm.putText(s));
        const text = wasm.writerOutput(); // fatal UTF-8 decoding: throws on invalid output
        expect(text).not.toMatch(/[\u2028\u2029]/);
        expect(JSON.parse(text)).toBe(wellFormed(s));
        expect(wasm.parse(text)).toBe(JsonError.None);
        expect(wasm.getString(0)).toBe(wellFormed(s));
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it("escapes UTF-8 bytes and replaces malformed ones", () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.string({ unit: "binary" }).map((s) => new TextEncoder().encode(s))), (bytes) => {
        wasm.x.wReset();
        wasm.x.wStringBytes(wasm.putInput(bytes));
        const text = wasm.writerOutput();
        const value = JSON.parse(text) as string;
        let valid = true;
        try {
          expect(value).toBe(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
        } catch (e) {
          if (!(e instanceof TypeError)) throw e;
          valid = false;
        }
        if (!valid) expect(value).toContain("\ufffd");
        expect(wasm.parse(text)).toBe(JsonError.None);
      }),
      { seed: SEED, numRuns: 2000 },
    );
    wasm.x.wReset();
    wasm.x.wStringBytes(wasm.putInput(Uint8Array.from([0x61, 0xe2, 0x80, 0xa8, 0xc0, 0xaf, 0x0a])));
    expect(wasm.writerOutput()).toBe('"a\\u2028\ufffd\ufffd\\n"');
  });

  it("writes random JSON values that JSON.parse reads back identically", () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: "binary", maxDepth: 6 }), (v) => {
        wasm.x.wReset();
        write(v);
        expect(wasm.x.wMisused()).toBe(0);
        expect(canonicalOf(JSON.parse(wasm.writerOutput()))).toEqual(canonicalOf(v));
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it("echoes raw JSON values verbatim", () => {
    expect(wasm.parse('{"jsonrpc":"2.0","id":"req-\\u00e9 1","method":"x"}')).toBe(JsonError.None);
    const x = wasm.x;
    x.wBeginObject();
    x.wKey(wasm.putText("id"));
    x.wRawNode(wasm.get(0, "id"));
    x.wKey(wasm.putText("missing"));
    x.wRawNode(wasm.get(0, "nope")); // absent node: empty bytes → null
    x.wKey(wasm.putText("list"));
    x.wRawRange(wasm.putInput(new TextEncoder().encode("[1, 2]")));
    x.wEndObject();
    expect(wasm.writerOutput()).toBe('{"id":"req-\\u00e9 1","missing":null,"list":[1, 2]}');
  });

  it("ignores calls that do not fit, and always returns valid JSON", () => {
    const x = wasm.x;
    expect(wasm.writerOutput()).toBe("null"); // nothing written
    x.wBeginObject();
    x.wString(wasm.putText("value where a key is due"));
    x.wEndArray();
    expect(x.wMisused()).toBe(1);
    x.wKey(wasm.putText("a"));
    x.wKey(wasm.putText("b")); // key where a value is due
    x.wInteger(1n);
    x.wKey(wasm.putText("open"));
    x.wBeginArray();
    x.wBeginObject();
    x.wKey(wasm.putText("dangling"));
    expect(wasm.writerOutput()).toBe('{"a":1,"open":[{"dangling":null}]}');
    x.wEndObject();
    x.wEndArray();
    x.wEndObject();
    x.wNull(); // a second top-level value
    x.wEndObject(); // nothing open
    expect(wasm.writerOutput()).toBe('{"a":1,"open":[{"dangling":null}]}');
    x.wReset();
    expect(x.wMisused()).toBe(0);
    x.wBeginObject();
    x.wKey(wasm.putText("k"));
    x.wEndObject();
    expect(wasm.writerOutput()).toBe('{"k":null}');
    expect(x.wMisused()).toBe(1);
  });

  it("writes null instead of reading outside memory", () => {
    const x = wasm.x;
    const size = x.memory.buffer.byteLength;
    x.wBeginArray();
    x.wStringBytesAt(size - 2, 10);
    x.wRawRangeAt(0xfffffff0, 0x20);
    x.wStringBytesAt(0, -1);
    x.wEndArray();
    expect(wasm.writerOutput()).toBe("[null,null,null]");
    expect(x.wMisused()).toBe(1);
  });

  it("reuses its buffer", () => {
    // stringBytes reads the input buffer, so nothing else allocates in the module while we measure.
    const len = wasm.putInput(new TextEncoder().encode("x".repeat(10_000)));
    for (let i = 0; i < 3; i++) {
      wasm.x.wReset();
      wasm.x.wStringBytes(len);
    }
    const before = wasm.x.memory.buffer.byteLength;
    for (let i = 0; i < 100; i++) {
      wasm.x.wReset();
      wasm.x.wStringBytes(len);
      expect(wasm.x.wByteLength()).toBe(10_002);
    }
    expect(wasm.x.memory.buffer.byteLength).toBe(before);
  });
});

describe("jsonQuote", () => {
  it("matches JSON.stringify except for U+2028/U+2029 and lone surrogates", () => {
    fc.assert(
      fc.property(anyUtf16, (s) => {
        const expected = JSON.stringify(wellFormed(s)).replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
        expect(wasm.outputUtf16(wasm.x.quote(wasm.putText(s)))).toBe(expected);
      }),
      { seed: SEED, numRuns: 1000 },
    );
    expect(wasm.outputUtf16(wasm.x.quote(wasm.putText('say "hi"\n')))).toBe('"say \\"hi\\"\\n"');
  });
});
