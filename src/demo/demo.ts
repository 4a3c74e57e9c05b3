// The `npm start` demo: the demo MCP server (official SDK) with the gateway in front of it on loopback, running
// build/mcp-guard.wasm under the seed's example policy, and the commands a newcomer runs to see a call allowed
// and a call refused. Tests run exactly the commands printed here.
import { fileURLToPath } from "node:url";
import { startGateway, loadModule, type Gateway } from "../gateway/index.ts";
import type { LogEntry } from "../host/index.ts";
import { checkPolicy, formatProblem, loadPolicyFile, type PolicyReport } from "../cli/policy/index.ts";
import { startDemoMcpServer, type DemoServer } from "./mcp-server.ts";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const DEMO_POLICY = "examples/policy.yaml";

export interface DemoCommand {
  title: string;
  command: string;
  /** What the command shows: the call allowed or refused. */
  expect: "allowed" | "refused";
}

export interface Demo {
  server: DemoServer;
  gateway: Gateway;
  report: PolicyReport;
  commands: DemoCommand[];
  close(): Promise<void>;
}

export interface DemoOptions {
  /** Gateway port; 0 picks a free one. */
  port: number;
  /** Module log entries (decision lines) as they happen. */
  onLog?: (entry: LogEntry) => void;
}

export async function startDemo(options: DemoOptions): Promise<Demo> {
  const module = loadModule();
  const policy = loadPolicyFile(`${REPO_ROOT}${DEMO_POLICY}`);
  const report = await checkPolicy(policy, module);
  if (!report.valid) throw new Error(report.problems.map((p) => formatProblem(DEMO_POLICY, p)).join("\n"));
  const server = await startDemoMcpServer();
  let gateway: Gateway;
  try {
    gateway = await startGateway({ module, pluginConfig: policy.json, upstream: server.url, port: options.port, logLevel: 1, ...(options.onLog ? { onLog: options.onLog } : {}) });
  } catch (error) {
    await server.close();
    throw error;
  }
  return {
    server,
    gateway,
    report,
    commands: demoCommands(gateway.url),
    async close() {
      await gateway.close();
      await server.close();
    },
  };
}

export function demoCommands(url: string): DemoCommand[] {
  const refusedBody = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "delete_repo", arguments: { repo: "acme/widgets" } } });
  return [
    {
      title: "allowed: search_code is on the allowlist, the server answers",
      command: `npx mcp-guard call --url ${url} search_code '{"query":"TODO"}'`,
      expect: "allowed",
    },
    {
      title: "refused: system_exec is not; the filter answers -32602 Unknown tool and the server never sees the call",
      command: `npx mcp-guard call --url ${url} system_exec '{"cmd":"id"}'`,
      expect: "refused",
    },
    {
      title: "the refusal on the wire (no session needed: the filter answers before the server)",
      command: `curl -s ${url} -H 'content-type: application/json' -H 'accept: application/json, text/event-stream' -d '${refusedBody}'`,
      expect: "refused",
    },
  ];
}

/** What `npm start` prints once the demo runs. */
export function banner(demo: Demo): string {
  const lines = [
    "mcp-guard demo",
    `  MCP endpoint (through the filter): ${demo.gateway.url}`,
    `  legacy HTTP+SSE endpoint:          ${demo.gateway.origin}/sse`,
    `  demo MCP server (behind it):       ${demo.server.url}  tools: search_code, get_pull_request, delete_repo, update_issue, execute_command, system_exec`,
    `  policy ${DEMO_POLICY}: ${demo.report.summary ?? "accepted"}`,
    `  pluginConfig: ${demo.report.pluginConfig}`,
    "",
    "Try it (in another terminal, in this directory):",
  ];
  for (const c of demo.commands) lines.push("", `  # ${c.title}`, `  ${c.command}`);
  lines.push(
    "",
    "  # the seed's traffic, decision by decision, without a server",
    `  npx mcp-guard eval --config ${DEMO_POLICY} examples/seed-traffic.jsonl`,
    "",
    "Decisions are logged below as they happen (one JSON line each). Ctrl-C stops.",
    "",
  );
  return lines.join("\n");
}
