// End to end with real MCP peers nobody here wrote: the official SDK client and the official SDK server (the demo
// server of `npm start`), with the gateway — the real module in the Envoy-like host — between them. Streamable
// HTTP with the server answering in JSON and in SSE, and the legacy HTTP+SSE transport.
import { createHash } from "node:crypto";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport, StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { LoggingMessageNotificationSchema, McpError, ToolListChangedNotificationSchema, type Progress } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { startDemoMcpServer, type DemoServer } from "../src/demo/mcp-server.ts";
import type { Gateway } from "../src/gateway/index.ts";
import { SEED_POLICY, gatewayFor } from "./gateway-harness.ts";

const DEMO_TOOLS = ["search_code", "get_pull_request", "delete_repo", "update_issue", "execute_command", "system_exec"];
const BIG_BYTES = 5 * 1024 * 1024;
const TIMEOUT = { timeout: 10_000 };
/** Tools the tests add to the demo server are allowed too. A 5 MB result needs limits above the defaults: the
 * filter reads a JSON response or one SSE event up to limits.max_body_bytes, and buffers a JSON body whole
 * (Envoy's per_connection_buffer_limit_bytes, the gateway's bufferLimitBytes, must allow it). */
const LARGE = 16 * 1024 * 1024;
const POLICY = { tool_allowlist: [...SEED_POLICY.tool_allowlist, "count_slowly", "big_result", "add_tool"], limits: { max_body_bytes: LARGE } };
/** What listTools() shows through the gateway: the server's tools that are on the allowlist, in its order. */
const LISTED = ["search_code", "get_pull_request", "count_slowly", "big_result", "add_tool"];
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function bigText(): string {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < BIG_BYTES; i++) {
    const line = `line ${i.toString().padStart(7, "0")} of the large result ✓\n`;
    lines.push(line);
    size += Buffer.byteLength(line);
  }
  return lines.join("");
}
const BIG = bigText();
const sha = (text: string) => createHash("sha256").update(text).digest("hex");

/** Test tools: progress + logging notifications, a 5 MB result, and one that changes the tool list. */
function extend(server: McpServer): void {
  server.registerTool("count_slowly", { description: "counts with progress", inputSchema: { to: z.number().int() } }, async ({ to }, extra) => {
    for (let i = 1; i <= to; i++) {
      const progressToken = extra._meta?.progressToken;
      if (progressToken !== undefined) await extra.sendNotification({ method: "notifications/progress", params: { progressToken, progress: i, total: to } });
      await extra.sendNotification({ method: "notifications/message", params: { level: "info", data: `counted ${i}` } });
      // Real work takes time; it also keeps the SDK client from seeing the result in the same chunk as the
      // notifications (it handles notifications a microtask late and drops progress for a finished request).
      await sleep(20);
    }
    return { content: [{ type: "text", text: `counted to ${to}` }] };
  });
  server.registerTool("big_result", { description: "5 MB of text" }, () => ({ content: [{ type: "text", text: BIG }] }));
  server.registerTool("add_tool", { description: "adds a tool (the server then sends notifications/tools/list_changed)" }, () => {
    server.registerTool(`late_${Math.random().toString(36).slice(2)}`, { description: "added late" }, () => ({ content: [] }));
    return { content: [{ type: "text", text: "added" }] };
  });
}

interface Peers {
  demo: DemoServer;
  gateway: Gateway;
  toolCalls: string[];
}

async function startPeers(jsonResponse: boolean, config: object = POLICY): Promise<Peers> {
  const toolCalls: string[] = [];
  const demo = await startDemoMcpServer({ jsonResponse, extend, onToolCall: (name) => toolCalls.push(name) });
  const gateway = await gatewayFor(demo.url, config, { bufferLimitBytes: LARGE });
  return { demo, gateway, toolCalls };
}

/** Peers for the tests of the enclosing describe block (started before them, stopped after). */
function usePeers(jsonResponse: boolean, config: object = POLICY): () => Peers {
  let peers: Peers | undefined;
  beforeAll(async () => {
    peers = await startPeers(jsonResponse, config);
  });
  afterAll(async () => {
    await peers?.gateway.close();
    await peers?.demo.close();
  });
  return () => peers!;
}

async function streamableClient(url: string): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const client = new Client({ name: "e2e", version: "1.0.0" }, { capabilities: { roots: { listChanged: true } } });
  const transport = new StreamableHTTPClientTransport(new URL(url));
  await client.connect(transport, TIMEOUT);
  return { client, transport };
}

describe.each([
  ["JSON responses", true],
  ["SSE responses", false],
])("Streamable HTTP, server answering with %s", (_mode, jsonResponse) => {
  const peers = usePeers(jsonResponse);

  it("initializes through the gateway and keeps the session id on every request", async () => {
    const { client, transport } = await streamableClient(peers().gateway.url);
    expect(client.getServerVersion()).toMatchObject({ name: "demo-github-mcp" });
    expect(transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(peers().demo.hasSession(transport.sessionId!)).toBe(true);
    await client.ping(TIMEOUT);
    await client.close();
  });

  it("lists tools (only the allowed ones: system_exec never reaches the agent), resources and prompts", async () => {
    const { client } = await streamableClient(peers().gateway.url);
    const tools = (await client.listTools(undefined, TIMEOUT)).tools.map((t) => t.name);
    expect(tools).toEqual(LISTED);
    expect(DEMO_TOOLS.filter((t) => !tools.includes(t))).toEqual(["delete_repo", "update_issue", "execute_command", "system_exec"]);
    expect((await client.listResources(undefined, TIMEOUT)).resources.map((r) => r.uri)).toContain("repo://acme/widgets/README.md");
    expect((await client.readResource({ uri: "repo://acme/widgets/README.md" }, TIMEOUT)).contents[0]).toMatchObject({ text: expect.stringContaining("# widgets") });
    expect((await client.listPrompts(undefined, TIMEOUT)).prompts.map((p) => p.name)).toEqual(["review_pull_request", "triage_issue"]);
    expect((await client.getPrompt({ name: "review_pull_request", arguments: { number: "7" } }, TIMEOUT)).messages).toHaveLength(1);
    await client.close();
  });

  it("an allowed callTool returns the server's result", async () => {
    const { client } = await streamableClient(peers().gateway.url);
    const result = await client.callTool({ name: "get_pull_request", arguments: { number: 42 } }, undefined, TIMEOUT);
    expect(result.content).toEqual([{ type: "text", text: JSON.stringify({ repo: "acme/widgets", number: 42, title: "Fix flaky test", state: "open", author: "alice" }) }]);
    expect(peers().toolCalls).toContain("get_pull_request");
    await client.close();
  });

  it("a refused callTool surfaces as McpError -32602 and never reaches the server", async () => {
    const { client } = await streamableClient(peers().gateway.url);
    const before = peers().toolCalls.length;
    const error = await client.callTool({ name: "system_exec", arguments: { cmd: "id" } }, undefined, TIMEOUT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(-32602);
    expect((error as McpError).message).toBe("MCP error -32602: Unknown tool: system_exec");
    expect(peers().toolCalls.slice(before)).not.toContain("system_exec");
    // The session still works after a refusal.
    await expect(client.callTool({ name: "search_code", arguments: { query: "x" } }, undefined, TIMEOUT)).resolves.toMatchObject({ content: [{ type: "text" }] });
    await client.close();
  });

  it("notifications pass both ways: progress and log messages during a call, list_changed on the standalone stream", async () => {
    const { client } = await streamableClient(peers().gateway.url);
    const logs: string[] = [];
    const progress: Progress[] = [];
    let listChanged = 0;
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(String(n.params.data)));
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void listChanged++);
    const result = await client.callTool({ name: "count_slowly", arguments: { to: 3 } }, undefined, { ...TIMEOUT, onprogress: (p) => void progress.push(p) });
    expect(result.content).toEqual([{ type: "text", text: "counted to 3" }]);
    if (jsonResponse) {
      // A JSON response carries one message: the SDK server does not send a request's notifications then.
      expect(progress).toEqual([]);
    } else {
      expect(progress.map((p) => p.progress)).toEqual([1, 2, 3]);
      expect(logs).toEqual(["counted 1", "counted 2", "counted 3"]);
    }
    // Server → client outside any request: over the long-lived GET SSE stream, through the gateway.
    await client.callTool({ name: "add_tool", arguments: {} }, undefined, TIMEOUT);
    await expect.poll(() => listChanged, { timeout: 5000 }).toBeGreaterThanOrEqual(1);
    // Client → server notification.
    await client.sendRootsListChanged();
    await client.close();
  });

  it("a 5 MB result arrives intact", { timeout: 30_000 }, async () => {
    const { client } = await streamableClient(peers().gateway.url);
    const result = await client.callTool({ name: "big_result", arguments: {} }, undefined, { timeout: 25_000 });
    const text = (result.content as Array<{ text: string }>)[0]!.text;
    expect(text.length).toBe(BIG.length);
    expect(sha(text)).toBe(sha(BIG));
    await client.close();
  });

  it("50 concurrent client sessions all behave", { timeout: 30_000 }, async () => {
    const sessions = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const { client, transport } = await streamableClient(peers().gateway.url);
        const tools = await client.listTools(undefined, TIMEOUT);
        const allowed = await client.callTool({ name: "search_code", arguments: { query: `q${i}` } }, undefined, TIMEOUT);
        const refused = await client.callTool({ name: "delete_repo", arguments: { repo: `r${i}` } }, undefined, TIMEOUT).catch((e: unknown) => e);
        await client.close();
        return { id: transport.sessionId, tools: tools.tools.length, allowed, refused };
      }),
    );
    expect(new Set(sessions.map((s) => s.id)).size).toBe(50);
    sessions.forEach((s, i) => {
      expect(s.tools).toBe(LISTED.length);
      expect((s.allowed.content as Array<{ text: string }>)[0]!.text).toContain(`"q${i}"`);
      expect(s.refused).toBeInstanceOf(McpError);
      expect((s.refused as McpError).code).toBe(-32602);
    });
    await expect.poll(() => peers().gateway.activeStreams, { timeout: 5000 }).toBe(0);
  });
});

describe("Streamable HTTP with deny_status 403", () => {
  const peers = usePeers(false, { ...POLICY, deny_status: 403 });

  it("the SDK client rejects the call with StreamableHTTPError 403 carrying the JSON-RPC error (not an McpError)", async () => {
    const { client } = await streamableClient(peers().gateway.url);
    const error = await client.callTool({ name: "system_exec", arguments: {} }, undefined, TIMEOUT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamableHTTPError);
    expect((error as StreamableHTTPError).code).toBe(403);
    expect((error as Error).message).toContain('"code":-32602,"message":"Unknown tool: system_exec"');
    await client.close();
  });
});

describe("legacy HTTP+SSE transport (2024-11-05)", () => {
  async function legacyClient(peers: Peers): Promise<{ client: Client; posts: URL[] }> {
    const posts: URL[] = [];
    const transport = new SSEClientTransport(new URL(`${peers.gateway.origin}/sse`), {
      fetch: (input, init) => {
        if (init?.method === "POST") posts.push(new URL(String(input instanceof Request ? input.url : input)));
        return fetch(input, init);
      },
    });
    const client = new Client({ name: "e2e-legacy", version: "1.0.0" }, { capabilities: { roots: { listChanged: true } } });
    await client.connect(transport, TIMEOUT);
    return { client, posts };
  }

  describe("deny_status 200 (default)", () => {
    const peers = usePeers(false);

    it("initializes over the GET stream, keeps the session id, lists only allowed tools and calls an allowed tool", async () => {
      const { client, posts } = await legacyClient(peers());
      const sessionId = posts[0]?.searchParams.get("sessionId");
      expect(sessionId).toBeTruthy();
      expect(peers().demo.hasSession(sessionId!)).toBe(true);
      // The tools/list result arrives as a `message` event on the GET stream; the filter rewrites it there.
      expect((await client.listTools(undefined, TIMEOUT)).tools.map((t) => t.name)).toEqual(LISTED);
      const result = await client.callTool({ name: "search_code", arguments: { query: "legacy" } }, undefined, TIMEOUT);
      expect((result.content as Array<{ text: string }>)[0]!.text).toContain('"legacy"');
      expect(new Set(posts.map((p) => p.searchParams.get("sessionId")))).toEqual(new Set([sessionId]));
      await client.close();
    });

    it("progress and log notifications arrive on the GET stream", async () => {
      const { client } = await legacyClient(peers());
      const progress: number[] = [];
      const result = await client.callTool({ name: "count_slowly", arguments: { to: 2 } }, undefined, { ...TIMEOUT, onprogress: (p) => void progress.push(p.progress) });
      expect(result.content).toEqual([{ type: "text", text: "counted to 2" }]);
      expect(progress).toEqual([1, 2]);
      await client.close();
    });

    it("KNOWN LIMITATION: a refused call is answered on the POST, which the SDK's SSE client discards, so the call times out", async () => {
      // The filter refuses the POST with 200 and the JSON-RPC error as its body; in this transport results arrive
      // on the GET stream and the SDK ignores POST bodies. Answering on the GET stream is issue 4's legacy work.
      const { client } = await legacyClient(peers());
      const before = peers().toolCalls.length;
      const error = await client.callTool({ name: "system_exec", arguments: {} }, undefined, { timeout: 500 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(McpError);
      expect((error as McpError).code).toBe(-32001); // the SDK's RequestTimeout
      expect(peers().toolCalls.slice(before)).not.toContain("system_exec");
      await client.close();
    });

    it.todo("a refused call on the legacy transport arrives as a JSON-RPC error on the GET stream (not built yet: the filter answers on the POST)");
  });

  describe("deny_status 403", () => {
    const peers = usePeers(false, { ...POLICY, deny_status: 403 });

    it("the SDK client rejects a refused call at once: Error 'Error POSTing to endpoint (HTTP 403)' with the JSON-RPC error", async () => {
      const { client } = await legacyClient(peers());
      const error = await client.callTool({ name: "system_exec", arguments: {} }, undefined, TIMEOUT).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(McpError);
      expect((error as Error).message).toBe('Error POSTing to endpoint (HTTP 403): {"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"Unknown tool: system_exec"}}');
      await client.close();
    });
  });
});
