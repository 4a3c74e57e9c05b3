// Every host function of proxy-wasm ABI 0.2.1 (module "env"), declared once with its exact wasm signature.
// Only functions the module actually calls end up in the compiled import section, so declaring the full set
// costs nothing. Functions that exist only in other ABI versions (proxy_get_configuration,
// proxy_continue_request/response, proxy_clear_route_cache: 0.1.0) and SDK-level names that are not host
// functions (proxy_dispatch_http_call) are deliberately absent: Envoy would refuse to link them for 0.2.1.
//
// Conventions: every parameter is an i32 except the metric value of record/increment (i64). `usize` marks a
// pointer into this module's memory, `u32` a number. Every function returns a proxy_status_t (see WasmResult).
// `return_*` pointers are out-params the host writes (a u32, a u64, or a pointer the host got from
// proxy_on_memory_allocate).

// ---- Logging ----
@external("env", "proxy_log")
export declare function proxy_log(level: u32, messagePtr: usize, messageSize: usize): u32;
@external("env", "proxy_get_log_level")
export declare function proxy_get_log_level(returnLevel: usize): u32;

// ---- Clock and timer ----
@external("env", "proxy_get_current_time_nanoseconds")
export declare function proxy_get_current_time_nanoseconds(returnTime: usize): u32;
@external("env", "proxy_set_tick_period_milliseconds")
export declare function proxy_set_tick_period_milliseconds(periodMs: u32): u32;

// ---- Context lifecycle ----
@external("env", "proxy_set_effective_context")
export declare function proxy_set_effective_context(contextId: u32): u32;
@external("env", "proxy_done")
export declare function proxy_done(): u32;

// ---- Buffers ----
@external("env", "proxy_get_buffer_bytes")
export declare function proxy_get_buffer_bytes(bufferType: u32, start: u32, maxSize: u32, returnPtr: usize, returnSize: usize): u32;
@external("env", "proxy_set_buffer_bytes")
export declare function proxy_set_buffer_bytes(bufferType: u32, start: u32, size: u32, valuePtr: usize, valueSize: usize): u32;
@external("env", "proxy_get_buffer_status")
export declare function proxy_get_buffer_status(bufferType: u32, returnSize: usize, returnUnused: usize): u32;

// ---- Header maps (HTTP headers/trailers, gRPC metadata) ----
@external("env", "proxy_get_header_map_size")
export declare function proxy_get_header_map_size(mapType: u32, returnSize: usize): u32;
@external("env", "proxy_get_header_map_pairs")
export declare function proxy_get_header_map_pairs(mapType: u32, returnPtr: usize, returnSize: usize): u32;
@external("env", "proxy_set_header_map_pairs")
export declare function proxy_set_header_map_pairs(mapType: u32, pairsPtr: usize, pairsSize: usize): u32;
@external("env", "proxy_get_header_map_value")
export declare function proxy_get_header_map_value(mapType: u32, keyPtr: usize, keySize: usize, returnPtr: usize, returnSize: usize): u32;
@external("env", "proxy_add_header_map_value")
export declare function proxy_add_header_map_value(mapType: u32, keyPtr: usize, keySize: usize, valuePtr: usize, valueSize: usize): u32;
@external("env", "proxy_replace_header_map_value")
export declare function proxy_replace_header_map_value(mapType: u32, keyPtr: usize, keySize: usize, valuePtr: usize, valueSize: usize): u32;
@external("env", "proxy_remove_header_map_value")
export declare function proxy_remove_header_map_value(mapType: u32, keyPtr: usize, keySize: usize): u32;

// ---- Streams ----
@external("env", "proxy_continue_stream")
export declare function proxy_continue_stream(streamType: u32): u32;
@external("env", "proxy_close_stream")
export declare function proxy_close_stream(streamType: u32): u32;
@external("env", "proxy_get_status")
export declare function proxy_get_status(returnCode: usize, returnMessagePtr: usize, returnMessageSize: usize): u32;
@external("env", "proxy_send_local_response")
export declare function proxy_send_local_response(statusCode: u32, detailsPtr: usize, detailsSize: usize,
  bodyPtr: usize, bodySize: usize, headersPtr: usize, headersSize: usize, grpcStatus: u32): u32;

// ---- HTTP and gRPC callouts ----
@external("env", "proxy_http_call")
export declare function proxy_http_call(upstreamPtr: usize, upstreamSize: usize, headersPtr: usize, headersSize: usize,
  bodyPtr: usize, bodySize: usize, trailersPtr: usize, trailersSize: usize, timeoutMs: u32, returnToken: usize): u32;
@external("env", "proxy_grpc_call")
export declare function proxy_grpc_call(upstreamPtr: usize, upstreamSize: usize, servicePtr: usize, serviceSize: usize,
  methodPtr: usize, methodSize: usize, metadataPtr: usize, metadataSize: usize, messagePtr: usize, messageSize: usize,
  timeoutMs: u32, returnToken: usize): u32;
@external("env", "proxy_grpc_stream")
export declare function proxy_grpc_stream(upstreamPtr: usize, upstreamSize: usize, servicePtr: usize, serviceSize: usize,
  methodPtr: usize, methodSize: usize, metadataPtr: usize, metadataSize: usize, returnToken: usize): u32;
@external("env", "proxy_grpc_send")
export declare function proxy_grpc_send(token: u32, messagePtr: usize, messageSize: usize, endStream: u32): u32;
@external("env", "proxy_grpc_cancel")
export declare function proxy_grpc_cancel(token: u32): u32;
@external("env", "proxy_grpc_close")
export declare function proxy_grpc_close(token: u32): u32;

// ---- Shared key-value store and queues ----
@external("env", "proxy_get_shared_data")
export declare function proxy_get_shared_data(keyPtr: usize, keySize: usize, returnPtr: usize, returnSize: usize, returnCas: usize): u32;
@external("env", "proxy_set_shared_data")
export declare function proxy_set_shared_data(keyPtr: usize, keySize: usize, valuePtr: usize, valueSize: usize, cas: u32): u32;
@external("env", "proxy_register_shared_queue")
export declare function proxy_register_shared_queue(namePtr: usize, nameSize: usize, returnId: usize): u32;
@external("env", "proxy_resolve_shared_queue")
export declare function proxy_resolve_shared_queue(vmIdPtr: usize, vmIdSize: usize, namePtr: usize, nameSize: usize, returnId: usize): u32;
@external("env", "proxy_enqueue_shared_queue")
export declare function proxy_enqueue_shared_queue(queueId: u32, valuePtr: usize, valueSize: usize): u32;
@external("env", "proxy_dequeue_shared_queue")
export declare function proxy_dequeue_shared_queue(queueId: u32, returnPtr: usize, returnSize: usize): u32;

// ---- Metrics ----
@external("env", "proxy_define_metric")
export declare function proxy_define_metric(metricType: u32, namePtr: usize, nameSize: usize, returnId: usize): u32;
@external("env", "proxy_increment_metric")
export declare function proxy_increment_metric(metricId: u32, offset: i64): u32;
@external("env", "proxy_record_metric")
export declare function proxy_record_metric(metricId: u32, value: u64): u32;
@external("env", "proxy_get_metric")
export declare function proxy_get_metric(metricId: u32, returnValue: usize): u32;

// ---- Properties ----
@external("env", "proxy_get_property")
export declare function proxy_get_property(pathPtr: usize, pathSize: usize, returnPtr: usize, returnSize: usize): u32;
@external("env", "proxy_set_property")
export declare function proxy_set_property(pathPtr: usize, pathSize: usize, valuePtr: usize, valueSize: usize): u32;

// ---- Foreign functions ----
@external("env", "proxy_call_foreign_function")
export declare function proxy_call_foreign_function(namePtr: usize, nameSize: usize, argumentsPtr: usize, argumentsSize: usize,
  returnPtr: usize, returnSize: usize): u32;
