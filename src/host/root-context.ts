// The root (plugin) context and its lifecycle as cpp-host's ContextBase drives it: onStart
// (proxy_on_context_create(root, 0) then proxy_on_vm_start), onConfigure, ticks, queue notifications, HTTP call
// responses and shutdown (proxy_on_done, then proxy_on_delete now or after proxy_done).
import { Context, type HttpCallResult } from "./context.ts";
import { returnsValue } from "./signatures.ts";
import type { PropertyLookup } from "./properties.ts";
import type { WasmVm } from "./vm.ts";

export interface RootContextInit {
  vmConfig: Uint8Array;
  pluginConfig: Uint8Array;
  properties: PropertyLookup;
  event: (kind: string, detail?: unknown) => void;
}

export class RootContext extends Context {
  readonly id: number;
  readonly root: RootContext = this;
  readonly properties: PropertyLookup;
  readonly vmConfig: Uint8Array;
  readonly pluginConfig: Uint8Array;
  /** PLUGIN_CONFIGURATION is readable only while the plugin is being created / configured (temp_plugin_). */
  pluginConfigVisible = false;
  /** The response being delivered by proxy_on_http_call_response, readable only during that callback. */
  httpCallResponse: HttpCallResult | null = null;
  tickPeriodMs = 0;
  /** proxy_on_done answered false: waiting for proxy_done. */
  pendingDone = false;
  private readonly event: RootContextInit["event"];

  constructor(vm: WasmVm, init: RootContextInit) {
    super(vm);
    this.id = vm.allocContextId();
    this.vmConfig = init.vmConfig;
    this.pluginConfig = init.pluginConfig;
    this.properties = init.properties;
    this.event = init.event;
    vm.registerContext(this);
  }

  override recordEvent(kind: string, detail?: unknown): void {
    this.event(kind, detail);
  }

  /** Calls `name` unless the VM failed or the module does not export it; runs the deferred actions after. */
  private callback(name: string, args: number[], extra?: () => void): number | undefined {
    if (this.vm.failed || !this.vm.has(name)) return undefined;
    const result = this.vm.call(this, name, args);
    this.event("callback", returnsValue(name) ? { name, args, result } : { name, args });
    extra?.();
    this.vm.finishCallback();
    return result;
  }

  /** proxy_on_context_create(root, 0) with the plugin configuration visible, then proxy_on_vm_start. */
  start(): boolean {
    this.pluginConfigVisible = true;
    this.callback("proxy_on_context_create", [this.id, 0]);
    this.pluginConfigVisible = false;
    const started = this.callback("proxy_on_vm_start", [this.id, this.vmConfig.length]);
    return !this.vm.failed && (started === undefined || started !== 0);
  }

  configure(): boolean {
    if (this.vm.failed) return false;
    this.pluginConfigVisible = true;
    const result = this.callback("proxy_on_configure", [this.id, this.pluginConfig.length]);
    this.pluginConfigVisible = false;
    return !this.vm.failed && (result === undefined || result !== 0);
  }

  tick(): void {
    this.callback("proxy_on_tick", [this.id]);
  }

  queueReady(token: number): void {
    this.callback("proxy_on_queue_ready", [this.id, token]);
  }

  /** Delivers an HTTP call result; `null` is a failure (0 headers, proxy_get_status = BROKEN_CONNECTION "reset"). */
  httpCallDone(token: number, response: HttpCallResult | null): void {
    if (response) {
      this.httpCallResponse = response;
      const args = [this.id, token, response.headers.size, response.body.length, response.trailers?.size ?? 0];
      // Envoy clears the response before the module's own deferred actions run.
      this.callback("proxy_on_http_call_response", args, () => {
        this.httpCallResponse = null;
      });
      this.httpCallResponse = null;
    } else {
      this.status = { code: 11, message: "reset" };
      this.callback("proxy_on_http_call_response", [this.id, token, 0, 0, 0], () => {
        this.status = { code: 11, message: "" };
      });
    }
  }

  /** Shutdown: proxy_on_done; true → proxy_on_delete now, false → after the module calls proxy_done. */
  shutdown(): void {
    const done = this.callback("proxy_on_done", [this.id]);
    if (done === 0) {
      this.pendingDone = true;
      return;
    }
    this.delete();
  }

  /** proxy_done: OK when the root was waiting for it; proxy_on_delete then runs after the current callback. */
  done(): boolean {
    if (!this.pendingDone) return false;
    this.pendingDone = false;
    this.vm.addAfterCallAction(() => this.delete());
    return true;
  }

  private delete(): void {
    this.callback("proxy_on_delete", [this.id]);
    this.vm.unregisterContext(this.id);
  }
}

/** The VM's own context (id 0): current while _initialize / _start run. */
export class VmOwnContext extends Context {
  readonly id = 0;
  constructor(vm: WasmVm, readonly root: RootContext, readonly properties: PropertyLookup) {
    super(vm);
  }
}
