// Why structured bodies stay under 1.5 GB/s: the reader alone against the cheapest part of the redesign that
// would be needed to go faster (a structural index computed ahead of the parse, simdjson's "stage 1"; the probe
// is assembly/testing/structural_index.ts, built with SIMD). Both run on the same 256 KB bodies, interleaved.
// The index's size is the number of tokens a second stage would walk; the 1.5 GB/s budget minus the probe's
// time, per entry, is what such a second stage could spend on each (docs/performance.md, "The reader on large
// bodies"). Unlike the tools/call section, the body is not copied into the module for each run.
import { compare, type MeasureOptions, type Stats } from "../measure.ts";
import type { BenchModules } from "../modules.ts";
import { instantiateEntry, writeInput, type JsonEntryExports } from "../wasm-entries.ts";
import { SHAPES, gigabytesPerSecond, type BodyShape } from "./tool-call.ts";

export interface ReaderLimitRow {
  shape: BodyShape;
  bytes: number;
  /** Structural characters, quotes and number/literal starts: the tokens a second stage would walk. */
  entries: number;
  reader: Stats;
  readerGbps: number;
  /** The reader's time per index entry, ns. */
  readerNanosPerEntry: number;
  stage1: Stats;
  stage1Gbps: number;
  /** What 1.5 GB/s allows for the body, µs. */
  budgetMicros: number;
  /** (budget − stage 1) per entry, ns: what is left for everything else a second stage does per token. */
  leftNanosPerEntry: number;
}

interface ProbeExports {
  memory: WebAssembly.Memory;
  _initialize(): void;
  inputBuffer(len: number): number;
  structuralIndex(len: number): number;
  indexPtr(): number;
}

const TARGET_GBPS = 1.5;
const SIZE = 256 * 1024;

/** The same index computed byte by byte (its offsets), to check the probe before timing it. */
export function referenceIndex(bytes: Uint8Array): number[] {
  const offsets: number[] = [];
  let inString = false;
  let escape = false;
  let inScalar = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (inString) {
      if (escape) escape = false;
      else if (b === 0x5c) escape = true;
      else if (b === 0x22) {
        inString = false;
        offsets.push(i);
      }
      continue;
    }
    const operator = b === 0x7b || b === 0x7d || b === 0x5b || b === 0x5d || b === 0x3a || b === 0x2c;
    const space = b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
    if (b === 0x22) inString = true;
    if (b === 0x22 || operator) offsets.push(i);
    else if (!space && !inScalar) offsets.push(i);
    inScalar = !space && !operator && b !== 0x22;
  }
  return offsets;
}

export async function benchReaderLimit(modules: BenchModules, options: MeasureOptions): Promise<ReaderLimitRow[]> {
  if (!modules.json || !modules.structuralIndex) return [];
  const reader = instantiateEntry<JsonEntryExports>(modules.json);
  // The engine's reader limits for a tools/call: everything below params.arguments is validated, not stored.
  reader.setLimits(4 << 20, 64, 4 << 20, 3, 1);
  const probe = instantiateEntry<ProbeExports>(modules.structuralIndex);
  const rows: ReaderLimitRow[] = [];
  for (const shape of ["structured", "text"] as const) {
    const body = SHAPES[shape](SIZE);
    // The body is copied in once: both read it in place, so only the work on it is timed.
    writeInput(reader, body);
    writeInput(probe, body);
    const parse = () => reader.parse(body.byteLength);
    const index = () => probe.structuralIndex(body.byteLength);
    if (parse() !== 0) throw new Error(`the reader refused the ${shape} body`);
    const entries = index();
    const expected = referenceIndex(body);
    const found = new Uint32Array(probe.memory.buffer, probe.indexPtr(), Math.max(entries, 0));
    const first = expected.findIndex((offset, k) => found[k] !== offset);
    if (entries !== expected.length || first >= 0) {
      throw new Error(`structural index probe: ${entries} entries for the ${shape} body, expected ${expected.length}; first difference at entry ${first}`);
    }
    const m = await compare([{ name: "reader", run: parse }, { name: "stage1", run: index }], options);
    const r = m.get("reader")!;
    const s = m.get("stage1")!;
    const budgetMicros = body.byteLength / (TARGET_GBPS * 1000);
    rows.push({
      shape,
      bytes: body.byteLength,
      entries,
      reader: r,
      readerGbps: gigabytesPerSecond(body.byteLength, r.micros),
      readerNanosPerEntry: (r.micros * 1000) / entries,
      stage1: s,
      stage1Gbps: gigabytesPerSecond(body.byteLength, s.micros),
      budgetMicros,
      leftNanosPerEntry: ((budgetMicros - s.micros) * 1000) / entries,
    });
  }
  return rows;
}
