// Differential check of two builds of the JSON reader (assembly/testing/json.ts): the same generated and mutated
// documents, under several limits, must give the same error and error offset and, when accepted, the same node
// table. For reader changes that must not change a decision (see bench/ab.ts for the timing side).
//
//   npx tsx bench/reader-diff.ts --base DIR [--new DIR] [--cases N] [--seed S]
//
// DIR holds json.wasm (bench/ab.ts --build DIR compiles it); without --new, build/ab/new (bench/ab.ts builds it).
import { mutateJsonBytes, prng } from "../test/json-harness.ts";
import { argValue } from "./args.ts";
import { instantiateEntry, type JsonEntryExports, writeInput } from "./wasm-entries.ts";

const KEYS = ["a", "b", "name", "n\\u0061me", "na\\u006de", "\\u0061", "é", "\\u00e9", "key_long_enough_to_span", "key_long_enough_to_spa\\u006e", "", "\\ud83d\\ude00", "😀", String.raw`x\"y`, String.raw`x\u0022y`, "abcdefg", "abcdefgh", "abcdefghi", "\\/", "/"];
const STRINGS = ["", "plain", "tab\\there", "\\\"quoted\\\"", "ünïcödé ✓", "—", "\\u00fc", "\\ud83d\\ude00", "😀 and more text here", "a".repeat(40), "x\\\\y", "\\b\\f\\n\\r\\t\\/"];
const NUMBERS = ["0", "-0", "1", "-12", "3.25", "1e9", "-2.5E-3", "123456789012345678901234567890", "0.1"];

// Values left to generate in the current document (keeps the size bounded).
let budget = 0;

function generate(rnd: () => number, depth: number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const r = rnd();
  if (depth > 7 || r < 0.35 || --budget < 0) {
    const s = rnd();
    if (s < 0.45) return `"${pick(STRINGS)}"`;
    if (s < 0.8) return pick(NUMBERS);
    return pick(["true", "false", "null"]);
  }
  const ws = () => (rnd() < 0.1 ? pick([" ", "\n", "\t", "\r\n "]) : "");
  if (r < 0.6) {
    const n = rnd() < 0.1 ? Math.floor(rnd() * 80) : Math.floor(rnd() * 6);
    const items: string[] = [];
    for (let k = 0; k < n; k++) items.push(ws() + generate(rnd, depth + 1) + ws());
    return "[" + items.join(",") + "]";
  }
  const n = rnd() < 0.1 ? Math.floor(rnd() * 70) : Math.floor(rnd() * 7);
  const members: string[] = [];
  const dupRate = rnd() < 0.5 ? 0 : 0.3;
  for (let k = 0; k < n; k++) {
    const key = rnd() < dupRate ? pick(KEYS) : `k${k}_${Math.floor(rnd() * 1e6)}${rnd() < 0.2 ? "\\u00e9" : ""}`;
    members.push(ws() + `"${key}"` + ws() + ":" + ws() + generate(rnd, depth + 1) + ws());
  }
  return "{" + members.join(",") + "}";
}

// A string of well-formed characters of 1 to 4 UTF-8 bytes (with the lead bytes whose second byte has a
// narrower range), sometimes with a malformed byte or a cut sequence: the reader's word-wise text check must
// agree with the byte-wise one, at every alignment.
const CHARS = ["a", " ", "é", "ü", "—", "✓", "中", "文", "\u0800", "\ud7ff", "\ue000", "\uffff", "😀", "\u{10ffff}", "\u{10000}", "ࠀ", "퟿", "", "ÿ", "߿"];
const BAD = [[0x80], [0xbf], [0xc0, 0x80], [0xc1, 0xbf], [0xc2], [0xe0, 0x80, 0x80], [0xe0, 0x9f, 0xbf], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf], [0xe1, 0x80], [0xf0, 0x80, 0x80, 0x80], [0xf0, 0x8f, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80], [0xf5, 0x80, 0x80, 0x80], [0xf8], [0xff], [0xe2, 0x9c], [0xc3, 0xc3], [0x22], [0x5c], [0x0a]];

function text(rnd: () => number): number[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const out: number[] = [];
  const n = Math.floor(rnd() * 40);
  for (let k = 0; k < n; k++) {
    const ch = pick(CHARS);
    out.push(...new TextEncoder().encode(ch));
  }
  if (rnd() < 0.5) out.splice(Math.floor(rnd() * (out.length + 1)), 0, ...pick(BAD));
  return out;
}

function textDocument(rnd: () => number): number[] {
  const q = 0x22;
  const inner = [0x5b, q, ...text(rnd), q, 0x2c, q, ...text(rnd), q, 0x5d]; // ["…","…"]
  const lead = new TextEncoder().encode(`{"${"k".repeat(Math.floor(rnd() * 8))}":[`);
  return [...lead, ...inner, 0x5d, 0x7d];
}

function dump(x: JsonEntryExports): string {
  const out: number[] = [];
  const n = x.nodeTableSize();
  for (let id = 0; id < n; id++) {
    out.push(x.type(id), x.start(id), x.end(id), x.length(id), x.firstChild(id), x.nextSibling(id), x.keyValue(id), x.hasEscapes(id), x.isKey(id));
  }
  return out.join(",");
}

const LIMITS: Array<[maxDepth: number, maxValues: number, recordDepth: number, dup: number]> = [
  [64, 1 << 20, 0x7fffffff, 1], [64, 1 << 20, 0, 1], [64, 1 << 20, 1, 1], [64, 1 << 20, 2, 1], [64, 1 << 20, 3, 1],
  [6, 1 << 20, 2, 1], [64, 40, 1, 1], [64, 40, 0x7fffffff, 1], [64, 1 << 20, 1, 0], [3, 1 << 20, 0x7fffffff, 0],
];

function main(): void {
  const base = argValue("--base");
  if (base === undefined) throw new Error("--base DIR is required");
  const next = argValue("--new") ?? "build/ab/new";
  const cases = Number(argValue("--cases") ?? 20000);
  const seed = Number(argValue("--seed") ?? 1);
  const a = instantiateEntry<JsonEntryExports>(`${base}/json.wasm`);
  const b = instantiateEntry<JsonEntryExports>(`${next}/json.wasm`);
  let accepted = 0;
  let mismatches = 0;
  const errors = new Map<number, number>();
  for (let c = 0; c < cases; c++) {
    const rnd = prng(seed * 1_000_003 + c);
    budget = 300;
    let bytes = c % 3 === 2 ? textDocument(rnd) : Array.from(new TextEncoder().encode(generate(rnd, 0)));
    if (c % 3 !== 2 && rnd() < 0.6) bytes = mutateJsonBytes(bytes, rnd);
    const input = Uint8Array.from(bytes);
    for (const [maxDepth, maxValues, recordDepth, dup] of LIMITS) {
      const results = [a, b].map((x) => {
        x.setLimits(1 << 20, maxDepth, maxValues, recordDepth, dup);
        writeInput(x, input);
        const error = x.parse(input.byteLength);
        return { error, offset: x.errorOffset(), nodes: error === 0 ? dump(x) : "" };
      });
      const [r0, r1] = results as [typeof results[0], typeof results[0]];
      if (r0.error === 0) accepted++;
      errors.set(r0.error, (errors.get(r0.error) ?? 0) + 1);
      if (r0.error !== r1.error || r0.offset !== r1.offset || r0.nodes !== r1.nodes) {
        mismatches++;
        if (mismatches <= 10) {
          console.log(`case ${c} limits ${[maxDepth, maxValues, recordDepth, dup]}: base ${r0.error}@${r0.offset}, new ${r1.error}@${r1.offset}${r0.nodes !== r1.nodes ? " (node tables differ)" : ""}`);
          console.log("  " + JSON.stringify(Buffer.from(input).toString("latin1")).slice(0, 400));
        }
      }
    }
  }
  console.log(`reader-diff: ${cases} documents × ${LIMITS.length} limits, ${accepted} accepted parses, ${mismatches} mismatches`);
  console.log(`  errors (JsonError: parses): ${[...errors].sort((x, y) => x[0] - y[0]).map(([e, n]) => `${e}: ${n}`).join(", ")}`);
  if (mismatches > 0) process.exitCode = 1;
}

main();
