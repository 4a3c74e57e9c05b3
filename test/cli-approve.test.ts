// `mcp-guard approve` mints tokens the real module accepts for exactly the approved call.
import { describe, expect, it } from "vitest";
import { ProxyWasmHost, exchange } from "../src/host/index.ts";
import { echoUpstream, guardModule, postHeaders, toolCall } from "./helpers/guard.ts";
import { runCli } from "./helpers/cli.ts";

const KEY = "approval-key-for-tests-0123456789abcdef";
const SUB = "metadata\0filter_metadata\0envoy.filters.http.jwt_authn\0payload\0sub";

describe("mcp-guard approve", () => {
  it("mints a token the module accepts for that call and refuses for another", async () => {
    const args = { repo: "acme/widgets" };
    const run = await runCli(["approve", "--user", "alice", "--tool", "delete_repo", "--args", JSON.stringify(args), "--ttl", "120", "--json"], { env: { MCP_GUARD_APPROVAL_KEY: KEY } });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const { token, expires } = JSON.parse(run.stdout) as { token: string; expires: number };
    expect(expires - Date.now() / 1000).toBeGreaterThan(100);
    const host = await ProxyWasmHost.start({
      module: guardModule(),
      pluginConfig: JSON.stringify({ tool_allowlist: ["delete_repo"], approval: { mode: "token", approval_url: "https://approve.example/" } }),
      env: { MCP_GUARD_APPROVAL_KEY: KEY },
      properties: { [SUB]: "alice" },
    });
    const send = async (callArgs: object) => {
      const body = toolCall(1, "delete_repo", callArgs);
      return exchange(host, { headers: postHeaders([["x-mcp-approval", token]], body), body }, echoUpstream);
    };
    expect((await send(args)).upstreamCalled).toBe(true);
    const other = await send({ repo: "acme/everything" });
    expect(other.upstreamCalled).toBe(false);
    expect(JSON.parse(other.body).error.data.reason).toBe("approval_token_other_arguments");
  });

  it("refuses to mint without a key, or with bad flags (exit 2)", async () => {
    expect((await runCli(["approve", "--user", "a", "--tool", "t"], { env: { MCP_GUARD_APPROVAL_KEY: "" } })).code).toBe(2);
    expect((await runCli(["approve", "--user", "a", "--tool", "t", "--args", "{nope"], { env: { MCP_GUARD_APPROVAL_KEY: KEY } })).code).toBe(2);
    expect((await runCli(["approve", "--user", "a", "--tool", "t", "--ttl", "0"], { env: { MCP_GUARD_APPROVAL_KEY: KEY } })).code).toBe(2);
  });
});
