// Outgoing HTTP calls (proxy_http_call) and the status of a finished call or gRPC stream (proxy_get_status).
// The answer arrives at the ROOT context (RootContext.onHttpCallResponse) with the token returned here.
import { WasmResult } from "./enums";
import { HeaderPair, encodeHeaderMap } from "./header_map";
import { proxy_get_status, proxy_http_call } from "./imports";
import { OUT_PTR, OUT_SIZE, OUT_U32, releaseHostAllocations, resetOut, takeHostBytes } from "./memory";
import { utf8DecodeBuffer, utf8Encode } from "./utf8";

export class HttpCallResult {
  result: WasmResult = WasmResult.InternalFailure;
  /** Valid only when result is Ok. */
  token: u32 = 0;
}

/** Sends a request to cluster `upstream`. `headers` must include ":method", ":path" and ":authority" (else
 * BadArgument). `body` null sends none. The response (or a timeout after `timeoutMs`, reported with zero
 * headers) is delivered to RootContext.onHttpCallResponse with the returned token. */
export function httpCall(upstream: string, headers: Array<HeaderPair>, body: ArrayBuffer | null,
                         trailers: Array<HeaderPair>, timeoutMs: u32): HttpCallResult {
  const upstreamBytes = utf8Encode(upstream);
  const headerBytes = encodeHeaderMap(headers);
  const trailerBytes = encodeHeaderMap(trailers);
  let bodyPtr: usize = 0;
  let bodySize: usize = 0;
  if (body !== null) {
    bodyPtr = changetype<usize>(body);
    bodySize = <usize>body.byteLength;
  }
  resetOut();
  const answer = new HttpCallResult();
  answer.result = <WasmResult>proxy_http_call(changetype<usize>(upstreamBytes), <usize>upstreamBytes.byteLength,
    changetype<usize>(headerBytes), <usize>headerBytes.byteLength, bodyPtr, bodySize,
    changetype<usize>(trailerBytes), <usize>trailerBytes.byteLength, timeoutMs, OUT_U32);
  if (answer.result == WasmResult.Ok) answer.token = load<u32>(OUT_U32);
  return answer;
}

export class CallStatus {
  constructor(public code: u32, public message: string) {}
}

/** Status code and message of the HTTP call (in onHttpCallResponse) or gRPC call (in onGrpcClose) being
 * reported, or null when the host has none. */
export function getStatus(): CallStatus | null {
  resetOut();
  const result = proxy_get_status(OUT_U32, OUT_PTR, OUT_SIZE);
  if (result != WasmResult.Ok) {
    releaseHostAllocations();
    return null;
  }
  const code = load<u32>(OUT_U32);
  const message = takeHostBytes();
  return new CallStatus(code, message !== null ? utf8DecodeBuffer(message) : "");
}
