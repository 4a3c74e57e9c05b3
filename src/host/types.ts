// Public types of the host (see /docs/host.md).
import type { SharedState } from "./shared.ts";

/** Header name/value pairs; names lower-case, pseudo-headers (":method", ":path", ":status"...) included. */
export type HeaderList = Array<[string, string]>;

export type PropertyValue = Uint8Array | string | bigint;

export interface HostOptions {
  module: WebAssembly.Module | Uint8Array;
  /** Value of property plugin_root_id; default "mcp-guard". */
  rootId?: string;
  /** plugin_vm_id; default "". */
  vmId?: string;
  /** plugin_name (Istio: "<namespace>.<WasmPlugin name>"); default: the root id. */
  pluginName?: string;
  /** PLUGIN_CONFIGURATION buffer (Istio: pluginConfig as a JSON string). */
  pluginConfig?: string | Uint8Array;
  /** VM_CONFIGURATION buffer. */
  vmConfig?: string | Uint8Array;
  /** WASI environ (Istio vmConfig.env). */
  env?: Record<string, string>;
  /** Default FAIL_CLOSE. */
  failStrategy?: "FAIL_CLOSE" | "FAIL_OPEN";
  /** Envoy PluginConfig.allow_on_headers_stop_iteration; default false (stock Istio). */
  allowOnHeadersStopIteration?: boolean;
  /** per_connection_buffer_limit_bytes; default 1 MiB; 0 = unlimited. */
  bufferLimitBytes?: number;
  /** Key = path segments joined by "\0"; strings are UTF-8; bigint is 8-byte little endian. */
  properties?: Record<string, PropertyValue>;
  /** proxy_get_log_level answer and the level below which log entries are dropped; default Info (2). */
  logLevel?: number;
  onLog?: (entry: LogEntry) => void;
  /** false: do not keep entries in `logs` (a long-running proxy passes them to onLog only); default true. */
  keepLogs?: boolean;
  /** Real-time clock, ns since the epoch (proxy_get_current_time_nanoseconds, WASI clock 0). */
  clock?: () => bigint;
  /** Monotonic clock in ns (WASI clock 1); default process.hrtime. */
  monotonicClock?: () => bigint;
  /** Performs proxy_http_call. Without it every cluster is unknown (BAD_ARGUMENT, as in Envoy). */
  httpCall?: (req: HttpCallRequest) => Promise<HttpCallResponse | "timeout" | "reset">;
  /** Cluster names proxy_http_call accepts; default: any name when httpCall is set. */
  clusters?: string[];
  /** Shared data and queues; pass the same object to several hosts to model several worker VMs. */
  shared?: SharedState;
}

export interface LogEntry {
  level: number;
  message: string;
  contextId: number;
  /** "module" for proxy_log / fd_write, "host" for what the host itself reports (traps, load errors). */
  source: "module" | "host";
}

export interface HttpCallRequest {
  cluster: string;
  headers: HeaderList;
  body: Uint8Array;
  trailers: HeaderList;
  timeoutMs: number;
  token: number;
}

export interface HttpCallResponse {
  headers: HeaderList;
  body?: Uint8Array | string;
  trailers?: HeaderList;
}

export interface StreamEvent {
  seq: number;
  kind: string;
  detail?: unknown;
}

export interface UpstreamRecord {
  headers?: HeaderList;
  body: Uint8Array;
  trailers?: HeaderList;
  endOfStream: boolean;
  /** The request to the upstream was reset (e.g. by a local reply after it had started). */
  reset: boolean;
}

export interface DownstreamRecord {
  headers?: HeaderList;
  body: Uint8Array;
  trailers?: HeaderList;
  endOfStream: boolean;
  /** The client's stream was reset (no complete response). */
  reset: boolean;
}

export interface LocalReply {
  status: number;
  details: string;
  body: Uint8Array;
  /** Additional headers requested by the module (or none for host-generated replies). */
  headers: HeaderList;
  /** gRPC status requested; -1 when none. */
  grpcStatus: number;
  /** "module" (proxy_send_local_response) or "host" (buffer limit, wasm_fail_stream). */
  source: "module" | "host";
}

export interface MetricValue {
  type: number;
  /** Counter / gauge value; for histograms the number of recorded samples. */
  value: bigint;
  /** Recorded histogram samples (empty for counters and gauges). */
  samples: bigint[];
}
