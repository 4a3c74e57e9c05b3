// The shape of modules built on assembly/abi: the exported callbacks are exactly those of proxy-wasm ABI 0.2.1
// with the spec's signatures, and every import is a 0.2.1 host function (module "env") or a WASI function the
// spec lists, with the exact parameter and result types. A wrong signature makes Envoy refuse to load the module;
// an unknown import fails linking.
import { existsSync, readFileSync } from "node:fs";
import asc from "assemblyscript/asc";
import { beforeAll, describe, expect, it } from "vitest";

type ValType = "i32" | "i64" | "f32" | "f64" | "v128" | "ref";
interface FuncType { params: ValType[]; results: ValType[] }
interface ModuleShape {
  imports: Array<{ module: string; name: string; kind: number; type?: FuncType }>;
  exports: Array<{ name: string; kind: number; type?: FuncType }>;
}

const I = "i32" as const;
const L = "i64" as const;
const sig = (params: ValType[], results: ValType[] = []): FuncType => ({ params, results });
const i32s = (n: number): ValType[] => Array.from({ length: n }, () => I);

// Callbacks a module may export (spec abi-versions/v0.2.1, "Callbacks exposed by the Wasm module").
const ABI_EXPORTS: Record<string, FuncType> = {
  proxy_abi_version_0_2_1: sig([]),
  proxy_on_memory_allocate: sig([I], [I]),
  proxy_on_context_create: sig(i32s(2)),
  proxy_on_done: sig([I], [I]),
  proxy_on_log: sig([I]),
  proxy_on_delete: sig([I]),
  proxy_on_vm_start: sig(i32s(2), [I]),
  proxy_on_configure: sig(i32s(2), [I]),
  proxy_on_tick: sig([I]),
  proxy_on_new_connection: sig([I], [I]),
  proxy_on_downstream_data: sig(i32s(3), [I]),
  proxy_on_downstream_connection_close: sig(i32s(2)),
  proxy_on_upstream_data: sig(i32s(3), [I]),
  proxy_on_upstream_connection_close: sig(i32s(2)),
  proxy_on_request_headers: sig(i32s(3), [I]),
  proxy_on_request_body: sig(i32s(3), [I]),
  proxy_on_request_trailers: sig(i32s(2), [I]),
  proxy_on_response_headers: sig(i32s(3), [I]),
  proxy_on_response_body: sig(i32s(3), [I]),
  proxy_on_response_trailers: sig(i32s(2), [I]),
  proxy_on_http_call_response: sig(i32s(5)),
  proxy_on_grpc_receive_initial_metadata: sig(i32s(3)),
  proxy_on_grpc_receive: sig(i32s(3)),
  proxy_on_grpc_receive_trailing_metadata: sig(i32s(3)),
  proxy_on_grpc_close: sig(i32s(3)),
  proxy_on_queue_ready: sig(i32s(2)),
  proxy_on_foreign_function: sig(i32s(3)),
};

// Host functions (spec "Functions exposed by the host"); every one returns a proxy_status_t.
const ABI_ENV_IMPORTS: Record<string, FuncType> = {
  proxy_log: sig(i32s(3), [I]),
  proxy_get_log_level: sig([I], [I]),
  proxy_get_current_time_nanoseconds: sig([I], [I]),
  proxy_set_tick_period_milliseconds: sig([I], [I]),
  proxy_set_effective_context: sig([I], [I]),
  proxy_done: sig([], [I]),
  proxy_get_buffer_bytes: sig(i32s(5), [I]),
  proxy_set_buffer_bytes: sig(i32s(5), [I]),
  proxy_get_buffer_status: sig(i32s(3), [I]),
  proxy_get_header_map_size: sig(i32s(2), [I]),
  proxy_get_header_map_pairs: sig(i32s(3), [I]),
  proxy_set_header_map_pairs: sig(i32s(3), [I]),
  proxy_get_header_map_value: sig(i32s(5), [I]),
  proxy_add_header_map_value: sig(i32s(5), [I]),
  proxy_replace_header_map_value: sig(i32s(5), [I]),
  proxy_remove_header_map_value: sig(i32s(3), [I]),
  proxy_continue_stream: sig([I], [I]),
  proxy_close_stream: sig([I], [I]),
  proxy_get_status: sig(i32s(3), [I]),
  proxy_send_local_response: sig(i32s(8), [I]),
  proxy_http_call: sig(i32s(10), [I]),
  proxy_grpc_call: sig(i32s(12), [I]),
  proxy_grpc_stream: sig(i32s(9), [I]),
  proxy_grpc_send: sig(i32s(4), [I]),
  proxy_grpc_cancel: sig([I], [I]),
  proxy_grpc_close: sig([I], [I]),
  proxy_set_shared_data: sig(i32s(5), [I]),
  proxy_get_shared_data: sig(i32s(5), [I]),
  proxy_register_shared_queue: sig(i32s(3), [I]),
  proxy_resolve_shared_queue: sig(i32s(5), [I]),
  proxy_enqueue_shared_queue: sig(i32s(3), [I]),
  proxy_dequeue_shared_queue: sig(i32s(3), [I]),
  proxy_define_metric: sig(i32s(4), [I]),
  proxy_record_metric: sig([I, L], [I]),
  proxy_increment_metric: sig([I, L], [I]),
  proxy_get_metric: sig(i32s(2), [I]),
  proxy_get_property: sig(i32s(4), [I]),
  proxy_set_property: sig(i32s(4), [I]),
  proxy_call_foreign_function: sig(i32s(6), [I]),
};

// WASI functions the 0.2.1 spec lists (Envoy provides them).
const ABI_WASI_IMPORTS: Record<string, FuncType> = {
  fd_write: sig(i32s(4), [I]),
  clock_time_get: sig([I, L, I], [I]),
  random_get: sig(i32s(2), [I]),
  environ_sizes_get: sig(i32s(2), [I]),
  environ_get: sig(i32s(2), [I]),
  args_sizes_get: sig(i32s(2), [I]),
  args_get: sig(i32s(2), [I]),
  proc_exit: sig([I]),
};

// Names of host functions that exist only in other ABI versions or only as SDK names.
const NOT_IN_0_2_1 = [
  "proxy_get_configuration", "proxy_continue_request", "proxy_continue_response", "proxy_clear_route_cache",
  "proxy_dispatch_http_call",
];

// Exports added by the AssemblyScript toolchain: memory, the reactor start, and (test entries only) the
// runtime's allocation helpers from --exportRuntime and the abort handler, which the test compile helper passes
// as a second entry file.
const TOOLCHAIN_EXPORTS = ["memory", "_initialize"];
const TEST_BUILD_EXPORTS = ["__new", "__pin", "__unpin", "__collect", "__rtti_base", "abortHandler"];

/** Minimal reader for the type, import, function and export sections of a wasm binary. */
function readModuleShape(bytes: Uint8Array): ModuleShape {
  let pos = 0;
  const u8 = (): number => {
    if (pos >= bytes.length) throw new Error("unexpected end of module");
    return bytes[pos++]!;
  };
  const uleb = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = u8();
      result += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if ((b & 0x80) === 0) return result;
    }
  };
  const name = (): string => {
    const len = uleb();
    const text = new TextDecoder().decode(bytes.subarray(pos, pos + len));
    pos += len;
    return text;
  };
  const valType = (b: number): ValType => {
    switch (b) {
      case 0x7f: return "i32";
      case 0x7e: return "i64";
      case 0x7d: return "f32";
      case 0x7c: return "f64";
      case 0x7b: return "v128";
      default: return "ref";
    }
  };
  const limits = (): void => {
    const flags = u8();
    uleb();
    if (flags & 1) uleb();
  };

  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new Error("not a wasm module");
  }
  pos = 8;
  const types: FuncType[] = [];
  const functionTypes: number[] = []; // type index of every function, imports first
  const imports: ModuleShape["imports"] = [];
  const rawExports: Array<{ name: string; kind: number; index: number }> = [];

  while (pos < bytes.length) {
    const id = u8();
    const size = uleb();
    const end = pos + size;
    if (id === 1) {
      const count = uleb();
      for (let i = 0; i < count; i++) {
        if (u8() !== 0x60) throw new Error("unsupported type form");
        const params = Array.from({ length: uleb() }, () => valType(u8()));
        const results = Array.from({ length: uleb() }, () => valType(u8()));
        types.push({ params, results });
      }
    } else if (id === 2) {
      const count = uleb();
      for (let i = 0; i < count; i++) {
        const module = name();
        const field = name();
        const kind = u8();
        if (kind === 0) {
          const typeIndex = uleb();
          functionTypes.push(typeIndex);
          imports.push({ module, name: field, kind, type: types[typeIndex] });
        } else {
          if (kind === 1) { u8(); limits(); } else if (kind === 2) { limits(); } else if (kind === 3) { u8(); u8(); }
          imports.push({ module, name: field, kind });
        }
      }
    } else if (id === 3) {
      const count = uleb();
      for (let i = 0; i < count; i++) functionTypes.push(uleb());
    } else if (id === 7) {
      const count = uleb();
      for (let i = 0; i < count; i++) {
        const field = name();
        const kind = u8();
        rawExports.push({ name: field, kind, index: uleb() });
      }
    }
    pos = end;
  }
  const exports = rawExports.map((e) => {
    if (e.kind !== 0) return { name: e.name, kind: e.kind };
    const typeIndex = functionTypes[e.index];
    return { name: e.name, kind: e.kind, type: typeIndex === undefined ? undefined : types[typeIndex] };
  });
  return { imports, exports };
}

/** Checks every import against the ABI 0.2.1 lists; returns problems as text (empty = fine). */
function importProblems(shape: ModuleShape): string[] {
  const problems: string[] = [];
  for (const imp of shape.imports) {
    const table = imp.module === "env" ? ABI_ENV_IMPORTS : imp.module === "wasi_snapshot_preview1" ? ABI_WASI_IMPORTS : undefined;
    const expected = table?.[imp.name];
    if (imp.kind !== 0) problems.push(`${imp.module}.${imp.name}: not a function import (kind ${imp.kind})`);
    else if (expected === undefined) problems.push(`${imp.module}.${imp.name}: not an ABI 0.2.1 host function`);
    else if (JSON.stringify(imp.type) !== JSON.stringify(expected)) {
      problems.push(`${imp.module}.${imp.name}: ${JSON.stringify(imp.type)} != ${JSON.stringify(expected)}`);
    }
  }
  return problems;
}

/** Compiles abi_example with the release flags of asconfig.json (no --exportRuntime), as Envoy would get it. */
async function compileReleaseExample(outFile: string): Promise<void> {
  let stderrText = "";
  const { error } = await asc.main([
    "assembly/testing/abi_example.ts", "--outFile", outFile,
    "--runtime", "incremental", "--exportStart", "_initialize", "--use", "abort=assembly/abi/runtime/abortHandler",
    "-O3", "--shrinkLevel", "1", "--converge", "--noAssert",
  ], { stderr: { write: (chunk: string | Uint8Array) => { stderrText += String(chunk); return true; } } as never });
  if (error) throw new Error(`asc failed: ${error.message}\n${stderrText}`);
}

describe("proxy-wasm ABI 0.2.1 module shape", () => {
  let testBuild: ModuleShape;
  let releaseBuild: ModuleShape;

  beforeAll(async () => {
    testBuild = readModuleShape(readFileSync("build/test/abi_example.wasm"));
    await compileReleaseExample("build/test/abi_example.release.wasm");
    releaseBuild = readModuleShape(readFileSync("build/test/abi_example.release.wasm"));
  });

  it("the wasm reader agrees with WebAssembly.Module on names and kinds", () => {
    const bytes = readFileSync("build/test/abi_example.wasm");
    const module = new WebAssembly.Module(bytes);
    expect(testBuild.exports.map((e) => e.name).sort()).toEqual(WebAssembly.Module.exports(module).map((e) => e.name).sort());
    expect(testBuild.imports.map((i) => `${i.module}.${i.name}`).sort())
      .toEqual(WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}`).sort());
  });

  it("exports every ABI 0.2.1 callback with the spec's signature, and nothing else (release flags)", () => {
    const callbacks = releaseBuild.exports.filter((e) => e.kind === 0 && e.name !== "_initialize");
    expect(callbacks.map((e) => e.name).sort()).toEqual(Object.keys(ABI_EXPORTS).sort());
    for (const e of callbacks) expect({ name: e.name, type: e.type }).toEqual({ name: e.name, type: ABI_EXPORTS[e.name] });
    expect(releaseBuild.exports.map((e) => e.name).sort())
      .toEqual([...Object.keys(ABI_EXPORTS), ...TOOLCHAIN_EXPORTS].sort());
    expect(releaseBuild.exports.find((e) => e.name === "_initialize")?.type).toEqual(sig([]));
    expect(releaseBuild.exports.find((e) => e.name === "memory")?.kind).toBe(2);
  });

  it("the test build adds only test-build helpers (runtime exports)", () => {
    const extra = testBuild.exports.map((e) => e.name).filter((n) => !(n in ABI_EXPORTS) && !TOOLCHAIN_EXPORTS.includes(n));
    for (const name of extra) expect(TEST_BUILD_EXPORTS).toContain(name);
    expect(extra).toContain("__new");
  });

  it("imports only ABI 0.2.1 host functions, with exact types", () => {
    expect(importProblems(releaseBuild)).toEqual([]);
    expect(importProblems(testBuild)).toEqual([]);
    const names = releaseBuild.imports.map((i) => i.name);
    for (const bad of NOT_IN_0_2_1) expect(names).not.toContain(bad);
    expect(names).not.toContain("abort");
    expect(names).toContain("proxy_log");
  });

  it("every host function declared in assembly/abi/imports.ts is in the ABI 0.2.1 list with the spec's arity", () => {
    // Declared-but-unused imports are not in the binary, so check the declarations themselves.
    const source = readFileSync("assembly/abi/imports.ts", "utf8");
    const declared = [...source.matchAll(/@external\("([^"]+)", "([^"]+)"\)\s*export declare function (\w+)\(([^)]*)\)/g)];
    expect(declared.length).toBe(Object.keys(ABI_ENV_IMPORTS).length);
    for (const [, module, name, fn, params] of declared) {
      expect(module).toBe("env");
      expect(fn).toBe(name);
      const expected = ABI_ENV_IMPORTS[name!];
      expect(expected, `${name} is not an ABI 0.2.1 host function`).toBeDefined();
      const types = params!.split(",").map((p) => p.trim()).filter((p) => p.length > 0)
        .map((p) => (/:\s*(i64|u64)$/.test(p) ? "i64" : "i32"));
      expect({ name, params: types }).toEqual({ name, params: expected!.params });
    }
  });

  it("the shipped filter (build/mcp-guard.wasm) has the same ABI shape, when it is built", () => {
    if (!existsSync("build/mcp-guard.wasm")) return;
    const shipped = readModuleShape(readFileSync("build/mcp-guard.wasm"));
    const callbacks = shipped.exports.filter((e) => e.kind === 0 && e.name !== "_initialize");
    expect(callbacks.map((e) => e.name).sort()).toEqual(Object.keys(ABI_EXPORTS).sort());
    for (const e of callbacks) expect({ name: e.name, type: e.type }).toEqual({ name: e.name, type: ABI_EXPORTS[e.name] });
    expect(importProblems(shipped)).toEqual([]);
  });
});
