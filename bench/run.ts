// `npm run bench` (full) and `npm run bench -- --quick` (CI): every comparison in one run, a table on stdout,
// bench/results.json, bench/REPORT.md and bench/time-per-request.svg. Exits 1 only when a ratio target is missed
// by a wide margin (see bench/targets.ts); absolute times never fail it.
//
// Options: --quick (shorter measurements, 20,000 soak exchanges, no runtime variants), --no-simd, --no-json-as,
// --soak N (exchanges in the memory section), --out DIR (where results.json, REPORT.md and the chart go;
// default bench/), --sections a,b (only these sections of bench/suite.ts, e.g. toolCall), --shapes a,b
// (structured, text) and --sizes a,b (KB) for the tools/call section. A partial run still writes its files:
// point --out elsewhere to keep the committed report.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildBenchModules } from "./modules.ts";
import { chartSvg, formatResults, reportMarkdown } from "./report.ts";
import { runBench, type Section } from "./suite.ts";
import type { BodyShape } from "./sections/tool-call.ts";
import { argValue } from "./args.ts";

const CHART = "time-per-request.svg";

async function main(): Promise<void> {
  const quick = process.argv.includes("--quick");
  const outDir = argValue("--out") ?? "bench";
  const soak = argValue("--soak");
  const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
  log("compiling the benchmark entries …");
  const modules = await buildBenchModules({
    simd: !quick && !process.argv.includes("--no-simd"),
    jsonAs: !process.argv.includes("--no-json-as"),
  });
  const list = (name: string) => argValue(name)?.split(",").filter((s) => s.length > 0);
  const sections = list("--sections") as Section[] | undefined;
  const shapes = list("--shapes") as BodyShape[] | undefined;
  const sizesKB = list("--sizes")?.map(Number);
  const results = await runBench({
    quick,
    modules,
    log,
    ...(soak !== undefined ? { soakRequests: Number(soak) } : {}),
    ...(sections ? { sections } : {}),
    ...(shapes ? { shapes } : {}),
    ...(sizesKB ? { sizesKB } : {}),
  });

  console.log(formatResults(results));
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "results.json"), JSON.stringify(results, null, 2) + "\n");
  writeFileSync(join(outDir, CHART), chartSvg(results.toolCall));
  writeFileSync(join(outDir, "REPORT.md"), reportMarkdown(results, CHART));
  log(`wrote ${join(outDir, "results.json")}, ${join(outDir, "REPORT.md")}, ${join(outDir, CHART)}`);

  const failures = results.targets.filter((t) => t.ciFailure);
  if (failures.length > 0) {
    for (const f of failures) log(`FAIL ${f.description}: ${f.measured}, CI requires ${f.ciFloor}`);
    process.exitCode = 1;
  }
}

await main();
