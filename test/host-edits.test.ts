// What the module may change and when: header edits while headers are stopped vs after they continued
// (test/wat/header-edit.wat), and the proxy_set_buffer_bytes modes Envoy supports (test/wat/set-buffer.wat).
import { describe, expect, test } from "vitest";
import { ProxyWasmHost, exchange } from "../src/host/index.ts";
import { REQUEST, moduleLogs } from "./wat/inspect.ts";
import { watModule } from "./wat/load.ts";

describe("header maps", () => {
  test("edits apply while headers are stopped; after Continue they are BAD_ARGUMENT and reads come back empty", async () => {
    const host = await ProxyWasmHost.start({ module: await watModule("header-edit") });
    const result = await exchange(host, { headers: REQUEST, chunks: ["a", "b"] }, () => ({
      headers: [[":status", "200"], ["server", "upstream"]],
      body: "ok",
    }));
    const stream = result.stream;

    expect(stream.upstream.headers).toEqual([...REQUEST, ["x-added", "1"]]);
    expect(result.headers).toEqual([[":status", "200"], ["server", "wasm"]]);
    expect(moduleLogs(host)).toEqual([
      // first body chunk: request headers already continued
      "late-replace:2",
      "late-get:2",
      "late-pairs:0",
      // last body chunk: same, plus adding a trailer (allowed on the last chunk of a request without trailers)
      "late-replace:2",
      "late-get:2",
      "late-pairs:0",
      "add-trailer:0",
      // response body: response headers already sent
      "late-response-remove:2",
      // access log: final request headers readable; request trailers are not available there (NOT_FOUND)
      "log-get:0",
      "log-trailers:1",
    ]);
    expect(stream.upstream.trailers).toEqual([["x-trailer", "1"]]);
    expect(stream.upstream.endOfStream).toBe(true);
  });

  test("hold mode (StopIteration allowed): body callbacks may still edit the held request headers", async () => {
    const host = await ProxyWasmHost.start({ module: await watModule("header-edit"), pluginConfig: "1", allowOnHeadersStopIteration: true });
    const stream = host.newStream();
    stream.sendRequestHeaders(REQUEST, false);
    stream.sendRequestBody(new TextEncoder().encode("{}"), true);
    expect(moduleLogs(host).slice(0, 3)).toEqual(["late-replace:0", "late-get:0", "late-pairs:6"]);
    expect(stream.upstream.headers).toEqual([...REQUEST, ["x-added", "1"], ["x-late", "1"]]);
  });

  test("default mode: after proxy_continue_stream the held headers are sent and no longer editable", async () => {
    // Without allowOnHeadersStopIteration the pause is StopAll: no body callback runs while the headers are held.
    const host = await ProxyWasmHost.start({ module: await watModule("header-edit"), pluginConfig: "1" });
    const stream = host.newStream();
    stream.sendRequestHeaders(REQUEST, false);
    stream.sendRequestBody(new TextEncoder().encode("{}"), true);
    expect(moduleLogs(host)).toEqual([]);
    expect(stream.upstream.headers).toBeUndefined();
  });
});

describe("proxy_set_buffer_bytes", () => {
  const cases: Array<[string, string, string]> = [
    ["p", "<<abcd", "set:0"], // prepend: (0, 0)
    ["r", "NEW", "set:0"], // replace everything: (0, size)
    ["a", "abcd>>", "set:0"], // append: (size, 0)
    ["f", "Zcd", "set:0"], // start 0 drops `length` bytes, then prepends
    ["m", "abcd", "set:2"], // anything else: BAD_ARGUMENT
  ];
  test.each(cases)("mode %s on the buffered request body gives %s", async (mode, upstreamBody, log) => {
    const host = await ProxyWasmHost.start({ module: await watModule("set-buffer"), pluginConfig: mode });
    const result = await exchange(host, { headers: REQUEST, chunks: ["ab", "cd"] });
    expect(new TextDecoder().decode(result.stream.upstream.body)).toBe(upstreamBody);
    expect(moduleLogs(host)).toEqual([log]);
  });

  test("rewriting the buffered response body changes what the client gets", async () => {
    const host = await ProxyWasmHost.start({ module: await watModule("set-buffer"), pluginConfig: "-" });
    const result = await exchange(host, { headers: REQUEST, body: "{}" }, () => ({
      headers: [[":status", "200"], ["content-length", "11"]],
      chunks: ["hello ", "world"],
    }));
    expect(result.body).toBe("rewritten");
    expect(result.headers).toEqual([[":status", "200"]]);
  });
});
