// The filter's metrics (what it defined with proxy_define_metric) in the Prometheus text format, as the
// gateway serves them on /metrics. In a mesh the same counters are Envoy stats under the `wasmcustom` prefix,
// exported by Istio as envoy_wasmcustom_<name> when the proxy's stats inclusion matches that prefix.
import type { MetricValue } from "../host/index.ts";

const TYPES = ["counter", "gauge", "histogram"] as const;

function metricName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_:]/g, "_");
}

export function prometheusText(metrics: Map<string, MetricValue>): string {
  const lines: string[] = [];
  for (const [rawName, metric] of [...metrics.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const name = metricName(rawName);
    const type = TYPES[metric.type] ?? "untyped";
    if (type === "histogram") {
      // Samples as a summary-like pair: Prometheus needs buckets for a real histogram, which the module does not define.
      lines.push(`# TYPE ${name} summary`);
      lines.push(`${name}_count ${metric.samples.length}`);
      lines.push(`${name}_sum ${metric.samples.reduce((a, b) => a + b, 0n)}`);
    } else {
      lines.push(`# TYPE ${name} ${type}`);
      lines.push(`${name} ${metric.value}`);
    }
  }
  return lines.join("\n") + "\n";
}
