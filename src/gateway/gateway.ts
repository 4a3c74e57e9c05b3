// The local MCP gateway: an HTTP/1.1 server that runs every request through build/mcp-guard.wasm in the
// Envoy-like host — one VM (like one Envoy worker), one filter context per HTTP stream — and forwards what the
// filter lets through to the MCP server. See README "How the gateway differs from a sidecar".
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { ProxyWasmHost, type HostOptions, type HttpCallRequest, type HttpCallResponse, type LogEntry } from "../host/index.ts";
import { ForwardedStream, type StreamOutcome } from "./forward.ts";
import { identityProperties, type LocalIdentity } from "./identity.ts";
import { Upstream } from "./upstream.ts";
import { prometheusText } from "./metrics.ts";

export interface GatewayOptions extends LocalIdentity {
  /** Path the filter's metrics are served on in Prometheus text format; "" turns it off. Default "/metrics". */
  metricsPath?: string;
  /** The filter module (build/mcp-guard.wasm). */
  module: Uint8Array;
  /** The WasmPlugin's pluginConfig as a JSON string. */
  pluginConfig: string;
  /** The MCP server, e.g. "http://127.0.0.1:3000/mcp" (request paths are forwarded unchanged). */
  upstream: string | URL;
  /** Listen address; default 127.0.0.1. */
  listenHost?: string;
  /** Listen port; default 0 (any free port). */
  port?: number;
  rootId?: string;
  failStrategy?: "FAIL_CLOSE" | "FAIL_OPEN";
  /** Envoy ≥ 1.35 PluginConfig.allow_on_headers_stop_iteration (needed by hold mode); default false, as Istio. */
  allowOnHeadersStopIteration?: boolean;
  /** Envoy log level for the module (0 trace … 5 critical); default 2 (info). */
  logLevel?: number;
  onLog?: (entry: LogEntry) => void;
  /** Clusters the module may reach with proxy_http_call: name → base URL. */
  clusters?: Record<string, string>;
  /** vmConfig.env for the module (WASI environment). */
  env?: Record<string, string>;
  /** Envoy's per_connection_buffer_limit_bytes: the most a stream may buffer; default 1 MiB, as in Envoy. */
  bufferLimitBytes?: number;
  /** Called when a stream ends, with how it ended. */
  onStreamEnd?: (outcome: StreamOutcome) => void;
}

/** The module refused the configuration (on_configure returned false) or could not start. */
export class GatewayConfigError extends Error {
  constructor(readonly logs: LogEntry[]) {
    super(`the module rejected the configuration: ${logs.filter((l) => l.level >= 3).map((l) => l.message).join("; ") || "no message"}`);
    this.name = "GatewayConfigError";
  }
}

export interface Gateway {
  /** The gateway's origin, e.g. "http://127.0.0.1:41234". */
  readonly origin: string;
  /** Where MCP clients connect: the origin plus the upstream's path. */
  readonly url: string;
  readonly port: number;
  readonly host: ProxyWasmHost;
  /** Streams in flight. */
  readonly activeStreams: number;
  close(): Promise<void>;
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const upstream = new Upstream(options.upstream);
  // A gateway runs for hours: log entries go to onLog only; the start-up ones are kept to explain a refusal.
  let startup: LogEntry[] | undefined = [];
  const hostOptions: HostOptions = {
    module: options.module,
    pluginConfig: options.pluginConfig,
    properties: identityProperties(options),
    failStrategy: options.failStrategy ?? "FAIL_CLOSE",
    logLevel: options.logLevel ?? 2,
    keepLogs: false,
    onLog: (entry) => {
      startup?.push(entry);
      options.onLog?.(entry);
    },
  };
  if (options.rootId !== undefined) hostOptions.rootId = options.rootId;
  if (options.allowOnHeadersStopIteration) hostOptions.allowOnHeadersStopIteration = true;
  if (options.env) hostOptions.env = options.env;
  if (options.bufferLimitBytes !== undefined) hostOptions.bufferLimitBytes = options.bufferLimitBytes;
  if (options.clusters) {
    hostOptions.clusters = Object.keys(options.clusters);
    hostOptions.httpCall = clusterCaller(options.clusters);
  }
  const host = await ProxyWasmHost.start(hostOptions);
  const startupLogs = startup;
  startup = undefined;
  if (!host.configured) {
    upstream.close();
    throw new GatewayConfigError(startupLogs);
  }

  let active = 0;
  const sockets = new Set<Socket>();
  const metricsPath = options.metricsPath ?? "/metrics";
  const server = http.createServer({ requestTimeout: 0 }, (req, res) => {
    // The gateway's own endpoint, answered locally (a sidecar serves stats on its admin port, not the app's).
    if (metricsPath !== "" && req.method === "GET" && req.url === metricsPath) {
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(prometheusText(host.metrics()));
      return;
    }
    active++;
    const socket = req.socket;
    const forwarded = new ForwardedStream(
      {
        host,
        upstream,
        scheme: "http",
        properties: {
          "source\0address": `${socket.remoteAddress ?? ""}:${socket.remotePort ?? 0}`,
          "destination\0address": `${socket.localAddress ?? ""}:${socket.localPort ?? 0}`,
        },
        onEnd: (outcome) => {
          active--;
          options.onStreamEnd?.(outcome);
        },
      },
      req,
      res,
    );
    forwarded.start();
  });
  server.on("connection", (socket: Socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.listenHost ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const ticker = startTicker(host);
  const address = server.address() as AddressInfo;
  const hostPart = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const origin = `http://${hostPart}:${address.port}`;
  const path = upstream.path === "/" ? "" : upstream.path;

  return {
    origin,
    url: origin + path,
    port: address.port,
    host,
    get activeStreams() {
      return active;
    },
    async close() {
      clearInterval(ticker);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
      // Let the streams the closed sockets ended run their proxy_on_log / done / delete before the root goes.
      for (let waited = 0; active > 0 && waited < 1000; waited += 10) await new Promise((r) => setTimeout(r, 10));
      upstream.close();
      host.shutdown();
    },
  };
}

/** proxy_on_tick at the period the module asked for (re-read after every tick). */
function startTicker(host: ProxyWasmHost): ReturnType<typeof setInterval> {
  let last = Date.now();
  const timer = setInterval(() => {
    const period = host.tickPeriodMilliseconds;
    if (period > 0 && Date.now() - last >= period) {
      last = Date.now();
      host.tick();
    }
  }, 50);
  timer.unref();
  return timer;
}

/** proxy_http_call over real HTTP: the cluster name picks a base URL, the call's :path is resolved against it. */
function clusterCaller(clusters: Record<string, string>): (req: HttpCallRequest) => Promise<HttpCallResponse | "reset"> {
  return async (call) => {
    const base = clusters[call.cluster];
    if (base === undefined) return "reset";
    const pseudo = new Map(call.headers.filter(([k]) => k.startsWith(":")));
    const headers = call.headers.filter(([k]) => !k.startsWith(":") && k !== "content-length");
    try {
      const method = pseudo.get(":method") ?? "GET";
      const response = await fetch(new URL(pseudo.get(":path") ?? "/", base), {
        method,
        headers,
        ...(call.body.length > 0 && method !== "GET" && method !== "HEAD" ? { body: Buffer.from(call.body) } : {}),
      });
      const body = new Uint8Array(await response.arrayBuffer());
      return { headers: [[":status", String(response.status)], ...[...response.headers.entries()]], body };
    } catch {
      return "reset";
    }
  };
}
