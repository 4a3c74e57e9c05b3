// A short run of the differential fuzzer (`npm run fuzz` runs a million cases): generated and mutated MCP
// requests and server answers through build/mcp-guard.wasm in the host, judged by bench/fuzz/oracle.ts.
import { describe, expect, it } from "vitest";
import { formatFuzzSummary, runFuzz, type FoundCase } from "../bench/fuzz/run.ts";

// Fixed, so a failure reproduces with `npm run fuzz -- --seed 20260 --cases 60000`.
const SEED = 20260;

function describeFindings(findings: FoundCase[]): string[] {
  return findings.slice(0, 5).map((f) => `[${f.kind}] seed ${f.seed} case ${f.index} (${f.label}): ${f.detail}`);
}

describe("differential fuzzing (short run)", () => {
  it("finds no trap, no bypass and no malformed reply", async () => {
    const summary = await runFuzz({ cases: 60_000, seed: SEED, timeBudgetMs: 25_000 });
    console.log(formatFuzzSummary(summary));
    expect(summary.cases).toBeGreaterThan(1000);
    expect(summary.forwarded).toBeGreaterThan(0);
    expect(summary.refused).toBeGreaterThan(0);
    expect(summary.responsesRewritten).toBeGreaterThan(0);
    expect(describeFindings(summary.findings)).toEqual([]);
    expect(summary.traps).toBe(0);
    expect(summary.bypasses).toBe(0);
  }, 90_000);

  it("has an oracle that catches a filter that filters nothing", async () => {
    const summary = await runFuzz({ cases: 400, seed: SEED, wasm: "build/test/noop_filter.wasm" });
    expect(summary.forwarded).toBe(summary.requestCases);
    expect(summary.bypasses).toBeGreaterThan(20);
    expect(summary.findings.some((f) => f.kind === "bypass")).toBe(true);
    expect(summary.findings.some((f) => f.kind === "list-bypass")).toBe(true);
    expect(summary.findings.some((f) => f.kind === "traversal")).toBe(true);
  }, 60_000);
});
