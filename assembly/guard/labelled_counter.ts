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
const UNDEFINED_SLOT: i32 = -1;

export class LabelledCounter {
  // Metric ids by slot (stored as i32: NO_METRIC is -1 there).
  private ids: Array<i32>;
  private secondCount: i32;

  // `firstValues` are the possible values of label `firstKey`; with `secondKey` "" the counter has one label.
  constructor(private name: string, private firstKey: string, private firstValues: Array<string>,
              private secondKey: string = "", private secondValues: Array<string> = []) {
    const secondCount = secondKey.length > 0 ? secondValues.length : 1;
    const slots = firstValues.length * secondCount;
    this.ids = new Array<i32>(slots);
    for (let i = 0; i < slots; i++) this.ids[i] = UNDEFINED_SLOT;
    this.secondCount = secondCount;
  }

  // The Envoy stat name of one series, e.g. `method_class=.=tools;.;decision=.=deny;.;mcp_guard_requests_total`.
  seriesName(first: i32, second: i32): string {
    let name = this.firstKey + "=.=" + this.firstValues[first] + ";.;";
    if (this.secondKey.length > 0) name += this.secondKey + "=.=" + this.secondValues[second] + ";.;";
    return name + this.name;
  }

  // Adds `n` to the series of value `first` (and `second`); indexes outside the label sets count nowhere.
  add(first: i32, second: i32, n: i64): void {
    if (n <= 0 || first < 0 || second < 0 || second >= this.secondCount) return;
    const slot = first * this.secondCount + second;
    if (slot >= this.ids.length) return;
    let id = <u32>this.ids[slot];
    if (id == NO_METRIC) {
      id = defineMetric(MetricType.Counter, this.seriesName(first, second));
      this.ids[slot] = <i32>id;
      if (id == NO_METRIC) return;
    }
    incrementMetric(id, n);
  }
}
