// Property tests across both implementations of RFC 8785: random JSON values are written out as varied but
// valid JSON text (random whitespace, member order, escapes and number spellings); the module's canonical bytes
// of that text must equal canonicalJson(JSON.parse(text)) in TypeScript, and tool digests must agree. Then a
// little fuzzing: whatever the bytes, the module answers and never traps.
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

// ---- random JSON values ----

const TRICKY_CHARS = ['"', "\\", "/", "\b", "\f", "\n", "\r", "\t", "\u0000", "\u0001", "\u001f", "\u007f", "\u0080",
  "é", "€", "\u2028", "\u2029", "\ufb33", "\uffff", "\ud83d\ude00", "\u{10ffff}", "\u{10000}", "a", "Z", "0", " "];
const trickyString = fc.string({ unit: fc.constantFrom(...TRICKY_CHARS), maxLength: 8 });
const anyString = fc.oneof(trickyString, fc.string({ unit: "binary", maxLength: 10 }), fc.string({ maxLength: 6 }));
const memberName = fc.oneof(anyString, fc.constantFrom("", "__proto__", "constructor", "1", "10", "9", "a", "A", "é"));

const SPECIAL_NUMBERS = [0, -0, 1, -1, 1e21, 1e-7, 1e-6, 999999999999999900000, 5e-324, -5e-324, 1.7976931348623157e308,
  2 ** 53, 2 ** 53 + 2, 0.1, 1 / 3, 123456789.125, 1e20, 1.5e-7];
const anyNumber = fc.oneof(
  fc.integer(),
  fc.constantFrom(...SPECIAL_NUMBERS),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: -1e6, max: 1e6 }).map((n) => n / 1000),
);

/** A generated JSON object: a member list, so "__proto__" stays an ordinary name and order is explicit. */
class Obj {
  constructor(readonly members: Array<[string, Value]>) {}
}
type Value = null | boolean | number | string | Value[] | Obj;

const { value: jsonValue } = fc.letrec<{ value: Value; array: Value[]; object: Obj }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom(null, true, false),
    anyNumber,
    anyString,
    tie("array"),
    tie("object"),
  ),
  array: fc.array(tie("value"), { maxLength: 5 }),
  object: fc
    .uniqueArray(fc.tuple(memberName, tie("value")), { maxLength: 6, selector: ([k]) => k })
    .map((members) => new Obj(members)),
}));

// ---- varied but valid JSON text ----

function hex4(code: number, next: () => number): string {
  const h = code.toString(16).padStart(4, "0");
  return next() < 0.5 ? h : h.toUpperCase();
}

const SHORT_ESCAPES: Record<string, string> = { '"': '\\"', "\\": "\\\\", "/": "\\/", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function spellString(s: string, next: () => number): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    const mustEscape = code < 0x20 || ch === '"' || ch === "\\";
    const r = next();
    if (!mustEscape && r < 0.6) out += ch;
    else if (SHORT_ESCAPES[ch] !== undefined && r < 0.8) out += SHORT_ESCAPES[ch];
    else if (code > 0xffff) out += [...ch.split("")].map((u) => "\\u" + hex4(u.charCodeAt(0), next)).join("");
    else out += "\\u" + hex4(code, next);
  }
  return out + '"';
}

function spellNumber(v: number, next: () => number): string {
  const r = next();
  let text: string;
  if (r < 0.4) text = String(v);
  else if (r < 0.55) text = v.toExponential();
  else if (r < 0.7) text = v.toPrecision(17);
  else if (r < 0.8) text = v.toPrecision(1 + Math.floor(next() * 21)); // often not the same double: fine
  else if (r < 0.9 && Number.isInteger(v) && Math.abs(v) < 1e21) text = `${v < 0 || Object.is(v, -0) ? "-" : ""}${Math.abs(v)}.000e0`;
  else text = Object.is(v, -0) ? "-0" : v.toExponential(Math.floor(next() * 20));
  if (next() < 0.3) text = text.replace("e", "E");
  return text.replace("e+", next() < 0.5 ? "e" : "e+").replace("E+", next() < 0.5 ? "E" : "E+");
}

function space(next: () => number): string {
  return next() < 0.7 ? "" : [" ", "\t", "\n", "\r\n", "  "][Math.floor(next() * 5)]!;
}

/** JSON text of `value`; with `duplicates`, some members are preceded by a decoy with the same name. */
function spell(value: Value, next: () => number, duplicates = false): string {
  if (value === null || typeof value === "boolean") return String(value);
  if (typeof value === "number") return spellNumber(value, next);
  if (typeof value === "string") return spellString(value, next);
  if (value instanceof Obj) {
    const members = [...value.members];
    for (let i = members.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [members[i], members[j]] = [members[j]!, members[i]!];
    }
    const parts: string[] = [];
    for (const [name, v] of members) {
      if (duplicates && next() < 0.3) parts.push(`${spellString(name, next)}:${next() < 0.5 ? "1" : "[]"}`);
      parts.push(`${space(next)}${spellString(name, next)}${space(next)}:${space(next)}${spell(v, next, duplicates)}${space(next)}`);
    }
    return `{${parts.join(",")}${members.length === 0 ? space(next) : ""}}`;
  }
  return `[${space(next)}${value.map((v) => spell(v, next, duplicates)).join(`,${space(next)}`)}${space(next)}]`;
}

// ---- the properties ----

const encoder = new TextEncoder();

/** canonicalJson(JSON.parse(text)), or null when it has none (a spelling like 2e+308 is Infinity). */
function expectedCanonical(text: string): string | null {
  try {
    return canonicalJson(JSON.parse(text));
  } catch (e) {
    if (e instanceof TypeError && /has no JSON form/.test(e.message)) return null;
    throw e;
  }
}

/** toolDigest of a JSON.parse result, or "" when it has no canonical form. */
function expectedDigest(tool: unknown): string {
  try {
    return toolDigest(tool as never);
  } catch (e) {
    if (e instanceof TypeError && /has no JSON form/.test(e.message)) return "";
    throw e;
  }
}

let refused = 0; // texts neither side gives a canonical form (numbers beyond the double range)

function agree(text: string): void {
  const expected = expectedCanonical(text);
  expect(wasm.parse(text), text).toBe(0);
  const bytes = wasm.canonicalBytes();
  if (expected === null) {
    refused++;
    expect(bytes, text).toBeNull();
    return;
  }
  expect(bytes, text).not.toBeNull();
  expect(Buffer.from(bytes!).equals(Buffer.from(encoder.encode(expected))), `${text}\n→ ${expected}`).toBe(true);
}

describe("canonical bytes: module == TypeScript", () => {
  it("random JSON values in varied spellings (fast-check, 1500 runs)", () => {
    fc.assert(
      fc.property(jsonValue, fc.integer(), (value, seed) => {
        agree(spell(value, prng(seed)));
      }),
      { numRuns: 1500, seed: 1 },
    );
  });

  it("objects with unicode- and escape-heavy member names, incl. non-BMP (fast-check, 1000 runs)", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(memberName, anyNumber), { maxLength: 30, selector: ([k]) => k }), fc.integer(), (members, seed) => {
        agree(spell(new Obj(members), prng(seed)));
      }),
      { numRuns: 1000, seed: 2 },
    );
  });

  it("every kind of number, alone and in arrays (fast-check, 2000 runs)", () => {
    fc.assert(
      fc.property(fc.array(anyNumber, { minLength: 1, maxLength: 8 }), fc.integer(), (numbers, seed) => {
        agree(spell(numbers, prng(seed)));
        agree(spellNumber(numbers[0]!, prng(seed + 1)));
      }),
      { numRuns: 2000, seed: 3 },
    );
  });

  it("refused some overflowing spellings on both sides along the way", () => {
    expect(refused).toBeGreaterThan(0);
  });

  it("duplicate member names (allowed by the limits): the last value wins on both sides (fast-check, 500 runs)", () => {
    wasm.setLimits({ rejectDuplicateKeys: false });
    fc.assert(
      fc.property(jsonValue, fc.integer(), (value, seed) => {
        agree(spell(value, prng(seed), true));
      }),
      { numRuns: 500, seed: 4 },
    );
  });
});

describe("tool digests: module == TypeScript", () => {
  const tool = fc.record(
    {
      name: fc.string({ maxLength: 10 }),
      title: anyString,
      description: fc.oneof(anyString, jsonValue),
      inputSchema: jsonValue,
      annotations: jsonValue,
    },
    { requiredKeys: ["name"] },
  );

  it("random tools (fast-check, 1000 runs)", () => {
    fc.assert(
      fc.property(tool, fc.integer(), (t, seed) => {
        const text = spell(new Obj(Object.entries(t)), prng(seed));
        expect(wasm.toolDigest(text), text).toBe(expectedDigest(JSON.parse(text)));
      }),
      { numRuns: 1000, seed: 5 },
    );
  });

  it("tools inside a tools/list result parsed with a small recordDepth (fast-check, 300 runs)", () => {
    fc.assert(
      fc.property(fc.array(tool, { minLength: 1, maxLength: 4 }), fc.integer({ min: 3, max: 8 }), fc.integer(), (tools, recordDepth, seed) => {
        const list = tools.map((t) => new Obj(Object.entries(t)));
        const message = new Obj([["jsonrpc", "2.0"], ["id", 1], ["result", new Obj([["tools", list]])]]);
        const text = spell(message, prng(seed));
        wasm.setLimits({ recordDepth });
        expect(wasm.parse(text)).toBe(0);
        const nodes = wasm.children(wasm.member(wasm.member(wasm.x.root(), "result"), "tools"));
        const parsed = JSON.parse(text) as { result: { tools: unknown[] } };
        expect(nodes.map((n) => wasm.toolDigestOf(n))).toEqual(parsed.result.tools.map(expectedDigest));
      }),
      { numRuns: 300, seed: 6 },
    );
  });
});

describe("never traps", () => {
  it("random bytes: a failed parse, then every accessor answers \"\" / null (2000 inputs)", () => {
    const next = prng(77);
    for (let i = 0; i < 2000; i++) {
      const bytes = new Uint8Array(Math.floor(next() * 64));
      for (let j = 0; j < bytes.length; j++) bytes[j] = next() < 0.5 ? Math.floor(next() * 256) : "{}[]\":,\\u0e1-".charCodeAt(Math.floor(next() * 14));
      const error = wasm.parse(bytes);
      if (error !== 0) {
        expect(wasm.x.root()).toBe(-1);
        expect(wasm.toolDigestOf(wasm.x.root())).toBe("");
        expect(wasm.canonicalBytes()).toBeNull();
      }
      for (const node of [-1, 0, 1, 2, 5, 1000]) wasm.toolDigestOf(node);
    }
    expect(wasm.logs).toEqual([]);
  });

  it("mutated tool definitions: whatever parses gets the TypeScript digest, the rest \"\" (1500 inputs)", () => {
    const next = prng(78);
    const base = encoder.encode(JSON.stringify({
      name: "t", description: "Läuft \u2028 😀 \"q\"", inputSchema: { type: "object", properties: { n: { type: "number", maximum: 1e21, minimum: -5e-324 } }, required: ["n"] },
    }));
    let parsed = 0;
    for (let i = 0; i < 1500; i++) {
      const bytes = base.slice();
      const edits = 1 + Math.floor(next() * 3);
      for (let e = 0; e < edits; e++) bytes[Math.floor(next() * bytes.length)] = Math.floor(next() * 256);
      if (wasm.parse(bytes) !== 0) {
        expect(wasm.toolDigestOf(wasm.x.root())).toBe("");
        continue;
      }
      let value: unknown;
      try {
        value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
      } catch {
        throw new Error(`module accepted what JSON.parse rejects: ${Buffer.from(bytes).toString("hex")}`);
      }
      parsed++;
      const isObject = value !== null && typeof value === "object" && !Array.isArray(value);
      let expected = "";
      if (isObject) {
        try {
          expected = toolDigest(value as never);
        } catch {
          expected = ""; // e.g. a number that became 1e+9xx: no canonical form on either side
        }
      }
      expect(wasm.toolDigestOf(wasm.x.root())).toBe(expected);
    }
    expect(parsed).toBeGreaterThan(50);
    expect(wasm.logs).toEqual([]);
  });
});
