// Every callback of proxy-wasm ABI 0.2.1 that a module may export, with the exact wasm signature the spec gives
// (all parameters and results i32). The entry file re-exports this module (`export * from "./abi/exports"`).
//
// Each callback finds the context by id in the registry and calls its method. A callback for an id we do not
// know (a host bug, or a stream of a root that failed to start) never traps: it logs at debug level and gives
// the answer that lets the host carry on — Continue for filter callbacks, true for proxy_on_done (nothing to
// wait for), false for proxy_on_vm_start / proxy_on_configure (no such plugin here).
//
// The TCP (network filter) and gRPC-callout callbacks are exported as harmless defaults: this SDK has no
// stream-context class for them, so they pass data through / ignore the event.
// The abort handler named by `--use abort=assembly/abi/runtime/abortHandler` must be part of the program.
import "./runtime";
import { chargeHostBytes, enterCallback, leaveCallback } from "./collector";
import { HttpContext, RootContext } from "./context";
import { FilterDataStatus, FilterHeadersStatus, FilterStatus, FilterTrailersStatus, LogLevel } from "./enums";
import { log } from "./log";
import { allocateForHost } from "./memory";
import { decimal, utf8 } from "./text";
import {
  createHttpContext, createRootContext, getHttpContext, getRootContext, removeContext,
} from "./registry";

// The callbacks that look a context up, named in the debug line about an unknown context. (An enum, not the
// names as string literals: the names are only needed on that rare path, so they are kept as UTF-8 text.)
const enum Callback {
  OnDone,
  OnLog,
  OnDelete,
  OnVmStart,
  OnConfigure,
  OnTick,
  OnQueueReady,
  OnForeignFunction,
  OnRequestHeaders,
  OnRequestBody,
  OnRequestTrailers,
  OnResponseHeaders,
  OnResponseBody,
  OnResponseTrailers,
  OnHttpCallResponse,
}

function callbackName(callback: Callback): string {
  switch (callback) {
    case Callback.OnDone: return utf8("proxy_on_done");
    case Callback.OnLog: return utf8("proxy_on_log");
    case Callback.OnDelete: return utf8("proxy_on_delete");
    case Callback.OnVmStart: return utf8("proxy_on_vm_start");
    case Callback.OnConfigure: return utf8("proxy_on_configure");
    case Callback.OnTick: return utf8("proxy_on_tick");
    case Callback.OnQueueReady: return utf8("proxy_on_queue_ready");
    case Callback.OnForeignFunction: return utf8("proxy_on_foreign_function");
    case Callback.OnRequestHeaders: return utf8("proxy_on_request_headers");
    case Callback.OnRequestBody: return utf8("proxy_on_request_body");
    case Callback.OnRequestTrailers: return utf8("proxy_on_request_trailers");
    case Callback.OnResponseHeaders: return utf8("proxy_on_response_headers");
    case Callback.OnResponseBody: return utf8("proxy_on_response_body");
    case Callback.OnResponseTrailers: return utf8("proxy_on_response_trailers");
    case Callback.OnHttpCallResponse: return utf8("proxy_on_http_call_response");
  }
  return "";
}

function unknownContext(callback: Callback, contextId: u32): void {
  log(LogLevel.Debug, "abi: " + callbackName(callback) + utf8(" for unknown context ") + decimal(contextId) + " ignored");
}

function rootOrLog(callback: Callback, contextId: u32): RootContext | null {
  const root = getRootContext(contextId);
  if (root === null) unknownContext(callback, contextId);
  return root;
}

function streamOrLog(callback: Callback, contextId: u32): HttpContext | null {
  const stream = getHttpContext(contextId);
  if (stream === null) unknownContext(callback, contextId);
  return stream;
}

// ---- Integration and memory ----

/** Marker: this module speaks ABI 0.2.1. Never called. */
export function proxy_abi_version_0_2_1(): void {}

/** The host asks for `size` bytes to copy a result into; we free them once the wrapper copied them. */
export function proxy_on_memory_allocate(size: usize): usize {
  chargeHostBytes(size);
  return allocateForHost(size);
}

// ---- Context lifecycle ----
//
// Every callback below that may allocate starts with enterCallback() and ends with leaveCallback(), the only
// place where garbage is collected (see collector.ts).

export function proxy_on_context_create(contextId: u32, parentContextId: u32): void {
  enterCallback();
  if (parentContextId == 0) {
    createRootContext(contextId);
  } else if (createHttpContext(contextId, parentContextId) === null) {
    log(LogLevel.Debug, utf8("abi: stream context ") + decimal(contextId) + utf8(" has unknown parent ") +
      decimal(parentContextId) + utf8("; it will pass through"));
  }
  leaveCallback();
}

export function proxy_on_done(contextId: u32): u32 {
  enterCallback();
  let done: u32 = 1;
  const stream = getHttpContext(contextId);
  if (stream !== null) {
    done = stream.onDone() ? 1 : 0;
  } else {
    const root = rootOrLog(Callback.OnDone, contextId);
    if (root !== null) done = root.onDone() ? 1 : 0;
  }
  leaveCallback();
  return done;
}

export function proxy_on_log(contextId: u32): void {
  enterCallback();
  const stream = getHttpContext(contextId);
  if (stream !== null) {
    stream.onLog();
  } else {
    const root = rootOrLog(Callback.OnLog, contextId);
    if (root !== null) root.onLog();
  }
  leaveCallback();
}

export function proxy_on_delete(contextId: u32): void {
  enterCallback();
  const stream = getHttpContext(contextId);
  if (stream !== null) {
    stream.onDelete();
  } else {
    const root = rootOrLog(Callback.OnDelete, contextId);
    if (root !== null) root.onDelete();
  }
  removeContext(contextId);
  leaveCallback();
}

// ---- Configuration, timer, queues, foreign functions (root context) ----

export function proxy_on_vm_start(rootContextId: u32, vmConfigurationSize: u32): u32 {
  enterCallback();
  const root = rootOrLog(Callback.OnVmStart, rootContextId);
  const result: u32 = root !== null && root.onVmStart(<i32>vmConfigurationSize) ? 1 : 0;
  leaveCallback();
  return result;
}

export function proxy_on_configure(rootContextId: u32, pluginConfigurationSize: u32): u32 {
  enterCallback();
  const root = rootOrLog(Callback.OnConfigure, rootContextId);
  const result: u32 = root !== null && root.onConfigure(<i32>pluginConfigurationSize) ? 1 : 0;
  leaveCallback();
  return result;
}

export function proxy_on_tick(rootContextId: u32): void {
  enterCallback();
  const root = rootOrLog(Callback.OnTick, rootContextId);
  if (root !== null) root.onTick();
  leaveCallback();
}

export function proxy_on_queue_ready(rootContextId: u32, queueId: u32): void {
  enterCallback();
  const root = rootOrLog(Callback.OnQueueReady, rootContextId);
  if (root !== null) root.onQueueReady(queueId);
  leaveCallback();
}

export function proxy_on_foreign_function(rootContextId: u32, functionId: u32, argumentsSize: u32): void {
  enterCallback();
  const root = rootOrLog(Callback.OnForeignFunction, rootContextId);
  if (root !== null) root.onForeignFunction(functionId, <i32>argumentsSize);
  leaveCallback();
}

// ---- HTTP streams ----

export function proxy_on_request_headers(contextId: u32, numHeaders: u32, endOfStream: u32): u32 {
  enterCallback();
  const stream = streamOrLog(Callback.OnRequestHeaders, contextId);
  const result: u32 = stream === null ? FilterHeadersStatus.Continue : <u32>stream.onRequestHeaders(<i32>numHeaders, endOfStream != 0);
  leaveCallback();
  return result;
}

export function proxy_on_request_body(contextId: u32, bodySize: u32, endOfStream: u32): u32 {
  enterCallback();
  const stream = streamOrLog(Callback.OnRequestBody, contextId);
  const result: u32 = stream === null ? FilterDataStatus.Continue : <u32>stream.onRequestBody(<i32>bodySize, endOfStream != 0);
  leaveCallback();
  return result;
}

export function proxy_on_request_trailers(contextId: u32, numTrailers: u32): u32 {
  enterCallback();
  const stream = streamOrLog(Callback.OnRequestTrailers, contextId);
  const result: u32 = stream === null ? FilterTrailersStatus.Continue : <u32>stream.onRequestTrailers(<i32>numTrailers);
  leaveCallback();
  return result;
}

export function proxy_on_response_headers(contextId: u32, numHeaders: u32, endOfStream: u32): u32 {
  enterCallback();
  const stream = streamOrLog(Callback.OnResponseHeaders, contextId);
  const result: u32 = stream === null ? FilterHeadersStatus.Continue : <u32>stream.onResponseHeaders(<i32>numHeaders, endOfStream != 0);
  leaveCallback();
  return result;
}

export function proxy_on_response_body(contextId: u32, bodySize: u32, endOfStream: u32): u32 {
  enterCallback();
  const stream = streamOrLog(Callback.OnResponseBody, contextId);
  const result: u32 = stream === null ? FilterDataStatus.Continue : <u32>stream.onResponseBody(<i32>bodySize, endOfStream != 0);
  leaveCallback();
  return result;
}

export function proxy_on_response_trailers(contextId: u32, numTrailers: u32): u32 {
  enterCallback();
  const stream = streamOrLog(Callback.OnResponseTrailers, contextId);
  const result: u32 = stream === null ? FilterTrailersStatus.Continue : <u32>stream.onResponseTrailers(<i32>numTrailers);
  leaveCallback();
  return result;
}

// ---- HTTP callouts (answered on the root context) ----

export function proxy_on_http_call_response(rootContextId: u32, token: u32, numHeaders: u32, bodySize: u32, numTrailers: u32): void {
  enterCallback();
  const root = rootOrLog(Callback.OnHttpCallResponse, rootContextId);
  if (root !== null) root.onHttpCallResponse(token, <i32>numHeaders, <i32>bodySize, <i32>numTrailers);
  leaveCallback();
}

// ---- gRPC callouts: no gRPC client in this SDK, events are ignored ----

export function proxy_on_grpc_receive_initial_metadata(rootContextId: u32, token: u32, numElements: u32): void {}
export function proxy_on_grpc_receive(rootContextId: u32, token: u32, messageSize: u32): void {}
export function proxy_on_grpc_receive_trailing_metadata(rootContextId: u32, token: u32, numElements: u32): void {}
export function proxy_on_grpc_close(rootContextId: u32, token: u32, statusCode: u32): void {}

// ---- TCP streams: no network-filter context in this SDK, data passes through ----

export function proxy_on_new_connection(contextId: u32): u32 { return FilterStatus.Continue; }
export function proxy_on_downstream_data(contextId: u32, dataSize: u32, endOfStream: u32): u32 { return FilterStatus.Continue; }
export function proxy_on_downstream_connection_close(contextId: u32, peerType: u32): void {}
export function proxy_on_upstream_data(contextId: u32, dataSize: u32, endOfStream: u32): u32 { return FilterStatus.Continue; }
export function proxy_on_upstream_connection_close(contextId: u32, peerType: u32): void {}
