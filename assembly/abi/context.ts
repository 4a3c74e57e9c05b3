// The two kinds of context a filter implements, shaped like the proxy-wasm Rust SDK: one RootContext per plugin
// (configuration, timers, HTTP-call answers, shared state) and one HttpContext per HTTP stream (a request and its
// response). Subclass them and override what you need; every default lets traffic through unchanged.
// Overrides must not trap: a trap fails the whole VM (BRIEF §3).
import { FilterDataStatus, FilterHeadersStatus, FilterTrailersStatus } from "./enums";

export class RootContext {
  constructor(readonly contextId: u32, readonly rootId: string) {}

  /** First callback of the VM (only for the first root context created in it). `vmConfigurationSize` bytes
   * are readable with getBufferBytes(BufferType.VmConfiguration, ...). false = the VM is unusable. */
  onVmStart(vmConfigurationSize: i32): bool { return true; }

  /** The plugin configuration (Istio: pluginConfig as a JSON string) is readable with
   * getBufferBytes(BufferType.PluginConfiguration, 0, pluginConfigurationSize). false = configuration rejected
   * (Envoy then refuses the plugin). */
  onConfigure(pluginConfigurationSize: i32): bool { return true; }

  /** Timer set with setTickPeriodMilliseconds. */
  onTick(): void {}

  /** Answer to httpCall: `numHeaders` 0 means the call failed or timed out. Headers, body and trailers are
   * readable with MapType.HttpCallResponseHeaders / BufferType.HttpCallResponseBody /
   * MapType.HttpCallResponseTrailers. To act on the stream that made the call, setEffectiveContext(its id)
   * first. */
  onHttpCallResponse(token: u32, numHeaders: i32, bodySize: i32, numTrailers: i32): void {}

  /** An item was added to a queue this root registered. */
  onQueueReady(queueId: u32): void {}

  /** A foreign function of the host called into the module; arguments in BufferType.CallData. */
  onForeignFunction(functionId: u32, argumentsSize: i32): void {}

  /** The host wants to shut the plugin down. false = not yet; call done() when finished. */
  onDone(): bool { return true; }

  onLog(): void {}

  /** Last callback: the context is gone. */
  onDelete(): void {}

  /** A new HTTP stream of this plugin. null = no HTTP filtering (the stream passes untouched). */
  createHttpContext(contextId: u32): HttpContext | null { return null; }
}

export class HttpContext {
  constructor(readonly contextId: u32, readonly root: RootContext) {}

  /** Request headers are readable and changeable (MapType.HttpRequestHeaders). Note: Envoy turns StopIteration
   * into StopAllIterationAndWatermark, which also holds back this filter's body callbacks (BRIEF §3). */
  onRequestHeaders(numHeaders: i32, endOfStream: bool): FilterHeadersStatus { return FilterHeadersStatus.Continue; }

  /** `bodySize` is everything buffered so far (BufferType.HttpRequestBody). */
  onRequestBody(bodySize: i32, endOfStream: bool): FilterDataStatus { return FilterDataStatus.Continue; }

  /** Request trailers end the request (no body chunk will have endOfStream). */
  onRequestTrailers(numTrailers: i32): FilterTrailersStatus { return FilterTrailersStatus.Continue; }

  onResponseHeaders(numHeaders: i32, endOfStream: bool): FilterHeadersStatus { return FilterHeadersStatus.Continue; }

  onResponseBody(bodySize: i32, endOfStream: bool): FilterDataStatus { return FilterDataStatus.Continue; }

  onResponseTrailers(numTrailers: i32): FilterTrailersStatus { return FilterTrailersStatus.Continue; }

  /** Access-log time: the stream is complete; headers of both directions are still readable. */
  onLog(): void {}

  /** The stream is finishing. false = not yet; call done() later. */
  onDone(): bool { return true; }

  /** Last callback for this stream. */
  onDelete(): void {}
}

/** Builds the root context for one root id. Must be a plain function (AssemblyScript has no closures). */
export type RootContextFactory = (contextId: u32, rootId: string) => RootContext;
