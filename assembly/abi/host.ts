// The remaining host calls: clock, timer, effective context, deferred completion, foreign functions.
import { WasmResult } from "./enums";
import {
  proxy_call_foreign_function, proxy_done, proxy_get_current_time_nanoseconds, proxy_set_effective_context,
  proxy_set_tick_period_milliseconds,
} from "./imports";
import { OUT_PTR, OUT_SIZE, OUT_U64, releaseHostAllocations, resetOut, takeHostBytes } from "./memory";
import { utf8Encode } from "./utf8";

/** Wall-clock time in nanoseconds since the epoch (Envoy reads its time source's system clock on every call,
 * so two reads in one callback measure the time between them); 0 when the host refused. */
export function getCurrentTimeNanoseconds(): u64 {
  resetOut();
  return proxy_get_current_time_nanoseconds(OUT_U64) == WasmResult.Ok ? load<u64>(OUT_U64) : 0;
}

/** Calls RootContext.onTick every `ms` milliseconds (0 stops the timer). Call it from the root context. */
export function setTickPeriodMilliseconds(ms: u32): WasmResult {
  return <WasmResult>proxy_set_tick_period_milliseconds(ms);
}

/** Makes `contextId` the context later host calls act on, e.g. the paused stream inside onHttpCallResponse,
 * before continueStream / sendLocalResponse / header changes. BadArgument for an unknown id. */
export function setEffectiveContext(contextId: u32): WasmResult {
  return <WasmResult>proxy_set_effective_context(contextId);
}

/** Tells the host that a context whose onDone answered false has finished. */
export function done(): WasmResult {
  return <WasmResult>proxy_done();
}

/** Calls the host's foreign function `name` with `args`; its result bytes, or null when it failed or is
 * unknown. */
export function callForeignFunction(name: string, args: ArrayBuffer): ArrayBuffer | null {
  const nameBytes = utf8Encode(name);
  resetOut();
  const result = proxy_call_foreign_function(changetype<usize>(nameBytes), <usize>nameBytes.byteLength,
    changetype<usize>(args), <usize>args.byteLength, OUT_PTR, OUT_SIZE);
  if (result != WasmResult.Ok) {
    releaseHostAllocations();
    return null;
  }
  return takeHostBytes();
}
