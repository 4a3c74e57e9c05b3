// The filter's metrics, exported through Envoy stats (Envoy keeps a module's metrics under `wasmcustom.`; with
// the proxy setting in README "Metrics", Istio exports them to Prometheus with labels).
import { MetricType, defineMetric, incrementMetric, recordMetric } from "../abi";
import { GuardConfig } from "../policy/config";
import { NameList } from "../policy/name_list";
import { LabelledCounter, NO_METRIC } from "./labelled_counter";
import {
  APPROVAL_OUTCOMES, DECISIONS, ERROR_KINDS, LISTS, METHOD_CLASSES, approvalOutcome, labelValue,
} from "./metric_labels";
import { utf8 } from "../abi/text";

// Allowlisted names that get a `tool` label of their own, in configuration order; calls of any other tool
// (and of names beyond this many) count under `other`. Bounds the series an allowlist of thousands would add.
export const MAX_TOOL_LABELS: i32 = 100;
const TOOL_OTHER: i32 = 0;

export class GuardMetrics {
  requests: LabelledCounter = new LabelledCounter(utf8("mcp_guard_requests_total"), "method_class", METHOD_CLASSES, "decision", DECISIONS);
  toolCalls: LabelledCounter = toolCallCounter(["other"]);
  errors: LabelledCounter = new LabelledCounter(utf8("mcp_guard_request_errors_total"), "kind", ERROR_KINDS);
  entriesRemoved: LabelledCounter = new LabelledCounter(utf8("mcp_guard_list_entries_removed_total"), "list", LISTS);
  approvals: LabelledCounter = new LabelledCounter(utf8("mcp_guard_approvals_total"), "outcome", APPROVAL_OUTCOMES);
  // The allowlisted names that have a `tool` label of their own; a name's index in `toolNames` plus one is the
  // index of its label (0 is `other`). The set answers the common case, an unknown tool, in one lookup.
  private toolSet: Set<string> = new Set<string>();
  private toolNames: Array<string> = new Array<string>();

  decisionTime: u32 = NO_METRIC;
  withheld: u32 = NO_METRIC;
  serverMethodsRefused: u32 = NO_METRIC;
  pinMismatches: u32 = NO_METRIC;

  // Called by every on_configure: the unlabelled metrics are defined once per VM, the tool labels follow the
  // configuration.
  define(config: GuardConfig): void {
    this.defineToolLabels(config);
    if (this.decisionTime != NO_METRIC) return;
    this.decisionTime = defineMetric(MetricType.Histogram, utf8("mcp_guard_decision_duration_microseconds"));
    this.withheld = defineMetric(MetricType.Counter, utf8("mcp_guard_responses_withheld_total"));
    this.serverMethodsRefused = defineMetric(MetricType.Counter, utf8("mcp_guard_server_methods_refused_total"));
    this.pinMismatches = defineMetric(MetricType.Counter, utf8("mcp_guard_tool_pin_mismatches_total"));
  }

  // The exact names of every allowlist (the top level's and each rule's). Globs are left out: what they
  // match is chosen by the caller.
  private defineToolLabels(config: GuardConfig): void {
    const set = new Set<string>();
    const names = new Array<string>();
    addExactNames(config.defaults.tools, set, names);
    for (let i = 0; i < config.rules.length; i++) addExactNames(config.rules[i].access.tools, set, names);
    const labels: Array<string> = ["other"];
    for (let i = 0; i < names.length; i++) labels.push(labelValue(names[i]));
    this.toolSet = set;
    this.toolNames = names;
    this.toolCalls = toolCallCounter(labels);
  }

  toolLabel(tool: string): i32 {
    return this.toolSet.has(tool) ? this.toolNames.indexOf(tool) + 1 : TOOL_OTHER;
  }

  approval(reason: string): void {
    this.approvals.add(approvalOutcome(reason), 0, 1);
  }

  count(id: u32): void {
    this.countBy(id, 1);
  }

  countBy(id: u32, n: i32): void {
    if (id != NO_METRIC && n > 0) incrementMetric(id, <i64>n);
  }

  recordDecisionTime(micros: u64): void {
    if (this.decisionTime != NO_METRIC) recordMetric(this.decisionTime, micros);
  }
}

function toolCallCounter(labels: Array<string>): LabelledCounter {
  return new LabelledCounter(utf8("mcp_guard_tool_calls_total"), "tool", labels, "decision", DECISIONS);
}

function addExactNames(list: NameList, set: Set<string>, names: Array<string>): void {
  for (let i = 0; i < list.exactCount && names.length < MAX_TOOL_LABELS; i++) {
    const name = list.exactName(i);
    if (set.has(name)) continue;
    set.add(name);
    names.push(name);
  }
}
