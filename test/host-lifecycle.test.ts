// Loading and starting a module like Envoy (refusals, restricted start, WASI), and the plugin-wide parts of
// the ABI: properties, metrics, shared data and queues, shutdown.
import { describe, expect, test } from "vitest";
import { LogLevel, ProxyWasmHost, WasmLoadError, exchange } from "../src/host/index.ts";
import { REQUEST, callbacks, moduleLogs, text } from "./wat/inspect.ts";
import { watModule } from "./wat/load.ts";

describe("refused modules", () => {
  test.each([
    ["unknown-import", /missing import: env\.proxy_does_not_exist/],
    ["bad-signature", /import type mismatch: env\.proxy_log/],
    ["no-abi-version", /Missing or unknown Proxy-Wasm ABI version/],
    ["no-allocator", /missing malloc function/],
    // proxy_get_log_level is registered only for ABI 0.2.1
    ["abi-0-2-0", /missing import: env\.proxy_get_log_level/],
  ])("%s", async (name, message) => {
    const start = ProxyWasmHost.start({ module: await watModule(name) });
    await expect(start).rejects.toBeInstanceOf(WasmLoadError);
    await expect(ProxyWasmHost.start({ module: await watModule(name) })).rejects.toThrow(message);
  });

  test("a precompiled WebAssembly.Module is accepted (names checked, signatures cannot be)", async () => {
    const module = await WebAssembly.compile(await watModule("scripted"));
    const host = await ProxyWasmHost.start({ module, pluginConfig: "0" });
    expect(host.configured).toBe(true);
  });
});

describe("start", () => {
  test("calling a proxy_* function other than proxy_log from _initialize traps (restricted); streams fail closed", async () => {
    const host = await ProxyWasmHost.start({ module: await watModule("restricted-start") });
    expect(host.configured).toBe(false);
    expect(host.failed).toBe(true);
    expect(host.logs.map((l) => l.message).join("\n")).toMatch(/Function: _initialize failed: .*restricted_callback/);
    expect(host.logs.map((l) => l.message)).toContain("Failed to initialize Wasm code");
    const result = await exchange(host, { headers: REQUEST });
    expect(result.status).toBe(503);
  });

  test("lifecycle order: context create (root, 0), vm start, configure; streams get new ids with the root as parent", async () => {
    const host = await ProxyWasmHost.start({ module: await watModule("metrics") });
    expect(callbacks(host.events).map((c) => [c.name, c.args])).toEqual([
      ["proxy_on_context_create", [1, 0]],
      ["proxy_on_vm_start", [1, 0]],
    ]);
    const a = host.newStream();
    const b = host.newStream();
    a.sendRequestHeaders(REQUEST, true);
    expect(callbacks(a.events, "proxy_on_context_create")[0]?.args).toEqual([2, 1]);
    expect(b.contextId).toBe(3);
    expect(host.rootContextId).toBe(1);
  });

  test("WASI: stdout / stderr to the log, environment from options, proc_exit only logs (trace)", async () => {
    const host = await ProxyWasmHost.start({ module: await watModule("wasi"), env: { FOO: "bar" }, logLevel: LogLevel.Trace });
    expect(host.configured).toBe(true);
    expect(host.logs.map((l) => [l.level, l.message])).toEqual([
      [2, "starting"],
      [2, "hello"],
      [4, "oops"],
      [2, "FOO=bar"],
      [2, "level:0"],
      [3, "clock:1"],
      [0, "wasi_unstable proc_exit"],
      [2, "still running"],
    ]);
  });

  test("entries below the configured log level are dropped, as Envoy's logger does", async () => {
    const host = await ProxyWasmHost.start({ module: await watModule("wasi"), env: { FOO: "bar" }, logLevel: LogLevel.Warn });
    expect(host.logs.map((l) => l.message)).toEqual(["oops", "clock:1"]);
  });
});

describe("properties", () => {
  async function propertyHost() {
    return ProxyWasmHost.start({
      module: await watModule("properties"),
      rootId: "guard",
      pluginName: "ns.guard",
      vmId: "vm1",
      properties: {
        "source\0port": 443n,
        "metadata\0filter_metadata\0envoy.filters.http.jwt_authn\0payload\0sub": "alice",
        "connection\0mtls": new Uint8Array([1]),
      },
    });
  }
  const lookup = (host: ProxyWasmHost, path: string, extra: Array<[string, string]> = []) =>
    exchange(host, { headers: [...REQUEST, ["x-prop", path], ...extra] });

  test("built-in plugin properties and configured paths; integers are 8 bytes little endian", async () => {
    const host = await propertyHost();
    expect(text((await lookup(host, "plugin_root_id")).stream.downstream.body)).toBe("guard");
    expect(text((await lookup(host, "plugin_name")).stream.downstream.body)).toBe("ns.guard");
    expect(text((await lookup(host, "plugin_vm_id")).stream.downstream.body)).toBe("vm1");
    expect((await lookup(host, "source\0port")).stream.downstream.body).toEqual(new Uint8Array([0xbb, 0x01, 0, 0, 0, 0, 0, 0]));
    expect((await lookup(host, "metadata\0filter_metadata\0envoy.filters.http.jwt_authn\0payload\0sub")).body).toBe("alice");
    expect((await lookup(host, "connection\0mtls")).stream.downstream.body).toEqual(new Uint8Array([1]));
  });

  test("anything else is NOT_FOUND (1), including a prefix of a configured path", async () => {
    const host = await propertyHost();
    for (const path of ["request\0path", "metadata\0filter_metadata", "plugin_name\0x"]) {
      const result = await lookup(host, path);
      expect([result.status, result.body]).toEqual([404, "1"]);
    }
  });

  test("per-stream properties and proxy_set_property (stream: OK, root: NOT_FOUND)", async () => {
    const host = await propertyHost();
    expect(moduleLogs(host)).toEqual(["root-set:1"]);
    const stream = host.newStream({ properties: { "request\0id": "r-1" } });
    stream.sendRequestHeaders([...REQUEST, ["x-prop", "request\0id"]], true);
    expect(text(stream.downstream.body)).toBe("r-1");

    const written = await lookup(host, "custom", [["x-set", "custom"]]);
    expect(written.body).toBe("written");
    expect(moduleLogs(host)).toContain("set:0");
  });
});

describe("metrics", () => {
  test("counters, gauges and histograms are stored by name; Envoy's refusals are kept", async () => {
    const host = await ProxyWasmHost.start({ module: await watModule("metrics") });
    expect(moduleLogs(host)).toEqual(["bad-type:2"]);
    await exchange(host, { headers: REQUEST });
    await exchange(host, { headers: REQUEST });
    expect(host.metric("requests_total")).toEqual({ type: 0, value: 2n, samples: [] });
    expect(host.metric("inflight")).toEqual({ type: 1, value: 0n, samples: [] }); // +1 per request, -1 in proxy_on_log
    expect(host.metric("latency_ms")).toEqual({ type: 2, value: 2n, samples: [5n, 5n] });
    expect([...host.metrics().keys()].sort()).toEqual(["inflight", "latency_ms", "requests_total"]);
    // a counter cannot be decremented; a histogram cannot be read
    expect(moduleLogs(host).filter((m) => m !== "bad-type:2")).toEqual(["negative:2", "histogram-get:2", "negative:2", "histogram-get:2"]);
  });

  test("proxy_on_log runs before proxy_on_done and proxy_on_delete", async () => {
    const host = await ProxyWasmHost.start({ module: await watModule("metrics") });
    const result = await exchange(host, { headers: REQUEST });
    expect(callbacks(result.stream.events).map((c) => c.name).slice(-3)).toEqual(["proxy_on_log", "proxy_on_done", "proxy_on_delete"]);
  });
});

describe("clock, timers, close_stream, proxy_done (test/wat/misc.wat)", () => {
  test("proxy_get_current_time_nanoseconds uses the clock option; the tick period is recorded", async () => {
    const host = await ProxyWasmHost.start({ module: await watModule("misc"), clock: () => 1_700_000_000_123_456_789n });
    expect(host.metric("now")?.value).toBe(1_700_000_000_123_456_789n);
    expect(host.tickPeriodMilliseconds).toBe(250);
  });

  test("proxy_close_stream(REQUEST) resets the stream after the callback returns", async () => {
    const host = await ProxyWasmHost.start({ module: await watModule("misc") });
    const stream = host.newStream();
    stream.sendRequestHeaders(REQUEST, false);
    stream.sendRequestBody(new TextEncoder().encode("{}"), true);
    expect(stream.downstream.reset).toBe(true);
    expect(stream.upstream.reset).toBe(true);
    expect(stream.upstream.body.length).toBe(0);
    expect(stream.ended).toBe(true);
  });

  test("a root answering false in proxy_on_done is deleted only after it calls proxy_done", async () => {
    const host = await ProxyWasmHost.start({ module: await watModule("misc") });
    host.shutdown();
    expect(callbacks(host.events).map((c) => c.name).slice(-1)).toEqual(["proxy_on_done"]);
    host.tick();
    expect(moduleLogs(host)).toEqual(["done:0", "deleted"]);
  });
});

describe("shared data, queues, shutdown", () => {
  test("shared data is visible to streams; proxy_on_queue_ready reaches the root after the enqueueing callback", async () => {
    const host = await ProxyWasmHost.start({ module: await watModule("queue") });
    await exchange(host, { headers: REQUEST });
    expect(moduleLogs(host)).toEqual(["hello", "item"]);
    expect(callbacks(host.events, "proxy_on_queue_ready")[0]?.args[0]).toBe(host.rootContextId);
  });

  test("shutdown calls proxy_on_done and proxy_on_delete on the root", async () => {
    const host = await ProxyWasmHost.start({ module: await watModule("queue") });
    host.shutdown();
    expect(callbacks(host.events).map((c) => c.name).slice(-2)).toEqual(["proxy_on_done", "proxy_on_delete"]);
    expect(host.memoryBytes()).toBeGreaterThanOrEqual(2 * 65536);
  });
});
