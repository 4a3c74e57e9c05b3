// A proxy-wasm ABI 0.2.1 host for Node that behaves like Envoy + proxy-wasm-cpp-host (see docs/host.md).
export { ProxyWasmHost } from "./host.ts";
export { HttpStream, type StreamFrame, type StreamOptions } from "./stream.ts";
export { exchange, type ExchangeRequest, type ExchangeResult, type UpstreamAnswer, type UpstreamHandler } from "./exchange.ts";
export { WasmLoadError } from "./errors.ts";
export { SharedState } from "./shared.ts";
export { BufferType, LogLevel, MapType, MetricType, StreamType, WasmResult } from "./abi.ts";
export { DEFAULT_BUFFER_LIMIT, DEFAULT_ROOT_ID } from "./runtime.ts";
export type {
  DownstreamRecord,
  HeaderList,
  HostOptions,
  HttpCallRequest,
  HttpCallResponse,
  LocalReply,
  LogEntry,
  MetricValue,
  PropertyValue,
  StreamEvent,
  UpstreamRecord,
} from "./types.ts";
