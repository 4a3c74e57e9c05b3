// HMAC-SHA256 (RFC 2104 / FIPS 198-1) and a comparison whose time does not depend on where inputs differ.

import { Sha256 } from "./sha256";

const BLOCK: i32 = 64;
const IPAD: u8 = 0x36;
const OPAD: u8 = 0x5c;

// Reused for every call: no allocation besides the two digests. A separate instance from sha256()'s, so the
// key hashing below cannot disturb a message in progress elsewhere.
const hasher = new Sha256();
const pad = new ArrayBuffer(BLOCK);

/** XORs every byte of the 64-byte `pad` with `value`. */
function xorPad(value: u8): void {
  const p = changetype<usize>(pad);
  for (let i: usize = 0; i < <usize>BLOCK; i++) store<u8>(p + i, load<u8>(p + i) ^ value);
}

/** HMAC-SHA256 of `message` under `key` (32 bytes). Keys longer than the 64-byte block are hashed first. */
export function hmacSha256(key: ArrayBuffer, message: ArrayBuffer): ArrayBuffer {
  let k = key;
  if (k.byteLength > BLOCK) {
    hasher.reset();
    hasher.updateBytes(k);
    k = hasher.finish();
  }
  const p = changetype<usize>(pad);
  memory.fill(p, 0, <usize>BLOCK);
  memory.copy(p, changetype<usize>(k), <usize>k.byteLength);
  xorPad(IPAD);
  hasher.reset();
  hasher.update(p, BLOCK);
  hasher.updateBytes(message);
  const inner = hasher.finish();
  xorPad(IPAD ^ OPAD); // undo the inner pad and apply the outer one
  hasher.update(p, BLOCK);
  hasher.updateBytes(inner);
  const mac = hasher.finish();
  memory.fill(p, 0, <usize>BLOCK); // do not leave key material in the scratch pad
  return mac;
}

/**
 * Whether `a` and `b` hold the same bytes. For equal lengths every byte is examined whatever the contents, so
 * the time taken does not reveal how long a matching prefix is; different lengths return false at once (a
 * length is not secret: MACs and digests have fixed sizes).
 */
export function constantTimeEquals(a: ArrayBuffer, b: ArrayBuffer): bool {
  const n = a.byteLength;
  if (n != b.byteLength) return false;
  const ap = changetype<usize>(a);
  const bp = changetype<usize>(b);
  let diff: u32 = 0;
  for (let i: usize = 0; i < <usize>n; i++) diff |= <u32>(load<u8>(ap + i) ^ load<u8>(bp + i));
  return diff == 0;
}
