// Plugin configuration: the seed's form works as is; anything invalid is rejected by on_configure with one
// error that names the field and what is expected.
import { describe, expect, it } from "vitest";
import { startGuard } from "./helpers/guard.ts";

const ERROR = 4;

async function rejection(config: object | string): Promise<string> {
  const host = await startGuard(config);
  expect(host.configured).toBe(false);
  const errors = host.logs.filter((l) => l.level >= ERROR && l.source === "module");
  expect(errors).toHaveLength(1);
  return errors[0]!.message;
}

describe("plugin configuration", () => {
  it("accepts the seed's form and every documented field", async () => {
    const seed = await startGuard({ tool_allowlist: ["search_code", "get_pull_request"] });
    expect(seed.configured).toBe(true);
    const full = await startGuard({
      mode: "audit",
      tool_allowlist: ["search_code", "get_*"],
      deny_status: 403,
      limits: { max_body_bytes: 65536, max_json_depth: 32, max_batch_size: 10 },
      methods: { allow: ["acme/*"], deny: ["sampling/createMessage"] },
    });
    expect(full.configured).toBe(true);
    expect(full.logs.filter((l) => l.level >= ERROR)).toHaveLength(0);
  });

  it("accepts integers written as Istio's protobuf Struct would (403.0)", async () => {
    const host = await startGuard('{"tool_allowlist":["a"],"deny_status":403.0,"limits":{"max_body_bytes":1.048576e6}}');
    expect(host.configured).toBe(true);
  });

  it("warns when no tool would be allowed", async () => {
    const host = await startGuard({});
    expect(host.configured).toBe(true);
    expect(host.logs.some((l) => l.level === 3 && l.message.includes("no tool_allowlist configured"))).toBe(true);
  });

  it.each([
    ['{"tool_allowlist": ["a"]', /not valid JSON at byte \d+/],
    ["[]", /expected a JSON object such as \{"tool_allowlist": \["search_code"\]\}, got an array/],
    [{ tool_alowlist: ["a"] }, /unknown field "tool_alowlist": expected one of mode, tool_allowlist, prompt_allowlist, resources, server_methods, deny_status, limits, methods, hold_request_headers, tool_pins, identity/],
    [{ tool_allowlist: "search_code" }, /field "tool_allowlist": expected an array of names, e\.g\. \["search_code", "get_\*"\], got a string/],
    [{ tool_allowlist: ["a", 7] }, /field "tool_allowlist\[1\]": expected a string, got a number/],
    [{ tool_allowlist: [""] }, /field "tool_allowlist\[0\]": expected a non-empty name/],
    [{ mode: "block" }, /field "mode": expected "enforce" or "audit", got "block"/],
    [{ deny_status: 404 }, /field "deny_status": expected 200 or 403, got 404/],
    [{ deny_status: "403" }, /field "deny_status": expected an integer from 100 to 599, got a string/],
    [{ limits: { max_body_bytes: 0 } }, /field "limits\.max_body_bytes": expected an integer from 1 to 67108864, got 0/],
    [{ limits: { max_body_bytes: -2147483649 } }, /field "limits\.max_body_bytes": expected an integer from 1 to 67108864, got -2147483649$/],
    [{ limits: { max_batch_size: 9007199254740991 } }, /field "limits\.max_batch_size": expected an integer from 1 to 10000, got 9007199254740991$/],
    [{ tool_allowlist: ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", 12] }, /field "tool_allowlist\[12\]": expected a string, got a number/],
    [{ limits: { max_json_depth: 1.5 } }, /field "limits\.max_json_depth": expected an integer from 2 to 1000, got a number/],
    [{ limits: { max_body: 1 } }, /unknown field "limits\.max_body": expected one of max_body_bytes, max_json_depth, max_batch_size/],
    [{ methods: { allow: "x" } }, /field "methods\.allow": expected an array of names/],
    [{ methods: { permit: [] } }, /unknown field "methods\.permit": expected one of allow, deny/],
    ['{"tool_allowlist":["a"],"tool_allowlist":["b"]}', /not valid JSON at byte 24: duplicate/],
  ])("rejects %j", async (config, pattern) => {
    const message = await rejection(config);
    expect(message).toMatch(/^mcp-guard: invalid plugin configuration: /);
    expect(message).toMatch(pattern);
  });

  it("refuses every request when configuration failed, instead of passing traffic unchecked", async () => {
    const host = await startGuard({ mode: "block" });
    const { exchange } = await import("../src/host/index.ts");
    const result = await exchange(host, { headers: [[":method", "GET"], [":path", "/mcp"]] }, () => ({ headers: [[":status", "200"]] }));
    expect(result.upstreamCalled).toBe(false);
    expect(result.status).toBeGreaterThanOrEqual(500);
  });

  it("runs under its root id and rejects an unknown one with a message naming the expected id", async () => {
    const named = await startGuard({ tool_allowlist: [] }, { rootId: "mcp-guard" });
    expect(named.configured).toBe(true);
    const other = await startGuard({ tool_allowlist: [] }, { rootId: "some-other-plugin" });
    expect(other.configured).toBe(false);
    expect(other.logs.filter((l) => l.level >= ERROR).map((l) => l.message).join("\n")).toMatch(/some-other-plugin[\s\S]*mcp-guard/);
  });
});
