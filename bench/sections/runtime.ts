// The AssemblyScript runtime choice, by numbers. The request engine is built with each runtime and runs the
// same mixed decisions: `incremental` (TLSF allocator + incremental mark & sweep that runs in small steps as
// allocations happen, with a shadow stack maintained around every call that may allocate), `minimal` (what
// ships: same allocator and collector, but it only collects when __collect() is called; the module calls it by
// budget at the end of callbacks, assembly/abi/collector.ts, and the engine entry does the same after each
// decision; also measured collecting after every decision), and `stub` (bump allocator that never frees). Also
// the size of the whole filter built with each runtime.
import { statSync } from "node:fs";
import { buildModule, compileAssemblyScript } from "../../src/build/assemblyscript.ts";
import { textToolCallBody, toolCallBody } from "../bodies.ts";
import { compare, type MeasureOptions, type Stats } from "../measure.ts";
import { BENCH_POLICY } from "../policy.ts";
import { WasmEngine } from "../wasm-engine.ts";

export type RuntimeName = "incremental" | "minimal" | "stub";
const RUNTIMES: RuntimeName[] = ["incremental", "minimal", "stub"];

export interface RuntimeRow {
  runtime: RuntimeName;
  /** How the run collects garbage. */
  collection: string;
  /** The policy's allowlist size: the live heap a full collection has to mark. */
  allowlistEntries: number;
  /** One mixed round (0.4 KB allowed, 0.4 KB denied, 16 KB structured, 16 KB text), µs of CPU. */
  round: Stats;
  decisions: number;
  pagesAfter: number;
  filterBytes: number;
}

export async function buildRuntimeVariants(dir = "build/bench/runtimes"): Promise<Record<RuntimeName, { engine: string; filter: string }>> {
  const out = {} as Record<RuntimeName, { engine: string; filter: string }>;
  await Promise.all(RUNTIMES.map(async (runtime) => {
    const engine = `${dir}/engine.${runtime}.wasm`;
    const filter = `${dir}/mcp-guard.${runtime}.wasm`;
    await Promise.all([
      compileAssemblyScript("assembly/testing/engine.ts", engine, { flags: ["--runtime", runtime] }),
      buildModule("release", { outFile: filter, flags: ["--runtime", runtime] }),
    ]);
    out[runtime] = { engine, filter };
  }));
  return out;
}

export async function benchRuntimes(builds: Record<RuntimeName, { engine: string; filter: string }>, options: MeasureOptions, decisions: number): Promise<RuntimeRow[]> {
  const bodies = [toolCallBody(400), toolCallBody(400, "system_exec"), toolCallBody(16 * 1024), textToolCallBody(16 * 1024)];
  // With a 10,000-name allowlist the live heap is larger, and so is every full collection.
  const bigPolicy = { ...BENCH_POLICY, tool_allowlist: [...BENCH_POLICY.tool_allowlist, ...Array.from({ length: 10_000 }, (_, i) => `tool_${i}`)] };
  const variants: Array<{ runtime: RuntimeName; collection: string; every: number; policy: { tool_allowlist: string[] } }> = [
    { runtime: "incremental", collection: "automatic, incremental", every: 0, policy: BENCH_POLICY },
    { runtime: "minimal", collection: "by budget after a decision (as shipped)", every: 0, policy: BENCH_POLICY },
    { runtime: "minimal", collection: "__collect() after every decision", every: 1, policy: BENCH_POLICY },
    { runtime: "stub", collection: "never (bump allocator)", every: 0, policy: BENCH_POLICY },
    { runtime: "incremental", collection: "automatic, incremental", every: 0, policy: bigPolicy },
    { runtime: "minimal", collection: "by budget after a decision (as shipped)", every: 0, policy: bigPolicy },
    { runtime: "minimal", collection: "__collect() after every decision", every: 1, policy: bigPolicy },
  ];
  const engines = variants.map((v) => {
    const engine = WasmEngine.load(builds[v.runtime].engine);
    engine.configure(v.policy);
    return engine;
  });
  const counters = variants.map(() => 0);
  const round = (k: number) => () => {
    const engine = engines[k]!;
    let allowed = 0;
    for (const body of bodies) if (engine.decide(body)) allowed++;
    const every = variants[k]!.every;
    if (every > 0 && ++counters[k]! % every === 0) engine.collect();
    return allowed;
  };
  // Memory after the same number of decisions from a fresh start, so the stub's growth is comparable. The stub
  // gets a shorter run when its memory would pass 1 GiB.
  const pagesAfter = variants.map((v, k) => {
    const engine = WasmEngine.load(builds[v.runtime].engine);
    engine.configure(v.policy);
    for (let i = 0; i < decisions; i += bodies.length) {
      for (const body of bodies) engine.decide(body);
      if (v.every > 0 && (i / bodies.length) % v.every === 0) engine.collect();
      if (engine.memoryBytes() > 1 << 30) break;
    }
    return { pages: engine.memoryBytes() >> 16, k };
  });
  const timed = await compare(variants.map((v, k) => ({ name: String(k), run: round(k) })), options);
  return variants.map((v, k) => ({
    runtime: v.runtime,
    collection: v.collection,
    allowlistEntries: v.policy.tool_allowlist.length,
    round: timed.get(String(k))!,
    decisions,
    pagesAfter: pagesAfter[k]!.pages,
    filterBytes: statSync(builds[v.runtime].filter).size,
  }));
}
