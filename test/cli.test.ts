// The real mcp-guard CLI, as a user runs it: `node bin/mcp-guard.js` (the bin shim that `npx mcp-guard` runs),
// one child process per command, checking output and exit codes (0 ok, 1 refusal/invalid, 2 usage, 3 failure).
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { startDemoMcpServer, type DemoServer } from "../src/demo/mcp-server.ts";
import type { Gateway } from "../src/gateway/index.ts";
import { gatewayFor, rpc } from "./gateway-harness.ts";
import { runCli, spawnCli } from "./helpers/cli.ts";

const scratch = mkdtempSync(join(tmpdir(), "mcp-guard-cli-"));
function file(name: string, text: string): string {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
}

describe("mcp-guard --help", () => {
  it("every command has help, and help exits 0", { timeout: 40_000 }, async () => {
    const runs = await Promise.all([[], ["serve"], ["eval"], ["check"], ["render"], ["call"]].map((cmd) => runCli([...cmd, "--help"])));
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(runs[0]!.stdout).toMatch(/serve[\s\S]*eval[\s\S]*check[\s\S]*render[\s\S]*call/);
    expect(runs[0]!.stdout).toContain("Exit codes: 0 ok; 1 policy refusal or validation failure; 2 usage error");
    expect(runs[1]!.stdout).toContain("Usage: mcp-guard serve [options]");
    expect(runs[1]!.stdout).toContain("--upstream <url>");
    expect(runs[2]!.stdout).toContain("Usage: mcp-guard eval [options] [file]");
    expect(runs[3]!.stdout).toContain("Usage: mcp-guard check [options] <policy>");
    expect(runs[4]!.stdout).toContain("--image <ref>");
    expect(runs[5]!.stdout).toContain("Usage: mcp-guard call [options] <tool> [arguments]");
    for (const r of runs.slice(1)) expect(r.stdout).toContain("--json");
  });

  it("usage errors exit 2: unknown command, missing argument, unknown flag", { timeout: 30_000 }, async () => {
    const [unknown, missing, flag] = await Promise.all([runCli(["chek", "x"]), runCli(["check"]), runCli(["eval", "--config", "examples/policy.yaml", "--nope"])]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'chek'");
    expect(unknown.stderr).toContain("Did you mean check?");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing required argument 'policy'");
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("unknown option '--nope'");
  });
});

describe("mcp-guard check", () => {
  it("accepts the example policies (bare pluginConfig and a whole WasmPlugin)", { timeout: 30_000 }, async () => {
    const [bare, plugin, audit] = await Promise.all([runCli(["check", "examples/policy.yaml"]), runCli(["check", "examples/wasmplugin.yaml"]), runCli(["check", "examples/audit.yaml"])]);
    expect(bare).toMatchObject({ code: 0 });
    expect(bare.stdout).toContain("examples/policy.yaml: valid (JSON Schema and module on_configure)");
    expect(bare.stdout).toContain('configured root "mcp-guard": mode enforce, 2 tool allowlist entries');
    expect(plugin.code).toBe(0);
    expect(audit.code).toBe(0);
    expect(audit.stdout).toContain("mode audit");
  });

  it("rejects a broken policy with exit 1, naming the line, the field and the fix", async () => {
    const r = await runCli(["check", "examples/broken/typo.yaml"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('examples/broken/typo.yaml:3:1: error: tool_alowlist: unknown field "tool_alowlist" [JSON Schema]');
    expect(r.stdout).toContain('    fix: did you mean "tool_allowlist"?');
    expect(r.stdout).toContain("examples/broken/typo.yaml:3:1: error: tool_alowlist: unknown field"); // and the module agrees
    expect(r.stdout).toContain("[module on_configure]");
    expect(r.stdout).toContain("examples/broken/typo.yaml:5:1: error: deny_status: 401 is not allowed [JSON Schema]");
    expect(r.stdout).toContain("    fix: use one of 200, 403");
    expect(r.stdout).toContain('examples/broken/typo.yaml:7:3: error: limits.max_body_bytes: expected an integer, got string "1MB" [JSON Schema]');
    expect(r.stdout).toContain("examples/broken/typo.yaml: invalid (4 problems)");
  });

  it("--json reports problems with line, column, field, message, fix and source", async () => {
    const r = await runCli(["check", "--json", "examples/broken/typo.yaml"]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { valid: boolean; problems: Array<Record<string, unknown>> };
    expect(report.valid).toBe(false);
    expect(report.problems).toContainEqual({ source: "schema", field: "deny_status", message: "401 is not allowed", fix: "use one of 200, 403", line: 5, column: 1 });
    expect(report.problems.filter((p) => p.source === "module")).toHaveLength(1);
  });

  it("reports YAML errors at their line (a duplicate key names the field) and a WasmPlugin's fields inside spec.pluginConfig", { timeout: 30_000 }, async () => {
    const duplicate = file("dup.yaml", "mode: enforce\ntool_allowlist: [a]\ntool_allowlist: [b]\n");
    const plugin = file("plugin.yaml", "apiVersion: extensions.istio.io/v1alpha1\nkind: WasmPlugin\nmetadata: {name: x}\nspec:\n  pluginConfig:\n    tool_allowlist: [search_code, 7]\n");
    const [dup, wasm, missing] = await Promise.all([runCli(["check", duplicate]), runCli(["check", plugin]), runCli(["check", join(scratch, "absent.yaml")])]);
    expect(dup.code).toBe(1);
    expect(dup.stdout).toContain(`${duplicate}:3:1: error: tool_allowlist: Map keys must be unique [yaml]`);
    expect(wasm.code).toBe(1);
    expect(wasm.stdout).toContain(`${plugin}:6:35: error: tool_allowlist[1]: expected a string, got number 7 [JSON Schema]`);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("cannot read the policy file");
  });
});

describe("mcp-guard eval", () => {
  it("prints each decision of the seed walkthrough and exits 1 because some were refused", async () => {
    const r = await runCli(["eval", "--config", "examples/policy.yaml", "examples/seed-traffic.jsonl"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("line 6: ALLOW tools/call search_code");
    expect(r.stdout).toContain("line 9: DENY tools/call system_exec — tool_not_allowed");
    expect(r.stdout).toContain('    reply:   HTTP 200 {"jsonrpc":"2.0","id":5,"error":{"code":-32602,"message":"Unknown tool: system_exec"}}');
    expect(r.stdout).toContain("duplicate_key");
    expect(r.stdout).toContain("12 messages: 5 allowed, 7 refused");
  });

  it("--json gives the decision, reason and exact reply per message; stdin works; all allowed exits 0", { timeout: 30_000 }, async () => {
    const input = `${rpc(1, "tools/call", { name: "get_pull_request", arguments: { number: 1 } })}\n${rpc(2, "tools/call", { name: "delete_repo" })}\n`;
    const [mixed, allowed] = await Promise.all([
      runCli(["eval", "--json", "-c", "examples/policy.yaml", "-"], { input: input }),
      runCli(["eval", "-c", "examples/policy.yaml"], { input: rpc(3, "tools/call", { name: "search_code" }) }),
    ]);
    expect(mixed.code).toBe(1);
    const { results } = JSON.parse(mixed.stdout) as { results: Array<Record<string, unknown>> };
    expect(results[0]).toMatchObject({ line: 1, decision: "allow", forwarded: true, method: "tools/call", tool: "get_pull_request" });
    expect(results[1]).toMatchObject({
      line: 2,
      decision: "deny",
      forwarded: false,
      reason: "tool_not_allowed",
      reply: { status: 200, body: '{"jsonrpc":"2.0","id":2,"error":{"code":-32602,"message":"Unknown tool: delete_repo"}}' },
    });
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain("1 message: 1 allowed, 0 refused");
  });

  it("applies request headers (--protocol-version) and audit mode; usage and policy errors exit 2 and 1", { timeout: 30_000 }, async () => {
    const batch = `[${rpc(1, "ping")}]`;
    const [v2025_06, audit, noFile, badPolicy] = await Promise.all([
      runCli(["eval", "-c", "examples/policy.yaml", "--protocol-version", "2025-06-18", "-"], { input: batch }),
      runCli(["eval", "--json", "-c", "examples/audit.yaml", "-"], { input: rpc(1, "tools/call", { name: "system_exec" }) }),
      runCli(["eval", "-c", "examples/policy.yaml", join(scratch, "absent.jsonl")]),
      runCli(["eval", "-c", "examples/broken/typo.yaml", "-"], { input: batch }),
    ]);
    expect(v2025_06.code).toBe(1);
    expect(v2025_06.stdout).toContain("DENY");
    expect(audit.code).toBe(0);
    expect(JSON.parse(audit.stdout).results[0]).toMatchObject({ decision: "would_deny", forwarded: true });
    expect(noFile.code).toBe(2);
    expect(badPolicy.code).toBe(1);
    expect(badPolicy.stderr).toContain("examples/broken/typo.yaml:3:1");
  });
});

describe("mcp-guard render", () => {
  it("prints a complete WasmPlugin carrying the policy", async () => {
    const digest = "a".repeat(64);
    const r = await runCli(["render", "-c", "examples/policy.yaml", "--image", "oci://registry.example/mcp-guard:0.1.0", "--sha256", `sha256:${digest}`, "-n", "tools", "--selector", "app=github-mcp"]);
    expect(r.code).toBe(0);
    const plugin = parseYaml(r.stdout) as { apiVersion: string; kind: string; metadata: object; spec: Record<string, unknown> };
    expect(plugin).toMatchObject({ apiVersion: "extensions.istio.io/v1alpha1", kind: "WasmPlugin", metadata: { name: "mcp-guard", namespace: "tools" } });
    expect(plugin.spec).toMatchObject({
      url: "oci://registry.example/mcp-guard:0.1.0",
      sha256: digest,
      pluginName: "mcp-guard",
      phase: "AUTHZ",
      failStrategy: "FAIL_CLOSE",
      selector: { matchLabels: { app: "github-mcp" } },
      pluginConfig: { mode: "enforce", tool_allowlist: ["search_code", "get_pull_request"], deny_status: 200, limits: { max_body_bytes: 1048576, max_json_depth: 64 } },
    });
  });

  it("--json, warnings on stderr, exit 2 for a bad digest and 1 for an invalid policy", { timeout: 30_000 }, async () => {
    const [json, badDigest, badPolicy] = await Promise.all([
      runCli(["render", "--json", "-c", "examples/wasmplugin.yaml", "--image", "oci://registry.example/mcp-guard:0.1.0"]),
      runCli(["render", "-c", "examples/policy.yaml", "--image", "oci://registry.example/mcp-guard:0.1.0", "--sha256", "nope"]),
      runCli(["render", "-c", "examples/broken/typo.yaml", "--image", "oci://registry.example/mcp-guard:0.1.0"]),
    ]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).spec.pluginConfig).toEqual({ tool_allowlist: ["search_code", "get_pull_request"], deny_status: 403 });
    expect(json.stderr).toContain("warning: no sha256");
    expect(badDigest.code).toBe(2);
    expect(badDigest.stderr).toContain("is not a sha256 digest");
    expect(badPolicy.code).toBe(1);
  });
});

describe("mcp-guard serve and call", () => {
  let demo: DemoServer;
  let gateway: Gateway;
  beforeAll(async () => {
    demo = await startDemoMcpServer();
    gateway = await gatewayFor(demo.url);
  });
  afterAll(async () => {
    await gateway.close();
    await demo.close();
  });

  function serve(args: string[]): { child: ChildProcess; lines: string[]; listening: Promise<{ url: string }>; exited: Promise<number> } {
    const child = spawnCli(["serve", ...args]);
    const lines: string[] = [];
    let buffer = "";
    let onListening!: (value: { url: string }) => void;
    const listening = new Promise<{ url: string }>((resolve) => (onListening = resolve));
    child.stdout!.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        lines.push(line);
        if (line.includes('"event":"listening"')) onListening(JSON.parse(line) as { url: string });
      }
    });
    const exited = new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? -1)));
    setTimeout(() => child.kill("SIGKILL"), 25_000).unref();
    return { child, lines, listening, exited };
  }

  it("serve runs the gateway: the SDK client gets allowed results and -32602 refusals, decisions are logged, SIGTERM exits 0", { timeout: 30_000 }, async () => {
    const server = serve(["--upstream", demo.url, "--config", "examples/policy.yaml", "--port", "0", "--json", "--principal", "spiffe://cluster.local/ns/a/sa/b", "--jwt-claims", '{"sub":"alice"}']);
    const { url } = await server.listening;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const client = new Client({ name: "cli-test", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    const ok = await client.callTool({ name: "search_code", arguments: { query: "serve" } });
    expect((ok.content as Array<{ text: string }>)[0]!.text).toContain('"serve"');
    const refused = await client.callTool({ name: "system_exec", arguments: {} }).catch((e: unknown) => e);
    expect((refused as McpError).code).toBe(-32602);
    await client.close();
    await expect.poll(() => server.lines.some((l) => l.includes('"decision":"deny"') && l.includes('"tool":"system_exec"')), { timeout: 5000 }).toBe(true);
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
  });

  it("serve exits 1 on an invalid policy, 2 on a bad flag, 3 when the port is taken", { timeout: 30_000 }, async () => {
    const busy = http.createServer();
    await new Promise<void>((r) => busy.listen(0, "127.0.0.1", r));
    const port = String((busy.address() as AddressInfo).port);
    const [invalid, badFlag, taken] = await Promise.all([
      runCli(["serve", "-u", demo.url, "-c", "examples/broken/typo.yaml", "--port", "0"]),
      runCli(["serve", "-u", demo.url, "-c", "examples/policy.yaml", "--log-level", "loud"]),
      runCli(["serve", "-u", demo.url, "-c", "examples/policy.yaml", "--port", port]),
    ]);
    busy.close();
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain("examples/broken/typo.yaml:3:1");
    expect(badFlag.code).toBe(2);
    expect(taken.code).toBe(3);
    expect(taken.stderr).toContain("EADDRINUSE");
  });

  it("call: exit 0 with the result, 1 for a refusal, 3 when unreachable, 2 for bad arguments", { timeout: 30_000 }, async () => {
    const [allowed, refused, json, unreachable, badArgs] = await Promise.all([
      runCli(["call", "--url", gateway.url, "get_pull_request", '{"number":7}']),
      runCli(["call", "--url", gateway.url, "system_exec", '{"cmd":"id"}']),
      runCli(["call", "--json", "--url", gateway.url, "delete_repo", '{"repo":"x"}']),
      runCli(["call", "--url", "http://127.0.0.1:1/mcp", "search_code", "--timeout", "2000"]),
      runCli(["call", "--url", gateway.url, "search_code", "not json"]),
    ]);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain('"number":7');
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe("refused: MCP error -32602: Unknown tool: system_exec\n");
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({ tool: "delete_repo", error: { code: -32602, message: "MCP error -32602: Unknown tool: delete_repo" } });
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toContain("mcp-guard: cannot connect to http://127.0.0.1:1/mcp: ");
    expect(badArgs.code).toBe(2);
  });

  it("call sends -H headers over Streamable HTTP and the legacy SSE transport; a malformed -H is a usage error (pin too)", { timeout: 30_000 }, async () => {
    // A server tool that answers with the authorization header of the request that called it.
    const echo = await startDemoMcpServer({
      extend: (server) =>
        server.registerTool("whoami", { description: "the caller's authorization header" }, (extra) => ({
          content: [{ type: "text" as const, text: String(extra.requestInfo?.headers.authorization ?? "none") }],
        })),
    });
    try {
      const [streamable, sse, without, badHeader] = await Promise.all([
        runCli(["call", "--url", echo.url, "-H", "Authorization: Bearer abc", "whoami"]),
        runCli(["call", "--url", echo.sseUrl, "--transport", "sse", "-H", "authorization: Bearer legacy", "whoami"]),
        runCli(["call", "--url", echo.url, "whoami"]),
        runCli(["pin", "--upstream", echo.url, "-H", "no colon"]),
      ]);
      expect([streamable.stdout, sse.stdout, without.stdout]).toEqual(["Bearer abc\n", "Bearer legacy\n", "none\n"]);
      expect(badHeader.code).toBe(2);
      expect(badHeader.stderr).toContain('--header must look like "name: value", got "no colon"');
    } finally {
      await echo.close();
    }
  });
});
