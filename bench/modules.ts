// The .wasm files the benchmark runs. `npm run bench` compiles its own copies into build/bench/ (in parallel);
// the in-process quick bench of the test suite reuses what the vitest global setup already compiled into
// build/test/ with the same flags, and skips the entries that need other flags (json-as, SIMD).
import { existsSync } from "node:fs";
import { compileAssemblyScript } from "../src/build/assemblyscript.ts";

export interface BenchModules {
  /** The filter itself, as shipped (npm run build:release). */
  guard: string;
  /** assembly/testing/engine.ts: the request decision without the ABI. */
  engine: string;
  /** The same compiled with --enable simd, when measured. */
  engineSimd?: string;
  listFilter: string;
  listFilterSimd?: string;
  nameList: string;
  /** assembly/testing/noop_filter.ts: a proxy-wasm module that filters nothing (the host's own cost). */
  noop: string;
  /** assembly/testing/json-as/compare.ts, compiled with json-as's transform, when measured. */
  jsonAs?: string;
  /** assembly/testing/json.ts: the reader alone (full runs, for the reader-limit section). */
  json?: string;
  /** assembly/testing/structural_index.ts, with SIMD: the structural-index probe (full runs). */
  structuralIndex?: string;
}

export const GUARD_WASM = "build/mcp-guard.wasm";

const ENTRIES = {
  engine: "assembly/testing/engine.ts",
  listFilter: "assembly/testing/list_filter.ts",
  nameList: "assembly/testing/name_list.ts",
  noop: "assembly/testing/noop_filter.ts",
  jsonAs: "assembly/testing/json-as/compare.ts",
  json: "assembly/testing/json.ts",
  structuralIndex: "assembly/testing/structural_index.ts",
} as const;

export interface BuildOptions {
  simd: boolean;
  jsonAs: boolean;
  outDir?: string;
}

/** Compiles every entry the benchmark needs (the filter itself must already be built). */
export async function buildBenchModules(options: BuildOptions): Promise<BenchModules> {
  const dir = options.outDir ?? "build/bench";
  const out = (name: string) => `${dir}/${name}.wasm`;
  const jobs: Array<Promise<void>> = [
    compileAssemblyScript(ENTRIES.engine, out("engine")),
    compileAssemblyScript(ENTRIES.listFilter, out("list_filter")),
    compileAssemblyScript(ENTRIES.nameList, out("name_list")),
    compileAssemblyScript(ENTRIES.noop, out("noop_filter")),
  ];
  if (options.simd) {
    jobs.push(compileAssemblyScript(ENTRIES.engine, out("engine.simd"), { flags: ["--enable", "simd"] }));
    jobs.push(compileAssemblyScript(ENTRIES.listFilter, out("list_filter.simd"), { flags: ["--enable", "simd"] }));
    jobs.push(compileAssemblyScript(ENTRIES.json, out("json")));
    jobs.push(compileAssemblyScript(ENTRIES.structuralIndex, out("structural_index.simd"), { flags: ["--enable", "simd"] }));
  }
  // json-as with the incremental runtime, as its users run it: the entry never calls the collector, so under the
  // filter's minimal runtime its garbage would pile up until linear memory runs out in a full run.
  if (options.jsonAs) jobs.push(compileAssemblyScript(ENTRIES.jsonAs, out("json_as"), { flags: ["--transform", "json-as/transform", "--runtime", "incremental"] }));
  await Promise.all(jobs);
  return {
    guard: GUARD_WASM,
    engine: out("engine"),
    listFilter: out("list_filter"),
    nameList: out("name_list"),
    noop: out("noop_filter"),
    ...(options.simd ? {
      engineSimd: out("engine.simd"),
      listFilterSimd: out("list_filter.simd"),
      json: out("json"),
      structuralIndex: out("structural_index.simd"),
    } : {}),
    ...(options.jsonAs ? { jsonAs: out("json_as") } : {}),
  };
}

/** The entries the vitest global setup compiled into build/test/ (no json-as, no SIMD). */
export function testBuildModules(): BenchModules {
  const modules: BenchModules = {
    guard: GUARD_WASM,
    engine: "build/test/engine.wasm",
    listFilter: "build/test/list_filter.wasm",
    nameList: "build/test/name_list.wasm",
    noop: "build/test/noop_filter.wasm",
  };
  for (const path of Object.values(modules)) {
    if (!existsSync(path)) throw new Error(`${path} is missing: run the test suite's global setup (npx vitest) first`);
  }
  return modules;
}
