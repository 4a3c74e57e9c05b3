// Controlling the current HTTP stream: local replies, resuming or closing a paused direction.
import { StreamType, WasmResult } from "./enums";
import { HeaderPair, encodeHeaderMap } from "./header_map";
import { proxy_close_stream, proxy_continue_stream, proxy_send_local_response } from "./imports";
import { utf8Encode } from "./utf8";

/** Answers the current stream with a response made here instead of the upstream's. Envoy applies it after the
 * callback returns, and only while response headers have not been sent downstream (BRIEF §3). `details` is
 * Envoy's response-code-details string (shown in access logs); `grpcStatus` -1 means "not a gRPC reply". */
export function sendLocalResponse(statusCode: u32, details: string, body: ArrayBuffer,
                                  headers: Array<HeaderPair>, grpcStatus: i32 = -1): WasmResult {
  const detailBytes = utf8Encode(details);
  const headerBytes = encodeHeaderMap(headers);
  return <WasmResult>proxy_send_local_response(statusCode, changetype<usize>(detailBytes), <usize>detailBytes.byteLength,
    changetype<usize>(body), <usize>body.byteLength, changetype<usize>(headerBytes), <usize>headerBytes.byteLength,
    <u32>grpcStatus);
}

/** Resumes a direction this filter paused (after a Stop* answer). After an HTTP call, select the stream first
 * with setEffectiveContext. */
export function continueStream(stream: StreamType): WasmResult {
  return <WasmResult>proxy_continue_stream(<u32>stream);
}

/** Closes (resets) a direction of the current stream. */
export function closeStream(stream: StreamType): WasmResult {
  return <WasmResult>proxy_close_stream(<u32>stream);
}
