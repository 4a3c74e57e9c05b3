// The host's own cost, apart from the filter's: the same exchanges (request, upstream answer, stream end)
// through src/host with the no-op module and with the guard. The no-op module has the same ABI layer and
// answers Continue everywhere, so "no-op" is the Node host plus the ABI callbacks, and "guard − no-op" is what
// the filter adds, including the host's work on its behalf (header lookups, buffering, copies, which Envoy
// does in C++). A sampling profile of the guard's exchanges tells how much of it ran inside the module.
import { readFileSync } from "node:fs";
import { ProxyWasmHost, exchange, type ExchangeRequest, type UpstreamAnswer } from "../../src/host/index.ts";
import { chunksOf, sseEvent, toolCallBody, toolsListResult } from "../bodies.ts";
import { compareAsync, type MeasureOptions, type Stats } from "../measure.ts";
import { wasmShare } from "../profile.ts";
import type { BenchModules } from "../modules.ts";
import { BENCH_BUFFER_LIMIT, BENCH_POLICY, postHeaders, responseHeaders } from "../policy.ts";
import { LIST_TOOLS, SSE_CHUNK_BYTES } from "./tools-list.ts";

export interface HostRow {
  exchange: string;
  noop: Stats;
  guard: Stats;
  /** guard − noop, µs of CPU per exchange: everything the filter causes, host work on its behalf included. */
  filterMicros: number;
  /** Share of the guard exchange's CPU samples that ran inside the module (sampling profiler). */
  wasmFraction: number;
  /** guard × wasmFraction: the filter's own code, µs per exchange. */
  wasmMicros: number;
}

// Log level 3 (warning) is what Istio sidecars run with; entries are not kept (a long run would pile them up in
// the host, which is the host's memory, not the module's).
export async function startHost(wasm: string | WebAssembly.Module, logLevel = 3): Promise<ProxyWasmHost> {
  const module = typeof wasm === "string" ? new Uint8Array(readFileSync(wasm)) : wasm;
  const host = await ProxyWasmHost.start({ module, pluginConfig: JSON.stringify(BENCH_POLICY), bufferLimitBytes: BENCH_BUFFER_LIMIT, logLevel, keepLogs: false });
  if (!host.configured) throw new Error(`${typeof wasm === "string" ? wasm : "module"} did not configure: ${host.logs.map((l) => l.message).join("\n")}`);
  return host;
}

interface Scenario {
  name: string;
  request: ExchangeRequest;
  answer: UpstreamAnswer;
  /** What the client must get from the guard (checked once before timing). */
  check: (status: number, body: string) => boolean;
}

const SMALL_RESULT = '{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"ok"}]}}';

export function hostScenarios(): Scenario[] {
  const call = (bytes: number, tool = "search_code") => {
    const body = toolCallBody(bytes, tool);
    return { headers: postHeaders([], body), body };
  };
  const list = toolsListResult(LIST_TOOLS);
  const listRequest = new TextEncoder().encode('{"jsonrpc":"2.0","id":2,"method":"tools/list"}');
  const listPost = { headers: postHeaders([], listRequest), body: listRequest };
  const sse = new TextEncoder().encode(sseEvent(list, "\n", "1"));
  return [
    { name: "tools/call 0.4 KB, allowed", request: call(400), answer: { headers: responseHeaders("application/json"), body: SMALL_RESULT }, check: (s, b) => s === 200 && b === SMALL_RESULT },
    { name: "tools/call 0.4 KB, denied", request: call(400, "system_exec"), answer: { headers: responseHeaders("application/json"), body: SMALL_RESULT }, check: (s, b) => s === 200 && b.includes("Unknown tool") },
    { name: "tools/call 16 KB, allowed", request: call(16 * 1024), answer: { headers: responseHeaders("application/json"), body: SMALL_RESULT }, check: (s, b) => s === 200 && b === SMALL_RESULT },
    { name: "tools/call 256 KB, allowed", request: call(256 * 1024), answer: { headers: responseHeaders("application/json"), body: SMALL_RESULT }, check: (s, b) => s === 200 && b === SMALL_RESULT },
    { name: `tools/list ${LIST_TOOLS} tools, JSON`, request: listPost, answer: { headers: responseHeaders("application/json"), body: list }, check: (s, b) => s === 200 && b.length < list.byteLength && !b.includes("delete_") },
    { name: `tools/list ${LIST_TOOLS} tools, SSE in ${SSE_CHUNK_BYTES / 1024} KB chunks`, request: listPost, answer: { headers: responseHeaders("text/event-stream"), chunks: chunksOf(sse, SSE_CHUNK_BYTES) }, check: (s, b) => s === 200 && b.length < sse.byteLength && !b.includes("delete_") },
  ];
}

export async function benchHost(modules: BenchModules, options: MeasureOptions): Promise<HostRow[]> {
  const noop = await startHost(modules.noop);
  const guard = await startHost(modules.guard);
  const rows: HostRow[] = [];
  for (const scenario of hostScenarios()) {
    const upstream = () => scenario.answer;
    const probe = await exchange(guard, scenario.request, upstream);
    if (!scenario.check(probe.status, probe.body)) throw new Error(`guard answered ${scenario.name} with ${probe.status}: ${probe.body.slice(0, 200)}`);
    const m = await compareAsync([
      { name: "noop", run: () => exchange(noop, scenario.request, upstream) },
      { name: "guard", run: () => exchange(guard, scenario.request, upstream) },
    ], options);
    const n = m.get("noop")!;
    const g = m.get("guard")!;
    const share = await wasmShare(() => exchange(guard, scenario.request, upstream), options.budgetMs / 2);
    rows.push({ exchange: scenario.name, noop: n, guard: g, filterMicros: g.micros - n.micros, wasmFraction: share.fraction, wasmMicros: g.micros * share.fraction });
  }
  if (noop.failed || guard.failed) throw new Error("a VM trapped during the host benchmark");
  return rows;
}
