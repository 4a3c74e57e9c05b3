// Per-identity rules: the first rule whose conditions hold for the verified caller decides both what it may
// call and what lists it is shown; no match falls back to the workload's defaults; the audit names the rule.
import { describe, expect, it } from "vitest";
import { ProxyWasmHost, exchange, type HeaderList } from "../src/host/index.ts";
import { serializePairs } from "../src/host/header-map.ts";
import { echoUpstream, guardModule, postHeaders, toolCall } from "./helpers/guard.ts";

const claim = (name: string) => `metadata\0filter_metadata\0envoy.filters.http.jwt_authn\0payload\0${name}`;
const PEER = "connection\0uri_san_peer_certificate";
/** A list claim as Envoy serializes a CEL list: a pairs map whose keys are the elements. */
const listClaim = (values: string[]) => serializePairs(values.map((v) => [v, ""] as [string, string]));

const CONFIG = {
  tool_allowlist: ["search_code"],
  rules: [
    { name: "network-engineers", match: { claims: { groups: ["network-engineers"] } }, tool_allowlist: ["get_*", "update_firewall"] },
    { name: "ci", match: { principals: ["spiffe://cluster.local/ns/ci/sa/*"] }, tool_allowlist: ["search_code", "get_pull_request"] },
    { name: "alice", match: { users: ["alice"] }, tool_allowlist: ["delete_repo"] },
  ],
};

async function as(properties: Record<string, string | Uint8Array>) {
  const host = await ProxyWasmHost.start({ module: guardModule(), pluginConfig: JSON.stringify(CONFIG), properties });
  const allowed = async (tool: string) => {
    const body = toolCall(1, tool);
    return (await exchange(host, { headers: postHeaders([], body), body }, echoUpstream)).upstreamCalled;
  };
  const listed = async () => {
    const req = '{"jsonrpc":"2.0","id":1,"method":"tools/list"}';
    const tools = ["search_code", "get_pull_request", "update_firewall", "delete_repo"].map((name) => ({ name }));
    const result = await exchange(host, { headers: postHeaders([], req), body: req }, () => ({
      headers: [[":status", "200"], ["content-type", "application/json"]] as HeaderList,
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, result: { tools } }),
    }));
    return (JSON.parse(result.body) as { result: { tools: Array<{ name: string }> } }).result.tools.map((t) => t.name);
  };
  const rule = () => {
    const line = host.logs.filter((l) => l.message.startsWith("mcp_guard_audit ")).pop()!.message;
    return (JSON.parse(line.slice("mcp_guard_audit ".length)) as { rule: string }).rule;
  };
  return { host, allowed, listed, rule };
}

describe("per-identity rules", () => {
  it("match a group in a list claim: the rule's allowlist decides calls and lists", async () => {
    const caller = await as({ [claim("sub")]: "bob", [claim("groups")]: listClaim(["developers", "network-engineers"]) });
    expect(await caller.allowed("update_firewall")).toBe(true);
    expect(caller.rule()).toBe("network-engineers");
    expect(await caller.allowed("search_code")).toBe(false);
    expect(await caller.listed()).toEqual(["get_pull_request", "update_firewall"]);
  });

  it("match the caller's SPIFFE principal with a glob", async () => {
    const ci = await as({ [PEER]: "spiffe://cluster.local/ns/ci/sa/builder" });
    expect(await ci.allowed("get_pull_request")).toBe(true);
    expect(ci.rule()).toBe("ci");
    expect(await ci.listed()).toEqual(["search_code", "get_pull_request"]);
  });

  it("fall back to the workload's defaults when no rule matches", async () => {
    const other = await as({ [claim("sub")]: "carol", [claim("groups")]: listClaim(["sales"]) });
    expect(await other.allowed("search_code")).toBe(true);
    expect(other.rule()).toBe("default");
    expect(await other.allowed("update_firewall")).toBe(false);
    expect(await other.listed()).toEqual(["search_code"]);
  });

  it("take the first matching rule", async () => {
    const both = await as({ [claim("sub")]: "alice", [claim("groups")]: listClaim(["network-engineers"]) });
    expect(await both.allowed("update_firewall")).toBe(true);
    expect(both.rule()).toBe("network-engineers");
    expect(await both.allowed("delete_repo")).toBe(false);
    const aliceOnly = await as({ [claim("sub")]: "alice" });
    expect(await aliceOnly.allowed("delete_repo")).toBe(true);
    expect(aliceOnly.rule()).toBe("alice");
  });

  it("match a string claim too", async () => {
    const host = await ProxyWasmHost.start({ module: guardModule(), pluginConfig: JSON.stringify({ tool_allowlist: [], rules: [{ name: "admins", match: { claims: { role: "admin" } }, tool_allowlist: ["*"] }] }), properties: { [claim("role")]: "admin" } });
    const body = toolCall(1, "anything");
    expect((await exchange(host, { headers: postHeaders([], body), body }, echoUpstream)).upstreamCalled).toBe(true);
  });

  it.each([
    [{ rules: [{ name: "x", tool_allowlist: [] }] }, /field "rules\[0\]\.match": required/],
    [{ rules: [{ name: "x", match: {} }] }, /field "rules\[0\]\.match": expected an object with at least one of principals, users, claims/],
    [{ rules: [{ name: "x", match: { users: ["a"] } }, { name: "x", match: { users: ["b"] } }] }, /field "rules\[1\]\.name": "x" is used twice/],
    [{ rules: [{ name: "x", match: { groups: ["a"] } }] }, /unknown field "rules\[0\]\.match\.groups": expected one of principals, users, claims/],
    [{ rules: [{ match: { users: ["a"] } }] }, /field "rules\[0\]\.name": expected a non-empty name/],
  ])("reject %j", async (config, pattern) => {
    const host = await ProxyWasmHost.start({ module: guardModule(), pluginConfig: JSON.stringify(config) });
    expect(host.configured).toBe(false);
    expect(host.logs.find((l) => l.source === "module" && l.level >= 4)?.message).toMatch(pattern);
  });
});
