// ProxyWasmHost: the public face of the host. One instance is one Envoy worker's VM running one plugin.
import { Runtime } from "./runtime.ts";
import { HttpStream, type StreamOptions } from "./stream.ts";
import type { HostOptions, LogEntry, MetricValue, StreamEvent } from "./types.ts";

export class ProxyWasmHost {
  private constructor(private readonly rt: Runtime) {}

  /**
   * Instantiates the module (refusing it with a WasmLoadError like Envoy would), runs _initialize / _start,
   * proxy_on_context_create(root, 0), proxy_on_vm_start and proxy_on_configure. A trap or a `false` answer
   * during start does not throw: `configured` is then false and streams are failed open / closed.
   */
  static async start(options: HostOptions): Promise<ProxyWasmHost> {
    const rt = new Runtime(options);
    await rt.start();
    return new ProxyWasmHost(rt);
  }

  /** proxy_on_configure's answer (false also when start failed earlier). */
  get configured(): boolean {
    return this.rt.configured;
  }

  /** The VM trapped at some point (it then stays failed, as in Envoy without FAIL_RELOAD). */
  get failed(): boolean {
    return this.rt.vm.failed;
  }

  get logs(): LogEntry[] {
    return this.rt.logs;
  }

  /** Host-level timeline: root-context callbacks (vm start, configure, tick, HTTP call responses...), traps. */
  get events(): StreamEvent[] {
    return this.rt.events;
  }

  get rootContextId(): number {
    return this.rt.root.id;
  }

  /** The period the module asked for with proxy_set_tick_period_milliseconds (0 = none). */
  get tickPeriodMilliseconds(): number {
    return this.rt.root.tickPeriodMs;
  }

  /** Number of proxy_http_call requests whose answer has not been delivered yet. */
  get pendingHttpCalls(): number {
    return this.rt.callouts.outstanding;
  }

  metric(name: string): MetricValue | undefined {
    return this.rt.metrics.byName(name);
  }

  metrics(): Map<string, MetricValue> {
    return this.rt.metrics.all();
  }

  memoryBytes(): number {
    return this.rt.vm.memoryBytes();
  }

  /** proxy_on_tick on the root context. */
  tick(): void {
    if (this.rt.usable()) this.rt.root.tick();
    this.rt.drainPosted();
  }

  newStream(options?: StreamOptions): HttpStream {
    return new HttpStream(this.rt, options);
  }

  /** Waits until every outstanding HTTP call was answered and delivered to the module. */
  async settle(): Promise<void> {
    await this.rt.callouts.settle();
    this.rt.drainPosted();
  }

  /** proxy_on_done on the root; proxy_on_delete follows at once or after the module calls proxy_done. */
  shutdown(): void {
    this.rt.root.shutdown();
    this.rt.drainPosted();
  }
}
