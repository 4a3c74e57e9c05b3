// Shared data (a key-value store shared by all VMs with the same vm_id) and shared queues.
import { INVALID_ID, WasmResult } from "./enums";
import {
  proxy_dequeue_shared_queue, proxy_enqueue_shared_queue, proxy_get_shared_data, proxy_register_shared_queue,
  proxy_resolve_shared_queue, proxy_set_shared_data,
} from "./imports";
import { OUT_PTR, OUT_SIZE, OUT_U32, releaseHostAllocations, resetOut, takeHostBytes } from "./memory";
import { utf8Encode } from "./utf8";

export class SharedData {
  result: WasmResult = WasmResult.NotFound;
  /** The value (Ok only). */
  value: ArrayBuffer | null = null;
  /** Compare-and-swap token to pass to setSharedData for an atomic update. */
  cas: u32 = 0;
}

/** Reads shared value `key`. result NotFound when absent. */
export function getSharedData(key: string): SharedData {
  const keyBytes = utf8Encode(key);
  resetOut();
  const answer = new SharedData();
  answer.result = <WasmResult>proxy_get_shared_data(changetype<usize>(keyBytes), <usize>keyBytes.byteLength,
    OUT_PTR, OUT_SIZE, OUT_U32);
  if (answer.result != WasmResult.Ok) {
    releaseHostAllocations();
    return answer;
  }
  answer.cas = load<u32>(OUT_U32);
  answer.value = takeHostBytes();
  if (answer.value === null) answer.result = WasmResult.InvalidMemoryAccess;
  return answer;
}

/** Writes shared value `key`. With `cas` non-zero the write succeeds only if nobody wrote since that token was
 * read (else CasMismatch). */
export function setSharedData(key: string, value: ArrayBuffer, cas: u32 = 0): WasmResult {
  const keyBytes = utf8Encode(key);
  return <WasmResult>proxy_set_shared_data(changetype<usize>(keyBytes), <usize>keyBytes.byteLength,
    changetype<usize>(value), <usize>value.byteLength, cas);
}

/** Creates (or opens) the queue `name` owned by this VM; returns its id or INVALID_ID. proxy_on_queue_ready is
 * then called on the root context that registered it. */
export function registerSharedQueue(name: string): u32 {
  const nameBytes = utf8Encode(name);
  resetOut();
  const result = proxy_register_shared_queue(changetype<usize>(nameBytes), <usize>nameBytes.byteLength, OUT_U32);
  return result == WasmResult.Ok ? load<u32>(OUT_U32) : INVALID_ID;
}

/** Finds the queue `name` of VM `vmId`; returns its id or INVALID_ID. */
export function resolveSharedQueue(vmId: string, name: string): u32 {
  const vmIdBytes = utf8Encode(vmId);
  const nameBytes = utf8Encode(name);
  resetOut();
  const result = proxy_resolve_shared_queue(changetype<usize>(vmIdBytes), <usize>vmIdBytes.byteLength,
    changetype<usize>(nameBytes), <usize>nameBytes.byteLength, OUT_U32);
  return result == WasmResult.Ok ? load<u32>(OUT_U32) : INVALID_ID;
}

/** Appends `value` to queue `queueId`. */
export function enqueueSharedQueue(queueId: u32, value: ArrayBuffer): WasmResult {
  return <WasmResult>proxy_enqueue_shared_queue(queueId, changetype<usize>(value), <usize>value.byteLength);
}

/** Takes the oldest item of queue `queueId`, or null when it is empty (or unknown). */
export function dequeueSharedQueue(queueId: u32): ArrayBuffer | null {
  resetOut();
  if (proxy_dequeue_shared_queue(queueId, OUT_PTR, OUT_SIZE) != WasmResult.Ok) {
    releaseHostAllocations();
    return null;
  }
  return takeHostBytes();
}
