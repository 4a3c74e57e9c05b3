// Shared key-value data and shared queues (proxy-wasm-cpp-host shared_data.cc / shared_queue.cc), kept in
// memory per vm_id. One SharedState can be given to several hosts, like the process-wide store in Envoy.
import { WasmResult } from "./abi.ts";

interface Queue {
  items: Uint8Array[];
  /** Called when an item is enqueued (delivers proxy_on_queue_ready to the registering root context). */
  notify: (token: number) => void;
}

export class SharedState {
  private data = new Map<string, Map<string, { value: Uint8Array; cas: number }>>();
  private nextCas = 1;
  private queueTokens = new Map<string, number>();
  private queues = new Map<number, Queue>();
  private nextQueueToken = 1;

  getData(vmId: string, key: string): { value: Uint8Array; cas: number } | undefined {
    return this.data.get(vmId)?.get(key);
  }

  setData(vmId: string, key: string, value: Uint8Array, cas: number): number {
    let map = this.data.get(vmId);
    if (!map) {
      map = new Map();
      this.data.set(vmId, map);
    }
    const existing = map.get(key);
    if (existing && cas !== 0 && cas !== existing.cas) return WasmResult.CasMismatch;
    map.set(key, { value: value.slice(), cas: this.takeCas() });
    return WasmResult.Ok;
  }

  /** Registers (or reopens, keeping its items) the queue `name` of `vmId`; returns its token. */
  registerQueue(vmId: string, name: string, notify: (token: number) => void): number {
    const key = `${vmId}\0${name}`;
    let token = this.queueTokens.get(key);
    if (token === undefined) {
      token = this.nextQueueToken++;
      this.queueTokens.set(key, token);
    }
    const queue = this.queues.get(token);
    this.queues.set(token, { items: queue?.items ?? [], notify });
    return token;
  }

  /** 0 when the queue does not exist. */
  resolveQueue(vmId: string, name: string): number {
    return this.queueTokens.get(`${vmId}\0${name}`) ?? 0;
  }

  enqueue(token: number, value: Uint8Array): number {
    const queue = this.queues.get(token);
    if (!queue) return WasmResult.NotFound;
    queue.items.push(value.slice());
    queue.notify(token);
    return WasmResult.Ok;
  }

  dequeue(token: number): { result: number; value?: Uint8Array } {
    const queue = this.queues.get(token);
    if (!queue) return { result: WasmResult.NotFound };
    const value = queue.items.shift();
    if (!value) return { result: WasmResult.Empty };
    return { result: WasmResult.Ok, value };
  }

  private takeCas(): number {
    const cas = this.nextCas;
    this.nextCas = (this.nextCas + 1) >>> 0 || 1;
    return cas;
  }
}
