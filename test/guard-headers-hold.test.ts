// MCP 2026-07-28 header mirroring, and hold mode: body-derived headers for AuthorizationPolicies, which only
// works where Envoy passes StopIteration on headers through (allow_on_headers_stop_iteration).
import { describe, expect, it } from "vitest";
import { ProxyWasmHost, exchange, type HeaderList } from "../src/host/index.ts";
import { SEED_CONFIG, echoUpstream, guardModule, post, postHeaders, startGuard, toolCall } from "./helpers/guard.ts";
import { errorResponseProblems } from "./helpers/mcp-schema.ts";

const V2026: HeaderList = [["mcp-protocol-version", "2026-07-28"]];

describe("2026-07-28 header mirroring", () => {
  it("forwards a request whose Mcp-Method and Mcp-Name match the body", async () => {
    const host = await startGuard(SEED_CONFIG);
    const body = toolCall(1, "search_code");
    const result = await post(host, body, { headers: [...V2026, ["mcp-method", "tools/call"], ["mcp-name", "search_code"]] });
    expect(result.upstreamBody).toBe(body);
  });

  it.each([
    [[["mcp-method", "tools/list"], ["mcp-name", "search_code"]], "Header mismatch: Mcp-Method header value 'tools/list' does not match body value 'tools/call'"],
    [[["mcp-method", "tools/call"], ["mcp-name", "get_pull_request"]], "Header mismatch: Mcp-Name header value 'get_pull_request' does not match body value 'search_code'"],
    [[["mcp-name", "search_code"]], "Header mismatch: the Mcp-Method header is required"],
    [[["mcp-method", "tools/call"]], "Header mismatch: the Mcp-Name header is required for tools/call"],
  ] as Array<[HeaderList, string]>)("refuses %j with 400 and -32020", async (headers, message) => {
    const host = await startGuard(SEED_CONFIG);
    const result = await post(host, toolCall(1, "search_code"), { headers: [...V2026, ...headers] });
    expect(result.status).toBe(400);
    expect(result.upstreamCalled).toBe(false);
    expect(result.json).toEqual({ jsonrpc: "2.0", id: 1, error: { code: -32020, message } });
    expect(errorResponseProblems("2026-07-28", result.json)).toBe("");
  });

  it("checks Mcp-Name against the URI for resources/read and the name for prompts/get", async () => {
    const host = await startGuard(SEED_CONFIG);
    const read = JSON.stringify({ jsonrpc: "2.0", id: 2, method: "resources/read", params: { uri: "mcp://logs/a" } });
    expect((await post(host, read, { headers: [...V2026, ["mcp-method", "resources/read"], ["mcp-name", "mcp://logs/a"]] })).upstreamBody).toBe(read);
    expect((await post(host, read, { headers: [...V2026, ["mcp-method", "resources/read"], ["mcp-name", "mcp://logs/b"]] })).status).toBe(400);
  });

  it("checks MCP-Protocol-Version against params._meta, and mismatching headers in older versions too", async () => {
    const host = await startGuard(SEED_CONFIG);
    const body = JSON.stringify({ jsonrpc: "2.0", id: 3, method: "tools/list", params: { _meta: { "io.modelcontextprotocol/protocolVersion": "2025-11-25" } } });
    const result = await post(host, body, { headers: [...V2026, ["mcp-method", "tools/list"]] });
    expect(result.json).toEqual({ jsonrpc: "2.0", id: 3, error: { code: -32020, message: "Header mismatch: MCP-Protocol-Version header value '2026-07-28' does not match body value '2025-11-25'" } });
    // Before 2026-07-28 the headers are optional, but one that is sent must still match.
    const old = await post(host, toolCall(4, "search_code"), { headers: [["mcp-protocol-version", "2025-06-18"], ["mcp-method", "ping"]] });
    expect(old.status).toBe(400);
    expect((await post(host, toolCall(5, "search_code"), { headers: [["mcp-protocol-version", "2025-06-18"]] })).upstreamCalled).toBe(true);
  });
});

describe("body-derived headers", () => {
  it("are stripped from what a client sends, in stock mode too", async () => {
    const host = await startGuard(SEED_CONFIG);
    const result = await post(host, toolCall(1, "search_code"), { headers: [["x-mcp-tool", "system_exec"], ["x-mcp-method", "ping"], ["x-mcp-resource-uri", "x"], ["x-mcp-prompt", "y"]] });
    expect(result.upstreamCalled).toBe(true);
    const upstream = result.stream.upstream.headers ?? [];
    expect(upstream.filter(([k]) => k.startsWith("x-mcp-"))).toEqual([]);
  });
});

describe("hold mode", () => {
  async function holdHost(allowOnHeadersStopIteration: boolean): Promise<ProxyWasmHost> {
    return ProxyWasmHost.start({ module: guardModule(), pluginConfig: JSON.stringify({ ...SEED_CONFIG, hold_request_headers: true }), allowOnHeadersStopIteration });
  }

  it("with allow_on_headers_stop_iteration: adds x-mcp-* headers from the body before the headers go upstream", async () => {
    const host = await holdHost(true);
    const body = toolCall(1, "get_pull_request", { n: 1 });
    const result = await exchange(host, { headers: postHeaders([["x-mcp-tool", "forged"]], body), body }, echoUpstream);
    expect(result.upstreamCalled).toBe(true);
    const upstream = new Map(result.stream.upstream.headers ?? []);
    expect(upstream.get("x-mcp-method")).toBe("tools/call");
    expect(upstream.get("x-mcp-tool")).toBe("get_pull_request");
    // The headers reached the upstream only after the body was decided.
    const kinds = result.stream.events.map((e) => e.kind);
    expect(kinds.indexOf("upstream.headers")).toBeGreaterThan(kinds.findIndex((k, i) => k === "callback" && (result.stream.events[i]!.detail as { name?: string }).name === "proxy_on_request_body"));
  });

  it("percent-encodes what is not visible ASCII, and marks batches", async () => {
    const host = await ProxyWasmHost.start({ module: guardModule(), pluginConfig: JSON.stringify({ tool_allowlist: ["*"], hold_request_headers: true }), allowOnHeadersStopIteration: true });
    const body = toolCall(1, "résumé 100%\n");
    const result = await exchange(host, { headers: postHeaders([], body), body }, echoUpstream);
    expect(new Map(result.stream.upstream.headers ?? []).get("x-mcp-tool")).toBe("r%C3%A9sum%C3%A9 100%25%0A");
    const batch = `[${toolCall(1, "a")},${toolCall(2, "b")}]`;
    const b = await exchange(host, { headers: postHeaders([], batch), body: batch }, echoUpstream);
    const headers = new Map(b.stream.upstream.headers ?? []);
    expect(headers.get("x-mcp-method")).toBe("batch");
    expect(headers.has("x-mcp-tool")).toBe(false);
  });

  it("still refuses what the policy refuses", async () => {
    const host = await holdHost(true);
    const result = await exchange(host, { headers: postHeaders([], toolCall(1, "system_exec")), body: toolCall(1, "system_exec") }, echoUpstream);
    expect(result.upstreamCalled).toBe(false);
    expect(JSON.parse(result.body)).toEqual({ jsonrpc: "2.0", id: 1, error: { code: -32602, message: "Unknown tool: system_exec" } });
  });

  it("without the Envoy option: the request stalls, as on stock Istio (the body never reaches the filter)", async () => {
    const host = await holdHost(false);
    const stream = host.newStream();
    const body = toolCall(1, "search_code");
    stream.sendRequestHeaders(postHeaders([], body), false);
    stream.sendRequestBody(new TextEncoder().encode(body), true);
    expect(stream.upstream.headers).toBeUndefined();
    expect(stream.upstream.body.byteLength).toBe(0);
    expect(stream.events.some((e) => e.kind === "callback" && (e.detail as { name?: string }).name === "proxy_on_request_body")).toBe(false);
    expect(stream.localReply).toBeUndefined();
  });
});
