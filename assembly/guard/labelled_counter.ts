// A counter with one or two labels, in the form Istio reads tags from a stat name: Envoy gives a module's
// metrics no tags of their own, so each label travels in the name as `key=.=value;.;` ahead of the metric
// name (Istio's own metrics are named the same way). With the keys listed in the proxy's `extraStatTags`,
// Istio's bootstrap extracts each one with the regex `(key=\.=(.*?);\.;)`, and Prometheus sees
// `metric{key="value",…}` (see README "Metrics").
//
// A series is defined on its first use and its id kept in a slot per combination of label indexes, so the
// number of definitions is fixed by the label sets, whatever the traffic.
import { MetricType, defineMetric, incrementMetric } from "../abi";

export const NO_METRIC: u32 = 0xffffffff;

export class LabelledCounter {
  private ids: Array<u32>;
  private secondCount: i32;

  // `values[i]` are the possible values of label `keys[i]` (one or two labels).
  constructor(private name: string, private keys: Array<string>, private values: Array<Array<string>>) {
    const secondCount = values.length > 1 ? values[1].length : 1;
    const slots = values.length > 0 ? values[0].length * secondCount : 0;
    this.ids = new Array<u32>(slots);
    this.secondCount = secondCount;
    for (let i = 0; i < slots; i++) this.ids[i] = NO_METRIC;
  }

  // The Envoy stat name of one series, e.g. `method_class=.=tools;.;decision=.=deny;.;mcp_guard_requests_total`.
  seriesName(first: i32, second: i32): string {
    let name = this.keys[0] + "=.=" + this.values[0][first] + ";.;";
    if (this.keys.length > 1) name += this.keys[1] + "=.=" + this.values[1][second] + ";.;";
    return name + this.name;
  }

  // Adds `n` to the series of value `first` (and `second`); indexes outside the label sets count nowhere.
  add(first: i32, second: i32, n: i64): void {
    if (n <= 0 || first < 0 || second < 0 || second >= this.secondCount) return;
    const slot = first * this.secondCount + second;
    if (slot >= this.ids.length) return;
    let id = this.ids[slot];
    if (id == NO_METRIC) {
      id = defineMetric(MetricType.Counter, this.seriesName(first, second));
      this.ids[slot] = id;
      if (id == NO_METRIC) return;
    }
    incrementMetric(id, n);
  }
}
