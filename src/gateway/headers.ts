// Conversions between Node's HTTP/1.1 messages and the filter's header lists, doing what Envoy's HTTP
// connection manager does around a filter: the request becomes pseudo-headers (:method, :path, :authority,
// :scheme) plus lower-case headers; hop-by-hop headers are removed in both directions because they describe one
// connection, not the message (Envoy strips them, and the codec on the other side writes its own framing).
import type { IncomingMessage, OutgoingHttpHeaders } from "node:http";
import type { HeaderList } from "../host/index.ts";

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "te",
  "trailer",
  // Envoy answers 100-continue itself and does not forward the expectation.
  "expect",
]);

/** Header names this message declares hop-by-hop in its Connection header, plus the fixed ones. */
function hopByHop(raw: readonly string[]): Set<string> {
  const names = new Set(HOP_BY_HOP);
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() !== "connection") continue;
    for (const token of raw[i + 1]!.split(",")) {
      const name = token.trim().toLowerCase();
      if (name) names.add(name);
    }
  }
  return names;
}

/** The end-to-end headers of a message, lower-case, in wire order, repeated headers kept. */
function endToEnd(raw: readonly string[], skip: ReadonlySet<string> = new Set()): HeaderList {
  const drop = hopByHop(raw);
  const list: HeaderList = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (!drop.has(name) && !skip.has(name)) list.push([name, raw[i + 1]!]);
  }
  return list;
}

/** A client request as the filter sees it: pseudo-headers first, `host` becomes `:authority`. */
export function requestHeaders(req: IncomingMessage, scheme: "http" | "https"): HeaderList {
  return [
    [":method", req.method ?? "GET"],
    [":path", req.url ?? "/"],
    [":authority", req.headers.host ?? ""],
    [":scheme", scheme],
    ...endToEnd(req.rawHeaders, new Set(["host"])),
  ];
}

/** An upstream response as the filter sees it: `:status` first. */
export function responseHeaders(res: IncomingMessage): HeaderList {
  return [[":status", String(res.statusCode ?? 502)], ...endToEnd(res.rawHeaders)];
}

/** Trailers of a chunked message (Node gives them as raw pairs once the body ended). */
export function trailerList(raw: readonly string[]): HeaderList | undefined {
  const list = endToEnd(raw);
  return list.length > 0 ? list : undefined;
}

/** Whether a request carries a body (HTTP/1.1: a non-zero content-length or chunked framing). */
export function requestHasBody(req: IncomingMessage): boolean {
  if (req.headers["transfer-encoding"] !== undefined) return true;
  const length = req.headers["content-length"];
  return length !== undefined && length !== "0";
}

/** Whether an upstream response can carry a body (RFC 9110: not after HEAD, not 1xx/204/304). */
export function responseHasBody(method: string, res: IncomingMessage): boolean {
  const status = res.statusCode ?? 0;
  if (method === "HEAD" || status === 204 || status === 304 || (status >= 100 && status < 200)) return false;
  if (res.headers["transfer-encoding"] !== undefined) return true;
  return res.headers["content-length"] !== "0";
}

export interface OutgoingMessage {
  /** Pseudo-headers (":method", ":status"...) by name. */
  pseudo: Map<string, string>;
  /** Regular headers; repeated names become arrays (Node writes one line per element). */
  headers: OutgoingHttpHeaders;
}

/** Splits a header list the filter released into pseudo-headers and headers Node can write. */
export function toOutgoing(list: HeaderList): OutgoingMessage {
  const pseudo = new Map<string, string>();
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of list) {
    if (name.startsWith(":")) {
      if (!pseudo.has(name)) pseudo.set(name, value);
      continue;
    }
    const existing = headers[name];
    if (existing === undefined) headers[name] = value;
    else headers[name] = Array.isArray(existing) ? [...existing, value] : [String(existing), value];
  }
  return { pseudo, headers };
}

/** Trailers for Node's addTrailers (repeated names joined with ", "). */
export function toTrailers(list: HeaderList): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of list) {
    if (name.startsWith(":")) continue;
    out[name] = out[name] === undefined ? value : `${out[name]}, ${value}`;
  }
  return out;
}
