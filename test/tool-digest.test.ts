// RFC 8785 canonical JSON and tool digests: the TypeScript side (src/pins/canonical.ts) and the module side
// (assembly/mcp/canonical_json.ts, es_number.ts, tool_digest.ts through build/test/crypto.wasm) against the
// RFC's own examples, ECMAScript's Number::toString and each other. Random agreement: tool-digest-property.test.ts.
import { createHash } from "node:crypto";
import fc from "fast-check";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { canonicalJson, toolDigest } from "../src/pins/canonical.ts";
import { CryptoWasm } from "./crypto-harness.ts";
import { prng } from "./json-harness.ts";

let wasm: CryptoWasm;

beforeAll(() => {
  wasm = CryptoWasm.load();
});

beforeEach(() => {
  wasm.x.resetLimits();
});

/** The double with the given IEEE 754 bits (16 hex digits, big-endian). */
function double(bits: string): number {
  return Buffer.from(bits, "hex").readDoubleBE(0);
}

const sha256 = (text: string): string => "sha256:" + createHash("sha256").update(text, "utf8").digest("hex");

// RFC 8785 Appendix B: IEEE 754 bit patterns and their required serialization.
const APPENDIX_B: Array<[string, string]> = [
  ["0000000000000000", "0"],
  ["8000000000000000", "0"],
  ["0000000000000001", "5e-324"],
  ["8000000000000001", "-5e-324"],
  ["7fefffffffffffff", "1.7976931348623157e+308"],
  ["ffefffffffffffff", "-1.7976931348623157e+308"],
  ["4340000000000000", "9007199254740992"],
  ["c340000000000000", "-9007199254740992"],
  ["4430000000000000", "295147905179352830000"],
  ["44b52d02c7e14af5", "9.999999999999997e+22"],
  ["44b52d02c7e14af6", "1e+23"],
  ["44b52d02c7e14af7", "1.0000000000000001e+23"],
  ["444b1ae4d6e2ef4e", "999999999999999700000"],
  ["444b1ae4d6e2ef4f", "999999999999999900000"],
  ["444b1ae4d6e2ef50", "1e+21"],
  ["3eb0c6f7a0b5ed8c", "9.999999999999997e-7"],
  ["3eb0c6f7a0b5ed8d", "0.000001"],
  ["41b3de4355555553", "333333333.3333332"],
  ["41b3de4355555554", "333333333.33333325"],
  ["41b3de4355555555", "333333333.3333333"],
  ["41b3de4355555556", "333333333.3333334"],
  ["41b3de4355555557", "333333333.33333343"],
  ["becbf647612f3696", "-0.0000033333333333333333"],
  ["43143ff3c1cb0959", "1424953923781206.2"], // round to even
];

describe("RFC 8785 examples", () => {
  // §3.2.2: the input as published (whitespace, escapes, number forms) and §3.2.3's canonical output.
  const input = `{
    "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
    "string": "\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\"\\/",
    "literals": [null, true, false]
  }`;
  const expected = String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`;

  it("§3.2.2 sample: TypeScript", () => {
    expect(canonicalJson(JSON.parse(input))).toBe(expected);
  });

  it("§3.2.2 sample: module, byte for byte", () => {
    expect(wasm.canonical(input)).toBe(expected);
    expect(Buffer.from(wasm.canonicalBytes()!).toString("hex")).toBe(Buffer.from(expected, "utf8").toString("hex"));
  });

  // §3.2.3: property sorting by UTF-16 code units (U+1F600, a surrogate pair, sorts before U+FB33).
  const sortInput = String.raw`{
    "\u20ac": "Euro Sign",
    "\r": "Carriage Return",
    "\ufb33": "Hebrew Letter Dalet With Dagesh",
    "1": "One",
    "\ud83d\ude00": "Emoji: Grinning Face",
    "\u0080": "Control",
    "\u00f6": "Latin Small Letter O With Diaeresis"
  }`;
  const sortExpected = '{"\\r":"Carriage Return","1":"One","\u0080":"Control","ö":"Latin Small Letter O With Diaeresis",' +
    '"€":"Euro Sign","😀":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}';

  it("§3.2.3 sorting sample: TypeScript and module", () => {
    expect(canonicalJson(JSON.parse(sortInput))).toBe(sortExpected);
    expect(wasm.canonical(sortInput)).toBe(sortExpected);
  });

  it("Appendix B number samples: TypeScript", () => {
    for (const [bits, text] of APPENDIX_B) expect(canonicalJson(double(bits)), bits).toBe(text);
  });

  it("Appendix B number samples: module formatter and module canonical form", () => {
    for (const [bits, text] of APPENDIX_B) {
      const v = double(bits);
      expect(wasm.numberText(v), bits).toBe(text);
      // Through the reader too: the shortest text and a 17-digit spelling both come back canonical.
      expect(wasm.canonical(`[${String(v)},${v.toPrecision(17)}]`), bits).toBe(`[${text},${text}]`);
    }
  });

  it("NaN and the infinities have no form (Appendix B: error)", () => {
    for (const v of [NaN, Infinity, -Infinity]) {
      expect(() => canonicalJson(v)).toThrow(TypeError);
      expect(wasm.numberText(v)).toBe("");
    }
  });
});

describe("ECMAScript Number::toString in the module", () => {
  const cases: number[] = [
    1, -1, 0.1, 0.2, 0.3, 1 / 3, 2 / 3, 100, 1e20, 1e21, 123e20, 1.5e21, 1e-6, 1e-7, 1.5e-7, 0.000001234, 1.234e-7,
    123.456, -1.5e-9, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, 2 ** 64, 2 ** 70, 2 ** -1022, 2 ** -1074, 2.2250738585072014e-308,
    2.225073858507201e-308, 4.9e-324, 1.7976931348623157e308, 8.98846567431158e307, 5e-310, 123456789012345680000,
    0.1 + 0.2, 9007199254740993, 1e300, 1e-300, 4.35, 0.5, 1.25e-5, 999999999999999999999, 1e22, 1e23,
  ];

  it("matches String(x) on chosen values and their negations", () => {
    for (const v of cases) {
      expect(wasm.numberText(v), String(v)).toBe(String(v));
      expect(wasm.numberText(-v), String(-v)).toBe(String(-v));
    }
  });

  it("matches String(x) on every power of two and its neighbours (asymmetric rounding intervals)", () => {
    const view = new DataView(new ArrayBuffer(8));
    for (let e = -1074; e <= 1023; e++) {
      const p = 2 ** e;
      view.setFloat64(0, p);
      const bits = view.getBigUint64(0);
      for (const d of [-1n, 0n, 1n]) {
        view.setBigUint64(0, bits + d);
        const v = view.getFloat64(0);
        if (!Number.isFinite(v) || v === 0) continue;
        expect(wasm.numberText(v), `2^${e} ${d}`).toBe(String(v));
      }
    }
  });

  it("matches String(x) on 20000 random bit patterns", () => {
    const next = prng(2020);
    const view = new DataView(new ArrayBuffer(8));
    let checked = 0;
    for (let i = 0; i < 20000; i++) {
      view.setUint32(0, Math.floor(next() * 2 ** 32));
      view.setUint32(4, Math.floor(next() * 2 ** 32));
      const v = view.getFloat64(0);
      if (!Number.isFinite(v)) continue;
      const text = wasm.numberText(v);
      if (text !== String(v)) expect(text, `bits ${view.getBigUint64(0).toString(16)}`).toBe(String(v));
      checked++;
    }
    expect(checked).toBeGreaterThan(19000);
  });

  it("matches String(x) on fast-check doubles (3000 runs)", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (v) => {
        expect(wasm.numberText(v)).toBe(String(v));
      }),
      { numRuns: 3000, seed: 8785 },
    );
  });

  it("matches String(x) on short decimals, integers and the exponent-form thresholds (fast-check, 3000 runs)", () => {
    const decimal = fc
      .tuple(fc.integer({ min: -99999999, max: 99999999 }), fc.integer({ min: -330, max: 310 }))
      .map(([digits, exponent]) => Number(`${digits}e${exponent}`))
      .filter(Number.isFinite);
    fc.assert(
      fc.property(fc.oneof(decimal, fc.integer(), fc.maxSafeInteger()), (v) => {
        expect(wasm.numberText(v)).toBe(String(v));
      }),
      { numRuns: 3000, seed: 21 },
    );
  });
});

describe("canonicalJson (TypeScript) details", () => {
  it("sorts by UTF-16 code units, not code points or locale", () => {
    expect(canonicalJson({ b: 1, a: 2, B: 3, "10": 4, "9": 5, é: 6, "\ufb33": 7, "\ud83d\ude00": 8 })).toBe(
      '{"10":4,"9":5,"B":3,"a":2,"b":1,"é":6,"😀":8,"\ufb33":7}',
    );
  });

  it("escapes as JSON.stringify: short escapes, other controls as lowercase \\u00xx, the rest raw", () => {
    expect(canonicalJson("\"\\/\b\f\n\r\t\u0000\u001f\u007f\u2028\u2029é😀")).toBe(
      '"\\"\\\\/\\b\\f\\n\\r\\t\\u0000\\u001f\u007f\u2028\u2029é😀"',
    );
  });

  it("keeps a __proto__ member of JSON.parse output and drops undefined members", () => {
    expect(canonicalJson(JSON.parse('{"__proto__":{"x":1},"a":[]}'))).toBe('{"__proto__":{"x":1},"a":[]}');
    expect(canonicalJson({ a: undefined, b: null })).toBe('{"b":null}');
    expect(canonicalJson(Object.assign(Object.create(null), { z: 1, y: 2 }))).toBe('{"y":2,"z":1}');
  });

  it("refuses what JSON cannot carry", () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    for (const bad of [undefined, 1n, () => 1, Symbol("s"), [undefined], NaN, [Infinity], "\ud800", { "\udc00": 1 },
      new Date(0), new Map(), cycle]) {
      expect(() => canonicalJson(bad), String(bad)).toThrow(TypeError);
    }
    const shared = { x: 1 };
    expect(canonicalJson([shared, shared])).toBe('[{"x":1},{"x":1}]'); // shared, not cyclic
  });
});

describe("tool digests", () => {
  const tool = {
    name: "create_issue",
    title: "Create issue",
    description: "Create a GitHub issue in a repository.",
    inputSchema: {
      type: "object",
      properties: { repo: { type: "string" }, title: { type: "string" }, body: { type: "string" } },
      required: ["repo", "title"],
    },
    annotations: { destructiveHint: false },
  };
  const canonicalTool = '{"description":"Create a GitHub issue in a repository.","inputSchema":{"properties":{"body":' +
    '{"type":"string"},"repo":{"type":"string"},"title":{"type":"string"}},"required":["repo","title"],"type":"object"}}';

  it("cover description and inputSchema only, canonically (the example in docs/tool-pinning.md)", () => {
    expect(toolDigest(tool)).toBe(sha256(canonicalTool));
    expect(toolDigest(tool)).toBe("sha256:6d26281978a66a23aecadc792bf854bf72195df03530b5621c0cd572eaff97c9");
    expect(wasm.toolDigest(JSON.stringify(tool, null, 2))).toBe(toolDigest(tool));
    // name, title and annotations do not count; member order and whitespace do not either.
    const renamed = { ...tool, name: "other", title: "x", annotations: {} };
    expect(toolDigest(renamed)).toBe(toolDigest(tool));
    expect(wasm.toolDigest(`{"inputSchema":${JSON.stringify(tool.inputSchema)} , "description" : "${tool.description}"}`))
      .toBe(toolDigest(tool));
  });

  it("change when the description or the schema changes", () => {
    expect(toolDigest({ ...tool, description: tool.description + " " })).not.toBe(toolDigest(tool));
    const loosened = { ...tool, inputSchema: { ...tool.inputSchema, required: ["repo"] } };
    expect(toolDigest(loosened)).not.toBe(toolDigest(tool));
    expect(wasm.toolDigest(JSON.stringify(loosened))).toBe(toolDigest(loosened));
  });

  it("leave absent members absent (and null present)", () => {
    expect(toolDigest({})).toBe(sha256("{}"));
    expect(wasm.toolDigest('{"name":"x"}')).toBe(sha256("{}"));
    expect(toolDigest({ description: "d" })).toBe(sha256('{"description":"d"}'));
    expect(wasm.toolDigest('{"description":"d","name":"x"}')).toBe(sha256('{"description":"d"}'));
    expect(toolDigest({ inputSchema: {} })).toBe(sha256('{"inputSchema":{}}'));
    expect(wasm.toolDigest('{"inputSchema":{}}')).toBe(sha256('{"inputSchema":{}}'));
    expect(toolDigest({ description: null })).toBe(sha256('{"description":null}'));
    expect(wasm.toolDigest('{"description":null}')).toBe(sha256('{"description":null}'));
    expect(toolDigest({ description: undefined, inputSchema: undefined })).toBe(sha256("{}"));
  });

  it("are \"\" in the module for a node that is not an object, and refused by the CLI", () => {
    for (const text of ["[]", "1", '"s"', "null", "true", '[{"description":"d"}]']) {
      expect(wasm.toolDigest(text), text).toBe("");
    }
    expect(wasm.parse('{"a":{"b":1}}')).toBe(0);
    for (const node of [-1, -2, 1, 3, 4, 999, 0x7fffffff, -0x80000000]) expect(wasm.toolDigestOf(node)).toBe("");
    expect(wasm.toolDigestOf(wasm.member(0, "a"))).toBe(sha256("{}"));
    for (const bad of [null, [], "tool", 1]) expect(() => toolDigest(bad as never)).toThrow(TypeError);
  });

  it("do not exist for a number beyond the double range (JSON.parse gives Infinity): \"\" and a TypeError", () => {
    const text = '{"description":"d","inputSchema":{"maximum":1e400}}';
    expect(wasm.toolDigest(text)).toBe("");
    expect(() => toolDigest(JSON.parse(text))).toThrow(TypeError);
    // Underflow is fine: the value is 0 on both sides.
    const tiny = '{"inputSchema":{"minimum":-1e-400}}';
    expect(wasm.toolDigest(tiny)).toBe(sha256('{"inputSchema":{"minimum":0}}'));
    expect(toolDigest(JSON.parse(tiny))).toBe(sha256('{"inputSchema":{"minimum":0}}'));
  });

  it("with duplicate keys allowed, take the last value like JSON.parse", () => {
    wasm.setLimits({ rejectDuplicateKeys: false });
    const text = '{"description":"first","inputSchema":{"b":1,"a":2,"b":3,"a":{"x":1,"x":[2]}},"description":"last"}';
    expect(wasm.toolDigest(text)).toBe(toolDigest(JSON.parse(text)));
    expect(toolDigest(JSON.parse(text))).toBe(sha256('{"description":"last","inputSchema":{"a":{"x":[2]},"b":3}}'));
  });

  it("are the same when the caller's document did not store the tool's subtree (small recordDepth)", () => {
    const tools = [tool, { name: "t2", description: "d2", inputSchema: { type: "object", properties: { a: { enum: [1, 2.5, "x"] } } } }];
    const message = JSON.stringify({ jsonrpc: "2.0", id: 1, result: { tools } });
    for (const recordDepth of [3, 4, 5, 6, 100]) {
      wasm.setLimits({ recordDepth });
      expect(wasm.parse(message)).toBe(0);
      const list = wasm.member(wasm.member(wasm.x.root(), "result"), "tools");
      const nodes = wasm.children(list);
      expect(nodes.length, `recordDepth ${recordDepth}`).toBe(2);
      expect(nodes.map((n) => wasm.toolDigestOf(n)), `recordDepth ${recordDepth}`).toEqual(tools.map((t) => toolDigest(t)));
    }
  });

  it("canonicalize deep documents and large objects without recursion", () => {
    wasm.setLimits({ maxDepth: 2000 });
    const deep = "[".repeat(1500) + '{"b":1,"a":2}' + "]".repeat(1500);
    expect(wasm.canonical(deep)).toBe("[".repeat(1500) + '{"a":2,"b":1}' + "]".repeat(1500));
    const next = prng(3);
    const wide: Record<string, number> = {};
    for (let i = 0; i < 10000; i++) wide[`k${Math.floor(next() * 1e9).toString(36)}\u00e9${i}`] = i;
    const text = JSON.stringify(wide);
    const started = performance.now();
    expect(wasm.canonical(text)).toBe(canonicalJson(wide));
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("never logged an abort", () => {
    expect(wasm.logs).toEqual([]);
  });
});
