// The header-map wire format of proxy-wasm (spec "Serialization"), little endian:
//   u32 count, then count × (u32 key_len, u32 value_len), then for each pair: key bytes, 0x00, value bytes, 0x00.
// An empty map may also be sent as zero bytes or as the single byte 0x00.
// Encoding is ours, so it is exact. Decoding reads what the host wrote and is checked against the size the host
// reported at every step: a short, truncated or inconsistent buffer gives null, never a read past the end.
import { utf8Decode, utf8EncodeInto, utf8Length } from "./utf8";

/** One header (or trailer, or metadata entry). Names are whatever the host uses (Envoy: lower case, with
 * pseudo-headers such as ":path"). */
export class HeaderPair {
  constructor(public key: string, public value: string) {}
}

/** Serializes pairs for proxy_set_header_map_pairs, proxy_send_local_response and proxy_http_call. An empty list
 * becomes an empty buffer (size 0), the spec's first form of an empty map. The array must not have holes. */
export function encodeHeaderMap(pairs: Array<HeaderPair>): ArrayBuffer {
  const count = pairs.length;
  if (count == 0) return new ArrayBuffer(0);
  let size: usize = 4 + (<usize>count << 3);
  for (let i = 0; i < count; i++) {
    const pair = pairs[i];
    size += utf8Length(pair.key) + utf8Length(pair.value) + 2;
  }
  const buffer = new ArrayBuffer(<i32>size);
  const base = changetype<usize>(buffer);
  store<u32>(base, <u32>count);
  let lengths = base + 4;
  let data = base + 4 + (<usize>count << 3);
  for (let i = 0; i < count; i++) {
    const pair = pairs[i];
    const keyLength = utf8EncodeInto(pair.key, data);
    data += keyLength;
    store<u8>(data, 0);
    data += 1;
    const valueLength = utf8EncodeInto(pair.value, data);
    data += valueLength;
    store<u8>(data, 0);
    data += 1;
    store<u32>(lengths, <u32>keyLength);
    store<u32>(lengths, <u32>valueLength, 4);
    lengths += 8;
  }
  return buffer;
}

/** Smallest number of bytes one pair occupies: two u32 lengths and two NUL terminators. */
const MIN_PAIR_BYTES: u64 = 10;

/** Decodes `size` bytes at `ptr` (which the caller has checked are readable). Returns null for anything that is
 * not exactly one well-formed map: a count the size cannot hold, lengths that run past the end, a missing NUL
 * terminator, or bytes left over — the same rules proxy-wasm-cpp-host applies to what modules send it. */
export function decodeHeaderMap(ptr: usize, size: usize): Array<HeaderPair> | null {
  const pairs = new Array<HeaderPair>();
  if (size == 0) return pairs;
  if (size < 4) {
    return size == 1 && load<u8>(ptr) == 0 ? pairs : null;
  }
  const total = <u64>size;
  const count = <u64>load<u32>(ptr);
  if (count * MIN_PAIR_BYTES > total - 4) return null;
  // From here every length slot lies inside the buffer: 4 + 8 × count < 4 + 10 × count <= size.
  let offset: u64 = 4 + (count << 3);
  for (let i: u64 = 0; i < count; i++) {
    const slot = ptr + 4 + <usize>(i << 3);
    const keyLength = <u64>load<u32>(slot);
    const valueLength = <u64>load<u32>(slot, 4);
    // u64 sums of u32 values cannot overflow.
    if (offset + keyLength + 1 + valueLength + 1 > total) return null;
    const keyStart = offset;
    const valueStart = keyStart + keyLength + 1;
    if (load<u8>(ptr + <usize>(keyStart + keyLength)) != 0) return null;
    if (load<u8>(ptr + <usize>(valueStart + valueLength)) != 0) return null;
    const key = utf8Decode(ptr + <usize>keyStart, <usize>keyLength);
    const value = utf8Decode(ptr + <usize>valueStart, <usize>valueLength);
    pairs.push(new HeaderPair(key, value));
    offset = valueStart + valueLength + 1;
  }
  return offset == total ? pairs : null;
}
