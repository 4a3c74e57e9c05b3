// Header maps as Envoy keeps them (lower-case keys, pseudo-headers first, duplicates allowed) and the
// proxy-wasm wire format for maps: u32 count, (u32 key_len, u32 value_len) per pair, then every key and value
// followed by a NUL byte, all little endian (proxy-wasm-cpp-host pairs_util.cc).
import { Limits } from "./abi.ts";
import { fromUtf8, utf8 } from "./bytes.ts";
import type { HeaderList } from "./types.ts";

/** ASCII-only lower-casing, like Envoy's LowerCaseString. */
export function lowerAscii(key: string): string {
  return key.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

export class HeaderMap {
  private entries: Array<[string, string]> = [];

  static from(list: HeaderList): HeaderMap {
    const map = new HeaderMap();
    for (const [k, v] of list) map.add(k, v);
    return map;
  }

  get size(): number {
    return this.entries.length;
  }

  /** First value of `key` (Envoy's getHeaderMapValue returns only the first of repeated headers). */
  get(key: string): string | undefined {
    const k = lowerAscii(key);
    return this.entries.find(([name]) => name === k)?.[1];
  }

  /** addCopy: pseudo-headers are kept in front of regular headers, like Envoy's HeaderList::insert. */
  add(key: string, value: string): void {
    const k = lowerAscii(key);
    if (k.startsWith(":")) {
      const firstRegular = this.entries.findIndex(([name]) => !name.startsWith(":"));
      this.entries.splice(firstRegular < 0 ? this.entries.length : firstRegular, 0, [k, value]);
    } else {
      this.entries.push([k, value]);
    }
  }

  /** setCopy (current Envoy: remove every occurrence, then add). */
  set(key: string, value: string): void {
    this.remove(key);
    this.add(key, value);
  }

  remove(key: string): void {
    const k = lowerAscii(key);
    this.entries = this.entries.filter(([name]) => name !== k);
  }

  replaceAll(list: HeaderList): void {
    this.entries = [];
    for (const [k, v] of list) this.add(k, v);
  }

  /** Envoy's HeaderMap::byteSize(): the sum of key and value lengths (what proxy_get_header_map_size returns). */
  byteSize(): number {
    let size = 0;
    for (const [k, v] of this.entries) size += utf8(k).length + utf8(v).length;
    return size;
  }

  toList(): HeaderList {
    return this.entries.map(([k, v]) => [k, v]);
  }
}

/** Serializes pairs in the proxy-wasm map format. */
export function serializePairs(pairs: HeaderList): Uint8Array {
  const encoded = pairs.map(([k, v]) => [utf8(k), utf8(v)] as const);
  let size = 4;
  for (const [k, v] of encoded) size += 8 + k.length + 1 + v.length + 1;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, encoded.length, true);
  let at = 4;
  for (const [k, v] of encoded) {
    view.setUint32(at, k.length, true);
    view.setUint32(at + 4, v.length, true);
    at += 8;
  }
  for (const [k, v] of encoded) {
    out.set(k, at);
    at += k.length + 1;
    out.set(v, at);
    at += v.length + 1;
  }
  return out;
}

/**
 * Parses the proxy-wasm map format the way proxy-wasm-cpp-host's PairsUtil::toPairs does: any malformed input
 * (truncated, missing NUL terminators, trailing bytes, more than 1024 pairs or 1 MiB) gives an EMPTY list.
 */
export function parsePairs(bytes: Uint8Array): HeaderList {
  if (bytes.length > Limits.pairsMaxBytes || bytes.length < 4) return [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(0, true);
  if (count > Limits.pairsMaxCount || 4 + count * 8 > bytes.length) return [];
  const sizes: Array<[number, number]> = [];
  let at = 4;
  for (let i = 0; i < count; i++) {
    sizes.push([view.getUint32(at, true), view.getUint32(at + 4, true)]);
    at += 8;
  }
  const pairs: HeaderList = [];
  for (const [klen, vlen] of sizes) {
    if (at + klen + 1 > bytes.length || bytes[at + klen] !== 0) return [];
    const key = fromUtf8(bytes.subarray(at, at + klen));
    at += klen + 1;
    if (at + vlen + 1 > bytes.length || bytes[at + vlen] !== 0) return [];
    const value = fromUtf8(bytes.subarray(at, at + vlen));
    at += vlen + 1;
    pairs.push([key, value]);
  }
  return at === bytes.length ? pairs : [];
}
