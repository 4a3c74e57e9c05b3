// mcp-guard serve --upstream URL --config POLICY: the local gateway, until Ctrl-C.
import type { Command } from "commander";
import { GatewayConfigError, startGateway, type Gateway } from "../../gateway/index.ts";
import type { LogEntry } from "../../host/index.ts";
import { EXIT, UsageError, type ExitCode } from "../exit.ts";
import { addIdentityOptions, identityFrom, parsePort, type IdentityFlags } from "../options.ts";
import { requireValidPolicy } from "./policy-gate.ts";

interface ServeFlags extends IdentityFlags {
  upstream: string;
  config: string;
  port: number;
  host: string;
  module?: string;
  failOpen?: boolean;
  logLevel: string;
  cluster?: string[];
  bufferLimit?: number;
  allowOnHeadersStopIteration?: boolean;
  json?: boolean;
}

const LEVELS = ["trace", "debug", "info", "warn", "error", "critical"];

export function registerServe(program: Command, run: (action: () => Promise<ExitCode>) => Promise<void>): void {
  const command = program
    .command("serve")
    .summary("run the gateway: the module in front of an MCP server, like a sidecar")
    .description(
      "Listens for MCP clients (HTTP/1.1, Streamable HTTP and legacy HTTP+SSE), runs every request through the\n" +
        "module in the Envoy-like host — one VM, one filter context per HTTP stream — and forwards what it lets\n" +
        "through to the upstream MCP server, streaming responses as the filter releases them. Request paths are\n" +
        "forwarded unchanged; the upstream URL's path is the endpoint clients use. Decisions are logged as JSON\n" +
        "lines. Runs until interrupted (exit 0); exit 1 when the policy is invalid, 3 when it cannot listen.",
    )
    .requiredOption("-u, --upstream <url>", "the MCP server, e.g. http://127.0.0.1:3000/mcp")
    .requiredOption("-c, --config <policy>", "policy file (YAML or JSON)")
    .option("-p, --port <port>", "port to listen on (0: any free port)", parsePort, 8080)
    .option("--host <address>", "address to listen on", "127.0.0.1")
    .option("--cluster <name=url>", "a cluster the module may reach with proxy_http_call, repeatable", (v: string, prev: string[] = []) => [...prev, v])
    .option("--buffer-limit <bytes>", "Envoy's per_connection_buffer_limit_bytes: the most a stream may buffer (default 1048576)", parseBytes)
    .option("--allow-on-headers-stop-iteration", "Envoy ≥ 1.35's allow_on_headers_stop_iteration, which hold mode (hold_request_headers) needs; without it held requests stall, as in stock Istio")
    .option("--fail-open", "failStrategy FAIL_OPEN: requests pass unfiltered if the VM fails (default FAIL_CLOSE: 503)")
    .option("--log-level <level>", `module log level: ${LEVELS.join(", ")}`, "info")
    .option("--json", "print JSON lines (a 'listening' event, then the module's log entries)")
    .option("--module <path>", "filter module (default: build/mcp-guard.wasm)");
  addIdentityOptions(command)
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  npx mcp-guard serve --upstream http://127.0.0.1:3000/mcp --config examples/policy.yaml --port 8080\n" +
        "  npx mcp-guard serve -u http://127.0.0.1:3000/mcp -c examples/policy.yaml --principal spiffe://cluster.local/ns/agents/sa/planner --jwt-claims '{\"sub\":\"alice\"}'",
    )
    .action((flags: ServeFlags) => run(() => serve(flags)));
}

async function serve(flags: ServeFlags): Promise<ExitCode> {
  const logLevel = LEVELS.indexOf(flags.logLevel);
  if (logLevel < 0) throw new UsageError(`--log-level must be one of ${LEVELS.join(", ")}, got ${JSON.stringify(flags.logLevel)}`);
  const identity = identityFrom(flags);
  const clusters = parseClusters(flags.cluster ?? []);
  try {
    new URL(flags.upstream);
  } catch {
    throw new UsageError(`--upstream must be a URL such as http://127.0.0.1:3000/mcp, got ${JSON.stringify(flags.upstream)}`);
  }
  const { policy, report, module } = await requireValidPolicy(flags.config, flags.module);
  const print = (entry: LogEntry) => {
    if (flags.json) console.log(entry.message.startsWith('{"event":') ? entry.message : JSON.stringify({ event: "module_log", level: LEVELS[entry.level], message: entry.message }));
    else console.log(`[${LEVELS[entry.level]}] ${entry.message}`);
  };
  let gateway: Gateway;
  try {
    gateway = await startGateway({
      module,
      pluginConfig: policy.json,
      upstream: flags.upstream,
      port: flags.port,
      listenHost: flags.host,
      logLevel,
      onLog: print,
      failStrategy: flags.failOpen ? "FAIL_OPEN" : "FAIL_CLOSE",
      ...(flags.bufferLimit !== undefined ? { bufferLimitBytes: flags.bufferLimit } : {}),
      ...(flags.allowOnHeadersStopIteration ? { allowOnHeadersStopIteration: true } : {}),
      ...identity,
      ...(Object.keys(clusters).length > 0 ? { clusters } : {}),
    });
  } catch (error) {
    if (error instanceof GatewayConfigError) {
      console.error(`mcp-guard: ${error.message}`);
      return EXIT.REFUSED;
    }
    throw error;
  }
  if (flags.json) {
    console.log(JSON.stringify({ event: "listening", url: gateway.url, origin: gateway.origin, upstream: flags.upstream, config: flags.config, pluginConfig: JSON.parse(policy.json || "{}") }));
  } else {
    console.log(`mcp-guard gateway: ${gateway.url} → ${flags.upstream}`);
    console.log(`policy ${flags.config}: ${report.summary ?? "accepted"}`);
    for (const warning of report.warnings) console.log(`warning: ${warning}`);
    console.log("decisions are logged below, one JSON line each; Ctrl-C stops");
  }
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await gateway.close();
  return EXIT.OK;
}

function parseBytes(value: string): number {
  const bytes = Number(value);
  if (!Number.isInteger(bytes) || bytes < 1) throw new UsageError(`--buffer-limit must be a positive number of bytes, got ${JSON.stringify(value)}`);
  return bytes;
}

function parseClusters(values: readonly string[]): Record<string, string> {
  const clusters: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf("=");
    const name = value.slice(0, eq);
    const url = value.slice(eq + 1);
    if (eq <= 0 || !URL.canParse(url)) throw new UsageError(`--cluster must look like name=http://host:port, got ${JSON.stringify(value)}`);
    clusters[name] = url;
  }
  return clusters;
}
