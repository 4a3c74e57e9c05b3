// How the host drives a filter through a stream, like Envoy's filter manager: pausing on headers, body
// buffering, trailers, data statuses and the buffer limit. Subject: test/wat/scripted.wat, whose answers come
// from the plugin configuration (digit per callback, see the file).
import { describe, expect, test } from "vitest";
import { ProxyWasmHost, exchange, type HostOptions } from "../src/host/index.ts";
import { REQUEST, callbacks, moduleLogs, seqOf, text } from "./wat/inspect.ts";
import { watModule } from "./wat/load.ts";

const enc = (s: string) => new TextEncoder().encode(s);

async function scripted(config: string, options: Partial<HostOptions> = {}): Promise<ProxyWasmHost> {
  return ProxyWasmHost.start({ module: await watModule("scripted"), pluginConfig: config, ...options });
}

describe("request headers answered with StopIteration", () => {
  test("by default it becomes StopAllIterationAndWatermark: body callbacks wait for proxy_continue_stream", async () => {
    const host = await scripted("1000");
    const stream = host.newStream();
    stream.sendRequestHeaders(REQUEST, false);
    stream.sendRequestBody(enc("ab"), false);
    stream.sendRequestBody(enc("cd"), true);

    expect(callbacks(stream.events, "proxy_on_request_headers")).toEqual([
      { name: "proxy_on_request_headers", args: [stream.contextId, 4, 0], result: 1, action: "StopAllIterationAndWatermark" },
    ]);
    expect(callbacks(stream.events, "proxy_on_request_body")).toEqual([]);
    expect(stream.upstream.headers).toBeUndefined();

    host.tick(); // the module's proxy_on_tick calls proxy_continue_stream(REQUEST) for the stream
    expect(callbacks(stream.events, "proxy_on_request_body")).toEqual([
      { name: "proxy_on_request_body", args: [stream.contextId, 4, 1], result: 0, action: "Continue" },
    ]);
    expect(moduleLogs(host)).toEqual(["abcd"]);
    expect(stream.upstream.headers).toEqual(REQUEST);
    expect(text(stream.upstream.body)).toBe("abcd");
    expect(stream.upstream.endOfStream).toBe(true);
    expect(seqOf(stream.events, "upstream.headers")).toBeLessThan(seqOf(stream.events, "callback", (d) => (d as { name: string }).name === "proxy_on_request_body"));
  });

  test("the exchange stalls without a continue: the upstream is never called", async () => {
    const host = await scripted("1000");
    const result = await exchange(host, { headers: REQUEST, body: "{}" });
    expect(result.upstreamCalled).toBe(false);
    expect(result.status).toBe(0);
  });

  test("with allowOnHeadersStopIteration body callbacks run; headers go upstream when a body callback continues", async () => {
    const host = await scripted("1100", { allowOnHeadersStopIteration: true });
    const stream = host.newStream();
    stream.sendRequestHeaders(REQUEST, false);
    stream.sendRequestBody(enc("ab"), false);
    expect(stream.upstream.headers).toBeUndefined();
    stream.sendRequestBody(enc("cd"), true);

    expect(callbacks(stream.events).map((c) => [c.name, c.args.slice(1), c.action])).toEqual([
      ["proxy_on_context_create", [1], undefined],
      ["proxy_on_request_headers", [4, 0], "StopIteration"],
      ["proxy_on_request_body", [2, 0], "StopIterationAndBuffer"],
      ["proxy_on_request_body", [4, 1], "Continue"],
    ]);
    expect(stream.upstream.headers).toEqual(REQUEST);
    expect(text(stream.upstream.body)).toBe("abcd");
    expect(seqOf(stream.events, "upstream.headers")).toBeGreaterThan(seqOf(stream.events, "callback", (d) => (d as { args: number[] }).args[1] === 4));
  });

  test("headers-only requests: the headers callback sees end_of_stream", async () => {
    const host = await scripted("0");
    const result = await exchange(host, { headers: [[":method", "GET"], [":path", "/"]] });
    expect(callbacks(result.stream.events, "proxy_on_request_headers")[0]?.args[2]).toBe(1);
    expect(result.upstreamCalled).toBe(true);
    expect(result.status).toBe(200);
  });
});

describe("request body", () => {
  test("StopIterationAndBuffer: every callback sees the whole buffered body; Continue forwards all of it", async () => {
    const host = await scripted("01000000");
    const stream = host.newStream();
    stream.sendRequestHeaders(REQUEST, false);
    expect(stream.upstream.headers).toEqual(REQUEST); // Continue: the headers are already upstream
    stream.sendRequestBody(enc("ab"), false);
    stream.sendRequestBody(enc("cd"), false);
    expect(stream.upstream.body.length).toBe(0);
    stream.sendRequestBody(enc("ef"), true);

    expect(callbacks(stream.events, "proxy_on_request_body").map((c) => c.args.slice(1))).toEqual([
      [2, 0],
      [4, 0],
      [6, 1],
    ]);
    expect(moduleLogs(host)).toEqual(["abcdef"]); // proxy_get_buffer_bytes returns the whole buffer
    expect(text(stream.upstream.body)).toBe("abcdef");
    expect(stream.upstream.endOfStream).toBe(true);
  });

  test("a request ending with trailers: no body callback has end_of_stream; the trailers callback is the end", async () => {
    const host = await scripted("01000000");
    const trailers: Array<[string, string]> = [["x-checksum", "1"]];
    const result = await exchange(host, { headers: REQUEST, chunks: ["ab", "cd"], trailers });
    const stream = result.stream;
    expect(callbacks(stream.events, "proxy_on_request_body").map((c) => c.args[2])).toEqual([0, 0]);
    expect(callbacks(stream.events, "proxy_on_request_trailers").map((c) => c.args[1])).toEqual([1]);
    expect(moduleLogs(host)).toEqual(["abcd"]); // REQUEST_BODY is readable in the trailers callback
    expect(text(stream.upstream.body)).toBe("abcd");
    expect(stream.upstream.trailers).toEqual(trailers);
    expect(stream.upstream.endOfStream).toBe(true);
    expect(result.upstreamCalled).toBe(true);
  });

  test.each(["3", "4", "5"])("data status %s drops the chunk (StopIterationNoBuffer)", async (status) => {
    const host = await scripted(`0${status}${status}0`);
    const stream = host.newStream();
    stream.sendRequestHeaders(REQUEST, false);
    stream.sendRequestBody(enc("ab"), false);
    stream.sendRequestBody(enc("cd"), true);
    expect(callbacks(stream.events, "proxy_on_request_body").map((c) => [c.args[1], c.action])).toEqual([
      [2, "StopIterationNoBuffer"],
      [2, "StopIterationNoBuffer"],
    ]);
    expect(stream.upstream.headers).toEqual(REQUEST);
    expect(stream.upstream.body.length).toBe(0);
    expect(stream.upstream.endOfStream).toBe(false);
  });
});

describe("buffer limit", () => {
  test("buffered request data over the limit: 413 local reply, the upstream request is reset", async () => {
    const host = await scripted("01000000", { bufferLimitBytes: 8 });
    const stream = host.newStream();
    stream.sendRequestHeaders(REQUEST, false);
    stream.sendRequestBody(enc("12345"), false);
    stream.sendRequestBody(enc("67890"), false);
    stream.sendRequestBody(enc("x"), true);

    // The callback that pushed the buffer over the limit still ran (Envoy prepares the reply meanwhile).
    expect(callbacks(stream.events, "proxy_on_request_body").map((c) => c.args[1])).toEqual([5, 10]);
    expect(stream.localReply).toMatchObject({ status: 413, details: "request_payload_too_large", source: "host" });
    expect(stream.downstream.headers).toEqual([
      [":status", "413"],
      ["content-length", "17"],
      ["content-type", "text/plain"],
    ]);
    expect(text(stream.downstream.body)).toBe("Payload Too Large");
    // The local reply went through the filter's response callbacks.
    expect(callbacks(stream.events, "proxy_on_response_headers")).toHaveLength(1);
    expect(stream.upstream.reset).toBe(true);
    expect(stream.ended).toBe(true);
  });

  test("no 413 while paused on headers (watermark buffering applies flow control instead)", async () => {
    const host = await scripted("1000", { bufferLimitBytes: 8 });
    const stream = host.newStream();
    stream.sendRequestHeaders(REQUEST, false);
    stream.sendRequestBody(enc("12345"), false);
    stream.sendRequestBody(enc("67890"), true);
    expect(stream.localReply).toBeUndefined();
    expect(stream.events.some((e) => e.kind === "watermark")).toBe(true);
    host.tick();
    expect(callbacks(stream.events, "proxy_on_request_body").map((c) => c.args[1])).toEqual([10]);
    expect(text(stream.upstream.body)).toBe("1234567890");
  });

  test("buffered response data over the limit before the headers were sent: 500", async () => {
    const host = await scripted("00003000", { bufferLimitBytes: 8 });
    const stream = host.newStream();
    stream.sendRequestHeaders(REQUEST, true);
    stream.sendResponseHeaders([[":status", "200"]], false);
    stream.sendResponseBody(enc("12345"), false);
    stream.sendResponseBody(enc("67890"), false);
    expect(stream.localReply).toMatchObject({ status: 500, details: "response_payload_too_large", source: "host" });
    expect(stream.downstream.headers?.[0]).toEqual([":status", "500"]);
    expect(text(stream.downstream.body)).toBe("Internal Server Error");
  });

  test("buffered response data over the limit after the headers were sent: the stream is reset", async () => {
    const host = await scripted("00000100", { bufferLimitBytes: 8 });
    const stream = host.newStream();
    stream.sendRequestHeaders(REQUEST, true);
    stream.sendResponseHeaders([[":status", "200"]], false);
    stream.sendResponseBody(enc("12345"), false);
    stream.sendResponseBody(enc("67890"), false);
    expect(stream.downstream.headers).toEqual([[":status", "200"]]);
    expect(stream.downstream.reset).toBe(true);
    expect(stream.localReply).toBeUndefined();
    expect(stream.ended).toBe(true);
  });
});

describe("response", () => {
  test("headers answered with Continue are downstream at once; a buffered body is released at the end", async () => {
    const host = await scripted("00000100");
    const result = await exchange(host, { headers: REQUEST, body: "{}" }, () => ({ headers: [[":status", "200"]], chunks: ["he", "llo"] }));
    const stream = result.stream;
    expect(seqOf(stream.events, "downstream.headers")).toBeLessThan(seqOf(stream.events, "response.body"));
    expect(callbacks(stream.events, "proxy_on_response_body").map((c) => c.args.slice(1))).toEqual([
      [2, 0],
      [5, 1],
    ]);
    expect(result.body).toBe("hello");
    expect(moduleLogs(host)).toContain("hello");
  });

  test("response trailers end the response; RESPONSE_BODY is readable there", async () => {
    const host = await scripted("00000100");
    const result = await exchange(host, { headers: REQUEST }, () => ({ headers: [[":status", "200"]], chunks: ["a", "b"], trailers: [["grpc-status", "0"]] }));
    expect(callbacks(result.stream.events, "proxy_on_response_trailers")).toHaveLength(1);
    expect(moduleLogs(host)).toEqual(["ab"]);
    expect(result.stream.downstream.trailers).toEqual([["grpc-status", "0"]]);
    expect(result.body).toBe("ab");
  });

  test("proxy_on_done and proxy_on_delete run when the stream completes", async () => {
    const host = await scripted("0");
    const result = await exchange(host, { headers: REQUEST, body: "x" });
    const names = callbacks(result.stream.events).map((c) => c.name);
    expect(names.slice(-2)).toEqual(["proxy_on_done", "proxy_on_delete"]);
  });
});
