// `npm run fuzz` — differential fuzzing of build/mcp-guard.wasm in the Node host (see bench/fuzz/).
// Options: --cases N (default 1,000,000), --seed S (default 1), --wasm PATH, --out FILE (findings as JSON,
// default build/fuzz/findings.json). Exits 1 when anything was found; each finding carries its bytes so it can
// be added to test/fuzz-regressions.test.ts.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { formatFuzzSummary, runFuzz } from "../bench/fuzz/run.ts";
import { argValue } from "../bench/args.ts";

const cases = Number(argValue("--cases") ?? 1_000_000);
const seed = Number(argValue("--seed") ?? 1);
const out = argValue("--out") ?? "build/fuzz/findings.json";
if (!Number.isInteger(cases) || cases <= 0 || !Number.isInteger(seed)) {
  console.error("usage: npm run fuzz -- [--cases N] [--seed S] [--wasm PATH] [--out FILE]");
  process.exit(2);
}

const wasm = argValue("--wasm");
const summary = await runFuzz({
  cases,
  seed,
  ...(wasm !== undefined ? { wasm } : {}),
  onProgress: (done, s) => {
    if (done % (1 << 16) === 0) process.stderr.write(`  ${done.toLocaleString("en-US")} cases, ${s.findings.length} findings\n`);
  },
});
console.log(formatFuzzSummary(summary));
for (const f of summary.findings.slice(0, 20)) console.log(`  [${f.kind}] case ${f.index} (${f.label}): ${f.detail}`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(summary.findings, null, 2) + "\n");
if (summary.findings.length > 0) {
  console.log(`findings written to ${out}`);
  process.exitCode = 1;
}
