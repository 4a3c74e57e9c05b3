// The SDK layer end to end: build/test/abi_example.wasm driven by the project's Envoy-like Node host
// (src/host), rather than by the minimal recording host of abi.behaviour.test.ts.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { ProxyWasmHost, exchange, type HeaderList, type HttpCallRequest, type HostOptions } from "../src/host/index.ts";

// The module is passed as bytes, as Envoy gets it.
let module: Uint8Array;

beforeAll(() => {
  module = new Uint8Array(readFileSync("build/test/abi_example.wasm"));
});

const GET: HeaderList = [[":method", "GET"], [":path", "/mcp"], [":authority", "mcp.example"], [":scheme", "http"]];

async function start(options: Partial<HostOptions> = {}): Promise<ProxyWasmHost> {
  return ProxyWasmHost.start({ module, logLevel: 0, ...options });
}

describe("abi_example in the Node proxy-wasm host", () => {
  it("configures the default root and reads the plugin configuration", async () => {
    const host = await start({ pluginConfig: "hello ✓" });
    expect(host.configured).toBe(true);
    expect(host.failed).toBe(false);
    expect(host.logs.map((l) => l.message)).toContain("example: configured root \"mcp-guard\" with \"hello ✓\"");
    expect(host.metric("example_requests")?.value).toBe(0n);
  });

  it("rejects an unknown root id with one error naming the registered ids", async () => {
    const host = await start({ rootId: "mcp-gaurd" });
    expect(host.configured).toBe(false);
    expect(host.failed).toBe(false);
    const errors = host.logs.filter((l) => l.source === "module" && l.level >= 4);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain("\"mcp-gaurd\"");
    expect(errors[0]!.message).toContain("\"mcp-guard\", \"example-2\"");
  });

  it("a second root id passes streams through untouched", async () => {
    const host = await start({ rootId: "example-2" });
    expect(host.configured).toBe(true);
    let seen: HeaderList = [];
    const result = await exchange(host, { headers: GET }, (req) => { seen = req.headers; return { headers: [[":status", "200"]], body: "hi" }; });
    expect(result.status).toBe(200);
    expect(result.body).toBe("hi");
    expect(seen.map(([k]) => k)).not.toContain("x-example-seen");
    expect(result.headers.map(([k]) => k)).not.toContain("x-example");
  });

  it("rewrites request headers, reads a \\0-joined property, adds a response header and counts requests", async () => {
    const host = await start({ properties: { "metadata\0filter_metadata\0example\0user": "alice ✓" } });
    let seen: HeaderList = [];
    const request: HeaderList = [...GET, ["x-empty", ""], ["x-ünï", "välue 😀"]];
    const result = await exchange(host, { headers: request }, (req) => { seen = req.headers; return { headers: [[":status", "200"]], body: "ok" }; });
    expect(result.status).toBe(200);
    expect(result.upstreamCalled).toBe(true);
    for (const pair of request) expect(seen).toContainEqual(pair);
    expect(seen).toContainEqual(["x-example-seen", String(request.length)]);
    expect(seen).toContainEqual(["x-example-user", "alice ✓"]);
    expect(result.headers).toContainEqual(["x-example", "1"]);
    expect(host.metric("example_requests")?.value).toBe(1n);
    expect(host.failed).toBe(false);
  });

  it("sends a local reply when asked, and the upstream never sees the request", async () => {
    const host = await start();
    const result = await exchange(host, { headers: [...GET, ["x-example-reply", "403"]] });
    expect(result.status).toBe(403);
    expect(result.body).toBe("example reply");
    expect(result.headers).toContainEqual(["x-example", "local"]);
    expect(result.upstreamCalled).toBe(false);
    expect(result.stream.localReply?.details).toBe("example_reply");
  });

  it("makes an HTTP call, answers it on the root context and resumes the stream", async () => {
    const calls: HttpCallRequest[] = [];
    const host = await start({
      httpCall: async (req) => { calls.push(req); return { headers: [[":status", "200"]], body: "allowed" }; },
    });
    let seen: HeaderList = [];
    const result = await exchange(host, { headers: [...GET, ["x-example-call", "1"]] }, (req) => { seen = req.headers; return { headers: [[":status", "200"]] }; });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.cluster).toBe("example-upstream");
    expect(calls[0]!.headers).toEqual([[":method", "GET"], [":path", "/check"], [":authority", "example-upstream"]]);
    expect(calls[0]!.timeoutMs).toBe(5000);
    expect(result.upstreamCalled).toBe(true);
    expect(seen).toContainEqual(["x-example-callout", "200 allowed"]);
    expect(result.status).toBe(200);
  });

  it("a failed HTTP call becomes a local 503", async () => {
    const host = await start({ httpCall: async () => "reset" });
    const result = await exchange(host, { headers: [...GET, ["x-example-call", "1"]] });
    expect(result.status).toBe(503);
    expect(result.body).toBe("callout failed");
    expect(result.upstreamCalled).toBe(false);
  });

  it("ticks reach the root context, and many streams neither fail the VM nor grow memory", async () => {
    const host = await start();
    host.tick();
    host.tick();
    expect(host.metric("example_ticks")?.value).toBe(2n);
    const body = "x".repeat(32 * 1024);
    const post: HeaderList = [[":method", "POST"], [":path", "/mcp"], [":authority", "mcp.example"], ["content-type", "application/json"]];
    for (let i = 0; i < 100; i++) await exchange(host, { headers: post, body });
    const warm = host.memoryBytes();
    for (let i = 0; i < 500; i++) await exchange(host, { headers: post, body });
    expect(host.memoryBytes()).toBeLessThanOrEqual(warm + 256 * 1024);
    expect(host.metric("example_requests")?.value).toBe(600n);
    expect(host.logs.some((l) => l.message === `example: request body ${body.length} bytes`)).toBe(true);
    expect(host.failed).toBe(false);
  });
});
