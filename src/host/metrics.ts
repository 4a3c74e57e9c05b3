// Metrics as Envoy's wasm Context keeps them (source/extensions/common/wasm/context.cc): ids carry the type in
// their two low bits (counter 4, 8..., gauge 5, 9..., histogram 6, 10...); defining a name twice gives a new id
// for the same stat; counters only accept positive increments; get_metric on a histogram is BAD_ARGUMENT.
import { MetricType, WasmResult } from "./abi.ts";
import type { MetricValue } from "./types.ts";

const TYPE_MASK = 0x3;
const ID_STEP = 4;
const U64 = (v: bigint) => BigInt.asUintN(64, v);

interface Stat {
  type: number;
  value: bigint;
  samples: bigint[];
}

export class MetricRegistry {
  private stats = new Map<string, Stat>();
  private ids = new Map<number, Stat>();
  private nextId = [MetricType.Counter, MetricType.Gauge, MetricType.Histogram] as number[];

  define(type: number, name: string): { result: number; id: number } {
    if (type < 0 || type > MetricType.Histogram) return { result: WasmResult.BadArgument, id: 0 };
    let stat = this.stats.get(name);
    if (!stat || stat.type !== type) {
      stat = { type, value: 0n, samples: [] };
      this.stats.set(name, stat);
    }
    const next = (this.nextId[type] ?? 0) + ID_STEP;
    this.nextId[type] = next;
    this.ids.set(next, stat);
    return { result: WasmResult.Ok, id: next };
  }

  increment(id: number, offset: bigint): number {
    const type = id & TYPE_MASK;
    const stat = this.ids.get(id);
    if (type === MetricType.Counter) {
      if (!stat) return WasmResult.NotFound;
      if (offset <= 0n) return WasmResult.BadArgument;
      stat.value = U64(stat.value + offset);
      return WasmResult.Ok;
    }
    if (type === MetricType.Gauge) {
      if (!stat) return WasmResult.NotFound;
      stat.value = U64(stat.value + offset);
      return WasmResult.Ok;
    }
    return WasmResult.BadArgument;
  }

  record(id: number, value: bigint): number {
    const stat = this.ids.get(id);
    if (!stat) return WasmResult.NotFound;
    if (stat.type === MetricType.Counter) stat.value = U64(stat.value + value);
    else if (stat.type === MetricType.Gauge) stat.value = value;
    else {
      stat.samples.push(value);
      stat.value = BigInt(stat.samples.length);
    }
    return WasmResult.Ok;
  }

  get(id: number): { result: number; value: bigint } {
    const type = id & TYPE_MASK;
    if (type === MetricType.Histogram || type > MetricType.Histogram) return { result: WasmResult.BadArgument, value: 0n };
    const stat = this.ids.get(id);
    if (!stat) return { result: WasmResult.NotFound, value: 0n };
    return { result: WasmResult.Ok, value: stat.value };
  }

  byName(name: string): MetricValue | undefined {
    const stat = this.stats.get(name);
    return stat ? { type: stat.type, value: stat.value, samples: [...stat.samples] } : undefined;
  }

  all(): Map<string, MetricValue> {
    const out = new Map<string, MetricValue>();
    for (const name of this.stats.keys()) {
      const value = this.byName(name);
      if (value) out.set(name, value);
    }
    return out;
  }
}
