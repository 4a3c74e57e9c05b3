// The filter's metrics (what it defined with proxy_define_metric) in the Prometheus text format, as the gateway
// serves them on /metrics. The module writes labels into the stat name the way Istio reads them
// (`key=.=value;.;` before the metric name); this reads them back as Istio's tag extraction does, so the
// series are the ones a sidecar exports with the proxy setting of README "Metrics".
import type { MetricValue } from "../host/index.ts";

/** Envoy's default histogram buckets (Stats::HistogramSettingsImpl::defaultBuckets), in the recorded unit. */
export const ENVOY_DEFAULT_BUCKETS = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];

const HELP: Record<string, string> = {
  mcp_guard_requests_total: "Requests decided by mcp-guard, by method class and decision.",
  mcp_guard_tool_calls_total: "tools/call requests by tool (allowlisted names, else other) and decision.",
  mcp_guard_request_errors_total: "Requests refused as malformed or unreadable, by kind.",
  mcp_guard_list_entries_removed_total: "Entries removed from list results the server sent, by list.",
  mcp_guard_approvals_total: "Approval checks of destructive tool calls, by outcome.",
  mcp_guard_decision_duration_microseconds: "Time mcp-guard spent deciding a request body, in microseconds.",
  mcp_guard_responses_withheld_total: "Server messages withheld because they could not be read.",
  mcp_guard_server_methods_refused_total: "Server-initiated messages removed because their method is refused.",
  mcp_guard_tool_pin_mismatches_total: "Listed tools whose description differed from their pin.",
};

const TYPES = ["counter", "gauge", "histogram"] as const;
// One tag as Istio's extraStatTags regex `(key=\.=(.*?);\.;)` reads it, at the start of the name.
const TAG = /^([^=;]+)=\.=(.*?);\.;/;

interface Series {
  labels: Array<[string, string]>;
  metric: MetricValue;
}

/** Splits an Envoy stat name into the metric name and its embedded tags. */
export function splitTags(statName: string): { name: string; labels: Array<[string, string]> } {
  const labels: Array<[string, string]> = [];
  let rest = statName;
  for (let match = TAG.exec(rest); match; match = TAG.exec(rest)) {
    labels.push([match[1]!, match[2]!]);
    rest = rest.slice(match[0].length);
  }
  return { name: rest, labels };
}

function sanitizeName(name: string): string {
  const clean = name.replace(/[^a-zA-Z0-9_:]/g, "_");
  return /^[0-9]/.test(clean) ? `_${clean}` : clean;
}

/** A label value in the text format: backslash, double quote and newline escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function labelText(labels: Array<[string, string]>): string {
  return labels.map(([k, v]) => `${sanitizeName(k)}="${escapeLabelValue(v)}"`).join(",");
}

function withLabels(name: string, labels: Array<[string, string]>): string {
  return labels.length === 0 ? name : `${name}{${labelText(labels)}}`;
}

function histogramLines(name: string, series: Series): string[] {
  const samples = series.metric.samples;
  const lines = ENVOY_DEFAULT_BUCKETS.map((le) => {
    const count = samples.filter((s) => Number(s) <= le).length;
    return `${withLabels(`${name}_bucket`, [...series.labels, ["le", String(le)]])} ${count}`;
  });
  lines.push(`${withLabels(`${name}_bucket`, [...series.labels, ["le", "+Inf"]])} ${samples.length}`);
  lines.push(`${withLabels(`${name}_sum`, series.labels)} ${samples.reduce((a, b) => a + b, 0n)}`);
  lines.push(`${withLabels(`${name}_count`, series.labels)} ${samples.length}`);
  return lines;
}

export function prometheusText(metrics: Map<string, MetricValue>): string {
  const families = new Map<string, Series[]>();
  for (const [statName, metric] of metrics) {
    const { name, labels } = splitTags(statName);
    const family = sanitizeName(name);
    const list = families.get(family) ?? [];
    list.push({ labels, metric });
    families.set(family, list);
  }
  const lines: string[] = [];
  for (const family of [...families.keys()].sort()) {
    const series = families.get(family)!.sort((a, b) => (labelText(a.labels) < labelText(b.labels) ? -1 : 1));
    const type = TYPES[series[0]!.metric.type] ?? "untyped";
    if (HELP[family]) lines.push(`# HELP ${family} ${HELP[family]}`);
    lines.push(`# TYPE ${family} ${type}`);
    for (const one of series) {
      if (one.metric.type === 2) lines.push(...histogramLines(family, one));
      else lines.push(`${withLabels(family, one.labels)} ${one.metric.value}`);
    }
  }
  return lines.join("\n") + "\n";
}
