// How proxy-wasm-cpp-host turns a callback's raw answer into an Envoy filter status (src/context.cc
// convertVmCallResult*), then Envoy's convertFilter*Status (source/extensions/common/wasm/context.cc).
import type { DataAction, HeadersAction, TrailersAction } from "./abi.ts";

/**
 * Headers: a pending local reply or a value > 4 gives StopAllIterationAndWatermark; StopIteration (1) also
 * becomes StopAllIterationAndWatermark unless allow_on_headers_stop_iteration (cpp-host issue #143);
 * ContinueAndEndStream (2) falls to Envoy's default branch, Continue.
 */
export function headersAction(raw: number, stopped: boolean, allowStopIteration: boolean): HeadersAction {
  if (stopped || raw > 4) return "StopAllIterationAndWatermark";
  switch (raw) {
    case 1:
      return allowStopIteration ? "StopIteration" : "StopAllIterationAndWatermark";
    case 3:
      return "StopAllIterationAndBuffer";
    case 4:
      return "StopAllIterationAndWatermark";
    default:
      return "Continue";
  }
}

/** Data: a pending local reply or a value > 3 gives StopIterationNoBuffer (the chunk is dropped). */
export function dataAction(raw: number, stopped: boolean): DataAction {
  if (stopped || raw > 3) return "StopIterationNoBuffer";
  const actions: DataAction[] = ["Continue", "StopIterationAndBuffer", "StopIterationAndWatermark", "StopIterationNoBuffer"];
  return actions[raw] ?? "StopIterationNoBuffer";
}

/** Trailers: a pending local reply or a value > 1 gives StopIteration. */
export function trailersAction(raw: number, stopped: boolean): TrailersAction {
  return stopped || raw !== 0 ? "StopIteration" : "Continue";
}
