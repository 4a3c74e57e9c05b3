// The numeric vocabulary of proxy-wasm ABI 0.2.1. Values come from the spec (proxy-wasm/spec,
// abi-versions/v0.2.1) and, where the spec lists only some of them, from proxy-wasm-cpp-host, which is what
// Envoy links. They travel across the ABI as plain i32, so they must never be renumbered.

/** proxy_log_level_t */
export enum LogLevel { Trace = 0, Debug = 1, Info = 2, Warn = 3, Error = 4, Critical = 5 }

/** proxy_status_t: what every host function returns. */
export enum WasmResult {
  Ok = 0,
  NotFound = 1,
  BadArgument = 2,
  SerializationFailure = 3,
  ParseFailure = 4,
  BadExpression = 5,
  InvalidMemoryAccess = 6,
  Empty = 7,
  CasMismatch = 8,
  ResultMismatch = 9,
  InternalFailure = 10,
  BrokenConnection = 11,
  Unimplemented = 12,
}

/** Answer of proxy_on_request_headers / proxy_on_response_headers (Envoy's Http::FilterHeadersStatus). */
export enum FilterHeadersStatus {
  Continue = 0,
  StopIteration = 1,
  ContinueAndEndStream = 2,
  StopAllIterationAndBuffer = 3,
  StopAllIterationAndWatermark = 4,
}

/** Answer of proxy_on_request_body / proxy_on_response_body. Envoy treats values above 3 as StopIterationNoBuffer. */
export enum FilterDataStatus {
  Continue = 0,
  StopIterationAndBuffer = 1,
  StopIterationAndWatermark = 2,
  StopIterationNoBuffer = 3,
}

/** Answer of proxy_on_request_trailers / proxy_on_response_trailers. */
export enum FilterTrailersStatus { Continue = 0, StopIteration = 1 }

/** proxy_action_t: answer of the TCP (network) callbacks. */
export enum FilterStatus { Continue = 0, StopIteration = 1 }

/** proxy_buffer_type_t */
export enum BufferType {
  HttpRequestBody = 0,
  HttpResponseBody = 1,
  DownstreamData = 2,
  UpstreamData = 3,
  HttpCallResponseBody = 4,
  /** The spec calls it GRPC_CALL_MESSAGE. */
  GrpcReceiveBuffer = 5,
  VmConfiguration = 6,
  PluginConfiguration = 7,
  /** The spec calls it FOREIGN_FUNCTION_ARGUMENTS. */
  CallData = 8,
}

/** proxy_map_type_t */
export enum MapType {
  HttpRequestHeaders = 0,
  HttpRequestTrailers = 1,
  HttpResponseHeaders = 2,
  HttpResponseTrailers = 3,
  GrpcReceiveInitialMetadata = 4,
  GrpcReceiveTrailingMetadata = 5,
  HttpCallResponseHeaders = 6,
  HttpCallResponseTrailers = 7,
}

/** proxy_stream_type_t */
export enum StreamType { Request = 0, Response = 1, Downstream = 2, Upstream = 3 }

/** proxy_metric_type_t */
export enum MetricType { Counter = 0, Gauge = 1, Histogram = 2 }

/** proxy_peer_type_t: who closed a TCP connection. */
export enum PeerType { Unknown = 0, Local = 1, Remote = 2 }

/** Returned by the id-producing wrappers (defineMetric, registerSharedQueue, ...) when the host refused. */
export const INVALID_ID: u32 = 0xffffffff;
