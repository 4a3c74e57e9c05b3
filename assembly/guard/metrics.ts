// Counters exported through Envoy stats (Istio shows module-defined metrics under the `wasmcustom` prefix).
import { MetricType, defineMetric, incrementMetric } from "../abi";

const NO_METRIC: u32 = 0xffffffff;

export class GuardMetrics {
  requests: u32 = NO_METRIC;
  allowed: u32 = NO_METRIC;
  denied: u32 = NO_METRIC;
  auditOnly: u32 = NO_METRIC;
  toolsRemoved: u32 = NO_METRIC;
  withheld: u32 = NO_METRIC;
  entriesRemoved: u32 = NO_METRIC;
  serverMethodsRefused: u32 = NO_METRIC;
  pinMismatches: u32 = NO_METRIC;

  define(): void {
    if (this.requests != NO_METRIC) return;
    this.requests = defineMetric(MetricType.Counter, "mcp_guard_requests_total");
    this.allowed = defineMetric(MetricType.Counter, "mcp_guard_allowed_total");
    this.denied = defineMetric(MetricType.Counter, "mcp_guard_denied_total");
    this.auditOnly = defineMetric(MetricType.Counter, "mcp_guard_audit_would_deny_total");
    this.toolsRemoved = defineMetric(MetricType.Counter, "mcp_guard_tools_removed_total");
    this.withheld = defineMetric(MetricType.Counter, "mcp_guard_responses_withheld_total");
    this.entriesRemoved = defineMetric(MetricType.Counter, "mcp_guard_list_entries_removed_total");
    this.serverMethodsRefused = defineMetric(MetricType.Counter, "mcp_guard_server_methods_refused_total");
    this.pinMismatches = defineMetric(MetricType.Counter, "mcp_guard_tool_pin_mismatches_total");
  }

  count(id: u32): void {
    this.countBy(id, 1);
  }

  countBy(id: u32, n: i32): void {
    if (id != NO_METRIC && n > 0) incrementMetric(id, <i64>n);
  }
}
