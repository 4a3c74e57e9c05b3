// proxy_http_call as Envoy's Context::httpCall does it: the cluster must exist, :path, :method and :authority
// are required, a body adds content-length, tokens count up in steps of 4 (callout type in the low bits). The
// answer is delivered later to the ROOT context. Envoy's async client reports a timeout as a 504 response
// from its router ("upstream request timeout"); only a reset is a failure with 0 headers.
import { WasmResult } from "./abi.ts";
import { toBytes, utf8 } from "./bytes.ts";
import type { HttpCallResult } from "./context.ts";
import { HeaderMap } from "./header-map.ts";
import type { HeaderList, HttpCallRequest, HttpCallResponse, HostOptions } from "./types.ts";

const TOKEN_STEP = 4;
const TIMEOUT_BODY = "upstream request timeout";

type Outcome = HttpCallResponse | "timeout" | "reset";

function timeoutResponse(): HttpCallResult {
  return {
    headers: HeaderMap.from([
      [":status", "504"],
      ["content-length", String(TIMEOUT_BODY.length)],
      ["content-type", "text/plain"],
    ]),
    body: utf8(TIMEOUT_BODY),
    trailers: null,
  };
}

function toResult(outcome: Outcome): HttpCallResult | null {
  if (outcome === "reset") return null;
  if (outcome === "timeout") return timeoutResponse();
  return {
    headers: HeaderMap.from(outcome.headers),
    body: toBytes(outcome.body ?? ""),
    trailers: outcome.trailers && outcome.trailers.length > 0 ? HeaderMap.from(outcome.trailers) : null,
  };
}

export class HttpCallouts {
  private nextToken = 0;
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly options: Pick<HostOptions, "httpCall" | "clusters">,
    /** Delivers the result to the root context (null = failure). */
    private readonly deliver: (token: number, result: HttpCallResult | null) => void,
  ) {}

  get outstanding(): number {
    return this.pending.size;
  }

  dispatch(cluster: string, headers: HeaderList, body: Uint8Array, trailers: HeaderList, timeoutMs: number): { result: number; token: number } {
    const refused = { result: WasmResult.BadArgument, token: 0 };
    if ((timeoutMs | 0) < 0) return refused;
    const call = this.options.httpCall;
    if (!call || (this.options.clusters && !this.options.clusters.includes(cluster))) return refused;
    const map = HeaderMap.from(headers);
    if (map.get(":path") === undefined || map.get(":method") === undefined || map.get(":authority") === undefined) return refused;
    if (body.length > 0) map.set("content-length", String(body.length));
    this.nextToken += TOKEN_STEP;
    const token = this.nextToken;
    const request: HttpCallRequest = { cluster, headers: map.toList(), body: body.slice(), trailers, timeoutMs, token };
    let outcome: Promise<Outcome>;
    try {
      outcome = Promise.resolve(call(request));
    } catch (error) {
      outcome = Promise.reject(error);
    }
    if (timeoutMs > 0) outcome = withTimeout(outcome, timeoutMs);
    const tracked: Promise<void> = outcome
      .then(toResult, () => null)
      .then((result) => {
        this.pending.delete(tracked);
        this.deliver(token, result);
      });
    this.pending.add(tracked);
    return { result: WasmResult.Ok, token };
  }

  /** Waits until every outstanding call was delivered (including calls made while delivering). */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}

function withTimeout(outcome: Promise<Outcome>, timeoutMs: number): Promise<Outcome> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  return Promise.race([outcome, timeout]).finally(() => clearTimeout(timer));
}
