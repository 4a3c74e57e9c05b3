// Runs fuzz cases through the real module in the Node host (one VM for all cases, as Envoy keeps one per
// worker) and judges each with the oracle. Case i of a run is generated from its own PRNG seeded by (seed, i),
// so any case can be regenerated alone. A trap is recorded and the VM replaced, so the run goes on.
import { readFileSync } from "node:fs";
import { ProxyWasmHost, exchange, type ExchangeRequest, type UpstreamAnswer } from "../../src/host/index.ts";
import { prng } from "../../test/json-harness.ts";
import { FUZZ_ALLOWLIST, FUZZ_POLICY, nextCase, type FuzzCase } from "./generate.ts";
import { checkClientResponse, checkForwardedRequest, type Finding } from "./oracle.ts";

export interface FoundCase extends Finding {
  seed: number;
  index: number;
  label: string;
  /** The case's bytes, base64, ready to become a regression test. */
  request: SerializedMessage;
  answer: SerializedMessage;
}

export interface SerializedMessage {
  headers: Array<[string, string]>;
  chunks: string[];
  trailers?: Array<[string, string]>;
}

export interface FuzzSummary {
  seed: number;
  cases: number;
  requestCases: number;
  responseCases: number;
  /** Request cases whose request reached the upstream. */
  forwarded: number;
  /** Request cases the filter answered itself. */
  refused: number;
  /** Request cases that ended otherwise (host 413, 415 in audit…). */
  otherRequests: number;
  /** Response cases whose body the client got changed (filtered or withheld). */
  responsesRewritten: number;
  traps: number;
  /** Requests or tool lists that should not have got through (bypass, traversal, list-bypass). */
  bypasses: number;
  invalidReplies: number;
  /** Bodies or events passed on that the client cannot parse (framing). */
  framing: number;
  findings: FoundCase[];
  seconds: number;
  casesPerSecond: number;
  /** Cases per HTTP status the client got. */
  statuses: Record<string, number>;
}

export interface FuzzOptions {
  cases: number;
  seed: number;
  wasm?: string;
  /** Stop early (with fewer cases) after this much wall time. */
  timeBudgetMs?: number;
  onProgress?: (done: number, summary: FuzzSummary) => void;
}

const ALLOWED = new Set<string>(FUZZ_ALLOWLIST);

/** The PRNG of case `index` in a run seeded with `seed`. */
export function caseRng(seed: number, index: number): () => number {
  return prng((Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35)) >>> 0);
}

export function generateCase(seed: number, index: number): FuzzCase {
  return nextCase(caseRng(seed, index));
}

function serialize(m: ExchangeRequest | UpstreamAnswer): SerializedMessage {
  const chunks = m.chunks ?? (m.body !== undefined ? [m.body] : []);
  const out: SerializedMessage = { headers: m.headers, chunks: chunks.map((c) => Buffer.from(typeof c === "string" ? new TextEncoder().encode(c) : c).toString("base64")) };
  if (m.trailers) out.trailers = m.trailers;
  return out;
}

/** Turns a serialized message back into one exchange() accepts. */
export function deserialize(m: SerializedMessage): ExchangeRequest {
  const out: ExchangeRequest = { headers: m.headers, chunks: m.chunks.map((c) => new Uint8Array(Buffer.from(c, "base64"))) };
  if (m.trailers) out.trailers = m.trailers;
  return out;
}

export async function startFuzzHost(wasm: string): Promise<ProxyWasmHost> {
  const host = await ProxyWasmHost.start({ module: new Uint8Array(readFileSync(wasm)), pluginConfig: JSON.stringify(FUZZ_POLICY), logLevel: 5, keepLogs: false });
  if (!host.configured) throw new Error("the guard did not configure: " + host.logs.map((l) => l.message).join("\n"));
  return host;
}

/** Runs one case; returns what the oracle found, or undefined. Exposed for regression tests. */
export async function judgeCase(host: ProxyWasmHost, fuzzCase: { request: ExchangeRequest; answer: UpstreamAnswer }) {
  const result = await exchange(host, fuzzCase.request, () => fuzzCase.answer);
  let finding: Finding | undefined;
  if (host.failed) {
    const trap = host.events.find((e) => e.kind === "trap") ?? result.stream.events.find((e) => e.kind === "trap");
    finding = { kind: "trap", detail: JSON.stringify(trap?.detail ?? "VM failed") };
  } else if (result.upstreamCalled) {
    finding = checkForwardedRequest(result.stream.upstream.body, ALLOWED);
  }
  finding ??= checkClientResponse(result, ALLOWED);
  return { result, finding };
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzSummary> {
  const wasm = options.wasm ?? "build/mcp-guard.wasm";
  let host = await startFuzzHost(wasm);
  const summary: FuzzSummary = {
    seed: options.seed, cases: 0, requestCases: 0, responseCases: 0, forwarded: 0, refused: 0, otherRequests: 0,
    responsesRewritten: 0, traps: 0, bypasses: 0, invalidReplies: 0, framing: 0, findings: [], seconds: 0, casesPerSecond: 0, statuses: {},
  };
  const started = performance.now();
  for (let index = 0; index < options.cases; index++) {
    if (options.timeBudgetMs !== undefined && performance.now() - started > options.timeBudgetMs) break;
    const fuzzCase = generateCase(options.seed, index);
    const { result, finding } = await judgeCase(host, fuzzCase);
    summary.cases++;
    summary.statuses[result.status] = (summary.statuses[result.status] ?? 0) + 1;
    if (fuzzCase.kind === "request") {
      summary.requestCases++;
      if (result.upstreamCalled) summary.forwarded++;
      else if (result.stream.localReply?.source === "module") summary.refused++;
      else summary.otherRequests++;
    } else {
      summary.responseCases++;
      const sent = fuzzCase.answer.chunks ?? [fuzzCase.answer.body ?? ""];
      const sentBytes = Buffer.concat(sent.map((c) => (typeof c === "string" ? Buffer.from(c) : Buffer.from(c.buffer, c.byteOffset, c.byteLength))));
      if (!sentBytes.equals(Buffer.from(result.stream.downstream.body))) summary.responsesRewritten++;
    }
    if (finding) {
      if (finding.kind === "trap") summary.traps++;
      else if (finding.kind === "invalid-reply") summary.invalidReplies++;
      else if (finding.kind === "framing") summary.framing++;
      else summary.bypasses++;
      summary.findings.push({ ...finding, seed: options.seed, index, label: fuzzCase.label, request: serialize(fuzzCase.request), answer: serialize(fuzzCase.answer) });
      if (host.failed) host = await startFuzzHost(wasm);
    }
    if ((index & 4095) === 4095) options.onProgress?.(index + 1, summary);
  }
  summary.seconds = (performance.now() - started) / 1000;
  summary.casesPerSecond = summary.cases / Math.max(summary.seconds, 1e-9);
  return summary;
}

export function formatFuzzSummary(s: FuzzSummary): string {
  const n = (v: number) => v.toLocaleString("en-US");
  return [
    `fuzz: seed ${s.seed}, ${n(s.cases)} cases in ${s.seconds.toFixed(1)} s (${n(Math.round(s.casesPerSecond))} cases/s)`,
    `  requests ${n(s.requestCases)}: forwarded ${n(s.forwarded)}, refused by the filter ${n(s.refused)}, other ${n(s.otherRequests)}`,
    `  responses ${n(s.responseCases)}: rewritten or withheld ${n(s.responsesRewritten)}`,
    `  traps ${s.traps}, bypasses ${s.bypasses}, invalid replies ${s.invalidReplies}, unparseable pass-throughs ${s.framing}`,
    `  statuses ${JSON.stringify(s.statuses)}`,
  ].join("\n");
}
