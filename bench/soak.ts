// Memory soak: a long run of mixed exchanges through the host and the guard (allowed and denied calls, a 16 KB
// call, tools/list answers as JSON and as chunked SSE with CRLF, a batch, a notification, malformed and
// duplicate-key bodies, a request ending with trailers), with the module's linear memory recorded after start,
// after warm-up and at the end. Flat means the last two are equal: a warm filter allocates nothing it keeps.
//
// `npm run soak` (default 1,000,000 exchanges; `-- --requests N`) prints a summary; the benchmark and
// test/soak.test.ts run shorter versions through runSoak().
import { pathToFileURL } from "node:url";
import { exchange, type ExchangeRequest, type UpstreamAnswer } from "../src/host/index.ts";
import { chunksOf, sseEvent, toolCallBody, toolsListResult } from "./bodies.ts";
import { cpuNs } from "./measure.ts";
import { GUARD_WASM } from "./modules.ts";
import { postHeaders, responseHeaders } from "./policy.ts";
import { startHost } from "./sections/host.ts";
import { argValue } from "./args.ts";
import { heapAfterGcMB } from "./gc.ts";

export interface SoakResult {
  requests: number;
  warmupRequests: number;
  pagesAtStart: number;
  pagesAfterWarmup: number;
  pagesAtEnd: number;
  maxPages: number;
  flat: boolean;
  /** Node's heap (the host's side), MB, after warm-up and at the end, each after a full GC. */
  heapAfterWarmupMB: number;
  heapAtEndMB: number;
  cpuMicrosPerRequest: number;
  requestsPerSecond: number;
  seconds: number;
  trapped: boolean;
  /** How many exchanges of each kind ended how (status counts), to show the mix did what it should. */
  outcomes: Record<string, Record<string, number>>;
}

interface Step {
  kind: string;
  request: ExchangeRequest;
  answer: UpstreamAnswer;
}

const encoder = new TextEncoder();
const RESULT = '{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"ok"}]}}';

function post(body: string | Uint8Array): ExchangeRequest {
  const bytes = typeof body === "string" ? encoder.encode(body) : body;
  return { headers: postHeaders([], bytes), body: bytes };
}

/** The mix, one of each kind, in a fixed order. */
export function soakSteps(): Step[] {
  const json = (body: string | Uint8Array = RESULT): UpstreamAnswer => ({ headers: responseHeaders("application/json"), body });
  const list = toolsListResult(20);
  const sse = encoder.encode(sseEvent(list, "\r\n", "7") + ": keep-alive\r\n\r\n" + sseEvent('{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":1,"progress":1}}', "\r\n"));
  const listRequest = '{"jsonrpc":"2.0","id":2,"method":"tools/list"}';
  return [
    { kind: "call allowed 0.4 KB", request: post(toolCallBody(400)), answer: json() },
    { kind: "call denied", request: post(toolCallBody(400, "system_exec")), answer: json() },
    { kind: "call allowed 16 KB", request: post(toolCallBody(16 * 1024)), answer: json() },
    { kind: "tools/list JSON", request: post(listRequest), answer: json(list) },
    { kind: "tools/list SSE", request: post(listRequest), answer: { headers: responseHeaders("text/event-stream"), chunks: chunksOf(sse, 1000) } },
    { kind: "batch", request: post('[{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"search_code"}},{"jsonrpc":"2.0","method":"notifications/initialized"}]'), answer: json('[{"jsonrpc":"2.0","id":3,"result":{}}]') },
    { kind: "notification", request: post('{"jsonrpc":"2.0","method":"notifications/initialized"}'), answer: { headers: [[":status", "202"]] } },
    { kind: "malformed", request: post('{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"search_code"'), answer: json() },
    { kind: "duplicate key", request: post('{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"search_code","name":"system_exec"}}'), answer: json() },
    {
      kind: "trailers",
      request: { headers: postHeaders(), chunks: ['{"jsonrpc":"2.0","id":6,"method":"tools/call",', '"params":{"name":"system_exec"}}'], trailers: [["x-checksum", "1"]] },
      answer: json(),
    },
  ];
}


export async function runSoak(options: { requests: number; wasm?: string; onProgress?: (done: number, pages: number) => void }): Promise<SoakResult> {
  const host = await startHost(options.wasm ?? GUARD_WASM);
  const steps = soakSteps();
  const pages = () => host.memoryBytes() >> 16;
  const warmup = Math.min(Math.max(steps.length * 100, Math.floor(options.requests / 10)), options.requests);
  const outcomes: Record<string, Record<string, number>> = {};
  const pagesAtStart = pages();
  let pagesAfterWarmup = pagesAtStart;
  let heapAfterWarmupMB = 0;
  let maxPages = pagesAtStart;
  let cpuStart = 0;
  let wallStart = 0;
  for (let i = 0; i < options.requests; i++) {
    if (i === warmup) {
      pagesAfterWarmup = pages();
      heapAfterWarmupMB = heapAfterGcMB();
      cpuStart = cpuNs();
      wallStart = performance.now();
    }
    const step = steps[i % steps.length]!;
    const r = await exchange(host, step.request, () => step.answer);
    const counts = (outcomes[step.kind] ??= {});
    counts[r.status] = (counts[r.status] ?? 0) + 1;
    if ((i & 1023) === 0) {
      maxPages = Math.max(maxPages, pages());
      options.onProgress?.(i, pages());
      if (host.failed) break;
    }
  }
  if (warmup >= options.requests) {
    pagesAfterWarmup = pages();
    heapAfterWarmupMB = heapAfterGcMB();
    cpuStart = cpuNs();
    wallStart = performance.now();
  }
  const measured = Math.max(1, options.requests - warmup);
  const cpuMicros = (cpuNs() - cpuStart) / 1000;
  const seconds = (performance.now() - wallStart) / 1000;
  const pagesAtEnd = pages();
  return {
    requests: options.requests,
    warmupRequests: warmup,
    pagesAtStart,
    pagesAfterWarmup,
    pagesAtEnd,
    maxPages: Math.max(maxPages, pagesAtEnd),
    flat: pagesAtEnd === pagesAfterWarmup,
    heapAfterWarmupMB,
    heapAtEndMB: heapAfterGcMB(),
    cpuMicrosPerRequest: cpuMicros / measured,
    requestsPerSecond: measured / Math.max(seconds, 1e-9),
    seconds,
    trapped: host.failed,
    outcomes,
  };
}

export function formatSoak(r: SoakResult): string {
  const lines = [
    `| exchanges | warm-up | pages at start | after warm-up | at end | max | flat | Node heap after warm-up → end | CPU µs/exchange | exchanges/s | traps |`,
    `|---:|---:|---:|---:|---:|---:|:---:|---:|---:|---:|---:|`,
    `| ${r.requests.toLocaleString("en-US")} | ${r.warmupRequests.toLocaleString("en-US")} | ${r.pagesAtStart} | ${r.pagesAfterWarmup} | ${r.pagesAtEnd} | ${r.maxPages} | ${r.flat ? "yes" : "NO"} | ${r.heapAfterWarmupMB.toFixed(1)} → ${r.heapAtEndMB.toFixed(1)} MB | ${r.cpuMicrosPerRequest.toFixed(1)} | ${Math.round(r.requestsPerSecond).toLocaleString("en-US")} | ${r.trapped ? "YES" : 0} |`,
  ];
  return lines.join("\n");
}

async function main(): Promise<void> {
  const requests = Number(argValue("--requests") ?? 1_000_000);
  if (!Number.isInteger(requests) || requests <= 0) throw new Error("--requests must be a positive integer");
  process.stderr.write(`soak: ${requests.toLocaleString("en-US")} exchanges through the host and ${GUARD_WASM}\n`);
  const result = await runSoak({
    requests,
    onProgress: (done, pages) => {
      if (done % (1 << 17) === 0 && done > 0) process.stderr.write(`  ${done.toLocaleString("en-US")} exchanges, ${pages} pages\n`);
    },
  });
  console.log(formatSoak(result));
  console.log("\noutcomes (HTTP status counts per kind):");
  for (const [kind, counts] of Object.entries(result.outcomes)) console.log(`  ${kind}: ${JSON.stringify(counts)}`);
  if (result.trapped || !result.flat) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
