// Numeric values of the proxy-wasm ABI 0.2.1 (proxy-wasm/spec abi-versions/v0.2.1) and the Envoy filter
// statuses the host converts them to. Plain const objects keep them usable both as values and as types.

export const WasmResult = {
  Ok: 0,
  NotFound: 1,
  BadArgument: 2,
  SerializationFailure: 3,
  ParseFailure: 4,
  BadExpression: 5,
  InvalidMemoryAccess: 6,
  Empty: 7,
  CasMismatch: 8,
  ResultMismatch: 9,
  InternalFailure: 10,
  BrokenConnection: 11,
  Unimplemented: 12,
} as const;

export const LogLevel = { Trace: 0, Debug: 1, Info: 2, Warn: 3, Error: 4, Critical: 5 } as const;

export const BufferType = {
  HttpRequestBody: 0,
  HttpResponseBody: 1,
  DownstreamData: 2,
  UpstreamData: 3,
  HttpCallResponseBody: 4,
  GrpcReceiveBuffer: 5,
  VmConfiguration: 6,
  PluginConfiguration: 7,
  CallData: 8,
} as const;
export const MAX_BUFFER_TYPE = 8;

export const MapType = {
  HttpRequestHeaders: 0,
  HttpRequestTrailers: 1,
  HttpResponseHeaders: 2,
  HttpResponseTrailers: 3,
  GrpcReceiveInitialMetadata: 4,
  GrpcReceiveTrailingMetadata: 5,
  HttpCallResponseHeaders: 6,
  HttpCallResponseTrailers: 7,
} as const;
export const MAX_MAP_TYPE = 7;

export const StreamType = { Request: 0, Response: 1, Downstream: 2, Upstream: 3 } as const;
export const MAX_STREAM_TYPE = 3;

export const MetricType = { Counter: 0, Gauge: 1, Histogram: 2 } as const;

/** Envoy's Http::FilterHeadersStatus as the host acts on it (after proxy-wasm-cpp-host's conversion). */
export type HeadersAction = "Continue" | "StopIteration" | "StopAllIterationAndBuffer" | "StopAllIterationAndWatermark";
/** Envoy's Http::FilterDataStatus. */
export type DataAction = "Continue" | "StopIterationAndBuffer" | "StopIterationAndWatermark" | "StopIterationNoBuffer";
/** Envoy's Http::FilterTrailersStatus. */
export type TrailersAction = "Continue" | "StopIteration";

/** WASI errno values used by the host functions (wasi_snapshot_preview1). */
export const Errno = {
  Success: 0,
  Badf: 8,
  Notdir: 20,
  Fault: 21,
  Inval: 28,
  Noent: 44,
  Nosys: 52,
  Notsup: 58,
} as const;

/** proxy-wasm-cpp-host limits.h */
export const Limits = {
  randomGetMaxBytes: 64 * 1024,
  pairsMaxBytes: 1024 * 1024,
  pairsMaxCount: 1024,
  maxMemoryBytes: 1024 * 1024 * 1024,
} as const;
