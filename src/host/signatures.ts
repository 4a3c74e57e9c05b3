// What a module may import and export, with the signatures proxy-wasm-cpp-host checks (src/wasm.cc
// registerCallbacks/getFunctions, include/proxy-wasm/exports.h, src/exports.cc). Signature strings: one letter
// per value, "i" = i32, "I" = i64; params before ":" and results after it.
import type { FuncType } from "./wasm-binary.ts";

/** env.* host functions registered for ABI 0.2.x (plus the Envoy and Emscripten extras Envoy registers). */
export const ENV_IMPORTS: Record<string, string> = {
  proxy_log: "iii:i",
  proxy_get_status: "iii:i",
  proxy_set_property: "iiii:i",
  proxy_get_property: "iiii:i",
  proxy_send_local_response: "iiiiiiii:i",
  proxy_get_shared_data: "iiiii:i",
  proxy_set_shared_data: "iiiii:i",
  proxy_register_shared_queue: "iii:i",
  proxy_resolve_shared_queue: "iiiii:i",
  proxy_dequeue_shared_queue: "iii:i",
  proxy_enqueue_shared_queue: "iii:i",
  proxy_get_header_map_value: "iiiii:i",
  proxy_add_header_map_value: "iiiii:i",
  proxy_replace_header_map_value: "iiiii:i",
  proxy_remove_header_map_value: "iii:i",
  proxy_get_header_map_pairs: "iii:i",
  proxy_set_header_map_pairs: "iii:i",
  proxy_get_header_map_size: "ii:i",
  proxy_get_buffer_status: "iii:i",
  proxy_get_buffer_bytes: "iiiii:i",
  proxy_set_buffer_bytes: "iiiii:i",
  proxy_http_call: "iiiiiiiiii:i",
  proxy_grpc_call: "iiiiiiiiiiii:i",
  proxy_grpc_stream: "iiiiiiiii:i",
  proxy_grpc_close: "i:i",
  proxy_grpc_cancel: "i:i",
  proxy_grpc_send: "iiii:i",
  proxy_set_tick_period_milliseconds: "i:i",
  proxy_get_current_time_nanoseconds: "i:i",
  proxy_define_metric: "iiii:i",
  proxy_increment_metric: "iI:i",
  proxy_record_metric: "iI:i",
  proxy_get_metric: "ii:i",
  proxy_set_effective_context: "i:i",
  proxy_done: ":i",
  proxy_call_foreign_function: "iiiiii:i",
  // ABI 0.2.0 / 0.2.1 specific
  proxy_continue_stream: "i:i",
  proxy_close_stream: "i:i",
  // ABI 0.2.1 only
  proxy_get_log_level: "i:i",
  // Emscripten helpers and Envoy's own extension
  pthread_equal: "ii:i",
  emscripten_notify_memory_growth: "i:",
  envoy_resolve_dns: "iii:i",
};

/** Registered under both wasi_snapshot_preview1 and wasi_unstable. */
export const WASI_IMPORTS: Record<string, string> = {
  fd_write: "iiii:i",
  fd_read: "iiii:i",
  fd_seek: "iIii:i",
  fd_close: "i:i",
  fd_fdstat_get: "ii:i",
  fd_fdstat_set_flags: "ii:i",
  fd_fdstat_set_rights: "iII:i",
  environ_get: "ii:i",
  environ_sizes_get: "ii:i",
  args_get: "ii:i",
  args_sizes_get: "ii:i",
  clock_time_get: "iIi:i",
  clock_res_get: "ii:i",
  fd_advise: "iIIi:i",
  fd_allocate: "iII:i",
  fd_datasync: "i:i",
  fd_filestat_set_size: "iI:i",
  fd_filestat_set_times: "iIIi:i",
  fd_pread: "iiiIi:i",
  fd_pwrite: "iiiIi:i",
  fd_readdir: "iiiIi:i",
  fd_renumber: "ii:i",
  fd_sync: "i:i",
  fd_tell: "ii:i",
  path_create_directory: "iii:i",
  path_filestat_set_times: "iiiiIIi:i",
  // proxy-wasm-cpp-host declares path_link with 6 parameters (WASI has 7); a module importing the real WASI
  // signature is refused by Envoy too.
  path_link: "iiiiii:i",
  path_readlink: "iiiiii:i",
  path_remove_directory: "iii:i",
  path_rename: "iiiiii:i",
  path_symlink: "iiii:i",
  path_unlink_file: "iii:i",
  sock_accept: "iii:i",
  sock_recv: "iiiiii:i",
  sock_send: "iiiii:i",
  sock_shutdown: "ii:i",
  random_get: "ii:i",
  sched_yield: ":i",
  poll_oneoff: "iiii:i",
  proc_exit: "i:",
  path_open: "iiiiiIIii:i",
  fd_prestat_get: "ii:i",
  fd_prestat_dir_name: "iii:i",
  path_filestat_get: "iiiii:i",
  fd_filestat_get: "ii:i",
};

export const WASI_MODULES = ["wasi_snapshot_preview1", "wasi_unstable"] as const;

/** Signatures the host requires of the module's exports when present (WasmBase::getFunctions). */
export const EXPORT_SIGNATURES: Record<string, string> = {
  _initialize: ":",
  _start: ":",
  main: "ii:i",
  __main_void: ":i",
  malloc: "i:i",
  proxy_on_memory_allocate: "i:i",
  proxy_validate_configuration: "ii:i",
  proxy_on_vm_start: "ii:i",
  proxy_on_configure: "ii:i",
  proxy_on_tick: "i:",
  proxy_on_context_create: "ii:",
  proxy_on_new_connection: "i:i",
  proxy_on_downstream_data: "iii:i",
  proxy_on_upstream_data: "iii:i",
  proxy_on_downstream_connection_close: "ii:",
  proxy_on_upstream_connection_close: "ii:",
  proxy_on_request_headers: "iii:i",
  proxy_on_request_body: "iii:i",
  proxy_on_request_trailers: "ii:i",
  proxy_on_request_metadata: "ii:i",
  proxy_on_response_headers: "iii:i",
  proxy_on_response_body: "iii:i",
  proxy_on_response_trailers: "ii:i",
  proxy_on_response_metadata: "ii:i",
  proxy_on_http_call_response: "iiiii:",
  proxy_on_grpc_receive: "iii:",
  proxy_on_grpc_close: "iii:",
  proxy_on_grpc_receive_initial_metadata: "iii:",
  proxy_on_grpc_receive_trailing_metadata: "iii:",
  proxy_on_queue_ready: "ii:",
  proxy_on_foreign_function: "iii:",
  proxy_on_done: "i:i",
  proxy_on_log: "i:",
  proxy_on_delete: "i:",
};

/** Whether an exported callback returns a value (void callbacks get no "result" in the timelines). */
export function returnsValue(exportName: string): boolean {
  return !(EXPORT_SIGNATURES[exportName] ?? ":").endsWith(":");
}

/** What may be called while _initialize / _start / main run (WasmBase::startVm). */
export const ALLOWED_DURING_START: ReadonlySet<string> = new Set([
  "env.emscripten_notify_memory_growth",
  "env.proxy_log",
  ...[
    "fd_write", "args_sizes_get", "args_get", "environ_sizes_get", "environ_get", "clock_time_get", "clock_res_get",
    "random_get", "poll_oneoff", "fd_fdstat_get", "fd_fdstat_set_flags", "fd_advise", "fd_allocate", "fd_datasync",
    "fd_fdstat_set_rights", "fd_filestat_get", "fd_filestat_set_size", "fd_filestat_set_times", "fd_pread",
    "fd_prestat_dir_name", "fd_prestat_get", "fd_pwrite", "fd_readdir", "fd_renumber", "fd_sync", "fd_tell",
    "path_create_directory", "path_filestat_get", "path_filestat_set_times", "path_link", "path_readlink",
    "path_remove_directory", "path_rename", "path_symlink", "path_unlink_file", "sock_accept", "sock_recv",
    "sock_send", "sock_shutdown",
  ].flatMap((name) => [`wasi_unstable.${name}`, `wasi_snapshot_preview1.${name}`]),
]);

/** What may be called while the host runs the module's allocator (WasmBase::allocMemory). */
export const ALLOWED_DURING_ALLOC: ReadonlySet<string> = new Set([
  "env.proxy_log",
  ...["fd_write", "clock_time_get", "poll_oneoff"].flatMap((name) => [`wasi_unstable.${name}`, `wasi_snapshot_preview1.${name}`]),
]);

export function parseSignature(signature: string): FuncType {
  const [params = "", results = ""] = signature.split(":");
  const type = (c: string) => (c === "I" ? "i64" : "i32");
  return { params: [...params].map(type), results: [...results].map(type) };
}

export function sameSignature(a: FuncType, b: FuncType): boolean {
  return a.params.join() === b.params.join() && a.results.join() === b.results.join();
}

export type AbiVersion = "0_1_0" | "0_2_0" | "0_2_1";

/** Import names registered for an ABI version (get_log_level exists only from 0.2.1). */
export function envImportAvailable(name: string, abi: AbiVersion): boolean {
  if (!(name in ENV_IMPORTS)) return false;
  if (name === "proxy_get_log_level") return abi === "0_2_1";
  return true;
}
