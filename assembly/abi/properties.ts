// Typed wrappers for host properties (Envoy attributes such as request.path, source.address,
// connection.uri_san_peer_certificate, metadata, plugin_root_id). A property path is a list of segments sent
// UTF-8 encoded and joined by NUL bytes, without a trailing NUL:
//   ["metadata", "filter_metadata", "envoy.filters.http.jwt_authn", "payload", "sub"]
//   → "metadata\0filter_metadata\0envoy.filters.http.jwt_authn\0payload\0sub"
// Values come back raw: strings as their bytes, integers as 8 bytes little endian, booleans as one byte.
import { WasmResult } from "./enums";
import { proxy_get_property, proxy_set_property } from "./imports";
import { OUT_PTR, OUT_SIZE, releaseHostAllocations, resetOut, takeHostBytes } from "./memory";
import { utf8DecodeBuffer, utf8EncodeInto, utf8Length } from "./utf8";

/** The wire form of a property path (segments joined by NUL). The array must not have holes. */
export function encodePropertyPath(path: Array<string>): ArrayBuffer {
  const count = path.length;
  if (count == 0) return new ArrayBuffer(0);
  let size: usize = <usize>(count - 1);
  for (let i = 0; i < count; i++) size += utf8Length(path[i]);
  const buffer = new ArrayBuffer(<i32>size);
  let out = changetype<usize>(buffer);
  for (let i = 0; i < count; i++) {
    if (i > 0) {
      store<u8>(out, 0);
      out += 1;
    }
    out += utf8EncodeInto(path[i], out);
  }
  return buffer;
}

/** Raw value of the property at `path`, or null when absent (or the host refused). */
export function getProperty(path: Array<string>): ArrayBuffer | null {
  const pathBytes = encodePropertyPath(path);
  resetOut();
  const result = proxy_get_property(changetype<usize>(pathBytes), <usize>pathBytes.byteLength, OUT_PTR, OUT_SIZE);
  if (result != WasmResult.Ok) {
    releaseHostAllocations();
    return null;
  }
  return takeHostBytes();
}

/** A string property (UTF-8 decoded), or null when absent. */
export function getPropertyString(path: Array<string>): string | null {
  const bytes = getProperty(path);
  return bytes !== null ? utf8DecodeBuffer(bytes) : null;
}

/** An integer property (8 bytes little endian), or `fallback` when absent or not 8 bytes long. */
export function getPropertyInt(path: Array<string>, fallback: i64): i64 {
  const bytes = getProperty(path);
  if (bytes === null || bytes.byteLength != 8) return fallback;
  return load<i64>(changetype<usize>(bytes));
}

/** A boolean property (one byte, 0 = false), or `fallback` when absent or not one byte long. */
export function getPropertyBool(path: Array<string>, fallback: bool): bool {
  const bytes = getProperty(path);
  if (bytes === null || bytes.byteLength != 1) return fallback;
  return load<u8>(changetype<usize>(bytes)) != 0;
}

/** Sets the property at `path` to `value` (Envoy keeps it in the stream's filter state). */
export function setProperty(path: Array<string>, value: ArrayBuffer): WasmResult {
  const pathBytes = encodePropertyPath(path);
  return <WasmResult>proxy_set_property(changetype<usize>(pathBytes), <usize>pathBytes.byteLength,
    changetype<usize>(value), <usize>value.byteLength);
}
