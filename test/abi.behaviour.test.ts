// Behaviour of the assembly/abi SDK layer, driven through build/test/abi_example.wasm by a minimal recording
// host written here (independent of src/host): it answers the host functions the way proxy-wasm-cpp-host does
// (results copied into memory from proxy_on_memory_allocate, (0, 0) for empty results) and records every call.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";

type Pairs = Array<[string, string]>;
interface Call { name: string; args: Array<number | bigint> }
interface Exports {
  memory: WebAssembly.Memory;
  _initialize(): void;
  proxy_on_memory_allocate(size: number): number;
  proxy_on_context_create(id: number, parent: number): void;
  proxy_on_vm_start(id: number, size: number): number;
  proxy_on_configure(id: number, size: number): number;
  proxy_on_tick(id: number): void;
  proxy_on_request_headers(id: number, n: number, eos: number): number;
  proxy_on_request_body(id: number, size: number, eos: number): number;
  proxy_on_request_trailers(id: number, n: number): number;
  proxy_on_response_headers(id: number, n: number, eos: number): number;
  proxy_on_response_body(id: number, size: number, eos: number): number;
  proxy_on_response_trailers(id: number, n: number): number;
  proxy_on_http_call_response(id: number, token: number, nh: number, bodySize: number, nt: number): void;
  proxy_on_log(id: number): void;
  proxy_on_done(id: number): number;
  proxy_on_delete(id: number): void;
  [name: string]: unknown;
}

const OK = 0;
const NOT_FOUND = 1;
const REQUEST_HEADERS = 0;
const RESPONSE_HEADERS = 2;
const CALL_RESPONSE_HEADERS = 6;
const REQUEST_BODY = 0;
const CALL_RESPONSE_BODY = 4;
const PLUGIN_CONFIGURATION = 7;

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Header-map wire format, written independently of the module's encoder (spec "Serialization"). */
function encodePairs(pairs: Pairs): Uint8Array {
  const parts = pairs.map(([k, v]) => [enc.encode(k), enc.encode(v)] as const);
  let size = 4 + 8 * parts.length;
  for (const [k, v] of parts) size += k.length + v.length + 2;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, parts.length, true);
  let data = 4 + 8 * parts.length;
  parts.forEach(([k, v], i) => {
    view.setUint32(4 + 8 * i, k.length, true);
    view.setUint32(8 + 8 * i, v.length, true);
    out.set(k, data); data += k.length + 1;
    out.set(v, data); data += v.length + 1;
  });
  return out;
}

/** Strict decoder, the rules of proxy-wasm-cpp-host's PairsUtil::toPairs. */
function decodePairs(bytes: Uint8Array): Pairs {
  if (bytes.length === 0) return [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(0, true);
  let data = 4 + 8 * count;
  const pairs: Pairs = [];
  for (let i = 0; i < count; i++) {
    const kl = view.getUint32(4 + 8 * i, true);
    const vl = view.getUint32(8 + 8 * i, true);
    const key = dec.decode(bytes.subarray(data, data + kl));
    if (bytes[data + kl] !== 0) throw new Error("key not NUL-terminated");
    data += kl + 1;
    const value = dec.decode(bytes.subarray(data, data + vl));
    if (bytes[data + vl] !== 0) throw new Error("value not NUL-terminated");
    data += vl + 1;
    pairs.push([key, value]);
  }
  if (data !== bytes.length) throw new Error(`map size ${bytes.length}, content ends at ${data}`);
  return pairs;
}

let wasmModule: WebAssembly.Module;
let internalsModule: WebAssembly.Module;

class RecordingHost {
  exports!: Exports;
  calls: Call[] = [];
  logs: Array<{ level: number; message: string }> = [];
  logBytes: Uint8Array[] = [];
  allocations: Array<{ size: number; ptr: number }> = [];
  /** Property values by their "\0"-joined path. */
  properties = new Map<string, Uint8Array>();
  propertyPaths: string[] = [];
  maps = new Map<number, Pairs>();
  /** When set for a map type, proxy_get_header_map_pairs answers Ok with exactly this (ptr, size) or bytes. */
  rawMaps = new Map<number, Uint8Array | { ptr: number; size: number }>();
  buffers = new Map<number, Uint8Array>();
  metrics = new Map<number, { name: string; type: number; value: bigint }>();
  setPairs: Array<{ map: number; bytes: Uint8Array }> = [];
  localReplies: Array<{ status: number; details: string; body: string; headers: Pairs; grpcStatus: number }> = [];
  httpCalls: Array<{ upstream: string; headers: Pairs; body: Uint8Array; trailers: Pairs; timeout: number }> = [];
  nextToken = 7;

  static start(rootId?: string, module: WebAssembly.Module = wasmModule): RecordingHost {
    const host = new RecordingHost();
    if (rootId !== undefined) host.properties.set("plugin_root_id", enc.encode(rootId));
    const instance = new WebAssembly.Instance(module, { env: host.env() });
    host.exports = instance.exports as unknown as Exports;
    host.exports._initialize();
    return host;
  }

  get mem(): DataView { return new DataView(this.exports.memory.buffer); }
  bytes(ptr: number, len: number): Uint8Array { return new Uint8Array(this.exports.memory.buffer, ptr, len).slice(); }
  text(ptr: number, len: number): string { return dec.decode(this.bytes(ptr, len)); }

  /** Copies `data` into module memory the way cpp-host's copyToPointerSize does. */
  returnBytes(data: Uint8Array, ptrPtr: number, sizePtr: number): number {
    let ptr = 0;
    if (data.length > 0) {
      ptr = this.exports.proxy_on_memory_allocate(data.length);
      if (ptr === 0) return 6; // InvalidMemoryAccess
      this.allocations.push({ size: data.length, ptr });
      new Uint8Array(this.exports.memory.buffer, ptr, data.length).set(data);
    }
    this.mem.setUint32(ptrPtr, ptr, true);
    this.mem.setUint32(sizePtr, data.length, true);
    return OK;
  }

  env(): Record<string, (...args: never[]) => number | void> {
    const record = (name: string, args: Array<number | bigint>): void => { this.calls.push({ name, args }); };
    const handlers: Record<string, (...args: number[]) => number> = {
      proxy_log: (level, ptr, len) => {
        this.logs.push({ level: level!, message: this.text(ptr!, len!) });
        this.logBytes.push(this.bytes(ptr!, len!));
        return OK;
      },
      proxy_get_log_level: (out) => { this.mem.setUint32(out!, 0, true); return OK; },
      proxy_get_property: (pathPtr, pathLen, ptrPtr, sizePtr) => {
        const path = this.text(pathPtr!, pathLen!);
        this.propertyPaths.push(path);
        const value = this.properties.get(path);
        return value === undefined ? NOT_FOUND : this.returnBytes(value, ptrPtr!, sizePtr!);
      },
      proxy_get_buffer_bytes: (type, start, max, ptrPtr, sizePtr) => {
        const buffer = this.buffers.get(type!);
        if (buffer === undefined) return NOT_FOUND;
        return this.returnBytes(buffer.subarray(start!, start! + max!), ptrPtr!, sizePtr!);
      },
      proxy_get_header_map_pairs: (type, ptrPtr, sizePtr) => {
        const raw = this.rawMaps.get(type!);
        if (raw instanceof Uint8Array) return this.returnBytes(raw, ptrPtr!, sizePtr!);
        if (raw !== undefined) {
          this.mem.setUint32(ptrPtr!, raw.ptr, true);
          this.mem.setUint32(sizePtr!, raw.size, true);
          return OK;
        }
        const pairs = this.maps.get(type!) ?? [];
        return this.returnBytes(pairs.length === 0 ? new Uint8Array(0) : encodePairs(pairs), ptrPtr!, sizePtr!);
      },
      proxy_get_header_map_value: (type, keyPtr, keyLen, ptrPtr, sizePtr) => {
        const key = this.text(keyPtr!, keyLen!);
        const found = (this.maps.get(type!) ?? []).find(([k]) => k === key);
        return found === undefined ? NOT_FOUND : this.returnBytes(enc.encode(found[1]), ptrPtr!, sizePtr!);
      },
      proxy_set_header_map_pairs: (type, ptr, len) => {
        const bytes = this.bytes(ptr!, len!);
        this.setPairs.push({ map: type!, bytes });
        this.maps.set(type!, decodePairs(bytes));
        return OK;
      },
      proxy_add_header_map_value: (type, kp, kl, vp, vl) => {
        const pairs = this.maps.get(type!) ?? [];
        pairs.push([this.text(kp!, kl!), this.text(vp!, vl!)]);
        this.maps.set(type!, pairs);
        record("proxy_add_header_map_value", [type!, kp!, kl!, vp!, vl!]);
        return OK;
      },
      proxy_replace_header_map_value: (type, kp, kl, vp, vl) => {
        const key = this.text(kp!, kl!);
        const pairs = (this.maps.get(type!) ?? []).filter(([k]) => k !== key);
        pairs.push([key, this.text(vp!, vl!)]);
        this.maps.set(type!, pairs);
        return OK;
      },
      proxy_send_local_response: (status, dp, dl, bp, bl, hp, hl, grpc) => {
        this.localReplies.push({
          status: status!, details: this.text(dp!, dl!), body: this.text(bp!, bl!),
          headers: decodePairs(this.bytes(hp!, hl!)), grpcStatus: grpc!,
        });
        return OK;
      },
      proxy_http_call: (up, ul, hp, hl, bp, bl, tp, tl, timeout, tokenPtr) => {
        this.httpCalls.push({
          upstream: this.text(up!, ul!), headers: decodePairs(this.bytes(hp!, hl!)), body: this.bytes(bp!, bl!),
          trailers: decodePairs(this.bytes(tp!, tl!)), timeout: timeout!,
        });
        this.mem.setUint32(tokenPtr!, this.nextToken, true);
        return OK;
      },
      proxy_define_metric: (type, np, nl, idPtr) => {
        const id = this.metrics.size + 1;
        this.metrics.set(id, { name: this.text(np!, nl!), type: type!, value: 0n });
        this.mem.setUint32(idPtr!, id, true);
        return OK;
      },
      proxy_set_effective_context: () => OK,
      proxy_continue_stream: () => OK,
      proxy_set_tick_period_milliseconds: () => OK,
    };
    const env: Record<string, (...args: never[]) => number | void> = {};
    for (const [name, fn] of Object.entries(handlers)) {
      env[name] = (...args: number[]) => {
        if (name !== "proxy_add_header_map_value") record(name, args);
        return fn(...args);
      };
    }
    env.proxy_increment_metric = ((id: number, delta: bigint) => {
      record("proxy_increment_metric", [id, delta]);
      const metric = this.metrics.get(id);
      if (metric === undefined) return NOT_FOUND;
      metric.value += delta;
      return OK;
    }) as never;
    // Any other 0.2.1 host function the module might import: record and answer Unimplemented.
    return new Proxy(env, {
      get: (target, prop: string) => target[prop] ?? ((...args: number[]) => { record(prop, args); return 12; }),
    });
  }

  callsTo(name: string): Call[] { return this.calls.filter((c) => c.name === name); }

  /** Root context `id` created, VM started and configured; returns on_configure's answer. */
  startRoot(id: number, config: string | Uint8Array = ""): number {
    const bytes = typeof config === "string" ? enc.encode(config) : config;
    this.exports.proxy_on_context_create(id, 0);
    this.buffers.set(PLUGIN_CONFIGURATION, bytes);
    expect(this.exports.proxy_on_vm_start(id, 0)).toBe(1);
    return this.exports.proxy_on_configure(id, bytes.length);
  }
}

beforeAll(() => {
  wasmModule = new WebAssembly.Module(readFileSync("build/test/abi_example.wasm"));
  internalsModule = new WebAssembly.Module(readFileSync("build/test/abi_internals.wasm"));
});

describe("root ids", () => {
  it("an absent plugin_root_id selects the default root \"mcp-guard\"", () => {
    const host = RecordingHost.start();
    expect(host.startRoot(1, "cfg")).toBe(1);
    expect(host.propertyPaths).toContain("plugin_root_id");
    expect(host.logs.map((l) => l.message)).toContain("example: configured root \"mcp-guard\" with \"cfg\"");
  });

  it("log messages are UTF-8; a lone surrogate is sent as U+FFFD, not as WTF-8", () => {
    const host = RecordingHost.start();
    expect(host.startRoot(1, "ünï ✓ 😀")).toBe(1);
    expect(host.logs.map((l) => l.message)).toContain("example: configured root \"mcp-guard\" with \"ünï ✓ 😀\"");
    const lone = RecordingHost.start();
    // ED A0 80 is U+D800 in WTF-8; the lenient decoder turns it into a lone surrogate in the module.
    expect(lone.startRoot(1, new Uint8Array([0x41, 0xed, 0xa0, 0x80, 0x42]))).toBe(1);
    const sent = Buffer.from(lone.logBytes.at(-1)!);
    expect(sent.includes(Buffer.from([0x41, 0xef, 0xbf, 0xbd, 0x42]))).toBe(true);
    expect(sent.includes(Buffer.from([0xed, 0xa0, 0x80]))).toBe(false);
  });

  it("an empty plugin_root_id also selects the default root", () => {
    const host = RecordingHost.start("");
    expect(host.startRoot(1)).toBe(1);
    expect(host.logs.map((l) => l.message)).toContain("example: configured root \"mcp-guard\" with \"\"");
  });

  it("a registered second root id gets its own root context", () => {
    const host = RecordingHost.start("example-2");
    expect(host.startRoot(1)).toBe(1);
    expect(host.logs.map((l) => l.message)).toEqual(["example-2: configured"]);
  });

  it("an unknown root id rejects on_configure with one error naming the registered ids", () => {
    const host = RecordingHost.start("mcp-gaurd");
    expect(host.startRoot(1)).toBe(0);
    expect(host.logs).toHaveLength(1);
    const [entry] = host.logs;
    expect(entry!.level).toBe(4);
    expect(entry!.message).toContain("\"mcp-gaurd\"");
    expect(entry!.message).toContain("\"mcp-guard\", \"example-2\"");
    expect(entry!.message).toContain("rejected");
  });

  it("a root whose onConfigure says no makes proxy_on_configure return 0", () => {
    const host = RecordingHost.start();
    expect(host.startRoot(1, "reject")).toBe(0);
  });
});

describe("context registry", () => {
  it("routes per-stream callbacks to the right stream and root, and forgets contexts on delete", () => {
    const host = RecordingHost.start();
    expect(host.startRoot(1)).toBe(1);
    host.exports.proxy_on_context_create(10, 1);
    host.exports.proxy_on_context_create(11, 1);

    host.maps.set(RESPONSE_HEADERS, [[":status", "200"]]);
    expect(host.exports.proxy_on_response_headers(10, 1, 0)).toBe(0);
    expect(host.exports.proxy_on_response_headers(11, 1, 0)).toBe(0);
    expect(host.callsTo("proxy_add_header_map_value")).toHaveLength(2);

    host.exports.proxy_on_log(10);
    expect(host.exports.proxy_on_done(10)).toBe(1);
    host.exports.proxy_on_delete(10);
    expect(host.logs.map((l) => l.message)).toContain("example: stream 10 logged");

    // Stream 10 is gone: its callbacks are ignored (debug log, Continue), stream 11 still works.
    expect(host.exports.proxy_on_response_headers(10, 1, 0)).toBe(0);
    expect(host.callsTo("proxy_add_header_map_value")).toHaveLength(2);
    expect(host.logs.at(-1)).toEqual({ level: 1, message: "abi: proxy_on_response_headers for unknown context 10 ignored" });
    expect(host.exports.proxy_on_response_headers(11, 1, 0)).toBe(0);
    expect(host.callsTo("proxy_add_header_map_value")).toHaveLength(3);
  });

  it("streams of a root without HTTP filtering pass through untouched", () => {
    const host = RecordingHost.start("example-2");
    expect(host.startRoot(1)).toBe(1);
    host.exports.proxy_on_context_create(5, 1);
    const before = host.calls.length;
    expect(host.exports.proxy_on_request_headers(5, 3, 0)).toBe(0);
    expect(host.exports.proxy_on_request_body(5, 10, 1)).toBe(0);
    expect(host.exports.proxy_on_response_headers(5, 3, 1)).toBe(0);
    expect(host.calls.length).toBe(before); // no host call at all, not even a log
  });

  it("callbacks for unknown ids never trap and give the host a harmless answer", () => {
    const host = RecordingHost.start();
    expect(host.startRoot(1)).toBe(1);
    host.logs = [];
    const e = host.exports;
    expect(e.proxy_on_request_headers(99, 1, 0)).toBe(0);
    expect(e.proxy_on_request_body(99, 1, 1)).toBe(0);
    expect(e.proxy_on_request_trailers(99, 1)).toBe(0);
    expect(e.proxy_on_response_headers(99, 1, 0)).toBe(0);
    expect(e.proxy_on_response_body(99, 1, 1)).toBe(0);
    expect(e.proxy_on_response_trailers(99, 1)).toBe(0);
    expect(e.proxy_on_done(99)).toBe(1);
    expect(e.proxy_on_configure(77, 0)).toBe(0);
    expect(e.proxy_on_vm_start(77, 0)).toBe(0);
    e.proxy_on_log(99);
    e.proxy_on_delete(99);
    e.proxy_on_tick(77);
    e.proxy_on_http_call_response(77, 1, 0, 0, 0);
    (e.proxy_on_queue_ready as (a: number, b: number) => void)(77, 1);
    (e.proxy_on_foreign_function as (a: number, b: number, c: number) => void)(77, 1, 0);
    e.proxy_on_context_create(50, 77); // stream of an unknown root
    expect(e.proxy_on_request_headers(50, 1, 0)).toBe(0);
    for (const name of ["proxy_on_grpc_receive_initial_metadata", "proxy_on_grpc_receive", "proxy_on_grpc_receive_trailing_metadata", "proxy_on_grpc_close"]) {
      (e[name] as (a: number, b: number, c: number) => void)(77, 1, 0);
    }
    expect((e.proxy_on_new_connection as (a: number) => number)(99)).toBe(0);
    expect((e.proxy_on_downstream_data as (a: number, b: number, c: number) => number)(99, 1, 0)).toBe(0);
    expect((e.proxy_on_upstream_data as (a: number, b: number, c: number) => number)(99, 1, 0)).toBe(0);
    (e.proxy_on_downstream_connection_close as (a: number, b: number) => void)(99, 1);
    (e.proxy_on_upstream_connection_close as (a: number, b: number) => void)(99, 1);
    expect(host.logs.filter((l) => l.level !== 1)).toEqual([]);
    expect(host.logs.some((l) => l.message.includes("unknown context 99"))).toBe(true);
  });

  it("root contexts get tick, done and delete", () => {
    const host = RecordingHost.start();
    expect(host.startRoot(1)).toBe(1);
    host.exports.proxy_on_tick(1);
    host.exports.proxy_on_tick(1);
    const ticks = [...host.metrics.values()].find((m) => m.name === "example_ticks");
    expect(ticks?.value).toBe(2n);
    expect(host.exports.proxy_on_done(1)).toBe(1);
    host.exports.proxy_on_delete(1);
    expect(host.exports.proxy_on_configure(1, 0)).toBe(0); // forgotten
  });
});

describe("header maps", () => {
  function stream(): RecordingHost {
    const host = RecordingHost.start();
    expect(host.startRoot(1)).toBe(1);
    host.exports.proxy_on_context_create(2, 1);
    return host;
  }

  it("round-trips pairs through the wire format, including empty values and non-ASCII text", () => {
    const host = stream();
    const headers: Pairs = [
      [":method", "POST"], [":path", "/mcp?q=ä"], ["empty", ""], ["x-ünïcödé", "välue ✓ 😀 日本"],
      ["x-dup", "1"], ["x-dup", "2"], ["x-long", "v".repeat(5000)],
    ];
    host.maps.set(REQUEST_HEADERS, headers.map(([k, v]) => [k, v]));
    expect(host.exports.proxy_on_request_headers(2, headers.length, 0)).toBe(0);
    expect(host.setPairs).toHaveLength(1);
    const expected: Pairs = [...headers, ["x-example-seen", String(headers.length)]];
    // Exactly the bytes an independent encoder produces for the same pairs.
    expect(Buffer.from(host.setPairs[0]!.bytes).equals(Buffer.from(encodePairs(expected)))).toBe(true);
    expect(decodePairs(host.setPairs[0]!.bytes)).toEqual(expected);
  });

  it("an empty map (size 0) decodes to no pairs", () => {
    const host = stream();
    expect(host.exports.proxy_on_request_headers(2, 0, 1)).toBe(0);
    expect(decodePairs(host.setPairs[0]!.bytes)).toEqual([["x-example-seen", "0"]]);
  });

  it("the one-byte empty map form (0x00) decodes to no pairs", () => {
    const host = stream();
    host.rawMaps.set(REQUEST_HEADERS, new Uint8Array([0]));
    expect(host.exports.proxy_on_request_headers(2, 0, 1)).toBe(0);
    expect(decodePairs(host.setPairs[0]!.bytes)).toEqual([["x-example-seen", "0"]]);
    expect(host.logs.filter((l) => l.level >= 3)).toEqual([]);
  });

  const good = encodePairs([["a", "1"], ["bb", "22"]]);
  const withCount = (count: number): Uint8Array => { const b = good.slice(); new DataView(b.buffer).setUint32(0, count, true); return b; };
  const withLength = (offset: number, len: number): Uint8Array => { const b = good.slice(); new DataView(b.buffer).setUint32(offset, len, true); return b; };
  const malformed: Array<[string, Uint8Array | { ptr: number; size: number }]> = [
    ["2 bytes", new Uint8Array([1, 0])],
    ["3 bytes", new Uint8Array([1, 0, 0])],
    ["one non-zero byte", new Uint8Array([5])],
    ["count only", new Uint8Array([1, 0, 0, 0])],
    ["count 0xffffffff", withCount(0xffffffff)],
    ["count one too many", withCount(3)],
    ["count 0 with trailing bytes", withCount(0)],
    ["key length past the end", withLength(4, 1000)],
    ["key length 0xffffffff", withLength(4, 0xffffffff)],
    ["value length 0xffffffff", withLength(8, 0xffffffff)],
    ["last value length one too long", withLength(16, 3)],
    ["missing key terminator", (() => { const b = good.slice(); b[4 + 16 + 1] = 0x41; return b; })()],
    ["missing value terminator", (() => { const b = good.slice(); b[b.length - 1] = 0x41; return b; })()],
    ["trailing garbage", new Uint8Array([...good, 0, 0])],
    ["truncated", good.subarray(0, good.length - 1)],
    ["pointer past the end of memory", { ptr: 0x7ffffff0, size: 64 }],
    ["size past the end of memory", { ptr: 16, size: 0xfffffff0 }],
    ["null pointer with a size", { ptr: 0, size: 12 }],
  ];
  for (const [name, raw] of malformed) {
    it(`a malformed map from the host (${name}) gives no pairs and an error log, never a trap`, () => {
      const host = stream();
      host.rawMaps.set(REQUEST_HEADERS, raw);
      expect(host.exports.proxy_on_request_headers(2, 2, 0)).toBe(0);
      expect(decodePairs(host.setPairs[0]!.bytes)).toEqual([["x-example-seen", "0"]]);
      expect(host.logs.filter((l) => l.level === 4).map((l) => l.message)).toEqual([
        expect.stringContaining("malformed header map"),
      ]);
      // The module keeps working afterwards.
      host.rawMaps.delete(REQUEST_HEADERS);
      host.maps.set(REQUEST_HEADERS, [["a", "1"]]);
      host.exports.proxy_on_context_create(3, 1);
      expect(host.exports.proxy_on_request_headers(3, 1, 0)).toBe(0);
      expect(decodePairs(host.setPairs[1]!.bytes)).toEqual([["a", "1"], ["x-example-seen", "1"]]);
    });
  }

  it("a map value that is absent is null, an empty one is \"\"", () => {
    const host = stream();
    host.maps.set(REQUEST_HEADERS, [["x-example-reply", ""]]);
    expect(host.exports.proxy_on_request_headers(2, 1, 0)).toBe(1);
    expect(host.localReplies[0]?.status).toBe(500); // "" is present (not null) and not a status code
  });
});

describe("properties", () => {
  it("sends paths as segments joined by NUL, without a trailing NUL, and decodes the value", () => {
    const host = RecordingHost.start();
    expect(host.startRoot(1)).toBe(1);
    host.properties.set("metadata\0filter_metadata\0example\0user", enc.encode("alice ✓"));
    host.exports.proxy_on_context_create(2, 1);
    expect(host.exports.proxy_on_request_headers(2, 0, 1)).toBe(0);
    expect(host.propertyPaths).toContain("metadata\0filter_metadata\0example\0user");
    expect(host.propertyPaths).toContain("plugin_root_id");
    expect(host.maps.get(REQUEST_HEADERS)).toContainEqual(["x-example-user", "alice ✓"]);
  });

  it("an absent property is null (no header added)", () => {
    const host = RecordingHost.start();
    expect(host.startRoot(1)).toBe(1);
    host.exports.proxy_on_context_create(2, 1);
    host.exports.proxy_on_request_headers(2, 0, 1);
    expect((host.maps.get(REQUEST_HEADERS) ?? []).map(([k]) => k)).not.toContain("x-example-user");
  });
});

describe("memory handed out to the host", () => {
  it("get_buffer_bytes copies the body into a managed buffer and frees the host's block at once", () => {
    const host = RecordingHost.start(undefined, internalsModule);
    const x = host.exports as unknown as Record<string, (...a: number[]) => number>;
    const body = Uint8Array.from({ length: 3000 }, (_, i) => i & 0xff);
    host.buffers.set(REQUEST_BODY, body);
    const copy = x.test_get_request_body!(3000);
    const block = host.allocations.at(-1)!;
    expect(block.size).toBe(3000);
    expect(copy).not.toBe(0);
    expect(copy).not.toBe(block.ptr);
    expect(x.test_last_copy_length!()).toBe(3000);
    expect(Buffer.from(host.bytes(copy, 3000)).equals(Buffer.from(body))).toBe(true);
    expect(x.test_pending_host_allocations!()).toBe(0);

    // Empty results (pointer 0, size 0) give an empty buffer; a refusal gives null; nothing stays pending.
    host.buffers.set(REQUEST_BODY, new Uint8Array(0));
    expect(x.test_get_request_body!(100)).not.toBe(0);
    expect(x.test_last_copy_length!()).toBe(0);
    host.buffers.delete(REQUEST_BODY);
    expect(x.test_get_request_body!(100)).toBe(0);
    expect(x.test_last_copy_length!()).toBe(-1);
    expect(x.test_pending_host_allocations!()).toBe(0);
  });

  it("a host that allocates and then fails still gets its block freed", () => {
    const host = RecordingHost.start(undefined, internalsModule);
    const x = host.exports as unknown as Record<string, (...a: number[]) => number>;
    host.buffers.set(REQUEST_BODY, new Uint8Array(10));
    const realGet = host.buffers.get.bind(host.buffers);
    // Allocate, then answer InternalFailure.
    host.buffers.get = ((type: number) => {
      host.exports.proxy_on_memory_allocate(10);
      return undefined;
    }) as typeof host.buffers.get;
    expect(x.test_get_request_body!(10)).toBe(0);
    expect(x.test_pending_host_allocations!()).toBe(0);
    host.buffers.get = realGet;
  });

  it("the header-map decoder never reads outside the given bytes, whatever they hold (random input)", () => {
    const host = RecordingHost.start(undefined, internalsModule);
    const x = host.exports as unknown as Record<string, (...a: number[]) => number>;
    let seed = 12345;
    const random = (): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed; };
    // A page the module's allocator does not own, at the very end of memory: any over-read of an input placed at
    // its end traps.
    host.exports.memory.grow(1);
    const end = host.exports.memory.buffer.byteLength;
    let valid = 0;
    for (let round = 0; round < 3000; round++) {
      let bytes: Uint8Array;
      if (round % 2 === 0) {
        // A valid map of random pairs, then (mostly) one mutation: a flipped byte, a cut, extra bytes.
        const pairs: Pairs = Array.from({ length: random() % 4 }, () =>
          [String.fromCharCode(97 + (random() % 26)).repeat(random() % 4), "é✓x".repeat(random() % 3)]);
        bytes = encodePairs(pairs);
        const mutation = random() % 4;
        if (mutation === 1 && bytes.length > 0) bytes[random() % bytes.length] = random() & 0xff;
        if (mutation === 2) bytes = bytes.subarray(0, random() % (bytes.length + 1));
        if (mutation === 3) bytes = new Uint8Array([...bytes, random() & 0xff]);
      } else {
        bytes = Uint8Array.from({ length: random() % 200 }, () => random() & 0xff);
      }
      const size = bytes.length;
      const at = end - size;
      new Uint8Array(host.exports.memory.buffer).set(bytes, at);
      let expected: number;
      try { expected = decodePairs(bytes).length; } catch { expected = -1; }
      if (size === 1 && bytes[0] === 0) expected = 0;
      expect(x.test_decode_header_map!(at, size)).toBe(expected);
      if (expected > 0) valid++;
    }
    expect(valid).toBeGreaterThan(0);
  });

  it("memory does not grow over many requests with bodies (nothing leaks per stream)", () => {
    const host = RecordingHost.start();
    expect(host.startRoot(1)).toBe(1);
    host.maps.set(REQUEST_HEADERS, [[":path", "/"], ["content-type", "application/json"]]);
    host.buffers.set(REQUEST_BODY, new Uint8Array(64 * 1024).fill(0x62));
    const run = (from: number, count: number): void => {
      for (let id = from; id < from + count; id++) {
        host.exports.proxy_on_context_create(id, 1);
        host.exports.proxy_on_request_headers(id, 2, 0);
        host.exports.proxy_on_request_body(id, 64 * 1024, 1);
        host.exports.proxy_on_response_headers(id, 1, 1);
        host.exports.proxy_on_log(id);
        host.exports.proxy_on_done(id);
        host.exports.proxy_on_delete(id);
        host.maps.set(REQUEST_HEADERS, [[":path", "/"], ["content-type", "application/json"]]);
        host.maps.delete(RESPONSE_HEADERS);
      }
    };
    run(100, 200);
    const warm = host.exports.memory.buffer.byteLength;
    run(1000, 2000); // 2000 × 64 KiB = 125 MiB copied in total
    expect(host.exports.memory.buffer.byteLength).toBeLessThanOrEqual(warm + 256 * 1024);
  });

  it("refuses absurd allocation requests with 0 instead of trapping", () => {
    const host = RecordingHost.start();
    expect(host.exports.proxy_on_memory_allocate(0x7fffffff)).toBe(0);
    expect(host.exports.proxy_on_memory_allocate(0xffffffff | 0)).toBe(0);
    expect(host.exports.proxy_on_memory_allocate(16)).not.toBe(0);
  });

  it("a host that never lets the module free its blocks hits a bounded table, not unbounded growth", () => {
    const host = RecordingHost.start();
    const pointers = Array.from({ length: 40 }, () => host.exports.proxy_on_memory_allocate(32));
    expect(pointers.filter((p) => p !== 0).length).toBe(16);
    // The next wrapper call releases them all and allocation works again.
    expect(host.startRoot(1)).toBe(1);
    expect(host.exports.proxy_on_memory_allocate(32)).not.toBe(0);
  });
});

describe("local replies, HTTP calls and metrics", () => {
  function stream(headers: Pairs): RecordingHost {
    const host = RecordingHost.start();
    expect(host.startRoot(1)).toBe(1);
    host.exports.proxy_on_context_create(2, 1);
    host.maps.set(REQUEST_HEADERS, headers);
    return host;
  }

  it("send_local_response gets status, details, body, serialized headers and grpc status -1", () => {
    const host = stream([["x-example-reply", "403"]]);
    expect(host.exports.proxy_on_request_headers(2, 1, 0)).toBe(1);
    expect(host.localReplies).toEqual([
      { status: 403, details: "example_reply", body: "example reply", headers: [["x-example", "local"]], grpcStatus: -1 },
    ]);
  });

  it("http_call sends serialized headers and resumes the stream from the root after set_effective_context", () => {
    const host = stream([[":path", "/mcp"], ["x-example-call", "yes"]]);
    expect(host.exports.proxy_on_request_headers(2, 2, 1)).toBe(1);
    expect(host.httpCalls).toEqual([{
      upstream: "example-upstream",
      headers: [[":method", "GET"], [":path", "/check"], [":authority", "example-upstream"]],
      body: new Uint8Array(0), trailers: [], timeout: 5000,
    }]);

    host.maps.set(CALL_RESPONSE_HEADERS, [[":status", "200"], ["x-a", "b"]]);
    host.buffers.set(CALL_RESPONSE_BODY, enc.encode("ok-body"));
    const mark = host.calls.length;
    host.exports.proxy_on_http_call_response(1, 7, 2, 7, 0);
    const after = host.calls.slice(mark).map((c) => c.name);
    expect(after.indexOf("proxy_set_effective_context")).toBeLessThan(after.indexOf("proxy_continue_stream"));
    expect(host.callsTo("proxy_set_effective_context")[0]!.args).toEqual([2]);
    expect(host.callsTo("proxy_continue_stream")[0]!.args).toEqual([0]);
    expect(host.maps.get(REQUEST_HEADERS)).toContainEqual(["x-example-callout", "200 ok-body"]);
    // The status was copied out before its block was reused for the body.
    const [statusBlock, bodyBlock] = host.allocations.slice(-2);
    expect(bodyBlock!.ptr).toBe(statusBlock!.ptr);
  });

  it("a failed http call (no headers) becomes a local 503 for the waiting stream", () => {
    const host = stream([["x-example-call", "yes"]]);
    expect(host.exports.proxy_on_request_headers(2, 1, 1)).toBe(1);
    host.exports.proxy_on_http_call_response(1, 7, 0, 0, 0);
    expect(host.localReplies.map((r) => [r.status, r.details])).toEqual([[503, "example_callout_failed"]]);
    // The token is forgotten: a second answer with it is ignored.
    host.exports.proxy_on_http_call_response(1, 7, 0, 0, 0);
    expect(host.localReplies).toHaveLength(1);
  });

  it("metrics are defined by name once and incremented by id with an i64 delta", () => {
    const host = stream([]);
    host.exports.proxy_on_request_headers(2, 0, 1);
    host.exports.proxy_on_context_create(3, 1);
    host.exports.proxy_on_request_headers(3, 0, 1);
    const defined = host.callsTo("proxy_define_metric").map((c) => c.args[0]);
    expect(defined).toEqual([0, 0]);
    const requests = [...host.metrics.entries()].find(([, m]) => m.name === "example_requests")!;
    expect(requests[1].value).toBe(2n);
    expect(host.callsTo("proxy_increment_metric").every((c) => c.args[0] === requests[0] && c.args[1] === 1n)).toBe(true);
  });
});
