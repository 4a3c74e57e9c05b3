// Host-side contexts (Envoy's Wasm Context): what a host function sees through the current / effective
// context. The base class answers what every context shares (configuration buffers, the HTTP call response
// held by the root); the root context is in root-context.ts, the HTTP stream context in http-context.ts.
import { BufferType, MapType, WasmResult } from "./abi.ts";
import type { ByteBuffer } from "./bytes.ts";
import type { HeaderMap } from "./header-map.ts";
import type { PropertyLookup } from "./properties.ts";
import type { RootContext } from "./root-context.ts";
import type { WasmVm } from "./vm.ts";

/** A buffer as proxy_get_buffer_bytes / proxy_set_buffer_bytes see it. */
export interface BufferView {
  size(): number;
  read(start: number, length: number): Uint8Array;
  write(start: number, length: number, data: Uint8Array): number;
}

const EMPTY = new Uint8Array(0);

/** Immutable bytes (configuration, HTTP call response body): writes are BAD_ARGUMENT. */
export class ConstBuffer implements BufferView {
  constructor(private readonly bytes: Uint8Array) {}
  size(): number {
    return this.bytes.length;
  }
  read(start: number, length: number): Uint8Array {
    return this.bytes.slice(start, start + length);
  }
  write(): number {
    return WasmResult.BadArgument;
  }
}

/**
 * A body buffer with Envoy's Buffer::copyFrom rules: start 0 drops `length` bytes from the front and prepends
 * the data (so (0, 0) prepends and (0, >= size) replaces everything); start >= size appends; anything else is
 * BAD_ARGUMENT.
 */
export class InstanceBuffer implements BufferView {
  constructor(private readonly buffer: ByteBuffer) {}
  size(): number {
    return this.buffer.length;
  }
  read(start: number, length: number): Uint8Array {
    return this.buffer.copy(start, length);
  }
  write(start: number, length: number, data: Uint8Array): number {
    if (start === 0) {
      if (length !== 0) this.buffer.drain(length);
      this.buffer.prepend(data);
      return WasmResult.Ok;
    }
    if (start >= this.buffer.length) {
      this.buffer.append(data);
      return WasmResult.Ok;
    }
    return WasmResult.BadArgument;
  }
}

export const EMPTY_BUFFER: BufferView = new ConstBuffer(EMPTY);

export interface HttpCallResult {
  headers: HeaderMap;
  body: Uint8Array;
  trailers: HeaderMap | null;
}

export abstract class Context {
  abstract readonly id: number;
  abstract readonly root: RootContext;
  abstract readonly properties: PropertyLookup;
  /** proxy_get_status answer (set while an HTTP call failure is delivered). */
  status = { code: 0, message: "" };

  constructor(protected readonly vm: WasmVm) {}

  /** Maps the module may modify (Envoy's getMap); null gives BAD_ARGUMENT. */
  getMutableMap(_type: number): HeaderMap | null {
    return null;
  }

  /** Maps the module may read (Envoy's getConstMap). */
  getConstMap(type: number): HeaderMap | null {
    const response = this.root.httpCallResponse;
    if (type === MapType.HttpCallResponseHeaders) return response?.headers ?? null;
    if (type === MapType.HttpCallResponseTrailers) return response?.trailers ?? null;
    return null;
  }

  getBuffer(type: number): BufferView | null {
    switch (type) {
      case BufferType.CallData:
        return EMPTY_BUFFER;
      case BufferType.VmConfiguration:
        return new ConstBuffer(this.root.vmConfig);
      case BufferType.PluginConfiguration:
        return this.root.pluginConfigVisible && (this as Context) === this.root ? new ConstBuffer(this.root.pluginConfig) : null;
      case BufferType.HttpCallResponseBody: {
        const response = this.root.httpCallResponse;
        return response ? new ConstBuffer(response.body) : null;
      }
      case BufferType.HttpRequestBody:
      case BufferType.HttpResponseBody:
      case BufferType.DownstreamData:
      case BufferType.UpstreamData:
      case BufferType.GrpcReceiveBuffer:
        return this.bodyBuffer(type) ?? EMPTY_BUFFER;
      default:
        return null;
    }
  }

  protected bodyBuffer(_type: number): BufferView | null {
    return null;
  }

  /** Root contexts have no HTTP stream: accepted and ignored, like Envoy without decoder callbacks. */
  sendLocalResponse(_status: number, _body: Uint8Array, _headers: Array<[string, string]>, _grpcStatus: number, _details: string): void {}

  continueStream(type: number): number {
    return type === 3 ? WasmResult.Unimplemented : WasmResult.Ok;
  }

  closeStream(_type: number): number {
    return WasmResult.Ok;
  }

  /** True while proxy_on_log runs (missing maps then read as NOT_FOUND instead of BAD_ARGUMENT). */
  accessLogPhase(): boolean {
    return false;
  }

  /** Adds an entry to the timeline this context belongs to (its stream, or the host for the root). */
  recordEvent(_kind: string, _detail?: unknown): void {}
}


