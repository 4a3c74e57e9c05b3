// Host metrics (Envoy stats). Define once (in onConfigure), then update by id on the hot path: ids are cheap,
// names are looked up only at definition. Envoy shows them with its custom-metric prefix (BRIEF §4).
import { INVALID_ID, MetricType, WasmResult } from "./enums";
import { proxy_define_metric, proxy_get_metric, proxy_increment_metric, proxy_record_metric } from "./imports";
import { OUT_U32, OUT_U64, resetOut } from "./memory";
import { utf8Encode } from "./utf8";

/** Defines (or finds) the metric `name`; returns its id, or INVALID_ID (0xffffffff) when the host refused. */
export function defineMetric(type: MetricType, name: string): u32 {
  const nameBytes = utf8Encode(name);
  resetOut();
  const result = proxy_define_metric(<u32>type, changetype<usize>(nameBytes), <usize>nameBytes.byteLength, OUT_U32);
  return result == WasmResult.Ok ? load<u32>(OUT_U32) : INVALID_ID;
}

/** Adds `offset` (may be negative for gauges) to metric `id`. */
export function incrementMetric(id: u32, offset: i64): WasmResult {
  return <WasmResult>proxy_increment_metric(id, offset);
}

/** Sets a gauge, or records a histogram sample. */
export function recordMetric(id: u32, value: u64): WasmResult {
  return <WasmResult>proxy_record_metric(id, value);
}

/** Current value of metric `id`; 0 when the host refused. */
export function getMetric(id: u32): u64 {
  resetOut();
  return proxy_get_metric(id, OUT_U64) == WasmResult.Ok ? load<u64>(OUT_U64) : 0;
}
