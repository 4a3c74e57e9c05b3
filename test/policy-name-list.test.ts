// The exact-name table behind every allowlist (assembly/policy/name_list.ts), through the real module: names are
// stored and looked up by their UTF-8 bytes, short ones inline in the slot, long ones beside it, so these tests
// aim at the edges of that layout — crowded tables, the 16-byte inline limit, non-ASCII text, escapes in the
// configuration or the request, duplicates — and assert what a client sees: forwarded or "Unknown tool".
import { describe, expect, it } from "vitest";
import { post, postHeaders, startGuard, toolCall } from "./helpers/guard.ts";
import { exchange, type ProxyWasmHost } from "../src/host/index.ts";

async function allowed(host: ProxyWasmHost, name: string, body = toolCall(1, name)): Promise<boolean> {
  const result = await post(host, body);
  if (result.upstreamCalled) return true;
  expect(result.json).toEqual({ jsonrpc: "2.0", id: 1, error: { code: -32602, message: `Unknown tool: ${name}` } });
  return false;
}

function configuredEntries(host: ProxyWasmHost): string | undefined {
  return host.logs.map((l) => l.message).find((m) => m.includes("tool allowlist entries"));
}

describe("exact allowlist names", () => {
  it("finds every name of a 10,000-name list and nothing next to them", async () => {
    const names = Array.from({ length: 10_000 }, (_, i) => `tool_${i}`);
    const host = await startGuard({ tool_allowlist: names });
    expect(configuredEntries(host)).toContain("10000 tool allowlist entries");
    // Names spread over the whole table (so over its crowded probe runs), then near misses of each.
    for (let i = 0; i < 10_000; i += 97) expect(await allowed(host, `tool_${i}`)).toBe(true);
    for (const name of ["tool_10000", "tool_", "tool", "Tool_1", "tool_01", "tool_1 ", "tool_99999", ""]) {
      expect(await allowed(host, name)).toBe(false);
    }
  });

  it("compares names longer than a slot holds inline over their whole length", async () => {
    const sixteen = "get_pull_request"; // exactly the inline limit
    const long = "get_pull_request_comments_for_review"; // kept beside the table
    const host = await startGuard({ tool_allowlist: [sixteen, long, "list_code_scanning_alerts"] });
    expect(await allowed(host, sixteen)).toBe(true);
    expect(await allowed(host, long)).toBe(true);
    expect(await allowed(host, "list_code_scanning_alerts")).toBe(true);
    // Same first 16 bytes, different or missing tail; one byte more or less than the inline limit.
    for (const name of ["get_pull_request_comments_for_reviex", "get_pull_request_comments", "get_pull_request_", "get_pull_reques"]) {
      expect(await allowed(host, name)).toBe(false);
    }
  });

  it("matches non-ASCII names by their UTF-8 bytes, however either side spells them", async () => {
    const names = ["café", "日本語のツール", "deploy_🚀", "naïve_but_longer_than_sixteen_bytes"];
    const host = await startGuard({ tool_allowlist: names });
    for (const name of names) expect(await allowed(host, name)).toBe(true);
    // The request escapes the name: decoded, then looked up by its text.
    expect(await allowed(host, "café", '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"caf\\u00e9"}}')).toBe(true);
    expect(await allowed(host, "deploy_🚀", '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"deploy_\\ud83d\\ude80"}}')).toBe(true);
    // Composed and decomposed forms are different names; so is a different case.
    expect(await allowed(host, "cafe\u0301")).toBe(false);
    expect(await allowed(host, "CAFÉ")).toBe(false);
  });

  it("takes escaped names in the configuration as their text", async () => {
    const config = '{"tool_allowlist": ["caf\\u00e9", "search\\u005fcode", "get\\/file"]}';
    const host = await startGuard(config);
    for (const name of ["café", "search_code", "get/file"]) expect(await allowed(host, name)).toBe(true);
    expect(await allowed(host, "search\\u005fcode")).toBe(false);
  });

  it("counts a name listed twice once and still allows it", async () => {
    const host = await startGuard({ tool_allowlist: ["search_code", "get_file", "search_code", "get_*", "get_file"] });
    expect(configuredEntries(host)).toContain("3 tool allowlist entries");
    expect(await allowed(host, "search_code")).toBe(true);
    expect(await allowed(host, "get_file")).toBe(true);
    expect(await allowed(host, "get_anything")).toBe(true);
    expect(await allowed(host, "search_codes")).toBe(false);
  });

  it("filters a tools/list with the same table (names looked up as text)", async () => {
    const names = Array.from({ length: 1000 }, (_, i) => `tool_${i}`);
    const host = await startGuard({ tool_allowlist: [...names, "naïve_but_longer_than_sixteen_bytes"] });
    const tools = ["tool_5", "tool_999", "tool_1000", "naïve_but_longer_than_sixteen_bytes", "naïve"].map((name) => ({ name, inputSchema: { type: "object" } }));
    const request = '{"jsonrpc":"2.0","id":1,"method":"tools/list"}';
    const result = await exchange(host, { headers: postHeaders([], request), body: request }, () => ({
      headers: [[":status", "200"], ["content-type", "application/json"]],
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, result: { tools } }),
    }));
    expect((JSON.parse(result.body) as { result: { tools: Array<{ name: string }> } }).result.tools.map((t) => t.name)).toEqual(["tool_5", "tool_999", "naïve_but_longer_than_sixteen_bytes"]);
  });
});
