// The demo MCP server behind the gateway in `npm start` (and the peer of the end-to-end tests), built with the
// official SDK. It pretends to be a GitHub MCP server: two harmless tools the seed policy allows, destructive ones
// it does not, and `system_exec`, the kind of tool a compromised server slips into its list. Nothing is real:
// every tool only describes what it would have done.
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { SSEServerTransport } from "@modelcontextprotocol/sdk/server/sse.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";

export interface DemoServerOptions {
  /** Listen port; default 0 (any free port). Always on 127.0.0.1. */
  port?: number;
  /** Streamable HTTP answers POSTs with application/json instead of an SSE stream. */
  jsonResponse?: boolean;
  /** Adds tools, resources or prompts to every session's server (tests). */
  extend?: (server: McpServer) => void;
  /** Called with the tool's name whenever a demo tool runs (tests: what reached the server). */
  onToolCall?: (name: string) => void;
}

export interface DemoServer {
  readonly origin: string;
  /** Streamable HTTP endpoint (origin + "/mcp"). */
  readonly url: string;
  /** Legacy HTTP+SSE endpoint (origin + "/sse"; messages are POSTed to /messages). */
  readonly sseUrl: string;
  /** Open sessions (both transports). */
  readonly sessions: number;
  hasSession(id: string): boolean;
  close(): Promise<void>;
}

const text = (value: string) => ({ content: [{ type: "text" as const, text: value }] });

export function createDemoMcpServer(options: Pick<DemoServerOptions, "extend" | "onToolCall"> = {}): McpServer {
  const server = new McpServer({ name: "demo-github-mcp", version: "1.0.0" }, { capabilities: { logging: {} } });
  const seen = <A, R>(name: string, handler: (args: A) => R) => (args: A): R => {
    options.onToolCall?.(name);
    return handler(args);
  };
  server.registerTool(
    "search_code",
    { description: "Search code in the organisation's repositories", inputSchema: { query: z.string().describe("search terms") }, annotations: { readOnlyHint: true } },
    seen("search_code", ({ query }: { query: string }) => text(`3 matches for "${query}": widgets/src/app.ts:12, widgets/src/util.ts:40, gadgets/lib/index.ts:7`)),
  );
  server.registerTool(
    "get_pull_request",
    {
      description: "Read a pull request",
      inputSchema: { repo: z.string().default("acme/widgets"), number: z.number().int() },
      annotations: { readOnlyHint: true },
    },
    seen("get_pull_request", ({ repo, number }: { repo: string; number: number }) => text(JSON.stringify({ repo, number, title: "Fix flaky test", state: "open", author: "alice" }))),
  );
  server.registerTool(
    "delete_repo",
    { description: "Delete a repository", inputSchema: { repo: z.string() }, annotations: { destructiveHint: true } },
    seen("delete_repo", ({ repo }: { repo: string }) => text(`(demo) repository ${repo} would have been deleted`)),
  );
  server.registerTool(
    "update_issue",
    { description: "Change an issue's title or state", inputSchema: { repo: z.string(), number: z.number().int(), title: z.string().optional(), state: z.enum(["open", "closed"]).optional() } },
    seen("update_issue", ({ repo, number }: { repo: string; number: number }) => text(`(demo) issue ${repo}#${number} would have been updated`)),
  );
  server.registerTool(
    "execute_command",
    { description: "Run a shell command in the CI runner", inputSchema: { command: z.string() }, annotations: { destructiveHint: true } },
    seen("execute_command", ({ command }: { command: string }) => text(`(demo) would have run: ${command}`)),
  );
  server.registerTool(
    "system_exec",
    { description: "Run any command on the server host", inputSchema: { cmd: z.string() } },
    seen("system_exec", ({ cmd }: { cmd: string }) => text(`(demo) would have executed on the host: ${cmd}`)),
  );
  server.registerResource("readme", "repo://acme/widgets/README.md", { mimeType: "text/markdown", description: "The widgets README" }, (uri) => ({
    contents: [{ uri: uri.href, mimeType: "text/markdown", text: "# widgets\n\nSmall widgets for big dashboards.\n" }],
  }));
  server.registerResource("security", "repo://acme/widgets/SECURITY.md", { mimeType: "text/markdown", description: "How to report a vulnerability" }, (uri) => ({
    contents: [{ uri: uri.href, mimeType: "text/markdown", text: "Report vulnerabilities to security@acme.example.\n" }],
  }));
  server.registerResource(
    "issue",
    new ResourceTemplate("repo://{owner}/{repo}/issues/{number}", { list: undefined }),
    { mimeType: "application/json", description: "An issue" },
    (uri, { owner, repo, number }) => ({ contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify({ owner, repo, number, title: "Widget renders twice" }) }] }),
  );
  server.registerPrompt(
    "review_pull_request",
    { description: "Review a pull request", argsSchema: { number: z.string() } },
    ({ number }) => ({ messages: [{ role: "user", content: { type: "text", text: `Review pull request #${number} for correctness and security.` } }] }),
  );
  server.registerPrompt(
    "triage_issue",
    { description: "Triage an issue", argsSchema: { number: z.string() } },
    ({ number }) => ({ messages: [{ role: "user", content: { type: "text", text: `Label and prioritise issue #${number}.` } }] }),
  );
  options.extend?.(server);
  return server;
}

/** Streamable HTTP (`/mcp`, stateful sessions) and legacy HTTP+SSE (`/sse`, `/messages`) on 127.0.0.1. */
export async function startDemoMcpServer(options: DemoServerOptions = {}): Promise<DemoServer> {
  const streamable = new Map<string, StreamableHTTPServerTransport>();
  const legacy = new Map<string, SSEServerTransport>();

  async function handleStreamable(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const sessionId = req.headers["mcp-session-id"];
    if (typeof sessionId === "string") {
      const transport = streamable.get(sessionId);
      if (!transport) return jsonError(res, 404, -32001, "Session not found");
      return transport.handleRequest(req, res);
    }
    if (req.method !== "POST") return jsonError(res, 400, -32000, "Bad Request: no session id");
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableJsonResponse: options.jsonResponse ?? false,
      onsessioninitialized: (id) => {
        streamable.set(id, transport);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) streamable.delete(transport.sessionId);
    };
    await createDemoMcpServer(options).connect(transport);
    await transport.handleRequest(req, res);
    if (!transport.sessionId) await transport.close();
  }

  async function handleLegacy(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    if (req.method === "GET" && url.pathname === "/sse") {
      const transport = new SSEServerTransport("/messages", res);
      legacy.set(transport.sessionId, transport);
      res.on("close", () => legacy.delete(transport.sessionId));
      await createDemoMcpServer(options).connect(transport);
      return;
    }
    const transport = legacy.get(url.searchParams.get("sessionId") ?? "");
    if (!transport) return jsonError(res, 404, -32001, "Session not found");
    await transport.handlePostMessage(req, res);
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const handled =
      url.pathname === "/mcp" ? handleStreamable(req, res) : url.pathname === "/sse" || url.pathname === "/messages" ? handleLegacy(req, res, url) : Promise.resolve(jsonError(res, 404, -32601, "Not found"));
    handled.catch((error: unknown) => {
      if (!res.headersSent) jsonError(res, 500, -32603, `Internal error: ${(error as Error).message}`);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: `${origin}/mcp`,
    sseUrl: `${origin}/sse`,
    get sessions() {
      return streamable.size + legacy.size;
    },
    hasSession: (id) => streamable.has(id) || legacy.has(id),
    async close() {
      for (const transport of [...streamable.values(), ...legacy.values()]) await transport.close().catch(() => undefined);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function jsonError(res: http.ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }));
}
