// `npm run bench` (add `-- --quick` for CI): the tools/call decision inside the module against the Node
// baseline on the same bodies, measured in one run, with the ratio. Writes bench/results/latest.json.
import { mkdirSync, writeFileSync } from "node:fs";
import { compileAssemblyScript } from "../src/build/assemblyscript.ts";
import { BODY_SIZES_KB, toolCallBody } from "./bodies.ts";
import { NodeBaselineGuard } from "./node-baseline.ts";
import { WasmEngine } from "./wasm-engine.ts";

const quick = process.argv.includes("--quick");
const POLICY = { tool_allowlist: ["search_code", "get_pull_request", "get_*"], limits: { max_body_bytes: 4 << 20 } };
const ENGINE_WASM = "build/bench/engine.wasm";

interface Row {
  sizeKB: number;
  bytes: number;
  wasmMicros: number;
  nodeMicros: number;
  ratio: number;
  wasmMBps: number;
}

/** Median time per call in microseconds over several timed batches, after a warm-up. */
function measure(fn: () => boolean, bytes: number): number {
  const budgetNs = quick ? 40e6 : 300e6;
  const perBatch = Math.max(1, Math.min(10_000, Math.round(2e6 / Math.max(bytes, 200))));
  for (let i = 0; i < perBatch * 2; i++) fn();
  const samples: number[] = [];
  const start = process.hrtime.bigint();
  while (samples.length < 5 || Number(process.hrtime.bigint() - start) < budgetNs) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < perBatch; i++) if (!fn()) throw new Error("benchmark body was refused");
    samples.push(Number(process.hrtime.bigint() - t0) / perBatch / 1000);
    if (samples.length > 200) break;
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

async function main(): Promise<void> {
  await compileAssemblyScript("assembly/testing/engine.ts", ENGINE_WASM);
  const wasm = WasmEngine.load(ENGINE_WASM);
  wasm.configure(POLICY);
  const node = new NodeBaselineGuard(POLICY.tool_allowlist);

  const rows: Row[] = [];
  for (const sizeKB of BODY_SIZES_KB) {
    const body = toolCallBody(sizeKB * 1024);
    if (!wasm.decide(body) || !node.decide(body)) throw new Error(`body of ${sizeKB} KB is not allowed: ${wasm.lastReason()}`);
    const wasmMicros = measure(() => wasm.decide(body), body.byteLength);
    const nodeMicros = measure(() => node.decide(body), body.byteLength);
    rows.push({ sizeKB, bytes: body.byteLength, wasmMicros, nodeMicros, ratio: nodeMicros / wasmMicros, wasmMBps: body.byteLength / wasmMicros });
  }

  console.log(`tools/call decision, module (copy into linear memory + strict parse + decide) vs Node (TextDecoder + JSON.parse + decide)${quick ? " [quick]" : ""}`);
  console.log("| body | bytes | module µs/req | Node µs/req | Node/module | module MB/s |");
  console.log("|---:|---:|---:|---:|---:|---:|");
  for (const r of rows) {
    console.log(`| ${r.sizeKB} KB | ${r.bytes} | ${r.wasmMicros.toFixed(2)} | ${r.nodeMicros.toFixed(2)} | ${r.ratio.toFixed(2)}× | ${r.wasmMBps.toFixed(0)} |`);
  }
  mkdirSync("bench/results", { recursive: true });
  writeFileSync("bench/results/latest.json", JSON.stringify({ date: new Date().toISOString(), node: process.version, quick, rows }, null, 2));
}

await main();
