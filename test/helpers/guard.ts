// Runs the real build/mcp-guard.wasm in the Envoy-like host, for request-path tests.
import { readFileSync } from "node:fs";
import { ProxyWasmHost, exchange, type HeaderList } from "../../src/host/index.ts";

let moduleCache: Uint8Array | undefined;

export function guardModule(): Uint8Array {
  moduleCache ??= new Uint8Array(readFileSync(new URL("../../build/mcp-guard.wasm", import.meta.url)));
  return moduleCache;
}

export async function startGuard(config: object | string | undefined, options: { rootId?: string } = {}): Promise<ProxyWasmHost> {
  const pluginConfig = config === undefined ? undefined : typeof config === "string" ? config : JSON.stringify(config);
  return ProxyWasmHost.start({ module: guardModule(), ...(pluginConfig !== undefined ? { pluginConfig } : {}), ...(options.rootId ? { rootId: options.rootId } : {}) });
}

export const SEED_CONFIG = { tool_allowlist: ["search_code", "get_pull_request"] };

export function postHeaders(extra: HeaderList = [], body?: string | Uint8Array): HeaderList {
  const headers: HeaderList = [
    [":method", "POST"],
    [":path", "/mcp"],
    [":authority", "mcp.example"],
    [":scheme", "http"],
    ["content-type", "application/json"],
    ["accept", "application/json, text/event-stream"],
  ];
  if (body !== undefined) headers.push(["content-length", String(typeof body === "string" ? Buffer.byteLength(body) : body.byteLength)]);
  for (const [k, v] of extra) {
    const i = headers.findIndex(([name]) => name === k);
    if (i >= 0) headers.splice(i, 1);
    if (v !== "") headers.push([k, v]);
  }
  return headers;
}

/** An upstream MCP server stand-in that answers every request with a result echoing its id. */
export function echoUpstream(req: { headers: HeaderList; body: Uint8Array }) {
  let id: unknown = null;
  try {
    id = (JSON.parse(Buffer.from(req.body).toString("utf8")) as { id?: unknown }).id ?? null;
  } catch {
    id = null;
  }
  return {
    headers: [[":status", "200"], ["content-type", "application/json"]] as HeaderList,
    body: JSON.stringify({ jsonrpc: "2.0", id, result: { content: [{ type: "text", text: "ok from upstream" }] } }),
  };
}

export interface PostOptions {
  headers?: HeaderList;
  chunks?: Array<string | Uint8Array>;
  trailers?: HeaderList;
  withContentLength?: boolean;
}

/** POSTs a body through the filter to the echo upstream and returns what the client and the server saw. */
export async function post(host: ProxyWasmHost, body: string | Uint8Array, options: PostOptions = {}) {
  const headers = postHeaders(options.headers ?? [], options.withContentLength === false || options.chunks ? undefined : body);
  const result = await exchange(
    host,
    {
      headers,
      ...(options.chunks ? { chunks: options.chunks } : { body }),
      ...(options.trailers ? { trailers: options.trailers } : {}),
    },
    echoUpstream,
  );
  return { ...result, json: parseOrUndefined(result.body), upstreamBody: Buffer.from(result.stream.upstream.body).toString("utf8") };
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function toolCall(id: number | string, name: string, args: object = {}): string {
  return JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } });
}
