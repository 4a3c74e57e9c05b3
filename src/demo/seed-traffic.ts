// `npm start` (until the local gateway lands): loads build/mcp-guard.wasm into the Envoy-like host with the
// seed's WasmPlugin configuration and sends it the traffic an agent (and an attacker) would, printing what the
// filter decided for each request and what the MCP server received.
import { readFileSync } from "node:fs";
import { ProxyWasmHost, exchange, type HeaderList } from "../host/index.ts";

const SEED_PLUGIN_CONFIG = { tool_allowlist: ["search_code", "get_pull_request"] };

interface Example {
  title: string;
  body: string;
  headers?: HeaderList;
}

const rpc = (id: number, method: string, params?: object) => JSON.stringify({ jsonrpc: "2.0", id, method, ...(params ? { params } : {}) });

const EXAMPLES: Example[] = [
  { title: "initialize", body: rpc(1, "initialize", { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "demo-agent", version: "1.0" } }) },
  { title: "notifications/initialized", body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }) },
  { title: "tools/list", body: rpc(2, "tools/list", {}) },
  { title: "call an allowed tool: search_code", body: rpc(3, "tools/call", { name: "search_code", arguments: { query: "TODO" } }) },
  { title: "call an allowed tool: get_pull_request", body: rpc(4, "tools/call", { name: "get_pull_request", arguments: { number: 42 } }) },
  { title: "call a smuggled tool: system_exec", body: rpc(5, "tools/call", { name: "system_exec", arguments: { cmd: "cat /etc/shadow" } }) },
  { title: "destructive tool outside the allowlist: delete_repo", body: rpc(6, "tools/call", { name: "delete_repo", arguments: { repo: "prod" } }) },
  { title: "duplicate-key bypass attempt", body: '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"search_code","name":"system_exec"}}' },
  { title: "escaped-name bypass attempt", body: '{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"system\\u005fexec"}}' },
  { title: "unknown method", body: rpc(9, "admin/shutdown") },
  { title: "batch hiding a forbidden call (2025-03-26)", body: `[${rpc(10, "tools/call", { name: "search_code" })},${rpc(11, "tools/call", { name: "system_exec" })}]`, headers: [["mcp-protocol-version", "2025-03-26"]] },
  { title: "batch under 2025-06-18 (batches removed)", body: `[${rpc(12, "ping")}]`, headers: [["mcp-protocol-version", "2025-06-18"]] },
  { title: "not JSON", body: "{'jsonrpc': '2.0'}" },
];

function demoServer(req: { headers: HeaderList; body: Uint8Array }) {
  const text = Buffer.from(req.body).toString("utf8");
  let id: unknown = null;
  try {
    id = (JSON.parse(text) as { id?: unknown }).id ?? null;
  } catch {
    // the demo server answers anything it gets
  }
  return {
    headers: [[":status", "200"], ["content-type", "application/json"]] as HeaderList,
    body: JSON.stringify({ jsonrpc: "2.0", id, result: { content: [{ type: "text", text: "handled by the MCP server" }] } }),
  };
}

async function main(): Promise<void> {
  const wasm = readFileSync(new URL("../../build/mcp-guard.wasm", import.meta.url));
  const host = await ProxyWasmHost.start({ module: wasm, pluginConfig: JSON.stringify(SEED_PLUGIN_CONFIG) });
  console.log(`mcp-guard ${wasm.byteLength} bytes, root id "mcp-guard", configured: ${host.configured}`);
  console.log(`pluginConfig: ${JSON.stringify(SEED_PLUGIN_CONFIG)}\n`);
  if (!host.configured) {
    for (const entry of host.logs) console.log(entry.message);
    process.exitCode = 1;
    return;
  }
  for (const example of EXAMPLES) {
    const headers: HeaderList = [[":method", "POST"], [":path", "/mcp"], [":authority", "github-mcp-server"], ["content-type", "application/json"], ...(example.headers ?? [])];
    const result = await exchange(host, { headers, body: example.body }, demoServer);
    const verdict = result.upstreamCalled ? "ALLOW" : "DENY ";
    console.log(`${verdict} ${example.title}`);
    console.log(`      request : ${example.body.length > 140 ? example.body.slice(0, 137) + "..." : example.body}`);
    console.log(`      server  : ${result.upstreamCalled ? "received the request" : "never saw the body"}`);
    console.log(`      client  : HTTP ${result.status} ${result.body}\n`);
  }
  const denied = host.metric("mcp_guard_denied_total")?.value ?? 0n;
  const allowed = host.metric("mcp_guard_allowed_total")?.value ?? 0n;
  console.log(`metrics: mcp_guard_allowed_total=${allowed} mcp_guard_denied_total=${denied}`);
}

await main();
