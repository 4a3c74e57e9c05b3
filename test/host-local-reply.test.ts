// proxy_send_local_response as Envoy handles it: deferred until the callback returns, the callback's answer
// forced to a stop, the upstream request reset, and — depending on how far the response got — sent through
// the filter, sent directly, or turned into a stream reset. Subject: test/wat/local-reply.wat.
import { describe, expect, test } from "vitest";
import { ProxyWasmHost, exchange } from "../src/host/index.ts";
import { REQUEST, callbacks, moduleLogs, seqOf, text } from "./wat/inspect.ts";
import { watModule } from "./wat/load.ts";

const enc = (s: string) => new TextEncoder().encode(s);

async function replyFrom(where: "h" | "b" | "r" | "d"): Promise<ProxyWasmHost> {
  return ProxyWasmHost.start({ module: await watModule("local-reply"), pluginConfig: where });
}

describe("local reply from the request path", () => {
  test("from request headers: deferred until the callback returns; the upstream never sees the request", async () => {
    const host = await replyFrom("h");
    const result = await exchange(host, { headers: REQUEST, body: "{}" });
    const stream = result.stream;

    expect(result.upstreamCalled).toBe(false);
    expect(stream.upstream.headers).toBeUndefined();
    expect(result.status).toBe(403);
    expect(result.headers).toEqual([
      [":status", "403"],
      ["x-reason", "policy"],
      ["content-length", "7"],
      ["content-type", "text/plain"],
    ]);
    expect(result.body).toBe("blocked");
    expect(stream.localReply).toEqual({
      status: 403,
      details: "denied_by_policy", // Envoy replaces whitespace in details
      body: enc("blocked"),
      headers: [["x-reason", "policy"]],
      grpcStatus: -1,
      source: "module",
    });
    // The module kept running after the call (its log comes first); its Continue was turned into a stop.
    expect(seqOf(stream.events, "log")).toBeLessThan(seqOf(stream.events, "local_reply"));
    expect(moduleLogs(host)[0]).toBe("after:0");
    expect(callbacks(stream.events, "proxy_on_request_headers")[0]).toMatchObject({ result: 0, action: "StopAllIterationAndWatermark" });
    // The local reply travels through the filter's response path.
    expect(moduleLogs(host)).toContain("response-headers:4");
    expect(stream.ended).toBe(true);
  });

  test("from the request body: headers already went upstream, so the upstream request is reset; no body reaches it", async () => {
    const host = await replyFrom("b");
    const result = await exchange(host, { headers: REQUEST, chunks: ["{", "}"] });
    const stream = result.stream;
    expect(stream.upstream.headers).toEqual(REQUEST);
    expect(stream.upstream.body.length).toBe(1); // the first chunk was passed with Continue
    expect(stream.upstream.endOfStream).toBe(false);
    expect(stream.upstream.reset).toBe(true);
    expect(result.upstreamCalled).toBe(false);
    expect(result.status).toBe(403);
    expect(callbacks(stream.events, "proxy_on_request_body").at(-1)).toMatchObject({ result: 0, action: "StopIterationNoBuffer" });
  });

  test("a gRPC request gets a trailers-only reply", async () => {
    const host = await replyFrom("h");
    const result = await exchange(host, { headers: [[":method", "POST"], [":path", "/svc/M"], ["content-type", "application/grpc"]] });
    expect(result.headers).toEqual([
      [":status", "200"],
      ["x-reason", "policy"],
      ["content-type", "application/grpc"],
      ["grpc-status", "7"],
      ["grpc-message", "blocked"],
    ]);
    expect(result.body).toBe("");
    expect(result.stream.downstream.endOfStream).toBe(true);
  });
});

describe("local reply from the response path", () => {
  test("before the response headers were sent: goes straight to the client, bypassing the filter", async () => {
    const host = await replyFrom("r");
    const stream = host.newStream();
    stream.sendRequestHeaders(REQUEST, true);
    stream.sendResponseHeaders([[":status", "200"]], false);
    stream.sendResponseBody(enc("upstream body"), true);

    expect(stream.downstream.headers?.[0]).toEqual([":status", "403"]);
    expect(text(stream.downstream.body)).toBe("blocked");
    expect(moduleLogs(host)).toEqual(["response-headers:1", "after:0"]);
    expect(stream.upstream.reset).toBe(true);
    expect(stream.events.some((e) => e.kind === "ignored")).toBe(true);
  });

  test("after the response headers were sent: Envoy accepts the call (OK) and resets the stream", async () => {
    const host = await replyFrom("d");
    const stream = host.newStream();
    stream.sendRequestHeaders(REQUEST, true);
    stream.sendResponseHeaders([[":status", "200"]], false);
    stream.sendResponseBody(enc("data"), false);

    expect(moduleLogs(host)).toContain("after:0");
    expect(stream.downstream.headers).toEqual([[":status", "200"]]);
    expect(stream.downstream.body.length).toBe(0);
    expect(stream.downstream.reset).toBe(true);
    expect(stream.localReply).toBeUndefined();
    expect(stream.ended).toBe(true);
  });
});
