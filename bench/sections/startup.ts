// Size of the shipped .wasm, VM start + configure (instantiate, _initialize, proxy_on_vm_start,
// proxy_on_configure) with a 10,000-entry allowlist, and allowlist matching cost against the list's size.
import { readFileSync, statSync } from "node:fs";
import { ProxyWasmHost } from "../../src/host/index.ts";
import { toolCallBody } from "../bodies.ts";
import { compare, timeOnce, type MeasureOptions, type Stats } from "../measure.ts";
import type { BenchModules } from "../modules.ts";
import { WasmEngine } from "../wasm-engine.ts";
import { NameListWasm } from "../wasm-entries.ts";

export const ALLOWLIST_ENTRIES = 10_000;

export interface StartupResult {
  wasmBytes: number;
  /** WebAssembly.compile of the bytes (Envoy compiles once per module, then starts a VM per worker). */
  compileMs: number;
  /** ProxyWasmHost.start with the compiled module and a 10,000-entry allowlist, until configured. */
  startConfigureMs: number;
  startConfigureCpuMs: number;
  /** The same with the seed's two-entry allowlist. */
  startConfigureSmallMs: number;
  allowlistEntries: number;
  configBytes: number;
  repeats: number;
}

export function bigAllowlistConfig(entries = ALLOWLIST_ENTRIES): string {
  const names = Array.from({ length: entries }, (_, i) => `tool_${i}`);
  return JSON.stringify({ tool_allowlist: names });
}

export async function benchStartup(modules: BenchModules, repeats: number): Promise<StartupResult> {
  const bytes = new Uint8Array(readFileSync(modules.guard));
  const compiled = await timeOnce(() => WebAssembly.compile(bytes), repeats);
  const module = await WebAssembly.compile(bytes);
  const big = bigAllowlistConfig();
  const small = JSON.stringify({ tool_allowlist: ["search_code", "get_pull_request"] });
  const start = (pluginConfig: string) => async () => {
    const host = await ProxyWasmHost.start({ module, pluginConfig, logLevel: 3 });
    if (!host.configured) throw new Error("the guard did not configure: " + host.logs.map((l) => l.message).join("\n"));
    return host;
  };
  await start(big)(); // warm the host's own code paths
  const bigRun = await timeOnce(start(big), repeats);
  const smallRun = await timeOnce(start(small), repeats);
  return {
    wasmBytes: statSync(modules.guard).size,
    compileMs: compiled.wallMs,
    startConfigureMs: bigRun.wallMs,
    startConfigureCpuMs: bigRun.cpuMs,
    startConfigureSmallMs: smallRun.wallMs,
    allowlistEntries: ALLOWLIST_ENTRIES,
    configBytes: Buffer.byteLength(big),
    repeats,
  };
}

export interface AllowlistRow {
  entries: number;
  /**
   * One allowlist lookup as a tools/call makes it (half the probes are in the list), ns of CPU: exactIndex on the
   * name's UTF-8 bytes and, on a hit, exactName; on a miss, matches (see assembly/testing/name_list.ts).
   */
  matchNanos: number;
  /** A whole 0.4 KB tools/call decision with an allowlist of this size, µs. */
  decision: Stats;
}

const PROBES = 1024;

export async function benchAllowlist(modules: BenchModules, options: MeasureOptions, sizes: readonly number[]): Promise<AllowlistRow[]> {
  const lists = sizes.map((size) => {
    const list = NameListWasm.load(modules.nameList);
    list.build(size, PROBES);
    return list;
  });
  const engines = sizes.map((size) => {
    const engine = WasmEngine.load(modules.engine);
    engine.configure({ tool_allowlist: Array.from({ length: size }, (_, i) => `tool_${i}`) });
    return engine;
  });
  const body = toolCallBody(400, `tool_${Math.floor((sizes[0] ?? 1) / 2)}`);
  engines.forEach((e, k) => {
    if (!e.decide(body)) throw new Error(`engine with ${sizes[k]} entries refused the probe: ${e.lastReason()}`);
  });
  const matches = await compare(lists.map((list, k) => ({ name: String(sizes[k]), run: () => list.matchAll(1) })), options);
  const decisions = await compare(engines.map((engine, k) => ({ name: String(sizes[k]), run: () => engine.decide(body) })), options);
  return sizes.map((entries) => ({
    entries,
    matchNanos: (matches.get(String(entries))!.micros * 1000) / PROBES,
    decision: decisions.get(String(entries))!,
  }));
}
