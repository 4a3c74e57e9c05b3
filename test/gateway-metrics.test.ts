// The gateway serves the filter's metrics on /metrics in Prometheus text format: labels read back from the
// stat names as Istio's tag extraction reads them, one HELP/TYPE per family, the decision time as a histogram
// with Envoy's default buckets. The values follow a scripted session of allowed calls, refusals, a hostile
// tool name, a parse error, a filtered list and an approval.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Gateway } from "../src/gateway/index.ts";
import { ENVOY_DEFAULT_BUCKETS, escapeLabelValue, prometheusText, splitTags } from "../src/gateway/metrics.ts";
import { JSON_HEADERS, gatewayFor, rpc, send, startUpstream, type Upstream } from "./gateway-harness.ts";

let upstream: Upstream;
let gateway: Gateway;

const POLICY = {
  tool_allowlist: ["search_code", "get_pull_request", "delete_repo"],
  approval: { mode: "deny", approval_url: "https://approve.example/approve" },
};

beforeAll(async () => {
  upstream = await startUpstream((req, res, recorded) => {
    // A refused request reaches the upstream as headers and then a reset (stock Istio): nothing to answer.
    if (!recorded.complete) return;
    const message = JSON.parse(String(recorded.body)) as { id: number; method: string };
    res.setHeader("content-type", "application/json");
    const result = message.method === "tools/list" ? { tools: [{ name: "search_code" }, { name: "system_exec" }, { name: "delete_repo" }] } : { content: [] };
    res.end(JSON.stringify({ jsonrpc: "2.0", id: message.id, result }));
  });
  gateway = await gatewayFor(upstream.url, POLICY);
});

afterAll(async () => {
  await gateway.close();
  await upstream.close();
});

describe("gateway /metrics", () => {
  it("reports what the filter counted, with labels, in Prometheus text format", async () => {
    const post = (body: string) => send(gateway.origin, { method: "POST", path: "/mcp", headers: JSON_HEADERS, body });
    await post(rpc(1, "tools/call", { name: "search_code" }));
    await post(rpc(2, "tools/call", { name: "system_exec" }));
    await post(rpc(3, "tools/call", { name: 'x;.;decision=.=allow"\n' }));
    await post(rpc(4, "tools/call", { name: "delete_repo", arguments: { repo: "acme/widgets" } }));
    await post(rpc(5, "tools/list", {}));
    await post("{broken");
    const response = await send(gateway.origin, { method: "GET", path: "/metrics" });
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = String(response.body);
    const lines = text.split("\n");
    const counterLines = lines.filter((l) => /^mcp_guard_\w+_total[{ ]/.test(l));
    expect(counterLines).toEqual([
      'mcp_guard_approvals_total{outcome="required"} 1',
      'mcp_guard_list_entries_removed_total{list="tools"} 1',
      'mcp_guard_request_errors_total{kind="parse_error"} 1',
      'mcp_guard_requests_total{method_class="none",decision="deny"} 1',
      'mcp_guard_requests_total{method_class="tools",decision="allow"} 2',
      'mcp_guard_requests_total{method_class="tools",decision="deny"} 3',
      "mcp_guard_responses_withheld_total 0",
      "mcp_guard_server_methods_refused_total 0",
      'mcp_guard_tool_calls_total{tool="delete_repo",decision="deny"} 1',
      'mcp_guard_tool_calls_total{tool="other",decision="deny"} 2',
      'mcp_guard_tool_calls_total{tool="search_code",decision="allow"} 1',
      "mcp_guard_tool_pin_mismatches_total 0",
    ]);
    // One HELP and one TYPE line per family, before its series.
    for (const family of ["mcp_guard_requests_total", "mcp_guard_tool_calls_total", "mcp_guard_decision_duration_microseconds"]) {
      expect(lines.filter((l) => l.startsWith(`# TYPE ${family} `))).toHaveLength(1);
      expect(lines.filter((l) => l.startsWith(`# HELP ${family} `))).toHaveLength(1);
      expect(lines.findIndex((l) => l.startsWith(`# TYPE ${family} `))).toBeLessThan(lines.findIndex((l) => l.startsWith(family)));
    }
    expect(lines).toContain("# TYPE mcp_guard_requests_total counter");
    expect(lines).toContain("# TYPE mcp_guard_decision_duration_microseconds histogram");
    // Six body decisions; the buckets are Envoy's defaults, cumulative, ending with +Inf = count.
    const buckets = lines.filter((l) => l.startsWith("mcp_guard_decision_duration_microseconds_bucket"));
    expect(buckets.map((l) => /le="([^"]+)"/.exec(l)![1])).toEqual([...ENVOY_DEFAULT_BUCKETS.map(String), "+Inf"]);
    const counts = buckets.map((l) => Number(l.split(" ")[1]));
    expect(counts.every((c, i) => i === 0 || c >= counts[i - 1]!)).toBe(true);
    expect(counts.at(-1)).toBe(6);
    expect(lines).toContain("mcp_guard_decision_duration_microseconds_count 6");
    expect(lines.some((l) => /^mcp_guard_decision_duration_microseconds_sum \d+$/.test(l))).toBe(true);
    // The upstream never saw /metrics: the gateway answered it.
    expect(upstream.requests.some((r) => r.url === "/metrics")).toBe(false);
  });
});

describe("Prometheus text from stat names", () => {
  it("reads tags the way Istio's extraStatTags regex does and escapes label values", () => {
    expect(splitTags("tool=.=a-b;.;decision=.=deny;.;mcp_guard_tool_calls_total")).toEqual({
      name: "mcp_guard_tool_calls_total", labels: [["tool", "a-b"], ["decision", "deny"]],
    });
    expect(splitTags("plain_total")).toEqual({ name: "plain_total", labels: [] });
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    const text = prometheusText(new Map([
      ["k=.=x\"y;.;some.metric", { type: 1, value: 4n, samples: [] }],
      ["h", { type: 2, value: 2n, samples: [3n, 700n] }],
    ]));
    expect(text).toContain('some_metric{k="x\\"y"} 4\n');
    expect(text).toContain('h_bucket{le="1"} 0\nh_bucket{le="5"} 1\n');
    expect(text).toContain('h_bucket{le="500"} 1\nh_bucket{le="1000"} 2\n');
    expect(text).toContain('h_bucket{le="+Inf"} 2\nh_sum 703\nh_count 2\n');
  });
});
