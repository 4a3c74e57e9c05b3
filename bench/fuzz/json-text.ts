// JSON text with the freedoms a hostile client or server has and JSON.stringify never uses: duplicate keys, keys
// and strings spelled with escapes (`"n\u0061me"`, `"tools\/call"`), odd but legal whitespace, raw fragments.
// Values are plain JSON values except objects, which are lists of members so that a key can appear twice.

export type Rng = () => number;

export type JsonText =
  | null
  | boolean
  | number
  | string
  | JsonText[]
  | { members: Array<[string, JsonText]> }
  | { raw: string };

export function obj(...members: Array<[string, JsonText]>): JsonText {
  return { members };
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)]!;
}

export function int(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

const SHORT_ESCAPES: Record<string, string> = { '"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function hex4(unit: number, upper: boolean): string {
  const h = unit.toString(16).padStart(4, "0");
  return upper ? h.toUpperCase() : h;
}

/**
 * A JSON string literal for `s`. `escapeRate` is the chance that a character that needs no escape is written as
 * \uXXXX anyway (or `/` as `\/`); a lone surrogate in `s` is always escaped, which makes the literal one a
 * strict parser must refuse.
 */
export function quote(rng: Rng, s: string, escapeRate: number): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    const unit = s.charCodeAt(i);
    if (SHORT_ESCAPES[ch] !== undefined && (unit >= 0x20 || rng() < 0.7)) out += SHORT_ESCAPES[ch];
    else if (unit < 0x20 || (unit >= 0xd800 && unit <= 0xdfff)) out += "\\u" + hex4(unit, rng() < 0.5);
    else if (escapeRate > 0 && rng() < escapeRate) out += ch === "/" && rng() < 0.5 ? "\\/" : "\\u" + hex4(unit, rng() < 0.5);
    else out += ch;
  }
  return out + '"';
}

const ODD_WHITESPACE = [" ", "\t", "\n", "\r", "\r\n", "  "];

function space(rng: Rng, rate: number): string {
  return rate > 0 && rng() < rate ? pick(rng, ODD_WHITESPACE) : "";
}

export interface TextOptions {
  /** Chance to escape a character of a key or string that needs no escape. */
  escapeRate: number;
  /** Chance of whitespace around each token. */
  spaceRate: number;
}

export function toText(rng: Rng, value: JsonText, options: TextOptions): string {
  const ws = () => space(rng, options.spaceRate);
  if (value === null) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return Number.isFinite(value) ? JSON.stringify(value) : "0";
  if (typeof value === "string") return quote(rng, value, options.escapeRate);
  if (Array.isArray(value)) return "[" + ws() + value.map((v) => toText(rng, v, options)).join(ws() + "," + ws()) + ws() + "]";
  if ("raw" in value) return value.raw;
  const members = value.members.map(([k, v]) => ws() + quote(rng, k, options.escapeRate) + ws() + ":" + ws() + toText(rng, v, options) + ws());
  return "{" + members.join(",") + "}";
}

/** A nested array/object `depth` levels deep with a leaf at the bottom. */
export function nested(rng: Rng, depth: number, leaf: JsonText): JsonText {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = rng() < 0.5 ? [v] : obj(["k", v]);
  return v;
}
