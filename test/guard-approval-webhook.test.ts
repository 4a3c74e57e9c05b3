// Webhook approval: the destructive call waits in the body phase while a real HTTP approval service (started by
// the test, on loopback) decides through proxy_http_call; approved → forwarded, anything else → refused.
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Ajv } from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProxyWasmHost, exchange, type HttpCallRequest, type HttpCallResponse } from "../src/host/index.ts";
import { echoUpstream, guardModule, postHeaders, toolCall } from "./helpers/guard.ts";

const PREFIX = "mcp_guard_audit ";
const validateAudit = new Ajv({ allErrors: true, allowUnionTypes: true }).compile(JSON.parse(readFileSync("schema/audit-record.schema.json", "utf8")) as object);
const SUB = "metadata\0filter_metadata\0envoy.filters.http.jwt_authn\0payload\0sub";
let server: Server;
let base = "";
const received: Array<{ path: string; body: Record<string, unknown> }> = [];

async function readBody(req: IncomingMessage): Promise<string> {
  let text = "";
  for await (const chunk of req) text += String(chunk);
  return text;
}

beforeAll(async () => {
  // The approval service: approves delete_repo for alice, refuses otherwise; /slow never answers in time.
  server = createServer(async (req, res) => {
    const body = JSON.parse(await readBody(req)) as Record<string, unknown>;
    received.push({ path: req.url ?? "", body });
    if (req.url === "/slow") return void setTimeout(() => res.end('{"approved":true}'), 1500);
    if (req.url === "/forbidden") return void res.writeHead(403).end("no");
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ approved: body.user === "alice" && body.tool === "delete_repo" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Envoy's cluster "approver" is this loopback service; a real HTTP request for each proxy_http_call. */
async function callApprover(req: HttpCallRequest): Promise<HttpCallResponse | "reset"> {
  if (req.cluster !== "approver") return "reset";
  const headers = new Map(req.headers);
  try {
    const res = await fetch(base + (headers.get(":path") ?? "/"), { method: "POST", body: Buffer.from(req.body), headers: { "content-type": "application/json" } });
    return { headers: [[":status", String(res.status)]], body: new Uint8Array(await res.arrayBuffer()) };
  } catch {
    return "reset";
  }
}

async function guard(webhook: object, user = "alice") {
  return ProxyWasmHost.start({
    module: guardModule(),
    pluginConfig: JSON.stringify({ tool_allowlist: ["delete_repo", "search_code"], approval: { mode: "webhook", webhook: { cluster: "approver", path: "/approve", timeout_ms: 500, ...webhook } } }),
    properties: { [SUB]: user },
    httpCall: callApprover,
  });
}

async function call(host: ProxyWasmHost, tool = "delete_repo") {
  const body = toolCall(4, tool, { repo: "acme/widgets", token: "s3cret" });
  const result = await exchange(host, { headers: postHeaders([], body), body }, echoUpstream);
  const audit = JSON.parse(host.logs.filter((l) => l.message.startsWith(PREFIX)).pop()!.message.slice(PREFIX.length)) as Record<string, unknown>;
  return { result, audit };
}

describe("webhook approval", () => {
  it("forwards the call once the service approves, and sends it a summary without the arguments", async () => {
    const { result, audit } = await call(await guard({}));
    expect(result.upstreamCalled).toBe(true);
    expect(audit).toMatchObject({ decision: "approval_granted", reason: "approval_webhook_approved" });
    const asked = received[received.length - 1]!;
    expect(asked.path).toBe("/approve");
    expect(asked.body).toMatchObject({ tool: "delete_repo", user: "alice", jsonrpc_id: 4 });
    expect(asked.body.arguments_sha256).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(JSON.stringify(asked.body)).not.toContain("s3cret");
  });

  it.each([
    ["refuses", {}, "mallory", "approval_webhook_denied"],
    ["answers 403", { path: "/forbidden" }, "alice", "approval_webhook_denied"],
    ["times out", { path: "/slow" }, "alice", "approval_webhook_timeout"],
    ["is unreachable", { cluster: "nowhere" }, "alice", "approval_webhook_unavailable"],
  ])("refuses the call when the service %s", async (_label, webhook, user, reason) => {
    const { result, audit } = await call(await guard(webhook, user));
    expect(result.upstreamCalled).toBe(false);
    expect(JSON.parse(result.body)).toMatchObject({ jsonrpc: "2.0", id: 4, error: { code: -32001, data: { reason } } });
    expect(audit).toMatchObject({ decision: "approval_denied", reason });
  });

  it("writes one approval_pending record when the client leaves while the service decides, and ignores the late approval", async () => {
    const host = await guard({ path: "/slow", timeout_ms: 5000 });
    const body = toolCall(9, "delete_repo", { repo: "acme/widgets" });
    const stream = host.newStream();
    stream.sendRequestHeaders(postHeaders([["x-request-id", "req-gone"]], body), false);
    stream.sendRequestBody(Buffer.from(body), true);
    expect(host.pendingHttpCalls).toBe(1);
    stream.complete(); // the client reset: Envoy's access log, then the filter is destroyed
    await host.settle(); // the service answers {"approved": true} 1.5 s later
    expect(host.pendingHttpCalls).toBe(0);
    expect(stream.upstream.endOfStream).toBe(false);
    expect(stream.upstream.body.length).toBe(0);
    const audits = host.logs.filter((l) => l.message.startsWith(PREFIX)).map((l) => JSON.parse(l.message.slice(PREFIX.length)) as Record<string, unknown>);
    expect(audits).toEqual([expect.objectContaining({ request_id: "req-gone", method: "tools/call", tool: "delete_repo", jsonrpc_id: 9, decision: "approval_pending", reason: "approval_webhook_abandoned", status: 0 })]);
    expect(validateAudit(audits[0]), JSON.stringify(validateAudit.errors)).toBe(true);
    expect(host.metric("outcome=.=webhook_abandoned;.;mcp_guard_approvals_total")?.value).toBe(1n);
    expect(host.metric("outcome=.=webhook_approved;.;mcp_guard_approvals_total")?.value ?? 0n).toBe(0n);
  });

  it("does not ask about calls that are not destructive", async () => {
    const before = received.length;
    const { result } = await call(await guard({}), "search_code");
    expect(result.upstreamCalled).toBe(true);
    expect(received.length).toBe(before);
  });
});
