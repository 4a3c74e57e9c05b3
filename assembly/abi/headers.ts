// Typed wrappers for the header-map host functions (HTTP headers and trailers, HTTP-call response headers, gRPC
// metadata). Which map may be read or changed depends on the callback (spec "HTTP fields"); outside that window
// the host answers NotFound or BadArgument, which these wrappers pass on as null / the WasmResult.
import { LogLevel, MapType, WasmResult } from "./enums";
import { HeaderPair, decodeHeaderMap, encodeHeaderMap } from "./header_map";
import {
  proxy_add_header_map_value, proxy_get_header_map_pairs, proxy_get_header_map_size, proxy_get_header_map_value,
  proxy_remove_header_map_value, proxy_replace_header_map_value, proxy_set_header_map_pairs,
} from "./imports";
import { log } from "./log";
import { OUT_PTR, OUT_SIZE, hostBlockReadable, releaseHostAllocations, resetOut, takeHostBytes } from "./memory";
import { utf8DecodeBuffer, utf8Encode } from "./utf8";
import { decimal } from "./text";

/** All pairs of `map`, or null when the host refused (wrong callback, unknown map) or sent a malformed map. */
export function tryGetHeaderMapPairs(map: MapType): Array<HeaderPair> | null {
  resetOut();
  const result = proxy_get_header_map_pairs(<u32>map, OUT_PTR, OUT_SIZE);
  if (result != WasmResult.Ok) {
    releaseHostAllocations();
    return null;
  }
  const ptr = <usize>load<u32>(OUT_PTR);
  const size = <usize>load<u32>(OUT_SIZE);
  let pairs: Array<HeaderPair> | null = null;
  if (size == 0) {
    pairs = new Array<HeaderPair>();
  } else if (hostBlockReadable(ptr, size)) {
    // Decoded in place (it copies into new strings), then the host's block is freed.
    pairs = decodeHeaderMap(ptr, size);
  }
  releaseHostAllocations();
  if (pairs === null) log(LogLevel.Error, "abi: the host returned a malformed header map (" + decimal(size) + " bytes)");
  return pairs;
}

/** All pairs of `map`; an empty list when the host refused or sent a malformed map (see tryGetHeaderMapPairs to
 * tell the two apart). */
export function getHeaderMapPairs(map: MapType): Array<HeaderPair> {
  const pairs = tryGetHeaderMapPairs(map);
  return pairs !== null ? pairs : new Array<HeaderPair>();
}

/** Replaces the whole map with `pairs`. */
export function setHeaderMapPairs(map: MapType, pairs: Array<HeaderPair>): WasmResult {
  const bytes = encodeHeaderMap(pairs);
  return <WasmResult>proxy_set_header_map_pairs(<u32>map, changetype<usize>(bytes), <usize>bytes.byteLength);
}

/** Raw value bytes of `key` in `map`, or null when absent (or the host refused). */
export function getHeaderMapValueBytes(map: MapType, key: string): ArrayBuffer | null {
  const keyBytes = utf8Encode(key);
  resetOut();
  const result = proxy_get_header_map_value(<u32>map, changetype<usize>(keyBytes), <usize>keyBytes.byteLength, OUT_PTR, OUT_SIZE);
  if (result != WasmResult.Ok) {
    releaseHostAllocations();
    return null;
  }
  return takeHostBytes();
}

/** Value of `key` in `map` (UTF-8 decoded; an empty value is ""), or null when absent. */
export function getHeaderMapValue(map: MapType, key: string): string | null {
  const bytes = getHeaderMapValueBytes(map, key);
  return bytes !== null ? utf8DecodeBuffer(bytes) : null;
}

/** Adds a value for `key` (keeps existing ones). */
export function addHeaderMapValue(map: MapType, key: string, value: string): WasmResult {
  const keyBytes = utf8Encode(key);
  const valueBytes = utf8Encode(value);
  return <WasmResult>proxy_add_header_map_value(<u32>map, changetype<usize>(keyBytes), <usize>keyBytes.byteLength,
    changetype<usize>(valueBytes), <usize>valueBytes.byteLength);
}

/** Sets `key` to `value`, adding it if absent. */
export function replaceHeaderMapValue(map: MapType, key: string, value: string): WasmResult {
  const keyBytes = utf8Encode(key);
  const valueBytes = utf8Encode(value);
  return <WasmResult>proxy_replace_header_map_value(<u32>map, changetype<usize>(keyBytes), <usize>keyBytes.byteLength,
    changetype<usize>(valueBytes), <usize>valueBytes.byteLength);
}

/** Removes every value of `key` (Ok also when it was absent). */
export function removeHeaderMapValue(map: MapType, key: string): WasmResult {
  const keyBytes = utf8Encode(key);
  return <WasmResult>proxy_remove_header_map_value(<u32>map, changetype<usize>(keyBytes), <usize>keyBytes.byteLength);
}

/** Serialized size of `map` in bytes as the host reports it, or -1 when the host refused. */
export function getHeaderMapSize(map: MapType): i32 {
  resetOut();
  if (proxy_get_header_map_size(<u32>map, OUT_SIZE) != WasmResult.Ok) return -1;
  const size = load<u32>(OUT_SIZE);
  return size <= <u32>i32.MAX_VALUE ? <i32>size : -1;
}
