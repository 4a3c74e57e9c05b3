// How `call` and `pin` reach an MCP server: the official SDK client over Streamable HTTP or the legacy HTTP+SSE
// transport, with the user's extra headers, and one timeout for connecting and for each request.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { UsageError } from "./exit.ts";
import { parseHeaders } from "./options.ts";

/** The connection flags of a command (`--transport`, `-H, --header`, `--timeout`). */
export interface ServerFlags {
  transport?: string;
  header?: string[];
  timeout: string;
}

export interface ServerTarget {
  /** The URL as the user wrote it, for messages. */
  text: string;
  url: URL;
  transport: "streamable" | "sse";
  headers: Record<string, string>;
  /** For connecting (initialize) and for each request after it. */
  timeoutMs: number;
}

/** Checks the URL (given as `urlFlag`, e.g. "--url") and the connection flags; a bad one is a usage error. */
export function serverTarget(urlFlag: string, url: string, flags: ServerFlags): ServerTarget {
  if (!URL.canParse(url)) throw new UsageError(`${urlFlag} must be a URL, got ${JSON.stringify(url)}`);
  const transport = flags.transport ?? "streamable";
  if (transport !== "streamable" && transport !== "sse") throw new UsageError(`--transport must be streamable or sse, got ${JSON.stringify(transport)}`);
  const timeoutMs = Number(flags.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new UsageError(`--timeout must be a positive number of milliseconds, got ${JSON.stringify(flags.timeout)}`);
  return { text: url, url: new URL(url), transport, headers: Object.fromEntries(parseHeaders(flags.header)), timeoutMs };
}

/**
 * Connects a client named `clientName` (initialize; the SDK then sends the session id on every request), runs
 * `use` with it and closes the session whatever happens. A server that cannot be reached throws an Error that
 * names the URL, which the CLI reports with exit 3.
 */
export async function withMcpClient<T>(target: ServerTarget, clientName: string, use: (client: Client) => Promise<T>): Promise<T> {
  const requestInit = { headers: target.headers };
  const transport = target.transport === "sse" ? new SSEClientTransport(target.url, { requestInit }) : new StreamableHTTPClientTransport(target.url, { requestInit });
  const client = new Client({ name: clientName, version: "0.1.0" });
  try {
    await client.connect(transport, { timeout: target.timeoutMs });
  } catch (error) {
    await client.close().catch(() => undefined);
    throw new Error(`cannot connect to ${target.text}: ${(error as Error).message}`);
  }
  try {
    return await use(client);
  } finally {
    await client.close().catch(() => undefined);
  }
}
