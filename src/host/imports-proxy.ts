// The env.proxy_* host functions, with the argument checks and return codes of proxy-wasm-cpp-host
// (src/exports.cc) and Envoy's Context (source/extensions/common/wasm/context.cc).
import { MAX_BUFFER_TYPE, MAX_MAP_TYPE, MAX_STREAM_TYPE, WasmResult } from "./abi.ts";
import { fromUtf8, utf8 } from "./bytes.ts";
import { parsePairs, serializePairs } from "./header-map.ts";
import type { Runtime } from "./runtime.ts";
import type { HostFunction } from "./vm.ts";

const IMA = WasmResult.InvalidMemoryAccess;
const u32 = (v: number) => v >>> 0;

export function proxyHostFunctions(rt: Runtime): Record<string, HostFunction> {
  const mem = rt.vm.memory;
  const ctx = () => rt.activeContext();
  const readText = (ptr: number, len: number) => {
    const bytes = mem.read(u32(ptr), u32(len));
    return bytes ? fromUtf8(bytes) : null;
  };
  /** Reads key (and value) for the single-header functions; null = invalid memory. */
  const readPair = (kp: number, kl: number, vp: number, vl: number) => {
    const key = readText(kp, kl);
    const value = readText(vp, vl);
    return key === null || value === null ? null : { key, value };
  };
  const mutableMap = (type: number) => ctx().getMutableMap(type);

  const functions: Record<string, (...args: never[]) => number | void> = {
    // ---- logging, time, timers ----
    proxy_log: (level: number, ptr: number, size: number) => {
      if (u32(level) > 5) return WasmResult.BadArgument;
      const message = mem.read(u32(ptr), u32(size));
      if (!message) return IMA;
      rt.log(u32(level), fromUtf8(message), ctx().id, "module");
      return WasmResult.Ok;
    },
    proxy_get_log_level: (ptr: number) => (mem.writeU32(u32(ptr), rt.logLevel) ? WasmResult.Ok : IMA),
    proxy_get_current_time_nanoseconds: (ptr: number) => (mem.writeU64(u32(ptr), rt.clockNs()) ? WasmResult.Ok : IMA),
    proxy_set_tick_period_milliseconds: (period: number) => {
      ctx().root.tickPeriodMs = u32(period);
      return WasmResult.Ok;
    },

    // ---- buffers ----
    proxy_get_buffer_bytes: (type: number, start: number, length: number, ptrPtr: number, sizePtr: number) => {
      if (u32(type) > MAX_BUFFER_TYPE) return WasmResult.BadArgument;
      const buffer = ctx().getBuffer(u32(type));
      if (!buffer) return WasmResult.NotFound;
      const size = buffer.size();
      const from = u32(start);
      let len = u32(length);
      if (from > size) len = 0;
      else if (from + len > size) len = size - from;
      if (len === 0) return mem.writeU32(u32(ptrPtr), 0) && mem.writeU32(u32(sizePtr), 0) ? WasmResult.Ok : IMA;
      return mem.copyOut(buffer.read(from, len), u32(ptrPtr), u32(sizePtr));
    },
    proxy_set_buffer_bytes: (type: number, start: number, length: number, ptr: number, size: number) => {
      if (u32(type) > MAX_BUFFER_TYPE) return WasmResult.BadArgument;
      const buffer = ctx().getBuffer(u32(type));
      if (!buffer) return WasmResult.NotFound;
      const data = mem.read(u32(ptr), u32(size));
      if (!data) return IMA;
      return buffer.write(u32(start), u32(length), data);
    },
    proxy_get_buffer_status: (type: number, lengthPtr: number, flagsPtr: number) => {
      if (u32(type) > MAX_BUFFER_TYPE) return WasmResult.BadArgument;
      const buffer = ctx().getBuffer(u32(type));
      if (!buffer) return WasmResult.NotFound;
      return mem.writeU32(u32(lengthPtr), buffer.size()) && mem.writeU32(u32(flagsPtr), 0) ? WasmResult.Ok : IMA;
    },

    // ---- header maps ----
    proxy_get_header_map_pairs: (type: number, ptrPtr: number, sizePtr: number) => {
      if (u32(type) > MAX_MAP_TYPE) return WasmResult.BadArgument;
      const pairs = ctx().getConstMap(u32(type))?.toList() ?? [];
      return mem.copyOut(pairs.length === 0 ? new Uint8Array(0) : serializePairs(pairs), u32(ptrPtr), u32(sizePtr));
    },
    proxy_set_header_map_pairs: (type: number, ptr: number, size: number) => {
      if (u32(type) > MAX_MAP_TYPE) return WasmResult.BadArgument;
      const data = mem.read(u32(ptr), u32(size));
      if (!data) return IMA;
      const map = mutableMap(u32(type));
      if (!map) return WasmResult.BadArgument;
      map.replaceAll(parsePairs(data));
      return WasmResult.Ok;
    },
    proxy_get_header_map_value: (type: number, keyPtr: number, keySize: number, valuePtrPtr: number, valueSizePtr: number) => {
      if (u32(type) > MAX_MAP_TYPE) return WasmResult.BadArgument;
      const key = readText(keyPtr, keySize);
      if (key === null) return IMA;
      const context = ctx();
      const map = context.getConstMap(u32(type));
      if (!map) return context.accessLogPhase() ? WasmResult.NotFound : WasmResult.BadArgument;
      const value = map.get(key);
      if (value === undefined) return WasmResult.NotFound;
      return mem.copyOut(utf8(value), u32(valuePtrPtr), u32(valueSizePtr));
    },
    proxy_add_header_map_value: (type: number, kp: number, kl: number, vp: number, vl: number) =>
      editMap(type, readPair(kp, kl, vp, vl), (map, p) => map.add(p.key, p.value)),
    proxy_replace_header_map_value: (type: number, kp: number, kl: number, vp: number, vl: number) =>
      editMap(type, readPair(kp, kl, vp, vl), (map, p) => map.set(p.key, p.value)),
    proxy_remove_header_map_value: (type: number, kp: number, kl: number) =>
      editMap(type, readPair(kp, kl, 0, 0), (map, p) => map.remove(p.key)),
    proxy_get_header_map_size: (type: number, ptr: number) => {
      if (u32(type) > MAX_MAP_TYPE) return WasmResult.BadArgument;
      const map = mutableMap(u32(type));
      if (!map) return WasmResult.BadArgument;
      return mem.writeU32(u32(ptr), map.byteSize()) ? WasmResult.Ok : IMA;
    },

    // ---- stream control ----
    proxy_continue_stream: (type: number) => (u32(type) > MAX_STREAM_TYPE ? WasmResult.BadArgument : ctx().continueStream(u32(type))),
    proxy_close_stream: (type: number) => (u32(type) > MAX_STREAM_TYPE ? WasmResult.BadArgument : ctx().closeStream(u32(type))),
    proxy_send_local_response: (code: number, dp: number, dl: number, bp: number, bl: number, hp: number, hl: number, grpc: number) => {
      const details = readText(dp, dl);
      const body = mem.read(u32(bp), u32(bl));
      const headers = mem.read(u32(hp), u32(hl));
      if (details === null || !body || !headers) return IMA;
      ctx().sendLocalResponse(u32(code), body, parsePairs(headers), u32(grpc), details);
      rt.vm.stopNextIteration = true;
      return WasmResult.Ok;
    },
    proxy_set_effective_context: (id: number) => (rt.vm.setEffectiveContext(u32(id)) ? WasmResult.Ok : WasmResult.BadArgument),
    proxy_done: () => (ctx().root.done() ? WasmResult.Ok : WasmResult.NotFound),

    // ---- HTTP / gRPC callouts ----
    proxy_http_call: (up: number, ul: number, hp: number, hl: number, bp: number, bl: number, tp: number, tl: number, timeout: number, tokenPtr: number) => {
      const cluster = readText(up, ul);
      const body = mem.read(u32(bp), u32(bl));
      const headers = mem.read(u32(hp), u32(hl));
      const trailers = mem.read(u32(tp), u32(tl));
      if (cluster === null || !body || !headers || !trailers) return IMA;
      if (!mem.writeU32(u32(tokenPtr), 0)) return IMA;
      const { result, token } = rt.callouts.dispatch(cluster, parsePairs(headers), body, parsePairs(trailers), timeout | 0);
      mem.writeU32(u32(tokenPtr), token);
      return result;
    },
    // No gRPC clusters exist in this host: Envoy answers an unknown cluster with PARSE_FAILURE.
    proxy_grpc_call: (...args: number[]) => (readAll(args.slice(0, 10)) ? WasmResult.ParseFailure : IMA),
    proxy_grpc_stream: (...args: number[]) => (readAll(args.slice(0, 8)) ? WasmResult.ParseFailure : IMA),
    proxy_grpc_send: (token: number, ptr: number, size: number) => {
      if (!mem.read(u32(ptr), u32(size))) return IMA;
      return (u32(token) & 3) === 2 ? WasmResult.NotFound : WasmResult.BadArgument;
    },
    proxy_grpc_cancel: (token: number) => grpcTokenResult(token),
    proxy_grpc_close: (token: number) => grpcTokenResult(token),
    proxy_get_status: (codePtr: number, messagePtrPtr: number, messageSizePtr: number) => {
      const status = ctx().root.status;
      if (!mem.writeU32(u32(codePtr), status.code)) return IMA;
      return mem.copyOut(utf8(status.message), u32(messagePtrPtr), u32(messageSizePtr));
    },
    proxy_call_foreign_function: (np: number, nl: number, ap: number, al: number, resultsPtr: number, resultsSizePtr: number) => {
      const name = readText(np, nl);
      if (name === null || !mem.read(u32(ap), u32(al))) return IMA;
      // Envoy's foreign functions are not modelled, except the no-op clear_route_cache.
      if (name !== "clear_route_cache") return WasmResult.NotFound;
      if (u32(resultsPtr) !== 0 && !mem.writeU32(u32(resultsPtr), 0)) return IMA;
      if (u32(resultsSizePtr) !== 0 && !mem.writeU32(u32(resultsSizePtr), 0)) return IMA;
      return WasmResult.Ok;
    },

    // ---- metrics ----
    proxy_define_metric: (type: number, np: number, nl: number, idPtr: number) => {
      const name = readText(np, nl);
      if (name === null) return IMA;
      const { result, id } = rt.metrics.define(u32(type), name);
      if (result !== WasmResult.Ok) return result;
      return mem.writeU32(u32(idPtr), id) ? WasmResult.Ok : IMA;
    },
    proxy_increment_metric: (id: number, offset: bigint) => rt.metrics.increment(u32(id), BigInt.asIntN(64, offset)),
    proxy_record_metric: (id: number, value: bigint) => rt.metrics.record(u32(id), BigInt.asUintN(64, value)),
    proxy_get_metric: (id: number, ptr: number) => {
      const { result, value } = rt.metrics.get(u32(id));
      if (result !== WasmResult.Ok) return result;
      return mem.writeU64(u32(ptr), value) ? WasmResult.Ok : IMA;
    },

    // ---- properties ----
    proxy_get_property: (pp: number, pl: number, vpp: number, vsp: number) => {
      const path = mem.read(u32(pp), u32(pl));
      if (!path) return IMA;
      const { result, value } = ctx().properties.get(path);
      if (result !== WasmResult.Ok || !value) return result;
      return mem.copyOut(value, u32(vpp), u32(vsp));
    },
    proxy_set_property: (pp: number, pl: number, vp: number, vl: number) => {
      const path = mem.read(u32(pp), u32(pl));
      const value = mem.read(u32(vp), u32(vl));
      if (!path || !value) return IMA;
      return ctx().properties.set(path, value);
    },

    // ---- shared data and queues ----
    proxy_get_shared_data: (kp: number, kl: number, vpp: number, vsp: number, casPtr: number) => {
      const key = readText(kp, kl);
      if (key === null) return IMA;
      const entry = rt.shared.getData(rt.identity.vmId, key);
      if (!entry) return WasmResult.NotFound;
      const copied = mem.copyOut(entry.value, u32(vpp), u32(vsp));
      if (copied !== WasmResult.Ok) return copied;
      return mem.writeU32(u32(casPtr), entry.cas) ? WasmResult.Ok : IMA;
    },
    proxy_set_shared_data: (kp: number, kl: number, vp: number, vl: number, cas: number) => {
      const key = readText(kp, kl);
      const value = mem.read(u32(vp), u32(vl));
      if (key === null || !value) return IMA;
      return rt.shared.setData(rt.identity.vmId, key, value, u32(cas));
    },
    proxy_register_shared_queue: (np: number, nl: number, tokenPtr: number) => {
      const name = readText(np, nl);
      if (name === null) return IMA;
      const root = ctx().root;
      const token = rt.shared.registerQueue(rt.identity.vmId, name, (t) => rt.post(() => root.queueReady(t)));
      return mem.writeU32(u32(tokenPtr), token) ? WasmResult.Ok : IMA;
    },
    proxy_resolve_shared_queue: (vp: number, vl: number, np: number, nl: number, tokenPtr: number) => {
      const vmId = readText(vp, vl);
      const name = readText(np, nl);
      if (vmId === null || name === null) return IMA;
      const token = rt.shared.resolveQueue(vmId === "" ? rt.identity.vmId : vmId, name);
      if (token === 0 || rt.vm.failed) return WasmResult.NotFound;
      return mem.writeU32(u32(tokenPtr), token) ? WasmResult.Ok : IMA;
    },
    proxy_enqueue_shared_queue: (token: number, ptr: number, size: number) => {
      const data = mem.read(u32(ptr), u32(size));
      if (!data) return IMA;
      return rt.shared.enqueue(u32(token), data);
    },
    proxy_dequeue_shared_queue: (token: number, vpp: number, vsp: number) => {
      const { result, value } = rt.shared.dequeue(u32(token));
      if (result !== WasmResult.Ok || !value) return result;
      return mem.copyOut(value, u32(vpp), u32(vsp));
    },

    // ---- Emscripten helpers and Envoy's extension ----
    pthread_equal: (a: number, b: number) => (a === b ? 1 : 0),
    emscripten_notify_memory_growth: () => undefined,
    envoy_resolve_dns: (ptr: number, size: number) => (mem.read(u32(ptr), u32(size)) ? WasmResult.Unimplemented : IMA),
  };

  /** Reads (ptr, len) pairs; false when any is out of range. */
  function readAll(args: number[]): boolean {
    for (let i = 0; i + 1 < args.length; i += 2) if (!mem.read(u32(args[i] ?? 0), u32(args[i + 1] ?? 0))) return false;
    return true;
  }

  function grpcTokenResult(token: number): number {
    const kind = u32(token) & 3;
    return kind === 1 || kind === 2 ? WasmResult.NotFound : WasmResult.BadArgument;
  }

  function editMap(
    type: number,
    pair: { key: string; value: string } | null,
    edit: (map: NonNullable<ReturnType<typeof mutableMap>>, pair: { key: string; value: string }) => void,
  ): number {
    if (u32(type) > MAX_MAP_TYPE) return WasmResult.BadArgument;
    if (!pair) return IMA;
    const map = mutableMap(u32(type));
    if (!map) return WasmResult.BadArgument;
    edit(map, pair);
    return WasmResult.Ok;
  }

  return functions as Record<string, HostFunction>;
}
