// Typed wrappers for the buffer host functions: request/response bodies, HTTP-call response body, VM and plugin
// configuration. Which buffer is available depends on the callback (spec "Buffers").
import { BufferType, WasmResult } from "./enums";
import { proxy_get_buffer_bytes, proxy_get_buffer_status, proxy_set_buffer_bytes } from "./imports";
import { OUT_PTR, OUT_SIZE, OUT_U32, releaseHostAllocations, resetOut, takeHostBytes } from "./memory";

/** A copy of up to `length` bytes of buffer `type` from `start` (the host clips to what exists, so a large
 * `length` reads "the rest"). An empty buffer gives an empty ArrayBuffer; null means the host refused
 * (buffer not available in this callback, bad range). `start` and `length` are passed as u32. */
export function getBufferBytes(type: BufferType, start: i32, length: i32): ArrayBuffer | null {
  resetOut();
  const result = proxy_get_buffer_bytes(<u32>type, <u32>start, <u32>length, OUT_PTR, OUT_SIZE);
  if (result != WasmResult.Ok) {
    releaseHostAllocations();
    return null;
  }
  return takeHostBytes();
}

/** Replaces `length` bytes at `start` of buffer `type` with `data`. Envoy supports prepend (0, 0), replace-all
 * (0, length >= current size) and append (start >= current size; -1 works as "the end"); anything else is
 * BadArgument (BRIEF §2). */
export function setBufferBytes(type: BufferType, start: i32, length: i32, data: ArrayBuffer): WasmResult {
  return <WasmResult>proxy_set_buffer_bytes(<u32>type, <u32>start, <u32>length, changetype<usize>(data), <usize>data.byteLength);
}

/** Current size of buffer `type`, or -1 when it is not available. */
export function getBufferSize(type: BufferType): i32 {
  resetOut();
  if (proxy_get_buffer_status(<u32>type, OUT_SIZE, OUT_U32) != WasmResult.Ok) return -1;
  const size = load<u32>(OUT_SIZE);
  return size <= <u32>i32.MAX_VALUE ? <i32>size : -1;
}
