// `mcp-guard eval`: runs JSON-RPC messages through the module as POST bodies, one stream each, and reports what
// the filter decided for each: allowed (the request reached the upstream) or refused, with the exact reply the
// client would get and the reason from the module's decision log.
import { ProxyWasmHost, exchange, type HeaderList, type LogEntry, type PropertyValue } from "../host/index.ts";

export interface Message {
  /** 1-based line in the input where the message starts. */
  line: number;
  body: string;
}

export interface Evaluation {
  line: number;
  request: string;
  /** "would_deny" in audit mode: forwarded, but the policy would have refused it. */
  decision: "allow" | "deny" | "would_deny";
  /** The complete request reached the MCP server. */
  forwarded: boolean;
  reason?: string;
  method?: string;
  tool?: string;
  /** The reply the client got from the filter (refusals only). */
  reply?: { status: number; headers: HeaderList; body: string };
  /** The module's decision log entry, as logged. */
  log?: Record<string, unknown>;
}

/**
 * The messages in an input: the whole text when it is one JSON value (pretty-printed files), else one message
 * per line (JSONL); blank lines and lines starting with "#" are skipped.
 */
export function splitMessages(text: string): Message[] {
  const trimmed = text.trim();
  if (trimmed === "") return [];
  try {
    JSON.parse(trimmed);
    return [{ line: 1 + (text.slice(0, text.indexOf(trimmed[0]!)).match(/\n/g)?.length ?? 0), body: trimmed }];
  } catch {
    // not one JSON value: JSONL
  }
  const messages: Message[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() !== "" && !line.trimStart().startsWith("#")) messages.push({ line: i + 1, body: line });
  });
  return messages;
}

export interface EvaluateOptions {
  module: Uint8Array;
  pluginConfig: string;
  /** Extra request headers, e.g. [["mcp-protocol-version", "2025-03-26"]]. */
  headers?: HeaderList;
  properties?: Record<string, PropertyValue>;
}

export async function evaluateMessages(messages: readonly Message[], options: EvaluateOptions): Promise<Evaluation[]> {
  // Debug level: allows are logged at debug, refusals at info.
  const host = await ProxyWasmHost.start({ module: options.module, pluginConfig: options.pluginConfig, logLevel: 1, properties: options.properties ?? {} });
  if (!host.configured) throw new Error(`the module rejected the configuration: ${host.logs.map((l) => l.message).join("; ")}`);
  const results: Evaluation[] = [];
  for (const message of messages) {
    const seen = host.logs.length;
    const { stream, status, headers, body, upstreamCalled } = await exchange(host, { headers: requestHeaders(message.body, options.headers ?? []), body: message.body }, () => ({
      headers: [[":status", "202"]],
    }));
    const log = decisionLog(host.logs.slice(seen), stream.contextId);
    const forwarded = upstreamCalled && !stream.upstream.reset;
    const decision = log?.decision === "would_deny" ? "would_deny" : forwarded ? "allow" : "deny";
    const result: Evaluation = { line: message.line, request: message.body, decision, forwarded };
    if (typeof log?.reason === "string") result.reason = log.reason;
    if (typeof log?.method === "string") result.method = log.method;
    if (typeof log?.tool === "string") result.tool = log.tool;
    if (!forwarded) {
      result.reply = { status, headers, body };
      result.reason ??= stream.localReply?.details ?? "not forwarded";
    }
    if (log) result.log = log;
    results.push(result);
  }
  host.shutdown();
  return results;
}

function requestHeaders(body: string, extra: HeaderList): HeaderList {
  const headers: HeaderList = [
    [":method", "POST"],
    [":path", "/mcp"],
    [":authority", "mcp.local"],
    [":scheme", "http"],
    ["content-type", "application/json"],
    ["accept", "application/json, text/event-stream"],
    ["content-length", String(Buffer.byteLength(body))],
  ];
  for (const [name, value] of extra) {
    const i = headers.findIndex(([k]) => k === name);
    if (i >= 0) headers.splice(i, 1);
    headers.push([name, value]);
  }
  return headers;
}

/** The module's decision line for a stream (one JSON object per decision). */
function decisionLog(entries: readonly LogEntry[], contextId: number): Record<string, unknown> | undefined {
  for (const entry of entries) {
    if (entry.contextId !== contextId || !entry.message.startsWith("{")) continue;
    try {
      const parsed = JSON.parse(entry.message) as Record<string, unknown>;
      if (parsed.event === "mcp_guard.decision") return parsed;
    } catch {
      // not a decision line
    }
  }
  return undefined;
}
