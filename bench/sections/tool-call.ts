// tools/call decision: the module (copy of the body into linear memory + strict parse + decision) against the
// Node baseline (TextDecoder + JSON.parse + the same decision) and json-as inside wasm, per body size and shape.
import { BODY_SIZES_KB, textToolCallBody, toolCallBody } from "../bodies.ts";
import { compare, type Contender, type MeasureOptions, type Stats } from "../measure.ts";
import type { BenchModules } from "../modules.ts";
import { NodeBaselineGuard } from "../node-baseline.ts";
import { BENCH_ALLOWLIST, BENCH_POLICY } from "../policy.ts";
import { WasmEngine } from "../wasm-engine.ts";
import { JsonAsWasm } from "../wasm-entries.ts";

export type BodyShape = "structured" | "text";

export interface ToolCallRow {
  shape: BodyShape;
  sizeKB: number;
  bytes: number;
  module: Stats;
  node: Stats;
  moduleSimd?: Stats;
  jsonAsTyped?: Stats;
  jsonAsDynamic?: Stats;
  /** Node time / module time. */
  ratio: number;
  /** Module throughput in GB/s (10^9 bytes per second of CPU time). */
  gbps: number;
  simdGbps?: number;
}

export const SHAPES: Record<BodyShape, (bytes: number) => Uint8Array> = {
  structured: (bytes) => toolCallBody(bytes),
  text: (bytes) => textToolCallBody(bytes),
};

export function gigabytesPerSecond(bytes: number, micros: number): number {
  return bytes / (micros * 1000);
}

export async function benchToolCall(modules: BenchModules, options: MeasureOptions, shapes: readonly BodyShape[], sizes: readonly number[] = BODY_SIZES_KB): Promise<ToolCallRow[]> {
  const engine = WasmEngine.load(modules.engine);
  engine.configure(BENCH_POLICY);
  const simd = modules.engineSimd ? WasmEngine.load(modules.engineSimd) : undefined;
  simd?.configure(BENCH_POLICY);
  const jsonAs = modules.jsonAs ? JsonAsWasm.load(modules.jsonAs) : undefined;
  jsonAs?.configure(["search_code", "get_pull_request"]);
  const node = new NodeBaselineGuard(BENCH_ALLOWLIST);

  const rows: ToolCallRow[] = [];
  for (const shape of shapes) {
    for (const sizeKB of sizes) {
      const body = SHAPES[shape](sizeKB * 1024);
      const contenders: Contender[] = [
        { name: "module", run: () => engine.decide(body) },
        { name: "node", run: () => node.decide(body) },
      ];
      if (simd) contenders.push({ name: "moduleSimd", run: () => simd.decide(body) });
      if (jsonAs) {
        contenders.push({ name: "jsonAsTyped", run: () => jsonAs.decideTyped(body) });
        contenders.push({ name: "jsonAsDynamic", run: () => jsonAs.decideDynamic(body) });
      }
      for (const c of contenders) {
        if (c.run() !== true) throw new Error(`${c.name} refused the ${shape} ${sizeKB} KB body${c.name === "module" ? ": " + engine.lastReason() : ""}`);
      }
      const m = await compare(contenders, options);
      const module = m.get("module")!;
      const row: ToolCallRow = {
        shape,
        sizeKB,
        bytes: body.byteLength,
        module,
        node: m.get("node")!,
        ratio: m.get("node")!.micros / module.micros,
        gbps: gigabytesPerSecond(body.byteLength, module.micros),
      };
      const simdStats = m.get("moduleSimd");
      if (simdStats) {
        row.moduleSimd = simdStats;
        row.simdGbps = gigabytesPerSecond(body.byteLength, simdStats.micros);
      }
      const typed = m.get("jsonAsTyped");
      const dynamic = m.get("jsonAsDynamic");
      if (typed) row.jsonAsTyped = typed;
      if (dynamic) row.jsonAsDynamic = dynamic;
      rows.push(row);
    }
  }
  return rows;
}
