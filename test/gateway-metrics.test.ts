// The gateway serves the filter's metrics on /metrics in Prometheus text format; the values follow a scripted
// session of allowed calls, refusals and a filtered list.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Gateway } from "../src/gateway/index.ts";
import { escapeLabelValue, prometheusText, splitTags } from "../src/gateway/metrics.ts";
import { JSON_HEADERS, gatewayFor, rpc, send, startUpstream, type Upstream } from "./gateway-harness.ts";

let upstream: Upstream;
let gateway: Gateway;

beforeAll(async () => {
  upstream = await startUpstream((req, res, recorded) => {
    // A refused request reaches the upstream as headers and then a reset (stock Istio): nothing to answer.
    if (!recorded.complete) return;
    const message = JSON.parse(String(recorded.body)) as { id: number; method: string };
    res.setHeader("content-type", "application/json");
    const result = message.method === "tools/list" ? { tools: [{ name: "search_code" }, { name: "system_exec" }, { name: "delete_repo" }] } : { content: [] };
    res.end(JSON.stringify({ jsonrpc: "2.0", id: message.id, result }));
  });
  gateway = await gatewayFor(upstream.url);
});

afterAll(async () => {
  await gateway.close();
  await upstream.close();
});

describe("gateway /metrics", () => {
  it("reports what the filter counted, in Prometheus text format", async () => {
    const post = (body: string) => send(gateway.origin, { method: "POST", path: "/mcp", headers: JSON_HEADERS, body });
    await post(rpc(1, "tools/call", { name: "search_code" }));
    await post(rpc(2, "tools/call", { name: "system_exec" }));
    await post(rpc(3, "tools/call", { name: "delete_repo" }));
    await post(rpc(4, "tools/list", {}));
    await post("{broken");
    const response = await send(gateway.origin, { method: "GET", path: "/metrics" });
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toMatch(/^text\/plain/);
    const series = new Map(
      String(response.body).split("\n").filter((l) => l && !l.startsWith("#")).map((l) => l.split(" ") as [string, string]),
    );
    expect(series.get("mcp_guard_requests_total")).toBe("5");
    expect(series.get("mcp_guard_allowed_total")).toBe("2");
    expect(series.get("mcp_guard_denied_total")).toBe("3");
    expect(series.get("mcp_guard_tools_removed_total")).toBe("2");
    expect(String(response.body)).toContain("# TYPE mcp_guard_requests_total counter");
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
