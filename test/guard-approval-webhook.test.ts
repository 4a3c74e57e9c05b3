// Webhook approval: the destructive call waits in the body phase while a real HTTP approval service (started by
// the test, on loopback) decides through proxy_http_call; approved → forwarded, anything else → refused.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProxyWasmHost, exchange, type HttpCallRequest, type HttpCallResponse } from "../src/host/index.ts";
import { echoUpstream, guardModule, postHeaders, toolCall } from "./helpers/guard.ts";

const PREFIX = "mcp_guard_audit ";
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

  it("does not ask about calls that are not destructive", async () => {
    const before = received.length;
    const { result } = await call(await guard({}), "search_code");
    expect(result.upstreamCalled).toBe(true);
    expect(received.length).toBe(before);
  });
});
