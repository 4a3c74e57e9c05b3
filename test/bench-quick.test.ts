// The quick benchmark in-process, for CI: only the comparisons that have ratio targets, measured interleaved
// against their baselines in this run, asserting only the wide-margin floors (half of each target; see
// bench/targets.ts). Absolute times are never asserted: they depend on the machine and its load.
// Uses the entries the global setup compiled into build/test/ (no json-as, no SIMD build).
import { describe, expect, it } from "vitest";
import type { MeasureOptions } from "../bench/measure.ts";
import { testBuildModules } from "../bench/modules.ts";
import { formatResults } from "../bench/report.ts";
import { runBench, type BenchResults } from "../bench/suite.ts";

// Short batches and a small budget per comparison keep the whole run near 20 s of CPU; the median of rounds
// that alternate module and baseline keeps the ratios steady when the machine is busy.
const CI_MEASURE: MeasureOptions = { warmupMs: 40, batchMs: 2, budgetMs: 200, minRounds: 9, maxRounds: 80 };

let results: BenchResults;

function failures(prefix: string): string[] {
  return results.targets
    .filter((t) => t.id.startsWith(prefix) && t.ciFailure)
    .map((t) => `${t.description}: ${t.measured} (CI requires ${t.ciFloor})`);
}

describe("quick benchmark (ratio floors only)", () => {
  it("runs the comparisons", async () => {
    results = await runBench({ quick: true, modules: testBuildModules(), sections: ["toolCall", "toolsList", "allowlist"], measure: CI_MEASURE });
    console.log(formatResults(results));
    expect(results.targets.length).toBeGreaterThan(0);
  }, 120_000);

  it("decides tools/call at least as fast as half the target ratio over the Node baseline", () => {
    expect(failures("toolcall-ratio")).toEqual([]);
  });

  it("rewrites a 1000-tool tools/list (JSON and SSE) at least as fast as half the target ratio", () => {
    expect(failures("toolslist-ratio")).toEqual([]);
  });

  it("matches exact allowlist names at a cost that does not grow with the list", () => {
    expect(failures("allowlist")).toEqual([]);
  });
});
