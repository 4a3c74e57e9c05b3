// Human approval for destructive tools: every mode's allowed and refused paths through the real module, the
// MCP URL-elicitation error validated against the 2025-11-25 schema, tokens minted by src/approval/token.ts.
import { describe, expect, it } from "vitest";
import { ProxyWasmHost, exchange, type HeaderList } from "../src/host/index.ts";
import { argumentsDigest, approvalMac, mintApprovalToken } from "../src/approval/token.ts";
import { echoUpstream, guardModule, postHeaders, toolCall } from "./helpers/guard.ts";
import { schemaValidator } from "./helpers/mcp-schema.ts";

const KEY = "k".repeat(16) + "0123456789abcdef0123";
const SUB = "metadata\0filter_metadata\0envoy.filters.http.jwt_authn\0payload\0sub";
const TOOLS = ["search_code", "delete_repo", "update_issue", "execute_command", "rename_repo"];
const PREFIX = "mcp_guard_audit ";

async function guard(approval: object, options: { env?: Record<string, string>; user?: string } = {}) {
  return ProxyWasmHost.start({
    module: guardModule(),
    pluginConfig: JSON.stringify({ tool_allowlist: TOOLS, approval }),
    env: options.env ?? { MCP_GUARD_APPROVAL_KEY: KEY },
    properties: { [SUB]: options.user ?? "alice" },
  });
}

async function call(host: ProxyWasmHost, tool: string, args: object = {}, headers: HeaderList = []) {
  const body = toolCall(9, tool, args);
  const result = await exchange(host, { headers: postHeaders(headers, body), body }, echoUpstream);
  const audits = host.logs.filter((l) => l.message.startsWith(PREFIX));
  const audit = JSON.parse(audits[audits.length - 1]!.message.slice(PREFIX.length)) as Record<string, unknown>;
  return { result, json: JSON.parse(result.body) as { error?: { code: number; message: string; data: Record<string, unknown> } }, audit, upstreamHeaders: new Map(result.stream.upstream.headers ?? []) };
}

describe("destructive tools", () => {
  it("flag mode (default): allowed and marked destructive in the audit record", async () => {
    const host = await guard({});
    const { result, audit } = await call(host, "delete_repo", { repo: "x" });
    expect(result.upstreamCalled).toBe(true);
    expect(audit).toMatchObject({ decision: "allow", destructive: true, tool: "delete_repo" });
    expect((await call(host, "search_code")).audit.destructive).toBeUndefined();
  });

  it("are recognised by name pattern, or by the server's annotations (absent hint = destructive)", async () => {
    const host = await guard({ mode: "deny", approval_url: "https://approve.example/ok", destructive_patterns: ["delete*"] });
    const list = JSON.stringify({ jsonrpc: "2.0", id: 1, result: { tools: [
      { name: "search_code", annotations: { readOnlyHint: true } },
      { name: "update_issue", annotations: { destructiveHint: false } },
      { name: "rename_repo" },
    ] } });
    const req = '{"jsonrpc":"2.0","id":1,"method":"tools/list"}';
    await exchange(host, { headers: postHeaders([], req), body: req }, () => ({ headers: [[":status", "200"], ["content-type", "application/json"]] as HeaderList, body: list }));
    expect((await call(host, "search_code")).result.upstreamCalled).toBe(true);
    expect((await call(host, "update_issue")).result.upstreamCalled).toBe(true);
    expect((await call(host, "rename_repo")).result.upstreamCalled).toBe(false); // no hint: MCP default, destructive
    expect((await call(host, "delete_repo")).result.upstreamCalled).toBe(false); // pattern, whatever the hints
    expect((await call(host, "execute_command")).result.upstreamCalled).toBe(true); // not in these patterns, never listed
  });

  it("deny mode: -32042 URL elicitation for 2025-11-25 clients, a plain error with the URL before", async () => {
    const host = await guard({ mode: "deny", approval_url: "https://approve.example/mcp" });
    const modern = await call(host, "delete_repo", { repo: "x" }, [["mcp-protocol-version", "2025-11-25"]]);
    expect(modern.result.upstreamCalled).toBe(false);
    expect(modern.json.error?.code).toBe(-32042);
    const validate = schemaValidator("2025-11-25", "URLElicitationRequiredError");
    expect(validate(modern.json), JSON.stringify(validate.errors)).toBe(true);
    const elicitation = (modern.json.error!.data.elicitations as Array<{ url: string; mode: string }>)[0]!;
    expect(elicitation).toMatchObject({ mode: "url", url: "https://approve.example/mcp?tool=delete_repo" });
    expect(modern.audit).toMatchObject({ decision: "approval_required", reason: "approval_required", destructive: true });
    const old = await call(host, "delete_repo", {}, [["mcp-protocol-version", "2025-06-18"]]);
    expect(old.json.error).toMatchObject({ code: -32001, data: { approval_url: "https://approve.example/mcp?tool=delete_repo" } });
  });

  describe("token mode", () => {
    const approval = { mode: "token", approval_url: "https://approve.example/mcp" };
    const args = { repo: "acme/widgets", force: true };
    const token = (over: Partial<Parameters<typeof mintApprovalToken>[0]> = {}) =>
      mintApprovalToken({ key: KEY, user: "alice", tool: "delete_repo", arguments: args, ttlSeconds: 300, ...over });

    it("allows the call with a valid token, and the token never reaches the server", async () => {
      const host = await guard(approval);
      // Key order and spacing of the arguments do not matter: the digest is over their canonical form.
      const { result, audit, upstreamHeaders } = await call(host, "delete_repo", { force: true, repo: "acme/widgets" }, [["x-mcp-approval", token()]]);
      expect(result.upstreamCalled).toBe(true);
      expect(upstreamHeaders.has("x-mcp-approval")).toBe(false);
      expect(audit).toMatchObject({ decision: "approval_granted", reason: "approval_granted" });
    });

    it.each([
      ["missing", undefined, "approval_required"],
      ["malformed", "v1.abc", "approval_token_malformed"],
      ["forged", "tampered", "approval_token_bad_signature"],
      ["expired", "expired", "approval_token_expired"],
      ["for another user", "user", "approval_token_other_user"],
      ["for another tool", "tool", "approval_token_other_tool"],
      ["for other arguments", "args", "approval_token_other_arguments"],
    ])("refuses a %s token with its own reason", async (_label, kind, reason) => {
      const host = await guard(approval);
      let value: string | undefined;
      if (kind === "v1.abc") value = kind;
      else if (kind === "tampered") {
        const parts = token().split(".");
        parts[5] = approvalMac("another-key-of-enough-length-000000000", "alice", "delete_repo", argumentsDigest(args), parts[4]!);
        value = parts.join(".");
      } else if (kind === "expired") value = token({ now: Math.floor(Date.now() / 1000) - 1000 });
      else if (kind === "user") value = token({ user: "mallory" });
      else if (kind === "tool") value = token({ tool: "delete_everything" });
      else if (kind === "args") value = token({ arguments: { repo: "acme/other" } });
      const { result, json, audit } = await call(host, "delete_repo", args, value ? [["x-mcp-approval", value]] : []);
      expect(result.upstreamCalled).toBe(false);
      expect(json.error?.code).toBe(-32001);
      expect(json.error?.data.reason).toBe(reason);
      expect(audit).toMatchObject({ decision: reason === "approval_required" ? "approval_required" : "approval_denied", reason });
    });

    it("refuses to start without the key in the VM environment", async () => {
      const host = await guard(approval, { env: {} });
      expect(host.configured).toBe(false);
      expect(host.logs.find((l) => l.source === "module" && l.level >= 4)?.message).toMatch(/needs the approval key in the VM environment variable MCP_GUARD_APPROVAL_KEY/);
    });

    it("refuses a destructive call hidden in a batch", async () => {
      const host = await guard(approval);
      const batch = `[${toolCall(1, "search_code")},${toolCall(2, "delete_repo")}]`;
      const result = await exchange(host, { headers: postHeaders([], batch), body: batch }, echoUpstream);
      expect(result.upstreamCalled).toBe(false);
      // The refusal names the destructive call, not the batch's first one.
      const json = JSON.parse(result.body) as { error: { message: string; data: Record<string, unknown> } };
      expect(json.error.message).toMatch(/^Approval required: delete_repo is a destructive tool/);
      expect(json.error.data).toEqual({ approval_url: "https://approve.example/mcp?tool=delete_repo", reason: "approval_batch" });
      const audits = host.logs.filter((l) => l.message.startsWith(PREFIX));
      const audit = JSON.parse(audits[audits.length - 1]!.message.slice(PREFIX.length)) as Record<string, unknown>;
      expect(audit).toMatchObject({ tool: "delete_repo", batch_size: 2, batch_tools: ["search_code", "delete_repo"], reason: "approval_batch" });
    });
  });
});
