// Public API of our proxy-wasm ABI 0.2.1 SDK (see docs/abi.md). The exported ABI callbacks live in
// ./exports and are re-exported by the module's entry file, not from here; the raw host imports in ./imports
// are for this layer only.
export {
  LogLevel, WasmResult, FilterHeadersStatus, FilterDataStatus, FilterTrailersStatus, FilterStatus, BufferType,
  MapType, StreamType, MetricType, PeerType, INVALID_ID,
} from "./enums";
export { RootContext, HttpContext, RootContextFactory } from "./context";
export {
  DEFAULT_ROOT_ID, registerRootContext, registeredRootIds, getRootContext, getHttpContext,
} from "./registry";
export { HeaderPair, encodeHeaderMap, decodeHeaderMap } from "./header_map";
export {
  getHeaderMapPairs, tryGetHeaderMapPairs, setHeaderMapPairs, getHeaderMapValue, getHeaderMapValueBytes,
  addHeaderMapValue, replaceHeaderMapValue, removeHeaderMapValue, getHeaderMapSize,
} from "./headers";
export { getBufferBytes, setBufferBytes, getBufferSize } from "./buffers";
export {
  getProperty, getPropertyString, getPropertyInt, getPropertyBool, setProperty, encodePropertyPath,
} from "./properties";
export {
  log, logTrace, logDebug, logInfo, logWarn, logError, logCritical, getLogLevel, logEnabled,
} from "./log";
export { sendLocalResponse, continueStream, closeStream } from "./stream";
export { HttpCallResult, httpCall, CallStatus, getStatus } from "./http_call";
export { defineMetric, incrementMetric, recordMetric, getMetric } from "./metrics";
export {
  SharedData, getSharedData, setSharedData, registerSharedQueue, resolveSharedQueue, enqueueSharedQueue,
  dequeueSharedQueue,
} from "./shared";
export {
  getCurrentTimeNanoseconds, setTickPeriodMilliseconds, setEffectiveContext, done, callForeignFunction,
} from "./host";
export { setMaxHostAllocation } from "./memory";
export { utf8Encode, utf8Decode, utf8DecodeBuffer } from "./utf8";

export { getEnvironmentVariable } from "./environment";
