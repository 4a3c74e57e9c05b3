// The gateway as a proxy: the real module in the host between a raw HTTP client and a raw HTTP upstream, so every
// byte and timing on both sides is visible. (The MCP SDK peers are in e2e-sdk.test.ts.)
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { GatewayConfigError, type Gateway } from "../src/gateway/index.ts";
import { identityProperties, JWT_PAYLOAD_PROPERTY, MTLS_PROPERTY, PEER_PRINCIPAL_PROPERTY } from "../src/gateway/index.ts";
import { post, startGuard } from "./helpers/guard.ts";
import { JSON_HEADERS, SEED_POLICY, gatewayFor, open, rpc, send, startUpstream, until, type Upstream } from "./gateway-harness.ts";

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function setup(handler: Parameters<typeof startUpstream>[0], config: object = SEED_POLICY, options: Parameters<typeof gatewayFor>[2] = {}): Promise<{ up: Upstream; gw: Gateway }> {
  const up = await startUpstream(handler);
  cleanup.push(() => up.close());
  const gw = await gatewayFor(up.url, config, options);
  cleanup.push(() => gw.close());
  return { up, gw };
}

/** An upstream that answers every request with a JSON-RPC result echoing the id. */
function echo(req: http.IncomingMessage, res: http.ServerResponse, recorded: { body: string }): void {
  let id: unknown = null;
  try {
    id = (JSON.parse(recorded.body) as { id?: unknown }).id ?? null;
  } catch {
    id = null;
  }
  const body = JSON.stringify({ jsonrpc: "2.0", id, result: { content: [{ type: "text", text: `echo ${req.method} ${req.url}` }] } });
  res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }).end(body);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** One SSE event carrying a JSON-RPC notification (the filter inspects server messages on SSE streams). */
const notice = (text: string) => `event: message\ndata: ${JSON.stringify({ jsonrpc: "2.0", method: "notifications/message", params: { level: "info", data: text } })}\n\n`;
const ALLOWED = rpc(3, "tools/call", { name: "search_code", arguments: { query: "TODO" } });
const REFUSED = rpc(5, "tools/call", { name: "system_exec", arguments: { cmd: "id" } });

describe("gateway: streaming", () => {
  it.each([
    ["GET (standalone SSE stream)", { method: "GET", headers: { accept: "text/event-stream" } }],
    ["POST answered with an SSE stream", { body: ALLOWED, headers: JSON_HEADERS }],
  ])("%s flows event by event: the client has event 1 before the upstream sends the last", { timeout: 10_000 }, async (_name, sent) => {
    const timeline: string[] = [];
    let clientHasFirst!: () => void;
    const firstSeen = new Promise<void>((r) => (clientHasFirst = r));
    const { gw } = await setup((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      res.write(`event: message\ndata: ${JSON.stringify({ jsonrpc: "2.0", method: "notifications/progress", params: { progress: 1 } })}\n\n`);
      timeline.push("upstream sent 1");
      // Bounded wait: a gateway that buffers the response would make the client miss event 1 until the end.
      void Promise.race([firstSeen, sleep(3000)]).then(() => {
        timeline.push("upstream sends 2");
        res.end(`event: message\ndata: ${JSON.stringify({ jsonrpc: "2.0", id: 3, result: {} })}\n\n`);
      });
    });
    const events: string[] = [];
    await new Promise<void>((resolve, reject) => {
      open(gw.origin, sent, (res) => {
        expect(res.headers["content-type"]).toBe("text/event-stream");
        let buffer = "";
        res.on("data", (chunk: Buffer) => {
          buffer += chunk.toString("utf8");
          for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
            events.push(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
            timeline.push(`client got ${events.length}`);
            if (events.length === 1) clientHasFirst();
          }
        });
        res.on("end", resolve);
      }).on("error", reject);
    });
    expect(timeline).toEqual(["upstream sent 1", "client got 1", "upstream sends 2", "client got 2"]);
    expect(events[1]).toContain('"id":3');
  });

  it("keeps client and upstream connections alive across requests, refusals included", async () => {
    const { up, gw } = await setup(echo);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    cleanup.push(async () => agent.destroy());
    const reused: boolean[] = [];
    for (const body of [ALLOWED, REFUSED, ALLOWED, ALLOWED]) {
      const received = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = open(gw.origin, { body, headers: JSON_HEADERS, agent }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        });
        req.on("socket", () => reused.push(req.reusedSocket));
        req.on("error", reject);
      });
      expect(received.status).toBe(200);
    }
    // One client connection for all four requests.
    expect(reused).toEqual([false, true, true, true]);
    // Upstream: the refusal reset its request (as Envoy resets it), so at most one more connection was opened.
    expect(up.requests.filter((r) => r.complete)).toHaveLength(3);
    expect(up.connections).toBeLessThanOrEqual(2);
  });

  it("carries many concurrent streams: 20 open SSE streams and 30 POSTs at once, each gets its own answer", { timeout: 15_000 }, async () => {
    const waiting: Array<{ res: http.ServerResponse; id: string }> = [];
    const { gw } = await setup((req, res, recorded) => {
      if (req.method === "GET") {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.flushHeaders();
        waiting.push({ res, id: String(req.headers["x-stream"]) });
        if (waiting.length === 20) for (const w of waiting) w.res.end(notice(`stream ${w.id}`));
        return;
      }
      echo(req, res, recorded);
    });
    const streams = Array.from({ length: 20 }, (_, i) => send(gw.origin, { method: "GET", headers: { accept: "text/event-stream", "x-stream": String(i) } }));
    const posts = Array.from({ length: 30 }, (_, i) =>
      send(gw.origin, { body: i % 3 === 0 ? rpc(i, "tools/call", { name: "delete_repo" }) : rpc(i, "tools/call", { name: "get_pull_request" }), headers: JSON_HEADERS }),
    );
    const [streamResults, postResults] = await Promise.all([Promise.all(streams), Promise.all(posts)]);
    streamResults.forEach((r, i) => expect(r.body).toBe(notice(`stream ${i}`)));
    postResults.forEach((r, i) => {
      const answer = JSON.parse(r.body) as { id: number; result?: unknown; error?: { code: number } };
      expect(answer.id).toBe(i);
      if (i % 3 === 0) expect(answer.error?.code).toBe(-32602);
      else expect(answer.result).toBeDefined();
    });
    await until(() => gw.activeStreams === 0, 2000, "all streams ended");
  });
});

describe("gateway: failures", () => {
  it("a client that disconnects aborts the upstream request (long-lived SSE)", { timeout: 10_000 }, async () => {
    let upstreamClosedEarly = false;
    const { gw } = await setup((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(notice("hello"));
      res.on("close", () => (upstreamClosedEarly = !res.writableEnded));
    });
    await new Promise<void>((resolve, reject) => {
      const req = open(gw.origin, { method: "GET", headers: { accept: "text/event-stream" } }, (res) => {
        res.once("data", () => {
          req.destroy();
          resolve();
        });
      });
      req.on("error", (e: NodeJS.ErrnoException) => (e.code === "ECONNRESET" ? undefined : reject(e)));
    });
    await until(() => upstreamClosedEarly, 3000, "the upstream to see the abort");
    await until(() => gw.activeStreams === 0, 3000, "the stream to end");
  });

  it("a client that disconnects during its upload aborts the upstream request", { timeout: 10_000 }, async () => {
    const { up, gw } = await setup(echo);
    const req = http.request(new URL("/mcp", gw.origin), { method: "POST", headers: { ...JSON_HEADERS, "content-length": "1000" }, agent: false });
    req.on("error", () => undefined);
    req.write('{"jsonrpc":"2.0","id":1,');
    // The filter continued on headers, so the upstream request exists; it must not complete.
    await until(() => up.requests.length === 1, 3000, "the upstream request");
    req.destroy();
    await until(() => gw.activeStreams === 0, 3000, "the stream to end");
    await sleep(50);
    expect(up.requests[0]!.complete).toBe(false);
  });

  it("answers 502 with a JSON-RPC error (no id) when the upstream cannot be reached", async () => {
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const gw = await gatewayFor(`http://127.0.0.1:${port}/mcp`);
    cleanup.push(() => gw.close());
    const r = await send(gw.origin, { body: ALLOWED, headers: JSON_HEADERS });
    expect(r.status).toBe(502);
    expect(r.headers["content-type"]).toBe("application/json");
    const body = JSON.parse(r.body) as Record<string, unknown>;
    expect(body).toEqual({ jsonrpc: "2.0", error: { code: -32603, message: expect.stringContaining("ECONNREFUSED") } });
    expect("id" in body).toBe(false);
  });

  it("resets the client when the upstream dies in the middle of its response", { timeout: 10_000 }, async () => {
    const { gw } = await setup((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(notice("partial"));
      setTimeout(() => res.socket?.destroy(), 50);
    });
    const outcome = await new Promise<{ complete: boolean; body: string }>((resolve) => {
      const req = open(gw.origin, { method: "GET", headers: { accept: "text/event-stream" } }, (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("close", () => resolve({ complete: res.complete, body }));
        res.on("error", () => undefined);
      });
      req.on("error", () => undefined);
    });
    expect(outcome).toEqual({ complete: false, body: notice("partial") });
    await until(() => gw.activeStreams === 0, 3000, "the stream to end");
  });
});

describe("gateway: what passes and what the filter answers", () => {
  it.each([
    ["tool outside the allowlist", REFUSED, JSON_HEADERS],
    ["malformed JSON", '{"jsonrpc":"2.0",', JSON_HEADERS],
    ["content-type text/plain", ALLOWED, { "content-type": "text/plain" }],
    ["body over limits.max_body_bytes (content-length)", `${" ".repeat(2048)}${ALLOWED}`, JSON_HEADERS],
  ])("writes the filter's local reply exactly as the host reports it: %s", async (_name, body, headers) => {
    const config = { ...SEED_POLICY, limits: { max_body_bytes: 1024 } };
    const { up, gw } = await setup(echo, config);
    const r = await send(gw.origin, { body, headers });
    // The same request straight through the host.
    const host = await startGuard(config);
    const extra = Object.entries(headers).map(([k, v]) => [k, v] as [string, string]);
    const reference = await post(host, body, { headers: extra });
    expect(reference.upstreamCalled).toBe(false);
    expect(r.status).toBe(reference.status);
    expect(r.body).toBe(reference.body);
    for (const [name, value] of reference.headers) if (!name.startsWith(":")) expect(r.headers[name]).toBe(value);
    // The server never received the body.
    expect(up.requests.every((q) => !q.complete)).toBe(true);
  });

  it("forwards allowed requests byte for byte, chunked or not, with hop-by-hop headers removed and Host rewritten", async () => {
    const { up, gw } = await setup(echo);
    const big = rpc(7, "tools/call", { name: "search_code", arguments: { query: "x".repeat(200_000), note: "ünïcødé ✓" } });
    const r1 = await send(gw.origin, {
      path: "/mcp?tenant=a",
      body: big,
      headers: { ...JSON_HEADERS, connection: "keep-alive, x-hop", "x-hop": "1", te: "trailers", "x-custom": "kept", "mcp-session-id": "s-123" },
    });
    expect(r1.status).toBe(200);
    const r2 = await send(gw.origin, { chunks: [ALLOWED.slice(0, 10), ALLOWED.slice(10, 40), ALLOWED.slice(40)], headers: JSON_HEADERS });
    expect(JSON.parse(r2.body)).toMatchObject({ id: 3 });
    const [first, second] = up.requests;
    expect(first!.body).toBe(big);
    expect(first!.url).toBe("/mcp?tenant=a");
    expect(first!.headers["x-custom"]).toBe("kept");
    expect(first!.headers["mcp-session-id"]).toBe("s-123");
    expect(first!.headers["x-hop"]).toBeUndefined();
    expect(first!.headers.te).toBeUndefined();
    expect(first!.headers.host).toBe(new URL(up.origin).host);
    expect(second!.body).toBe(ALLOWED);
    expect(second!.headers["transfer-encoding"]).toBe("chunked");
  });

  it("applies the filter's request header edits: hold mode adds x-mcp-* headers (with allow_on_headers_stop_iteration)", async () => {
    const { up, gw } = await setup(echo, { ...SEED_POLICY, hold_request_headers: true }, { allowOnHeadersStopIteration: true });
    const r = await send(gw.origin, { body: ALLOWED, headers: JSON_HEADERS });
    expect(r.status).toBe(200);
    expect(up.requests[0]!.headers["x-mcp-method"]).toBe("tools/call");
    expect(up.requests[0]!.headers["x-mcp-tool"]).toBe("search_code");
    expect(up.requests[0]!.body).toBe(ALLOWED);
    // Held until the decision: a refusal never opens the upstream request at all.
    const refused = await send(gw.origin, { body: REFUSED, headers: JSON_HEADERS });
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: -32602 } });
    expect(up.requests).toHaveLength(1);
  });

  it("passes response headers (repeated ones too) and empty 202 answers to notifications", async () => {
    const { gw } = await setup((_req, res, recorded) => {
      if (!recorded.body.includes('"id"')) {
        res.writeHead(202).end();
        return;
      }
      res.setHeader("set-cookie", ["a=1", "b=2"]);
      res.setHeader("mcp-session-id", "s-9");
      res.writeHead(200, { "content-type": "application/json" }).end('{"jsonrpc":"2.0","id":1,"result":{}}');
    });
    const r = await send(gw.origin, { body: rpc(1, "ping"), headers: JSON_HEADERS });
    expect(r.headers["set-cookie"]).toEqual(["a=1", "b=2"]);
    expect(r.headers["mcp-session-id"]).toBe("s-9");
    const n = await send(gw.origin, { body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }), headers: JSON_HEADERS });
    expect(n.status).toBe(202);
    expect(n.body).toBe("");
    await until(() => gw.activeStreams === 0, 2000, "streams to end");
  });

  it("refuses to start with a configuration the module rejects, with the module's message", async () => {
    const up = await startUpstream(echo);
    cleanup.push(() => up.close());
    const error = await gatewayFor(up.url, { tool_alowlist: ["x"] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayConfigError);
    expect((error as Error).message).toContain('unknown field "tool_alowlist"');
  });

  it("takes identity from options, never from request headers: properties as the filter reads them", () => {
    const props = identityProperties({ principal: "spiffe://cluster.local/ns/agents/sa/planner", jwtClaims: { sub: "alice", admin: true, level: 3, groups: ["net"] } });
    expect(props[PEER_PRINCIPAL_PROPERTY]).toBe("spiffe://cluster.local/ns/agents/sa/planner");
    expect(props[MTLS_PROPERTY]).toEqual(new Uint8Array([1]));
    expect(props[`${JWT_PAYLOAD_PROPERTY}\0sub`]).toBe("alice");
    expect(props[`${JWT_PAYLOAD_PROPERTY}\0admin`]).toEqual(new Uint8Array([1]));
    expect(new DataView((props[`${JWT_PAYLOAD_PROPERTY}\0level`] as Uint8Array).buffer).getFloat64(0, true)).toBe(3);
    expect(props[`${JWT_PAYLOAD_PROPERTY}\0groups`]).toBe('["net"]');
    expect(identityProperties({})).toEqual({});
  });
});
