// Test entry exposing internals of the ABI layer (assembly/abi) as plain wasm exports, for
// test/abi.behaviour.test.ts: the host-allocation bookkeeping and the header-map decoder on arbitrary bytes.
// It also exports the ABI callbacks, so a test host can call proxy_on_memory_allocate. No root is registered.
import { BufferType, decodeHeaderMap, getBufferBytes } from "../abi";
import { pendingHostAllocations } from "../abi/memory";

export * from "../abi/exports";

/** Host blocks handed out by proxy_on_memory_allocate and not yet freed. */
export function test_pending_host_allocations(): i32 {
  return pendingHostAllocations();
}

let lastCopy: ArrayBuffer | null = null;

/** getBufferBytes(HttpRequestBody, 0, length); keeps the copy alive and returns its address (0 for null). */
export function test_get_request_body(length: i32): usize {
  lastCopy = getBufferBytes(BufferType.HttpRequestBody, 0, length);
  const copy = lastCopy;
  return copy !== null ? changetype<usize>(copy) : 0;
}

/** Byte length of the last copy (-1 for null). */
export function test_last_copy_length(): i32 {
  const copy = lastCopy;
  return copy !== null ? copy.byteLength : -1;
}

/** Decodes `size` bytes at `ptr` as a header map: number of pairs, or -1 when malformed. */
export function test_decode_header_map(ptr: usize, size: usize): i32 {
  const pairs = decodeHeaderMap(ptr, size);
  return pairs !== null ? pairs.length : -1;
}
