// Traps (test/wat/trap.wat) with FAIL_CLOSE / FAIL_OPEN, and proxy_http_call answered on the root context
// (test/wat/http-call.wat).
import { describe, expect, test, vi } from "vitest";
import { ProxyWasmHost, exchange, type HostOptions, type HttpCallRequest } from "../src/host/index.ts";
import { REQUEST, callbacks, moduleLogs } from "./wat/inspect.ts";
import { watModule } from "./wat/load.ts";

const TRAP_REQUEST: Array<[string, string]> = [...REQUEST, ["x-trap", "1"]];

async function trapHost(failStrategy: HostOptions["failStrategy"]): Promise<ProxyWasmHost> {
  return ProxyWasmHost.start({ module: await watModule("trap"), failStrategy });
}

describe("a trap", () => {
  test("FAIL_CLOSE: 503 wasm_fail_stream for the stream that trapped and every later one", async () => {
    const host = await trapHost("FAIL_CLOSE");
    const first = await exchange(host, { headers: TRAP_REQUEST, body: "{}" });
    expect(host.failed).toBe(true);
    expect(first.status).toBe(503);
    expect(first.headers).toEqual([[":status", "503"]]);
    expect(first.body).toBe("");
    expect(first.stream.localReply).toMatchObject({ status: 503, details: "wasm_fail_stream", grpcStatus: 14, source: "host" });
    expect(first.upstreamCalled).toBe(false);
    expect(first.stream.events.some((e) => e.kind === "trap")).toBe(true);
    const trapLog = host.logs.find((l) => l.source === "host" && l.level === 4);
    expect(trapLog?.message).toMatch(/^Function: proxy_on_request_headers failed: RuntimeError: unreachable/);

    const later = await exchange(host, { headers: REQUEST, body: "{}" });
    expect(later.status).toBe(503);
    expect(later.upstreamCalled).toBe(false);
    expect(callbacks(later.stream.events)).toEqual([]); // the VM is not called any more
  });

  test("FAIL_OPEN: the trapping stream and every later one pass unfiltered", async () => {
    const host = await trapHost("FAIL_OPEN");
    const first = await exchange(host, { headers: TRAP_REQUEST, body: "{}" });
    expect(first.upstreamCalled).toBe(true);
    expect(first.status).toBe(200);

    const later = await exchange(host, { headers: REQUEST, body: "{}" });
    expect(later.status).toBe(200);
    expect(later.stream.upstream.headers).toEqual(REQUEST); // no x-filtered: the filter did not run
    expect(later.stream.contextId).toBe(0);
    expect(callbacks(later.stream.events)).toEqual([]);
  });

  test("before a trap the filter works (control)", async () => {
    const host = await trapHost("FAIL_CLOSE");
    const result = await exchange(host, { headers: REQUEST });
    expect(result.stream.upstream.headers).toContainEqual(["x-filtered", "yes"]);
    expect(host.failed).toBe(false);
  });

  test("a trap in the response headers callback answers 503 directly when the headers were not sent yet", async () => {
    const host = await trapHost("FAIL_CLOSE");
    const result = await exchange(host, { headers: REQUEST }, () => ({ headers: [[":status", "200"], ["x-trap", "1"]], body: "secret" }));
    expect(result.status).toBe(503);
    expect(result.body).toBe("");
    expect(host.failed).toBe(true);
  });
});

describe("proxy_http_call", () => {
  async function callHost(httpCall?: HostOptions["httpCall"]): Promise<{ host: ProxyWasmHost; calls: HttpCallRequest[] }> {
    const calls: HttpCallRequest[] = [];
    const options: HostOptions = { module: await watModule("http-call") };
    if (httpCall) {
      options.httpCall = (req) => {
        calls.push(req);
        return httpCall(req);
      };
    }
    return { host: await ProxyWasmHost.start(options), calls };
  }

  test("the answer is delivered to the root context, which resumes the paused stream", async () => {
    const { host, calls } = await callHost(async () => ({ headers: [[":status", "200"]], body: "alice" }));
    const result = await exchange(host, { headers: REQUEST, body: "{}" });

    expect(calls).toEqual([
      {
        cluster: "auth",
        headers: [[":method", "GET"], [":path", "/check"], [":authority", "auth"]],
        body: new Uint8Array(0),
        trailers: [],
        timeoutMs: 5000,
        token: 4,
      },
    ]);
    const delivered = callbacks(host.events, "proxy_on_http_call_response");
    expect(delivered).toEqual([{ name: "proxy_on_http_call_response", args: [host.rootContextId, 4, 1, 5, 0] }]);
    expect(result.stream.upstream.headers).toContainEqual(["x-auth", "alice"]); // set while the headers were stopped
    expect(result.upstreamCalled).toBe(true);
    expect(result.status).toBe(200);
    expect(moduleLogs(host)).toEqual(["call:0", "response-headers:1"]);
  });

  test("a timeout arrives as Envoy's 504 'upstream request timeout' response", async () => {
    const { host } = await callHost(async () => "timeout");
    const result = await exchange(host, { headers: REQUEST, body: "{}" });
    expect(moduleLogs(host)).toContain("response-headers:3");
    expect(result.stream.upstream.headers).toContainEqual(["x-auth", "upstream request timeout"]);
  });

  test("a reset arrives with 0 headers; proxy_get_status reports BROKEN_CONNECTION (11)", async () => {
    const { host } = await callHost(async () => "reset");
    const result = await exchange(host, { headers: REQUEST, body: "{}" });
    expect(moduleLogs(host)).toEqual(["call:0", "response-headers:0", "status:B"]);
    expect(result.status).toBe(503);
    expect(result.stream.localReply?.details).toBe("auth_failed");
    expect(result.upstreamCalled).toBe(false);
  });

  test("an unknown cluster is BAD_ARGUMENT and nothing is delivered", async () => {
    const { host } = await callHost();
    const result = await exchange(host, { headers: REQUEST, body: "{}" });
    expect(moduleLogs(host)).toEqual(["call:2"]);
    expect(host.pendingHttpCalls).toBe(0);
    expect(result.upstreamCalled).toBe(false);
  });

  test("the host's timer turns a slow answer into the timeout response", async () => {
    const module = await watModule("http-call");
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      // The module asks for 5000 ms; an answer that never comes is replaced by the 504 after that time.
      const host = await ProxyWasmHost.start({ module, httpCall: () => new Promise(() => undefined) });
      const stream = host.newStream();
      stream.sendRequestHeaders(REQUEST, true);
      await vi.advanceTimersByTimeAsync(4999);
      expect(host.pendingHttpCalls).toBe(1);
      await vi.advanceTimersByTimeAsync(1);
      await host.settle();
      expect(host.pendingHttpCalls).toBe(0);
      expect(stream.upstream.headers).toContainEqual(["x-auth", "upstream request timeout"]);
    } finally {
      vi.useRealTimers();
    }
  });
});
