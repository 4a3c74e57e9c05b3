// The host's internal state behind ProxyWasmHost: options, the VM and its root context, logs, the host-level
// timeline, metrics, shared state, HTTP callouts and callbacks posted to run after the current operation
// (like Envoy's dispatcher posts).
import { LogLevel } from "./abi.ts";
import { toBytes } from "./bytes.ts";
import type { Context } from "./context.ts";
import { WasmLoadError } from "./errors.ts";
import { HttpCallouts } from "./http-callouts.ts";
import { createImportResolver } from "./imports.ts";
import { encodeEnviron } from "./imports-wasi.ts";
import { MetricRegistry } from "./metrics.ts";
import { PropertyLookup, encodeProperties, type PluginIdentity } from "./properties.ts";
import { RootContext, VmOwnContext } from "./root-context.ts";
import { SharedState } from "./shared.ts";
import type { StreamEnv } from "./stream.ts";
import type { HostOptions, LogEntry, StreamEvent } from "./types.ts";
import { WasmVm, type TrapInfo } from "./vm.ts";

export const DEFAULT_ROOT_ID = "mcp-guard";
export const DEFAULT_BUFFER_LIMIT = 1024 * 1024;

const EPOCH_OFFSET_NS = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

export class Runtime implements StreamEnv {
  readonly vm: WasmVm;
  readonly logs: LogEntry[] = [];
  readonly events: StreamEvent[] = [];
  readonly metrics = new MetricRegistry();
  readonly shared: SharedState;
  readonly callouts: HttpCallouts;
  readonly identity: PluginIdentity;
  readonly hostProperties: Map<string, Uint8Array>;
  readonly failOpen: boolean;
  readonly allowOnHeadersStopIteration: boolean;
  readonly bufferLimit: number;
  readonly logLevel: number;
  configured = false;
  private rootContext: RootContext | undefined;
  private readonly environEntries: Uint8Array[];
  private seq = 0;
  private readonly posted: Array<() => void> = [];
  private draining = false;

  constructor(private readonly options: HostOptions) {
    const rootId = options.rootId ?? DEFAULT_ROOT_ID;
    this.identity = { rootId, pluginName: options.pluginName ?? rootId, vmId: options.vmId ?? "" };
    this.hostProperties = encodeProperties(options.properties);
    this.failOpen = options.failStrategy === "FAIL_OPEN";
    this.allowOnHeadersStopIteration = options.allowOnHeadersStopIteration ?? false;
    this.bufferLimit = options.bufferLimitBytes ?? DEFAULT_BUFFER_LIMIT;
    this.logLevel = options.logLevel ?? LogLevel.Info;
    this.shared = options.shared ?? new SharedState();
    this.environEntries = encodeEnviron(options.env);
    this.vm = new WasmVm((trap) => this.onTrap(trap));
    this.callouts = new HttpCallouts(options, (token, result) => {
      this.root.httpCallDone(token, result);
      this.drainPosted();
    });
  }

  get root(): RootContext {
    if (!this.rootContext) throw new Error("the host has not started");
    return this.rootContext;
  }

  /** Envoy's createWasm + start + configure. Throws WasmLoadError when the module is refused. */
  async start(): Promise<void> {
    try {
      await this.vm.load(this.options.module, createImportResolver(this));
    } catch (error) {
      if (error instanceof WasmLoadError) this.log(LogLevel.Critical, error.message, 0, "host");
      throw error;
    }
    const root = new RootContext(this.vm, {
      vmConfig: toBytes(this.options.vmConfig ?? ""),
      pluginConfig: toBytes(this.options.pluginConfig ?? ""),
      properties: new PropertyLookup([this.hostProperties], this.identity, false),
      event: (kind, detail) => this.event(kind, detail),
    });
    this.rootContext = root;
    if (!this.vm.start(new VmOwnContext(this.vm, root, root.properties))) {
      this.log(LogLevel.Critical, "Failed to initialize Wasm code", 0, "host");
      return;
    }
    if (!root.start()) {
      this.log(LogLevel.Critical, "Failed to start base Wasm", 0, "host");
      return;
    }
    this.configured = root.configure();
    if (!this.configured) this.log(LogLevel.Critical, "Failed to configure base Wasm plugin", 0, "host");
    this.drainPosted();
  }

  usable(): boolean {
    return this.configured && !this.vm.failed;
  }

  nextSeq(): number {
    return ++this.seq;
  }

  afterOperation(): void {
    this.drainPosted();
  }

  event(kind: string, detail?: unknown): void {
    this.events.push(detail === undefined ? { seq: this.nextSeq(), kind } : { seq: this.nextSeq(), kind, detail });
  }

  /** Runs `task` after the current operation (Envoy's dispatcher.post). */
  post(task: () => void): void {
    this.posted.push(task);
  }

  drainPosted(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.posted.length > 0) this.posted.shift()?.();
    } finally {
      this.draining = false;
    }
  }

  /** contextOrEffectiveContext() of the running host function. */
  activeContext(): Context {
    return (this.vm.activeContext() as Context | null) ?? this.root;
  }

  /** Records a log entry unless its level is below the configured one (Envoy's logger drops it). */
  log(level: number, message: string, contextId: number, source: LogEntry["source"]): void {
    if (level < this.logLevel) return;
    const entry: LogEntry = { level, message, contextId, source };
    if (this.options.keepLogs !== false) this.logs.push(entry);
    this.options.onLog?.(entry);
    if (source === "module") this.activeContextOrNull()?.recordEvent("log", { level, message });
  }

  private activeContextOrNull(): Context | null {
    return (this.vm.activeContext() as Context | null) ?? null;
  }

  private onTrap(trap: TrapInfo): void {
    const contextId = trap.context?.id ?? 0;
    const message = `Function: ${trap.functionName} failed: ${trap.message}`;
    this.log(LogLevel.Error, message, contextId, "host");
    const detail = { callback: trap.functionName, message: trap.message, contextId };
    this.event("trap", detail);
    const context = trap.context as Context | null;
    if (context && context !== this.rootContext && typeof context.recordEvent === "function") context.recordEvent("trap", detail);
  }

  clockNs(): bigint {
    return this.options.clock ? this.options.clock() : EPOCH_OFFSET_NS + process.hrtime.bigint();
  }

  monotonicNs(): bigint {
    return this.options.monotonicClock ? this.options.monotonicClock() : process.hrtime.bigint();
  }

  environ(): Uint8Array[] {
    return this.environEntries;
  }
}
