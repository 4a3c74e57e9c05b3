// Property and differential tests of the JSON reader against JSON.parse (fast-check, fixed seeds).
import fc from "fast-check";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { canonicalOf, JsonError, JsonType, JsonWasm, mutateJsonBytes, prng } from "./json-harness.ts";

let wasm: JsonWasm;

beforeAll(() => {
  wasm = JsonWasm.load();
});

beforeEach(() => {
  wasm.resetLimits();
});

const SEED = 20261121;
const jsonValues = fc.jsonValue({ stringUnit: "binary", maxDepth: 6 });

/**
 * JSON text for `v` written the way a hostile or unusual sender might: random insignificant whitespace, random
 * \u escapes (upper- or lower-case hex, surrogate pairs for non-BMP), short escapes, numbers in exponent form.
 */
function serialize(v: unknown, rnd: () => number): string {
  const ws = (): string => (rnd() < 0.25 ? [" ", "\t", "\n", "\r", "  "][Math.floor(rnd() * 5)]! : "");
  const hex = (u: number): string => {
    const h = u.toString(16).padStart(4, "0");
    return "\\u" + (rnd() < 0.5 ? h : h.toUpperCase());
  };
  const str = (s: string): string => {
    let out = '"';
    for (const ch of s) {
      const cp = ch.codePointAt(0)!;
      const short: Record<number, string> = { 0x22: '\\"', 0x5c: "\\\\", 0x08: "\\b", 0x0c: "\\f", 0x0a: "\\n", 0x0d: "\\r", 0x09: "\\t", 0x2f: "\\/" };
      const mustEscape = cp < 0x20 || cp === 0x22 || cp === 0x5c;
      const r = rnd();
      if (short[cp] !== undefined && (mustEscape || r < 0.3)) out += short[cp];
      else if (mustEscape || r < 0.15) {
        if (cp >= 0x10000) out += hex(0xd800 + ((cp - 0x10000) >> 10)) + hex(0xdc00 + ((cp - 0x10000) & 0x3ff));
        else out += hex(cp);
      } else out += ch;
    }
    return out + '"';
  };
  if (v === null || typeof v === "boolean") return String(v);
  if (typeof v === "number") return rnd() < 0.3 ? v.toExponential() : JSON.stringify(v);
  if (typeof v === "string") return str(v);
  if (Array.isArray(v)) return "[" + ws() + v.map((x) => serialize(x, rnd)).join(ws() + "," + ws()) + ws() + "]";
  const o = v as Record<string, unknown>;
  const members = Object.keys(o).map((k) => str(k) + ws() + ":" + ws() + serialize(o[k], rnd));
  return "{" + ws() + members.join(ws() + "," + ws()) + ws() + "}";
}

const strictDecoder = new TextDecoder("utf-8", { fatal: true });

describe("reader vs JSON.parse", () => {
  it("accepts what JSON.stringify writes and sees the same structure", () => {
    fc.assert(
      fc.property(jsonValues, (v) => {
        const text = JSON.stringify(v);
        expect(wasm.parse(text)).toBe(JsonError.None);
        expect(wasm.canonical(0)).toEqual(canonicalOf(JSON.parse(text)));
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it("decodes random escapes, surrogate pairs and whitespace like JSON.parse", () => {
    fc.assert(
      fc.property(jsonValues, fc.integer(), (v, seed) => {
        const text = serialize(v, prng(seed));
        expect(wasm.parse(text), text).toBe(JsonError.None);
        expect(wasm.canonical(0)).toEqual(canonicalOf(JSON.parse(text)));
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it("decodes random strings exactly (getString, stringEquals, get)", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "binary", maxLength: 40 }), { minLength: 1, maxLength: 8 }), fc.integer(), (keys, seed) => {
        const rnd = prng(seed);
        const unique = [...new Set(keys)];
        const obj: Record<string, number> = {};
        unique.forEach((k, i) => Object.defineProperty(obj, k, { value: i, enumerable: true }));
        const text = serialize(obj, rnd);
        expect(wasm.parse(text), text).toBe(JsonError.None);
        const root = wasm.x.root();
        expect(wasm.x.length(root)).toBe(unique.length);
        for (const [i, k] of unique.entries()) {
          const value = wasm.get(root, k);
          expect(wasm.x.getNumber(value), k).toBe(i);
          if (!unique.includes(k + "\u0000")) expect(wasm.get(root, k + "\u0000")).toBe(-1);
        }
        for (const key of wasm.children(root)) {
          const decoded = wasm.getString(key)!;
          expect(unique).toContain(decoded);
          expect(wasm.stringEquals(key, decoded)).toBe(true);
          expect(wasm.stringEquals(key, decoded + "x")).toBe(false);
          if (decoded.length > 0) expect(wasm.stringEquals(key, decoded.slice(0, -1))).toBe(false);
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("agrees with JSON.parse on randomly mutated documents, in both directions", () => {
    let accepted = 0;
    let rejected = 0;
    fc.assert(
      fc.property(jsonValues, fc.integer(), (v, seed) => {
        const rnd = prng(seed);
        const bytes = mutateJsonBytes(Array.from(new TextEncoder().encode(serialize(v, rnd))), rnd);
        const input = Uint8Array.from(bytes);
        const error = wasm.parse(input);
        let text: string | undefined;
        let parsed: unknown;
        let jsAccepts = false;
        try {
          text = strictDecoder.decode(input);
          parsed = JSON.parse(text);
          jsAccepts = true;
        } catch {
          jsAccepts = false;
        }
        if (error === JsonError.None) {
          accepted++;
          // Whatever we accept is valid UTF-8 that JSON.parse reads the same way.
          expect(jsAccepts, text).toBe(true);
          expect(wasm.canonical(0)).toEqual(canonicalOf(parsed));
        } else {
          rejected++;
          // We reject what JSON.parse accepts only for the stricter rules we chose on purpose.
          if (jsAccepts) {
            expect([JsonError.DuplicateKey, JsonError.LoneSurrogate, JsonError.TooDeep], `${JsonError[error]}: ${text}`).toContain(error);
          }
        }
      }),
      { seed: SEED, numRuns: 3000 },
    );
    // The mutations must exercise both outcomes to mean anything.
    expect(accepted).toBeGreaterThan(100);
    expect(rejected).toBeGreaterThan(1000);
    expect(wasm.logs).toEqual([]);
  });

  it("decides the same whether deep values are stored or only validated (recordDepth)", () => {
    // Below recordDepth a separate loop validates (scanner.ts skipContainer): same errors, same offsets.
    fc.assert(
      fc.property(jsonValues, fc.integer(), (v, seed) => {
        const rnd = prng(seed);
        const bytes = Array.from(new TextEncoder().encode(serialize({ a: [v, { b: v }], c: v }, rnd)));
        if (rnd() < 0.7) mutateJsonBytes(bytes, rnd);
        const input = Uint8Array.from(bytes);
        wasm.resetLimits();
        const expected = [wasm.parse(input), wasm.x.errorOffset()];
        for (const recordDepth of [0, 1, 2, 3]) {
          wasm.setLimits({ recordDepth });
          expect([wasm.parse(input), wasm.x.errorOffset()], `recordDepth ${recordDepth}`).toEqual(expected);
        }
      }),
      { seed: SEED, numRuns: 2000 },
    );
    wasm.resetLimits();
  });

  it("validates every short number-like token the same in the skip loop as in the main loop", () => {
    // The skip loop finds short numbers with one 64-bit load (scanner.ts scanShortNumber) and leaves anything
    // else to scanNumber: every token of up to 5 characters over this alphabet, before each separator and at
    // each distance from the end of the input, must get the same answer and error offset as the main loop, and
    // the answer JSON.parse gives.
    const alphabet = ["0", "1", "9", "-", ".", "e", "+", "x"];
    const tokens: string[] = [];
    const grow = (prefix: string): void => {
      if (prefix.length > 0) tokens.push(prefix);
      if (prefix.length < 5) for (const c of alphabet) grow(prefix + c);
    };
    grow("");
    let checked = 0;
    for (const token of tokens) {
      if (!/^[-0-9]/.test(token)) continue; // only tokens that start a number reach the number scanners
      for (const after of [",1]", "]", " ]", "}]", "e]", "        ,2]"]) {
        const text = `[[${token}${after}`;
        const input = new TextEncoder().encode(text);
        wasm.resetLimits();
        const expected = [wasm.parse(input), wasm.x.errorOffset()];
        wasm.setLimits({ recordDepth: 0 });
        expect([wasm.parse(input), wasm.x.errorOffset()], text).toEqual(expected);
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        expect(expected[0] === JsonError.None, text).toBe(valid);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10_000);
    wasm.resetLimits();
  });

  it("never traps on random bytes (one instance throughout)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 0, max: 3 }), (input, recordDepth) => {
        wasm.setLimits({ recordDepth, maxDepth: 8 });
        const error = wasm.parse(input);
        if (error === JsonError.None) {
          const walk = (n: number): void => {
            wasm.getString(n);
            wasm.x.getNumber(n);
            wasm.x.isInteger(n);
            for (const c of wasm.children(n)) walk(wasm.x.type(n) === JsonType.Object ? wasm.x.keyValue(c) : c);
          };
          walk(0);
        }
      }),
      { seed: SEED, numRuns: 3000 },
    );
    wasm.resetLimits();
    expect(wasm.parse("[true]")).toBe(JsonError.None);
    expect(wasm.logs).toEqual([]);
  });

  it("reads random doubles exactly as JSON.parse does", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 0, max: 25 }), (d, digits) => {
        for (const text of [JSON.stringify(d), d.toExponential(digits), d.toPrecision(Math.max(1, digits))]) {
          if (!/^-?\d/.test(text)) continue; // toPrecision/toExponential never give NaN here; keep the grammar honest
          expect(wasm.parse(text), text).toBe(JsonError.None);
          expect(Object.is(wasm.x.getNumber(0), JSON.parse(text)), text).toBe(true);
        }
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });
});
