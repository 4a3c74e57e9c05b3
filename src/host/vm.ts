// The wasm VM as proxy-wasm-cpp-host drives it (src/wasm.cc, src/v8/v8.cc): load checks (ABI version marker,
// imports, export signatures), start (_initialize then main / __main_void, or _start) with only a few host
// functions allowed, calls into exported callbacks with the current / effective context, deferred
// "after VM call" actions, and the failed state a trap leaves behind.
import { ModuleMemory } from "./memory.ts";
import { HostTrap, WasmLoadError, errorMessage } from "./errors.ts";
import {
  ALLOWED_DURING_ALLOC,
  ALLOWED_DURING_START,
  EXPORT_SIGNATURES,
  parseSignature,
  sameSignature,
  type AbiVersion,
} from "./signatures.ts";
import { formatSignature, readModuleInfo, type ModuleImport } from "./wasm-binary.ts";

/** Anything that can be the current context of a VM call. */
export interface VmContext {
  readonly id: number;
}

export type HostFunction = (...args: never[]) => number | bigint | void;

export interface ImportResolver {
  /** The host function for module.name, or undefined when the host has none (the module is refused). */
  resolve(module: string, name: string, abi: AbiVersion): { fn: HostFunction; signature: string } | undefined;
}

export interface TrapInfo {
  functionName: string;
  message: string;
  context: VmContext | null;
}

type Exported = (...args: Array<number | bigint>) => unknown;

const ABI_MARKERS: Array<[string, AbiVersion]> = [
  ["proxy_abi_version_0_1_0", "0_1_0"],
  ["proxy_abi_version_0_2_0", "0_2_0"],
  ["proxy_abi_version_0_2_1", "0_2_1"],
];

export class WasmVm {
  abi: AbiVersion = "0_2_1";
  failed = false;
  failMessage = "";
  readonly memory: ModuleMemory;
  /** Set by proxy_send_local_response: the callback's answer is turned into a stop (cpp-host stopNextIteration). */
  stopNextIteration = false;
  private instance: WebAssembly.Instance | undefined;
  private wasmMemory: WebAssembly.Memory | undefined;
  private exportsByName = new Map<string, Exported>();
  private allocatorName: "malloc" | "proxy_on_memory_allocate" | undefined;
  private allowed: ReadonlySet<string> | null = null;
  private current: VmContext | null = null;
  private effectiveId = 0;
  private readonly afterCallActions: Array<() => void> = [];
  private readonly contexts = new Map<number, VmContext>();
  private nextContextId = 1;

  constructor(private readonly onTrap: (trap: TrapInfo) => void) {
    this.memory = new ModuleMemory(
      () => {
        if (!this.wasmMemory) throw new Error("module memory is not available");
        return this.wasmMemory;
      },
      (size) => this.allocate(size),
    );
  }

  /** Compiles, checks and instantiates the module; throws WasmLoadError the way Envoy refuses a module. */
  async load(source: WebAssembly.Module | Uint8Array, resolver: ImportResolver): Promise<void> {
    const bytes = source instanceof Uint8Array ? source : undefined;
    const info = bytes ? readModuleInfo(bytes) : undefined;
    const exportNames = info ? info.exports.map((e) => e.name) : WebAssembly.Module.exports(source as WebAssembly.Module).map((e) => e.name);
    const marker = ABI_MARKERS.find(([name]) => exportNames.includes(name));
    if (!marker) throw new WasmLoadError("Missing or unknown Proxy-Wasm ABI version");
    if (marker[1] === "0_1_0") throw new WasmLoadError("Proxy-Wasm ABI 0.1.0 is not supported by this host");
    this.abi = marker[1];

    let module: WebAssembly.Module;
    try {
      module = bytes ? await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>) : (source as WebAssembly.Module);
    } catch (error) {
      throw new WasmLoadError(`Failed to load Wasm bytecode: ${errorMessage(error)}`);
    }
    const imports: ModuleImport[] = info?.imports ??
      WebAssembly.Module.imports(module).map((i) => ({ module: i.module, name: i.name, kind: i.kind === "function" ? "func" : (i.kind as ModuleImport["kind"]) }));
    const importObject = this.link(imports, resolver);
    try {
      this.instance = await WebAssembly.instantiate(module, importObject);
    } catch (error) {
      throw new WasmLoadError(`Failed to create new Wasm instance: ${errorMessage(error)}`);
    }
    this.collectExports(info?.exports);
  }

  private link(imports: ModuleImport[], resolver: ImportResolver): WebAssembly.Imports {
    const object: Record<string, Record<string, WebAssembly.ImportValue>> = {};
    for (const imp of imports) {
      const slot = (object[imp.module] ??= {});
      const qualified = `${imp.module}.${imp.name}`;
      if (imp.kind === "func") {
        const host = resolver.resolve(imp.module, imp.name, this.abi);
        if (!host) throw new WasmLoadError(`Failed to load Wasm module due to a missing import: ${qualified}`);
        const want = parseSignature(host.signature);
        if (imp.type && !sameSignature(imp.type, want)) {
          throw new WasmLoadError(
            `Failed to load Wasm module due to an import type mismatch: ${qualified}, want: ${formatSignature(imp.type)}, but host exports: ${formatSignature(want)}`,
          );
        }
        slot[imp.name] = this.guard(qualified, host.fn);
      } else if (imp.kind === "memory") {
        // Like cpp-host's V8 integration, the host creates imported memories and tables itself.
        const limits = imp.memory ?? { initial: 1, shared: false };
        this.wasmMemory = new WebAssembly.Memory(
          limits.maximum === undefined ? { initial: limits.initial } : { initial: limits.initial, maximum: limits.maximum },
        );
        slot[imp.name] = this.wasmMemory;
      } else if (imp.kind === "table" && imp.table) {
        const { element, initial, maximum } = imp.table;
        const type = { element: (element === "externref" ? "externref" : "anyfunc") as WebAssembly.TableKind, initial };
        slot[imp.name] = new WebAssembly.Table(maximum === undefined ? type : { ...type, maximum });
      } else {
        // Globals (and tags) cannot be provided: Envoy refuses them as missing imports too.
        throw new WasmLoadError(`Failed to load Wasm module due to a missing import: ${qualified}`);
      }
    }
    return object;
  }

  /** Wraps a host function so calls outside the allowed set trap ("restricted_callback"). */
  private guard(qualified: string, fn: HostFunction): HostFunction {
    return ((...args: never[]) => {
      if (this.allowed && !this.allowed.has(qualified)) throw new HostTrap(`restricted_callback: ${qualified}`);
      return fn(...args);
    }) as HostFunction;
  }

  private collectExports(exportInfo: ReadonlyArray<{ name: string; kind: string; type?: { params: string[]; results: string[] } }> | undefined): void {
    const exports = this.instance?.exports ?? {};
    for (const [name, value] of Object.entries(exports)) {
      if (typeof value === "function") {
        const expected = EXPORT_SIGNATURES[name];
        const actual = exportInfo?.find((e) => e.name === name)?.type;
        if (expected && actual && !sameSignature(actual, parseSignature(expected))) {
          throw new WasmLoadError(
            `Bad function signature for: ${name}, want: ${formatSignature(parseSignature(expected))}, but the module exports: ${formatSignature(actual)}`,
          );
        }
        this.exportsByName.set(name, value as Exported);
      } else if (value instanceof WebAssembly.Memory && !this.wasmMemory) {
        this.wasmMemory = value;
      }
    }
    if (!this.wasmMemory) throw new WasmLoadError("Wasm module does not export or import a memory");
    // proxy-wasm-cpp-host looks for `malloc` first and falls back to proxy_on_memory_allocate.
    if (this.exportsByName.has("malloc")) this.allocatorName = "malloc";
    else if (this.exportsByName.has("proxy_on_memory_allocate")) this.allocatorName = "proxy_on_memory_allocate";
    else throw new WasmLoadError("Wasm module is missing malloc function.");
  }

  /** Runs _initialize (+ main or __main_void) or _start with only start-time host functions allowed. */
  start(vmContext: VmContext): boolean {
    this.allowed = ALLOWED_DURING_START;
    try {
      if (this.exportsByName.has("_initialize")) {
        this.call(vmContext, "_initialize", []);
        if (!this.failed && this.exportsByName.has("main")) this.call(vmContext, "main", [0, 0]);
        else if (!this.failed && this.exportsByName.has("__main_void")) this.call(vmContext, "__main_void", []);
      } else if (this.exportsByName.has("_start")) {
        this.call(vmContext, "_start", []);
      }
    } finally {
      this.allowed = null;
    }
    return !this.failed;
  }

  has(name: string): boolean {
    return this.exportsByName.has(name);
  }

  /**
   * Calls an exported function with `context` as the current context (and no effective context), like
   * cpp-host's SaveRestoreContext. A trap marks the VM failed and gives undefined.
   */
  call(context: VmContext, name: string, args: Array<number | bigint>): number | undefined {
    const fn = this.exportsByName.get(name);
    if (!fn) return undefined;
    const savedCurrent = this.current;
    const savedEffective = this.effectiveId;
    this.current = context;
    this.effectiveId = 0;
    try {
      const result = fn(...args);
      return typeof result === "number" ? result >>> 0 : typeof result === "bigint" ? Number(BigInt.asUintN(32, result)) : 0;
    } catch (error) {
      this.fail({ functionName: name, message: errorMessage(error), context });
      return undefined;
    } finally {
      this.current = savedCurrent;
      this.effectiveId = savedEffective;
    }
  }

  fail(trap: TrapInfo): void {
    const first = !this.failed;
    this.failed = true;
    if (first) this.failMessage = `Function: ${trap.functionName} failed: ${trap.message}`;
    this.onTrap(trap);
  }

  /** The module's allocator, run with only logging and clocks allowed (WasmBase::allocMemory). 0 = failure. */
  allocate(size: number): number {
    if (!this.allocatorName) return 0;
    const saved = this.allowed;
    this.allowed = ALLOWED_DURING_ALLOC;
    try {
      const address = this.call(this.current ?? { id: 0 }, this.allocatorName, [size]);
      if (!address || address + size > this.memory.byteLength) return 0;
      return address;
    } finally {
      this.allowed = saved;
    }
  }

  // ---- contexts -------------------------------------------------------------------------------------------

  allocContextId(): number {
    while (this.contexts.has(this.nextContextId)) this.nextContextId++;
    return this.nextContextId++;
  }

  registerContext(context: VmContext): void {
    this.contexts.set(context.id, context);
  }

  unregisterContext(id: number): void {
    this.contexts.delete(id);
  }

  getContext(id: number): VmContext | undefined {
    return this.contexts.get(id);
  }

  /** contextOrEffectiveContext(): the effective context if one was set and still exists, else the current one. */
  activeContext(): VmContext | null {
    if (this.effectiveId !== 0) {
      const effective = this.contexts.get(this.effectiveId);
      if (effective) return effective;
    }
    return this.current;
  }

  setEffectiveContext(id: number): boolean {
    if (!this.contexts.has(id)) return false;
    this.effectiveId = id;
    return true;
  }

  // ---- after-call actions ------------------------------------------------------------------------------------

  addAfterCallAction(action: () => void): void {
    this.afterCallActions.push(action);
  }

  /** End of a top-level callback (DeferAfterCallActions): clear the stop flag and run the queued actions. */
  finishCallback(): void {
    this.stopNextIteration = false;
    while (this.afterCallActions.length > 0) {
      const action = this.afterCallActions.shift();
      action?.();
    }
  }

  memoryBytes(): number {
    return this.wasmMemory?.buffer.byteLength ?? 0;
  }
}
