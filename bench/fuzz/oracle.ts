// What must hold for every fuzz case, judged the way the other side would read the bytes:
// - a request the filter let through, parsed by JSON.parse (last duplicate key wins, as real servers do), is
//   never a tools/call of a tool outside the allowlist (or without a string name), nor a resources/read or
//   resources/subscribe of a URI with a `..` segment after percent-decoding;
// - a tool list the filter let through, read the way a client reads it (JSON.parse; for event streams
//   eventsource-parser, with a final unterminated event dispatched too, as a lenient client might), never shows
//   a tool outside the allowlist;
// - every reply the filter writes itself (a local reply, or a withheld server message) is valid JSON-RPC:
//   an object or a non-empty array of objects, each with jsonrpc "2.0" and error {code: integer, message: string};
// - what the filter passes on as a JSON body or as a message event's data is JSON (it withholds what it cannot
//   parse), so the client never gets, say, two events merged into one;
// - the module never traps (checked by the runner).
import { createParser } from "eventsource-parser";
import type { ExchangeResult, HeaderList } from "../../src/host/index.ts";

export type FindingKind = "trap" | "bypass" | "traversal" | "list-bypass" | "invalid-reply" | "framing";

export interface Finding {
  kind: FindingKind;
  detail: string;
}

const lenient = new TextDecoder(); // what a Node server does with the bytes: invalid UTF-8 becomes U+FFFD

function parseJson(bytes: Uint8Array | string): unknown {
  try {
    return JSON.parse(typeof bytes === "string" ? bytes : lenient.decode(bytes));
  } catch {
    return undefined;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function messagesOf(v: unknown): Record<string, unknown>[] {
  if (Array.isArray(v)) return v.filter(isObject);
  return isObject(v) ? [v] : [];
}

/** Percent-decodes as often as it changes anything (lenient: a malformed escape stops decoding). */
function decodeFully(uri: string): string {
  let current = uri;
  for (let i = 0; i < 8; i++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return current;
    }
    if (next === current) return current;
    current = next;
  }
  return current;
}

export function hasTraversal(uri: string): boolean {
  return decodeFully(uri).split(/[/\\]/).some((segment) => segment === "..");
}

/** Checks what reached the upstream. */
export function checkForwardedRequest(body: Uint8Array, allowed: ReadonlySet<string>): Finding | undefined {
  for (const m of messagesOf(parseJson(body))) {
    const params = m.params;
    if (m.method === "tools/call") {
      const name = isObject(params) ? params.name : undefined;
      if (typeof name !== "string") return { kind: "bypass", detail: `tools/call without a string name reached the server: ${JSON.stringify(params)?.slice(0, 200)}` };
      if (!allowed.has(name)) return { kind: "bypass", detail: `tools/call of ${JSON.stringify(name)} reached the server` };
    }
    if ((m.method === "resources/read" || m.method === "resources/subscribe") && isObject(params) && typeof params.uri === "string" && hasTraversal(params.uri)) {
      return { kind: "traversal", detail: `${m.method} of ${JSON.stringify(params.uri)} reached the server` };
    }
  }
  return undefined;
}

function toolsShown(message: Record<string, unknown>): string[] {
  const result = message.result;
  if (!isObject(result) || !Array.isArray(result.tools)) return [];
  return result.tools.filter(isObject).map((t) => t.name).filter((n): n is string => typeof n === "string");
}

function checkToolList(value: unknown, allowed: ReadonlySet<string>, where: string): Finding | undefined {
  for (const m of messagesOf(value)) {
    const bad = toolsShown(m).find((name) => !allowed.has(name));
    if (bad !== undefined) return { kind: "list-bypass", detail: `${where}: the client sees tool ${JSON.stringify(bad)}` };
  }
  return undefined;
}

/** Validates a reply the filter wrote itself (a JSON-RPC error object, or a batch of them). */
export function checkJsonRpcReply(text: string, where: string): Finding | undefined {
  const value = parseJson(text);
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0) return { kind: "invalid-reply", detail: `${where}: an empty batch` };
  for (const item of items) {
    const error = isObject(item) ? item.error : undefined;
    const ok = isObject(item) && item.jsonrpc === "2.0" && isObject(error) && Number.isInteger(error.code) && typeof error.message === "string";
    if (!ok) return { kind: "invalid-reply", detail: `${where}: not a JSON-RPC error: ${text.slice(0, 300)}` };
  }
  return undefined;
}

const WITHHELD = "mcp-guard withheld a server message";

function header(headers: HeaderList, name: string): string | undefined {
  return headers.find(([k]) => k === name)?.[1];
}

/** Checks what the client received. */
export function checkClientResponse(result: ExchangeResult, allowed: ReadonlySet<string>): Finding | undefined {
  const local = result.stream.localReply;
  if (local && local.source === "module") return checkJsonRpcReply(lenient.decode(local.body), `local reply ${local.status}`);
  if (!result.upstreamCalled) return undefined;
  const type = (header(result.headers, "content-type") ?? "").toLowerCase();
  const bytes = result.stream.downstream.body;
  if (type.startsWith("text/event-stream")) {
    let finding: Finding | undefined;
    const parser = createParser({
      onEvent: (event) => {
        // An event whose data is empty carries no message (the filter passes it as it is; a client that parses it
        // gets nothing).
        if (finding || (event.event !== undefined && event.event !== "message") || event.data === "") return;
        const value = parseJson(event.data);
        if (value === undefined) {
          finding = { kind: "framing", detail: `the client sees a message event whose data is not JSON: ${JSON.stringify(event.data.slice(0, 300))}` };
          return;
        }
        if (event.data.includes(WITHHELD)) finding = checkJsonRpcReply(event.data, "withheld SSE event");
        finding ??= checkToolList(value, allowed, "SSE event");
      },
    });
    parser.feed(lenient.decode(bytes));
    parser.feed("\n\n"); // a lenient client dispatches an unterminated last event too
    return finding;
  }
  const text = lenient.decode(bytes);
  const value = parseJson(text);
  if (value === undefined) return { kind: "framing", detail: `the client gets a JSON body that is not JSON: ${JSON.stringify(text.slice(0, 300))}` };
  if (text.includes(WITHHELD)) return checkJsonRpcReply(text, "withheld JSON body");
  return checkToolList(value, allowed, "JSON body");
}
