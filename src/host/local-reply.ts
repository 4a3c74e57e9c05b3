// The response Envoy builds for a local reply (source/common/http/utility.cc prepareLocalReply /
// encodeLocalReply): ":status", the filter's extra headers, then content-length + content-type text/plain
// when there is a body. gRPC requests get a trailers-only answer (status 200, grpc-status, grpc-message);
// HEAD requests get the headers only.
import { utf8 } from "./bytes.ts";
import { HeaderMap } from "./header-map.ts";
import type { LocalReplyRequest } from "./http-context.ts";
import type { HeaderList } from "./types.ts";

export interface BuiltLocalReply {
  headers: HeaderMap;
  body: Uint8Array;
}

/** Grpc::Common::isGrpcRequestHeaders: content-type application/grpc, optionally with +suffix or ;params. */
export function isGrpcRequest(headers: HeaderList): boolean {
  const type = headers.find(([k]) => k === "content-type")?.[1] ?? "";
  return type === "application/grpc" || type.startsWith("application/grpc+") || type.startsWith("application/grpc;");
}

export function isHeadRequest(headers: HeaderList): boolean {
  return headers.find(([k]) => k === ":method")?.[1] === "HEAD";
}

/** Grpc::Utility::httpToGrpcStatus */
function httpToGrpcStatus(code: number): number {
  switch (code) {
    case 400:
      return 13;
    case 401:
      return 16;
    case 403:
      return 7;
    case 404:
      return 12;
    case 429:
    case 502:
    case 503:
    case 504:
      return 14;
    default:
      return 2;
  }
}

/** PercentEncoding::encode as used for grpc-message: bytes outside ' '..'~' and '%' become %XX. */
function percentEncode(text: string): string {
  let out = "";
  for (const byte of utf8(text)) {
    out += byte < 0x20 || byte > 0x7e || byte === 0x25 ? `%${byte.toString(16).toUpperCase().padStart(2, "0")}` : String.fromCharCode(byte);
  }
  return out;
}

export function buildLocalReply(reply: LocalReplyRequest, request: { grpc: boolean; head: boolean }): BuiltLocalReply {
  const headers = HeaderMap.from([[":status", String(reply.status)]]);
  for (const [k, v] of reply.headers) headers.add(k, v);
  const bodyText = new TextDecoder().decode(reply.body);
  if (request.grpc) {
    headers.set(":status", "200");
    headers.set("content-type", "application/grpc");
    if (headers.get("grpc-status") === undefined) {
      headers.set("grpc-status", String(reply.grpcStatus >= 0 ? reply.grpcStatus : httpToGrpcStatus(reply.status)));
    }
    if (reply.body.length > 0 && !request.head) headers.set("grpc-message", percentEncode(bodyText));
    headers.remove("content-length");
    return { headers, body: new Uint8Array(0) };
  }
  if (reply.body.length > 0) {
    headers.set("content-length", String(reply.body.length));
    if (headers.get("content-type") === undefined) headers.set("content-type", "text/plain");
  } else {
    headers.remove("content-length");
    headers.remove("content-type");
  }
  return { headers, body: request.head ? new Uint8Array(0) : reply.body };
}
