// Shared pieces of the gateway, e2e and CLI tests: a scriptable raw HTTP upstream, the gateway in front of it
// with the real module, and a small HTTP client that exposes the response as it streams in. Loopback only.
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { startGateway, type Gateway, type GatewayOptions } from "../src/gateway/index.ts";
import { guardModule } from "./helpers/guard.ts";

export const SEED_POLICY = { tool_allowlist: ["search_code", "get_pull_request"] };

export function rpc(id: number | string, method: string, params?: object): string {
  return JSON.stringify({ jsonrpc: "2.0", id, method, ...(params ? { params } : {}) });
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The request body ended normally (false when the gateway aborted it). */
  complete: boolean;
  socket: Socket;
}

export interface Upstream {
  url: string;
  origin: string;
  requests: RecordedRequest[];
  /** TCP connections the upstream accepted. */
  connections: number;
  close(): Promise<void>;
}

/** A raw HTTP server: the handler sees each request after its body was read (or the request was aborted). */
export async function startUpstream(handler: (req: http.IncomingMessage, res: http.ServerResponse, recorded: RecordedRequest) => void): Promise<Upstream> {
  const requests: RecordedRequest[] = [];
  let connections = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    const recorded: RecordedRequest = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: "", complete: false, socket: req.socket };
    requests.push(recorded);
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      recorded.body = Buffer.concat(chunks).toString("utf8");
      handler(req, res, recorded);
    };
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      recorded.complete = true;
      settle();
    });
    req.on("close", settle);
  });
  server.on("connection", () => connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}/mcp`,
    origin,
    requests,
    get connections() {
      return connections;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export async function gatewayFor(upstream: string, config: object = SEED_POLICY, options: Partial<GatewayOptions> = {}): Promise<Gateway> {
  return startGateway({ module: guardModule(), pluginConfig: JSON.stringify(config), upstream, ...options });
}

export interface Sent {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send the body in these pieces (chunked transfer encoding). */
  chunks?: Array<string | Buffer>;
  agent?: http.Agent;
}

export interface Received {
  status: number;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: string;
}

/** One HTTP request; resolves with the whole response. */
export function send(origin: string, sent: Sent = {}): Promise<Received> {
  return new Promise((resolve, reject) => {
    const req = open(origin, sent, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
  });
}

/** Starts a request and hands over the response as soon as its headers arrive. */
export function open(origin: string, sent: Sent, onResponse: (res: http.IncomingMessage) => void): http.ClientRequest {
  const url = new URL(sent.path ?? "/mcp", origin);
  const headers: Record<string, string> = { ...(sent.headers ?? {}) };
  if (sent.body !== undefined) headers["content-length"] ??= String(Buffer.byteLength(sent.body));
  const req = http.request(url, { method: sent.method ?? (sent.body !== undefined || sent.chunks ? "POST" : "GET"), headers, agent: sent.agent ?? false }, onResponse);
  if (sent.chunks) {
    for (const chunk of sent.chunks) req.write(chunk);
    req.end();
  } else {
    req.end(sent.body);
  }
  return req;
}

export const JSON_HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" };

/** Resolves when `condition` holds (polling), or rejects after `ms`. */
export async function until(condition: () => boolean, ms = 5000, what = "condition"): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
