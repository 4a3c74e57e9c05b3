// Properties (proxy_get_property / proxy_set_property). Paths are segments joined by "\0". The host answers
// exact paths from the options, the built-in plugin_name / plugin_root_id / plugin_vm_id (Envoy's property
// tokens), and values a stream set itself; everything else is NOT_FOUND.
import { WasmResult } from "./abi.ts";
import { fromUtf8, utf8 } from "./bytes.ts";
import type { PropertyValue } from "./types.ts";

/** Integers are returned as 8 little-endian bytes (Envoy serializes CEL int/uint that way). */
export function encodeProperty(value: PropertyValue): Uint8Array {
  if (typeof value === "string") return utf8(value);
  if (typeof value === "bigint") {
    const out = new Uint8Array(8);
    const view = new DataView(out.buffer);
    if (value < 0n) view.setBigInt64(0, value, true);
    else view.setBigUint64(0, BigInt.asUintN(64, value), true);
    return out;
  }
  return value.slice();
}

export function encodeProperties(props: Record<string, PropertyValue> | undefined): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const [path, value] of Object.entries(props ?? {})) out.set(path, encodeProperty(value));
  return out;
}

export interface PluginIdentity {
  pluginName: string;
  rootId: string;
  vmId: string;
}

export class PropertyLookup {
  /** Values set by the module through proxy_set_property (per stream). */
  private readonly written = new Map<string, Uint8Array>();

  constructor(
    private readonly layers: ReadonlyArray<Map<string, Uint8Array>>,
    private readonly identity: PluginIdentity,
    private readonly writable: boolean,
  ) {}

  get(pathBytes: Uint8Array): { result: number; value?: Uint8Array } {
    const path = fromUtf8(pathBytes);
    for (const layer of this.layers) {
      const value = layer.get(path);
      if (value) return { result: WasmResult.Ok, value };
    }
    const builtin = this.builtin(path);
    if (builtin !== undefined) return { result: WasmResult.Ok, value: utf8(builtin) };
    // Envoy keeps set_property values in filter state under "wasm.<path>" and looks them up by the first
    // path segment only, so only single-segment names read back.
    const written = this.written.get(path);
    if (written && !path.includes("\0")) return { result: WasmResult.Ok, value: written };
    return { result: WasmResult.NotFound };
  }

  /** Root contexts have no stream info: NOT_FOUND, as in Envoy. */
  set(pathBytes: Uint8Array, value: Uint8Array): number {
    if (!this.writable) return WasmResult.NotFound;
    this.written.set(fromUtf8(pathBytes), value.slice());
    return WasmResult.Ok;
  }

  private builtin(path: string): string | undefined {
    switch (path) {
      case "plugin_name":
        return this.identity.pluginName;
      case "plugin_root_id":
        return this.identity.rootId;
      case "plugin_vm_id":
        return this.identity.vmId;
      default:
        return undefined;
    }
  }
}
