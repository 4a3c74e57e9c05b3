// The filter's labelled metrics after a scripted session through the real module in the Envoy-like host: the
// exact Envoy stat names (labels embedded as Istio reads them) and values, hostile tool names kept out of the
// labels, and a bounded number of definitions whatever the traffic.
import { describe, expect, it } from "vitest";
import { ProxyWasmHost, exchange, type HttpCallResponse } from "../src/host/index.ts";
import { echoUpstream, guardModule, post, postHeaders, toolCall } from "./helpers/guard.ts";

const CONFIG = {
  tool_allowlist: ["search_code", "get_pull_request", "delete_repo", "get_*"],
  approval: { mode: "deny", approval_url: "https://approve.example/approve" },
  rules: [{ name: "ci", match: { users: ["ci-*"] }, tool_allowlist: ["run_pipeline"] }],
};

// Every clock read advances 250 µs, so each body decision (two reads) takes exactly 250 µs.
function steppingClock(): () => bigint {
  let now = 1_700_000_000_000_000_000n;
  return () => (now += 250_000n);
}

async function start(config: object = CONFIG): Promise<ProxyWasmHost> {
  return ProxyWasmHost.start({ module: guardModule(), pluginConfig: JSON.stringify(config), clock: steppingClock() });
}

function counters(host: ProxyWasmHost): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, metric] of host.metrics()) if (metric.type === 0 && metric.value > 0n) out[name] = Number(metric.value);
  return out;
}

async function listTools(host: ProxyWasmHost, tools: string[]): Promise<void> {
  const request = JSON.stringify({ jsonrpc: "2.0", id: 9, method: "tools/list" });
  await exchange(host, { headers: postHeaders([], request), body: request }, () => ({
    headers: [[":status", "200"], ["content-type", "application/json"]],
    body: JSON.stringify({ jsonrpc: "2.0", id: 9, result: { tools: tools.map((name) => ({ name, inputSchema: { type: "object" } })) } }),
  }));
}

describe("metrics after a scripted session", () => {
  it("counts each decision once under its labels, with tool labels only for allowlisted names", async () => {
    const host = await start();
    await post(host, JSON.stringify({ jsonrpc: "2.0", id: 0, method: "initialize", params: {} }));
    await post(host, toolCall(1, "search_code", { query: "TODO" }));
    await post(host, toolCall(2, "search_code", { query: "FIXME" }));
    await post(host, toolCall(3, "system_exec", { cmd: "id" }));
    await post(host, toolCall(4, "x;.;decision=.=allow", {}));
    await post(host, toolCall(5, "get_issue", {})); // allowed by the glob: counted as other
    await post(host, toolCall(6, "delete_repo", { repo: "acme/widgets" })); // destructive: approval required
    await post(host, "{broken");
    await post(host, '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"search_code","name":"system_exec"}}');
    await listTools(host, ["search_code", "system_exec", "delete_repo", "rm_rf"]);

    expect(counters(host)).toEqual({
      "method_class=.=lifecycle;.;decision=.=allow;.;mcp_guard_requests_total": 1,
      "method_class=.=tools;.;decision=.=allow;.;mcp_guard_requests_total": 4,
      "method_class=.=tools;.;decision=.=deny;.;mcp_guard_requests_total": 3,
      "method_class=.=none;.;decision=.=deny;.;mcp_guard_requests_total": 2,
      "tool=.=search_code;.;decision=.=allow;.;mcp_guard_tool_calls_total": 2,
      "tool=.=other;.;decision=.=allow;.;mcp_guard_tool_calls_total": 1,
      "tool=.=other;.;decision=.=deny;.;mcp_guard_tool_calls_total": 2,
      "tool=.=delete_repo;.;decision=.=deny;.;mcp_guard_tool_calls_total": 1,
      "kind=.=parse_error;.;mcp_guard_request_errors_total": 1,
      "kind=.=duplicate_key;.;mcp_guard_request_errors_total": 1,
      "outcome=.=required;.;mcp_guard_approvals_total": 1,
      "list=.=tools;.;mcp_guard_list_entries_removed_total": 2,
    });
    // The hostile name never became part of a stat name.
    expect([...host.metrics().keys()].filter((name) => name.includes("x;"))).toEqual([]);
    const timing = host.metric("mcp_guard_decision_duration_microseconds");
    expect(timing?.type).toBe(2);
    expect(timing?.samples).toEqual(Array(10).fill(250n));
  });

  it("counts approval outcomes: webhook answers and approval tokens", async () => {
    // The approval service answers in turn: approved, 403, too late, unreachable.
    const answers: Array<HttpCallResponse | "timeout" | "reset"> = [
      { headers: [[":status", "200"]], body: new TextEncoder().encode('{"approved":true}') },
      { headers: [[":status", "403"]], body: new Uint8Array() },
      "timeout",
      "reset",
    ];
    const webhook = await ProxyWasmHost.start({
      module: guardModule(),
      pluginConfig: JSON.stringify({ tool_allowlist: ["delete_repo"], approval: { mode: "webhook", webhook: { cluster: "approver" } } }),
      httpCall: async () => answers.shift()!,
    });
    for (let i = 0; i < 4; i++) {
      const body = toolCall(i, "delete_repo", { repo: "acme/widgets" });
      await exchange(webhook, { headers: postHeaders([], body), body }, echoUpstream);
    }
    expect(counters(webhook)).toEqual({
      "outcome=.=webhook_approved;.;mcp_guard_approvals_total": 1,
      "outcome=.=webhook_denied;.;mcp_guard_approvals_total": 1,
      "outcome=.=webhook_timeout;.;mcp_guard_approvals_total": 1,
      "outcome=.=webhook_unavailable;.;mcp_guard_approvals_total": 1,
      "method_class=.=tools;.;decision=.=allow;.;mcp_guard_requests_total": 1,
      "method_class=.=tools;.;decision=.=deny;.;mcp_guard_requests_total": 3,
      "tool=.=delete_repo;.;decision=.=allow;.;mcp_guard_tool_calls_total": 1,
      "tool=.=delete_repo;.;decision=.=deny;.;mcp_guard_tool_calls_total": 3,
    });

    const token = await ProxyWasmHost.start({
      module: guardModule(),
      pluginConfig: JSON.stringify({ tool_allowlist: ["delete_repo"], approval: { mode: "token", approval_url: "https://approve.example/a" } }),
      env: { MCP_GUARD_APPROVAL_KEY: "k".repeat(32) },
    });
    await post(token, toolCall(1, "delete_repo"), { headers: [["x-mcp-approval", "v1.not-a-token"]] });
    await post(token, toolCall(2, "delete_repo"));
    expect(counters(token)).toMatchObject({
      "outcome=.=token_malformed;.;mcp_guard_approvals_total": 1,
      "outcome=.=required;.;mcp_guard_approvals_total": 1,
    });
  });

  it("counts audit-mode refusals as would_deny", async () => {
    const host = await start({ ...CONFIG, mode: "audit" });
    await post(host, toolCall(1, "system_exec"));
    await post(host, "[1,");
    expect(counters(host)).toEqual({
      "method_class=.=tools;.;decision=.=would_deny;.;mcp_guard_requests_total": 1,
      "tool=.=other;.;decision=.=would_deny;.;mcp_guard_tool_calls_total": 1,
      "method_class=.=none;.;decision=.=would_deny;.;mcp_guard_requests_total": 1,
      "kind=.=parse_error;.;mcp_guard_request_errors_total": 1,
    });
  });

  // A batch is one request of class batch; each of its tools/call elements counts under its own tool label,
  // with the batch's outcome (one refused element refuses the whole batch, so none of them reached the server).
  const batch = (...calls: string[]) => `[${calls.join(",")}]`;
  const hostileBatch = batch(
    JSON.stringify({ jsonrpc: "2.0", id: 0, method: "ping" }),
    toolCall(1, "search_code", { query: "TODO" }),
    toolCall(2, "system_exec", { cmd: "id" }),
    toolCall(3, "x;.;decision=.=allow", {}),
  );

  it("counts every tool call of a batch under its own tool, with the batch's outcome", async () => {
    const host = await start();
    expect((await post(host, hostileBatch)).upstreamCalled).toBe(false);
    const allowed = batch(toolCall(4, "search_code"), toolCall(5, "get_pull_request"), toolCall(6, "get_issue"), toolCall(7, "search_code"));
    expect((await post(host, allowed)).upstreamCalled).toBe(true);
    // A destructive call in a batch is refused for approval (deny mode): still a batch, each call counted.
    expect((await post(host, batch(toolCall(8, "search_code"), toolCall(9, "delete_repo")))).upstreamCalled).toBe(false);
    // A batch the protocol version forbids is refused before its elements are read: no tool calls counted.
    await post(host, allowed, { headers: [["mcp-protocol-version", "2025-06-18"]] });

    expect(counters(host)).toEqual({
      "method_class=.=batch;.;decision=.=deny;.;mcp_guard_requests_total": 2,
      "method_class=.=batch;.;decision=.=allow;.;mcp_guard_requests_total": 1,
      "method_class=.=none;.;decision=.=deny;.;mcp_guard_requests_total": 1,
      "tool=.=search_code;.;decision=.=deny;.;mcp_guard_tool_calls_total": 2,
      "tool=.=other;.;decision=.=deny;.;mcp_guard_tool_calls_total": 2,
      "tool=.=delete_repo;.;decision=.=deny;.;mcp_guard_tool_calls_total": 1,
      "tool=.=search_code;.;decision=.=allow;.;mcp_guard_tool_calls_total": 2,
      "tool=.=get_pull_request;.;decision=.=allow;.;mcp_guard_tool_calls_total": 1,
      "tool=.=other;.;decision=.=allow;.;mcp_guard_tool_calls_total": 1,
      "outcome=.=batch;.;mcp_guard_approvals_total": 1,
      "kind=.=batch_not_allowed;.;mcp_guard_request_errors_total": 1,
    });
    expect([...host.metrics().keys()].filter((name) => name.includes("x;"))).toEqual([]);
  });

  it("counts the tool calls of a batch refused in audit mode as would_deny", async () => {
    const host = await start({ ...CONFIG, mode: "audit" });
    expect((await post(host, hostileBatch)).upstreamCalled).toBe(true);
    expect(counters(host)).toEqual({
      "method_class=.=batch;.;decision=.=would_deny;.;mcp_guard_requests_total": 1,
      "tool=.=search_code;.;decision=.=would_deny;.;mcp_guard_tool_calls_total": 1,
      "tool=.=other;.;decision=.=would_deny;.;mcp_guard_tool_calls_total": 2,
    });
  });

  it("labels tools of every rule's allowlist, with characters outside [A-Za-z0-9_-] replaced", async () => {
    const host = await start({ tool_allowlist: ["acme.search;v=2"], rules: [{ name: "ci", match: { users: ["ci-*"] }, tool_allowlist: ["run_pipeline"] }] });
    await post(host, toolCall(1, "acme.search;v=2"));
    await post(host, toolCall(2, "run_pipeline")); // on the ci rule's list only: refused for this caller
    expect(counters(host)).toMatchObject({
      "tool=.=acme_search_v_2;.;decision=.=allow;.;mcp_guard_tool_calls_total": 1,
      "tool=.=run_pipeline;.;decision=.=deny;.;mcp_guard_tool_calls_total": 1,
    });
  });

  it("defines a bounded number of metrics however many distinct tool names are called", async () => {
    const host = await start();
    await post(host, toolCall(0, "unknown_0"));
    const defined = host.metrics().size;
    for (let i = 1; i <= 10_000; i++) await post(host, toolCall(i, `unknown_${i};.;tool=.=x${i}`));
    expect(host.metrics().size).toBe(defined);
    expect(host.metric("tool=.=other;.;decision=.=deny;.;mcp_guard_tool_calls_total")?.value).toBe(10_001n);
    // Hostile names inside batches fare no differently.
    for (let i = 0; i < 200; i++) {
      await post(host, `[${Array.from({ length: 50 }, (_, k) => toolCall(k, `batched_${i}_${k};.;tool=.=y${k}`)).join(",")}]`);
    }
    expect(host.metrics().size).toBe(defined + 1); // the one new series: method_class="batch", decision="deny"
    expect(host.metric("tool=.=other;.;decision=.=deny;.;mcp_guard_tool_calls_total")?.value).toBe(20_001n);
  }, 180_000);
});
