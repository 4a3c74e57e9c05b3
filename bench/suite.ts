// The whole benchmark as a function: `bench/run.ts` (npm run bench) and test/bench-quick.test.ts call it.
// Every comparison is measured in this one run; targets are checked on the ratios it measured.
import { cpus } from "node:os";
import type { MeasureOptions } from "./measure.ts";
import { FULL, QUICK } from "./measure.ts";
import type { BenchModules } from "./modules.ts";
import { benchHost, type HostRow } from "./sections/host.ts";
import { benchReaderLimit, type ReaderLimitRow } from "./sections/reader-limit.ts";
import { benchRuntimes, buildRuntimeVariants, type RuntimeRow } from "./sections/runtime.ts";
import { benchSize, type SizeResult } from "./sections/size.ts";
import { benchAllowlist, benchStartup, type AllowlistRow, type StartupResult } from "./sections/startup.ts";
import { benchToolCall, type BodyShape, type ToolCallRow } from "./sections/tool-call.ts";
import { benchToolsList, type ToolsListResult } from "./sections/tools-list.ts";
import { runSoak, type SoakResult } from "./soak.ts";
import { evaluateTargets, type TargetResult } from "./targets.ts";

export interface BenchResults {
  schema: 1;
  date: string;
  quick: boolean;
  environment: { node: string; v8: string; platform: string; cpu: string; cpus: number; loadAverage: number[] };
  clock: string;
  toolCall: ToolCallRow[];
  readerLimit?: ReaderLimitRow[];
  toolsList?: ToolsListResult;
  host?: HostRow[];
  startup?: StartupResult;
  size?: SizeResult;
  allowlist?: AllowlistRow[];
  soak?: SoakResult;
  runtimes?: RuntimeRow[];
  targets: TargetResult[];
}

export type Section = "toolCall" | "readerLimit" | "toolsList" | "host" | "startup" | "size" | "allowlist" | "soak" | "runtimes";

export interface BenchOptions {
  quick: boolean;
  modules: BenchModules;
  /** Sections to run (default: all, except runtimes in quick mode). */
  sections?: Section[];
  shapes?: BodyShape[];
  sizesKB?: number[];
  soakRequests?: number;
  measure?: MeasureOptions;
  log?: (line: string) => void;
}

export async function runBench(options: BenchOptions): Promise<BenchResults> {
  const quick = options.quick;
  const measure = options.measure ?? (quick ? QUICK : FULL);
  const sections = new Set<Section>(options.sections ?? ["toolCall", "toolsList", "host", "startup", "allowlist", "soak", ...(quick ? [] : ["readerLimit" as const, "size" as const, "runtimes" as const])]);
  const log = options.log ?? (() => {});
  const results: BenchResults = {
    schema: 1,
    date: new Date().toISOString(),
    quick,
    environment: {
      node: process.version,
      v8: process.versions.v8,
      platform: `${process.platform} ${process.arch}`,
      cpu: cpus()[0]?.model ?? "unknown",
      cpus: cpus().length,
      loadAverage: (await import("node:os")).loadavg().map((l) => Math.round(l * 100) / 100),
    },
    clock: "process CPU time (user + system, all threads), median of interleaved rounds",
    toolCall: [],
    targets: [],
  };
  if (sections.has("toolCall")) {
    log("tools/call decision …");
    results.toolCall = await benchToolCall(options.modules, measure, options.shapes ?? ["structured", "text"], options.sizesKB);
  }
  if (sections.has("readerLimit")) {
    log("reader vs a structural index (SIMD probe) …");
    results.readerLimit = await benchReaderLimit(options.modules, measure);
  }
  if (sections.has("toolsList")) {
    log("tools/list rewrite …");
    results.toolsList = await benchToolsList(options.modules, measure);
  }
  if (sections.has("host")) {
    log("host cost (no-op module vs guard) …");
    results.host = await benchHost(options.modules, measure);
  }
  if (sections.has("startup")) {
    log("size, VM start + configure …");
    results.startup = await benchStartup(options.modules, quick ? 5 : 25);
  }
  if (sections.has("size")) {
    log("where the .wasm bytes go (named build) …");
    results.size = await benchSize(options.modules.guard);
  }
  if (sections.has("allowlist")) {
    log("allowlist matching …");
    results.allowlist = await benchAllowlist(options.modules, measure, quick ? [10, 10_000] : [10, 100, 1000, 10_000]);
  }
  if (sections.has("soak")) {
    const requests = options.soakRequests ?? (quick ? 20_000 : 1_000_000);
    log(`memory over ${requests.toLocaleString("en-US")} mixed exchanges …`);
    results.soak = await runSoak({ requests, wasm: options.modules.guard });
  }
  if (sections.has("runtimes")) {
    log("AssemblyScript runtimes (building variants) …");
    results.runtimes = await benchRuntimes(await buildRuntimeVariants(), measure, quick ? 20_000 : 200_000);
  }
  results.targets = evaluateTargets(results);
  return results;
}
