// Audit records: exactly one per stream, written when it ends, valid against schema/audit-record.schema.json,
// for every kind of decision, and never carrying tool arguments.
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { ProxyWasmHost, exchange, type HeaderList } from "../src/host/index.ts";
import { SEED_CONFIG, echoUpstream, guardModule, postHeaders, toolCall } from "./helpers/guard.ts";

const validate = new Ajv({ allErrors: true, allowUnionTypes: true }).compile(JSON.parse(readFileSync("schema/audit-record.schema.json", "utf8")) as object);
const PREFIX = "mcp_guard_audit ";
const PEER = "connection\0uri_san_peer_certificate";
const SUB = "metadata\0filter_metadata\0envoy.filters.http.jwt_authn\0payload\0sub";

async function host(config: object = SEED_CONFIG, properties: Record<string, string> = {}): Promise<ProxyWasmHost> {
  return ProxyWasmHost.start({
    module: guardModule(),
    pluginConfig: JSON.stringify(config),
    properties: { [SUB]: "alice", [PEER]: "spiffe://cluster.local/ns/gateway/sa/ai-gateway", "node\0metadata\0WORKLOAD_NAME": "github-mcp-server", "node\0metadata\0NAMESPACE": "ai-agents", ...properties },
  });
}

function records(h: ProxyWasmHost): Array<Record<string, unknown>> {
  return h.logs.filter((l) => l.message.startsWith(PREFIX)).map((l) => JSON.parse(l.message.slice(PREFIX.length)) as Record<string, unknown>);
}

async function send(h: ProxyWasmHost, body: string, extra: HeaderList = [], response?: { contentType: string; body: string }) {
  await exchange(h, { headers: postHeaders([["x-request-id", "req-1"], ["mcp-session-id", "session-abc"], ...extra], body), body }, response
    ? () => ({ headers: [[":status", "200"], ["content-type", response.contentType]] as HeaderList, body: response.body })
    : echoUpstream);
  const all = records(h);
  const record = all[all.length - 1]!;
  expect(validate(record), JSON.stringify(validate.errors)).toBe(true);
  return record;
}

describe("audit records", () => {
  it("describe an allowed call: who, what, digest of the arguments, outcome", async () => {
    const h = await host();
    const args = { query: "password=hunter2" };
    const body = toolCall(7, "search_code", args);
    const record = await send(h, body);
    expect(records(h)).toHaveLength(1);
    expect(record).toMatchObject({
      audit_version: 1, request_id: "req-1", http_method: "POST", path: "/mcp", user: "alice", identity_source: "jwt",
      principal: "spiffe://cluster.local/ns/gateway/sa/ai-gateway", workload: "github-mcp-server", namespace: "ai-agents",
      jsonrpc_id: 7, method: "tools/call", tool: "search_code", decision: "allow", reason: "allowed", rule: "default",
      status: 200, local_reply: false, bytes_in: Buffer.byteLength(body),
    });
    const argsText = JSON.stringify(args);
    expect(record.arguments_sha256).toBe("sha256:" + createHash("sha256").update(argsText).digest("hex"));
    expect(record.arguments_bytes).toBe(Buffer.byteLength(argsText));
    expect(record.session).toBe("sha256:" + createHash("sha256").update("session-abc").digest("hex").slice(0, 32));
    expect(JSON.stringify(record)).not.toContain("hunter2");
    expect(record.bytes_out as number).toBeGreaterThan(0);
  });

  it("are stamped with the host's clock as an RFC 3339 UTC time with milliseconds", async () => {
    // Dates around the ones the civil-date arithmetic gets wrong first: the epoch, leap days, a year's last
    // millisecond, a century that is not a leap year, and a late date (the host's clock is u64 nanoseconds,
    // which end in 2554).
    const times = [0, Date.UTC(2024, 1, 29, 23, 59, 59, 999), Date.UTC(2026, 10, 21, 9, 5, 7, 42), Date.UTC(1999, 11, 31, 23, 59, 59, 999),
      Date.UTC(2100, 2, 1, 0, 0, 0, 1), Date.UTC(2553, 11, 31, 23, 59, 59, 999)];
    for (const ms of times) {
      const h = await ProxyWasmHost.start({ module: guardModule(), pluginConfig: JSON.stringify(SEED_CONFIG), clock: () => BigInt(ms) * 1_000_000n + 123_456n });
      const record = await send(h, toolCall(1, "search_code", {}));
      expect(record.time).toBe(new Date(ms).toISOString());
    }
  });

  it("describe refusals of every kind with their reason and the client's status", async () => {
    const h = await host();
    const cases: Array<[string, HeaderList, object]> = [
      [toolCall(1, "system_exec"), [], { decision: "deny", reason: "tool_not_allowed", tool: "system_exec", status: 200, rpc_code: -32602, local_reply: true }],
      ['{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"a","name":"b"}}', [], { decision: "deny", reason: "duplicate_key", status: 400, rpc_code: -32600 }],
      ["{not json", [], { decision: "deny", reason: "parse_error", status: 400, rpc_code: -32700 }],
      [toolCall(1, "search_code"), [["content-type", "text/plain"]], { decision: "deny", reason: "unsupported_media_type", status: 415 }],
      [toolCall(1, "search_code"), [["mcp-protocol-version", "2026-07-28"], ["mcp-method", "ping"]], { decision: "deny", reason: "header_mismatch", status: 400, rpc_code: -32020 }],
      [`[${toolCall(1, "search_code")},${toolCall(2, "system_exec")}]`, [], { decision: "deny", reason: "tool_not_allowed", tool: "system_exec", batch_size: 2, batch_tools: ["search_code", "system_exec"] }],
      ['{"jsonrpc":"2.0","id":3,"method":"admin/x"}', [], { decision: "deny", reason: "method_not_allowed", method: "admin/x", rpc_code: -32601 }],
      ['{"jsonrpc":"2.0","id":4,"method":"resources/read","params":{"uri":"file:///%2e%2e/etc"}}', [], { decision: "deny", reason: "resource_uri_rejected", resource_uri: "file:///%2e%2e/etc" }],
    ];
    for (const [body, headers, expected] of cases) expect(await send(h, body, headers), body).toMatchObject(expected);
    expect(records(h)).toHaveLength(cases.length);
  });

  it("say would_deny in audit mode, and record a missing identity", async () => {
    const audit = await host({ ...SEED_CONFIG, mode: "audit", identity: { require: true } }, { [SUB]: "", [PEER]: "" });
    expect(await send(audit, toolCall(1, "system_exec"))).toMatchObject({ decision: "would_deny", reason: "identity_required", user: null, local_reply: false, status: 200 });
    const enforce = await host({ ...SEED_CONFIG, identity: { require: true } }, { [SUB]: "", [PEER]: "" });
    expect(await send(enforce, toolCall(1, "search_code"))).toMatchObject({ decision: "deny", reason: "identity_required", status: 401, user: null });
  });

  it("name the tools a batch called, each once, at most 256, in enforce and audit mode", async () => {
    const calls = (names: string[]) => `[${names.map((name, i) => toolCall(i, name)).join(",")}]`;
    const h = await host({ ...SEED_CONFIG, limits: { max_batch_size: 1000 } });
    const ping = '{"jsonrpc":"2.0","id":"p","method":"ping"}';
    const mixed = `[${ping},${toolCall(1, "search_code")},${toolCall(2, "system_exec")},${toolCall(3, 'x";rm -rf')},${toolCall(4, "search_code")},{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":7}}]`;
    expect(await send(h, mixed)).toMatchObject({ decision: "deny", reason: "tool_not_allowed", batch_size: 6, batch_tools: ["search_code", "system_exec", 'x";rm -rf'] });
    const allowed = await send(h, calls(["get_pull_request", "search_code", "get_pull_request"]));
    expect(allowed).toMatchObject({ decision: "allow", batch_size: 3, batch_tools: ["get_pull_request", "search_code"] });
    expect(allowed.batch_tools_omitted).toBeUndefined();
    expect(await send(h, `[${ping}]`)).not.toHaveProperty("batch_tools");

    // 300 distinct names, then system_exec: 256 listed, the other 45 calls only counted.
    const many = await send(h, calls([...Array.from({ length: 300 }, (_, i) => `made_up_${i}`), "system_exec"]));
    expect(many).toMatchObject({ decision: "deny", batch_size: 301, batch_tools_omitted: 45 });
    expect(many.batch_tools).toEqual(Array.from({ length: 256 }, (_, i) => `made_up_${i}`));

    // Long names are cut to 128 characters (the record stays valid against the schema's maxLength).
    const longName = "a".repeat(5000);
    const cut = await send(h, calls([longName, longName + "b", "search_code"]));
    expect(cut.batch_tools).toEqual(["a".repeat(128) + "…", "search_code"]);

    const audit = await host({ ...SEED_CONFIG, mode: "audit" });
    expect(await send(audit, mixed)).toMatchObject({ decision: "would_deny", batch_size: 6, batch_tools: ["search_code", "system_exec", 'x";rm -rf'] });
  });

  it("carry the server's answer: JSON-RPC error code, isError, and tools removed from a list", async () => {
    const h = await host();
    const failed = await send(h, toolCall(1, "search_code"), [], { contentType: "application/json", body: '{"jsonrpc":"2.0","id":1,"result":{"content":[],"isError":true}}' });
    expect(failed).toMatchObject({ decision: "allow", server_is_error: true });
    const error = await send(h, toolCall(2, "search_code"), [], { contentType: "text/event-stream", body: 'data: {"jsonrpc":"2.0","id":2,"error":{"code":-32603,"message":"boom"}}\n\n' });
    expect(error).toMatchObject({ server_error_code: -32603 });
    const list = await send(h, '{"jsonrpc":"2.0","id":3,"method":"tools/list"}', [], { contentType: "application/json", body: '{"jsonrpc":"2.0","id":3,"result":{"tools":[{"name":"search_code"},{"name":"system_exec"}]}}' });
    expect(list).toMatchObject({ method: "tools/list", tools_removed: ["system_exec"] });
  });

  it("are written once for a stream the client reset before the server answered (status 0)", async () => {
    const h = await host();
    const body = toolCall(4, "search_code", { query: "x" });
    const stream = h.newStream();
    stream.sendRequestHeaders(postHeaders([["x-request-id", "req-reset"]], body), false);
    stream.sendRequestBody(Buffer.from(body), true);
    expect(stream.upstream.endOfStream).toBe(true);
    expect(records(h)).toHaveLength(0);
    // Envoy runs the access log (proxy_on_log) and destroys the filter when the downstream resets.
    stream.complete();
    stream.complete();
    const all = records(h);
    expect(all).toHaveLength(1);
    expect(validate(all[0])).toBe(true);
    expect(all[0]).toMatchObject({ request_id: "req-reset", method: "tools/call", tool: "search_code", decision: "allow", status: 0, local_reply: false });
  });

  it("on a long-lived event stream name each removed tool once, at most 256, and keep linear memory flat", async () => {
    // The legacy transport's GET stream carries every tools/list answer of a session: here 400 lists of 130 tools
    // on one stream. Keeping every removal grew the VM's memory with each list (to 512 pages for 1,000 lists).
    const h = await host();
    const list = (id: number, names: string[]) => `event: message\ndata: ${JSON.stringify({ jsonrpc: "2.0", id, result: { tools: names.map((name) => ({ name, description: `${name} does things`, inputSchema: { type: "object" } })) } })}\n\n`;
    const names = ["search_code", ...Array.from({ length: 129 }, (_, i) => `admin_tool_${i}`)];
    const get = { headers: [[":method", "GET"], [":path", "/sse"], ["accept", "text/event-stream"]] as HeaderList };
    const stream = (chunks: string[]) => exchange(h, get, () => ({ headers: [[":status", "200"], ["content-type", "text/event-stream"]] as HeaderList, chunks }));
    // Warm-up: two long streams and forty short ones, until the heap has reached its steady size of 16 pages.
    // That size is the collector's budget, not a leak: collecting after every callback, this stream needs
    // 4 pages (what is live plus one 13 KB event's garbage); with the budget (garbage is collected once 512 KiB
    // has been charged, 4x each host byte, ~10 events here) ~190 KB of garbage (each event's copy, the removed
    // names decoded, the replies) waits beside ~250 KB in use, which 8 pages (512 KiB) cannot hold together with
    // the free blocks' fragments, so the allocator doubles memory once, at a point that depends on how the
    // blocks happen to fall (the second stream before session 4, a later one since the node table is sized in
    // one step). After that every collection leaves room for the next budget's garbage: flat at 16.
    await stream(Array.from({ length: 100 }, (_, i) => list(i, names)));
    await stream(Array.from({ length: 100 }, (_, i) => list(i, names)));
    for (let s = 0; s < 40; s++) await stream(Array.from({ length: 5 }, (_, i) => list(i, names)));
    const warm = h.memoryBytes();
    expect(warm).toBeLessThanOrEqual(16 * 65536);
    // Many short streams: what a stream keeps after it ended would pile up here (60 streams each keeping a
    // 13 KB carry alive overflow the steady heap's headroom), where the single long stream below would not show it.
    for (let s = 0; s < 60; s++) await stream(Array.from({ length: 5 }, (_, i) => list(i, names)));
    expect(h.memoryBytes()).toBe(warm);
    const long = await stream(Array.from({ length: 400 }, (_, i) => list(i, names)));
    expect(long.body.split("admin_tool_0").length).toBe(1); // every list was filtered
    expect(h.memoryBytes()).toBe(warm);
    const [, record] = records(h);
    expect(validate(record), JSON.stringify(validate.errors)).toBe(true);
    expect(record!.tools_removed).toEqual(names.slice(1));
    expect(record!.tools_removed_omitted).toBeUndefined();

    // A server that keeps inventing names: 256 are listed, the other removals only counted.
    const invented = Array.from({ length: 3 }, (_, k) => list(k, ["search_code", ...Array.from({ length: 100 }, (_, i) => `made_up_${k}_${i}`)]));
    await stream(invented);
    const last = records(h).at(-1)!;
    expect(validate(last), JSON.stringify(validate.errors)).toBe(true);
    expect((last.tools_removed as string[]).length).toBe(256);
    expect(last.tools_removed_omitted).toBe(44);
  });

  it("are written for streams without a body too (SSE GET), at the configured log level", async () => {
    const h = await host({ ...SEED_CONFIG, audit: { log_level: "info" } });
    await exchange(h, { headers: [[":method", "GET"], [":path", "/mcp?sessionId=secret"], ["mcp-session-id", "s"]] }, () => ({ headers: [[":status", "200"], ["content-type", "text/event-stream"]] as HeaderList, body: ": ping\n\n" }));
    const [record] = records(h);
    expect(validate(record)).toBe(true);
    expect(record).toMatchObject({ http_method: "GET", path: "/mcp", decision: "allow", status: 200 });
    expect(h.logs.find((l) => l.message.startsWith(PREFIX))?.level).toBe(2);
    const warn = await host();
    await send(warn, toolCall(1, "search_code"));
    expect(warn.logs.find((l) => l.message.startsWith(PREFIX))?.level).toBe(3);
  });
});
