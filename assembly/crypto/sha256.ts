// SHA-256 (FIPS 180-4), streaming. Used for tool-definition pins (tool_digest.ts) and HMAC (hmac.ts).
//
// A Sha256 keeps its state, a 64-byte block and the message schedule in buffers of its own and allocates
// nothing per update, so one instance can be reused for every request. The compression function is a
// module-level function over raw addresses: AssemblyScript's incremental GC spills managed references such as
// `this` around every use, which would dominate a 64-round loop.
//
// Nothing here traps: `update` ignores a range that is not inside linear memory (a caller bug; the digest is
// then simply wrong, which a pin comparison treats like any other mismatch), and every other load stays inside
// buffers whose size is fixed here.

import { inMemory } from "../json/buffer";
import { codePointAt, utf8Encode } from "../json/utf8";
import { toHex } from "./hex";

// Round constants: the first 32 bits of the fractional parts of the cube roots of the first 64 primes.
const K: usize = memory.data<u32>([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

// Initial hash value: the first 32 bits of the fractional parts of the square roots of the first 8 primes.
const H0: usize = memory.data<u32>([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

const BLOCK: i32 = 64;
export const SHA256_BYTES: i32 = 32;

/** Processes the 64-byte block at `block` into the 8-word state at `state`, using `w` (256 bytes) as scratch. */
function compress(state: usize, block: usize, w: usize): void {
  for (let t: usize = 0; t < 16; t++) {
    store<u32>(w + (t << 2), bswap<u32>(load<u32>(block + (t << 2))));
  }
  for (let t: usize = 16; t < 64; t++) {
    const w15 = load<u32>(w + ((t - 15) << 2));
    const w2 = load<u32>(w + ((t - 2) << 2));
    const s0 = rotr<u32>(w15, 7) ^ rotr<u32>(w15, 18) ^ (w15 >>> 3);
    const s1 = rotr<u32>(w2, 17) ^ rotr<u32>(w2, 19) ^ (w2 >>> 10);
    store<u32>(w + (t << 2), load<u32>(w + ((t - 16) << 2)) + s0 + load<u32>(w + ((t - 7) << 2)) + s1);
  }
  let a = load<u32>(state, 0);
  let b = load<u32>(state, 4);
  let c = load<u32>(state, 8);
  let d = load<u32>(state, 12);
  let e = load<u32>(state, 16);
  let f = load<u32>(state, 20);
  let g = load<u32>(state, 24);
  let h = load<u32>(state, 28);
  for (let t: usize = 0; t < 64; t++) {
    const S1 = rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25);
    const ch = (e & f) ^ (~e & g);
    const t1 = h + S1 + ch + load<u32>(K + (t << 2)) + load<u32>(w + (t << 2));
    const S0 = rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22);
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = S0 + maj;
    h = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  store<u32>(state, load<u32>(state, 0) + a, 0);
  store<u32>(state, load<u32>(state, 4) + b, 4);
  store<u32>(state, load<u32>(state, 8) + c, 8);
  store<u32>(state, load<u32>(state, 12) + d, 12);
  store<u32>(state, load<u32>(state, 16) + e, 16);
  store<u32>(state, load<u32>(state, 20) + f, 20);
  store<u32>(state, load<u32>(state, 24) + g, 24);
  store<u32>(state, load<u32>(state, 28) + h, 28);
}

export class Sha256 {
  private state: ArrayBuffer = new ArrayBuffer(SHA256_BYTES);
  private block: ArrayBuffer = new ArrayBuffer(BLOCK);
  private schedule: ArrayBuffer = new ArrayBuffer(BLOCK * 4);
  private text: ArrayBuffer = new ArrayBuffer(256); // UTF-8 staging for updateString
  private buffered: i32 = 0; // bytes waiting in `block`
  private total: u64 = 0;    // message length so far, in bytes

  constructor() {
    this.reset();
  }

  /** Starts a new message. */
  reset(): void {
    memory.copy(changetype<usize>(this.state), H0, <usize>SHA256_BYTES);
    this.buffered = 0;
    this.total = 0;
  }

  /** Appends `len` bytes at `ptr`. A range outside linear memory is ignored (it would trap). */
  update(ptr: usize, len: i32): void {
    if (len <= 0 || !inMemory(ptr, len)) return;
    const state = changetype<usize>(this.state);
    const block = changetype<usize>(this.block);
    const w = changetype<usize>(this.schedule);
    this.total += <u64>len;
    let i = 0;
    let buffered = this.buffered;
    if (buffered > 0) {
      const room = BLOCK - buffered;
      const take = len < room ? len : room;
      memory.copy(block + <usize>buffered, ptr, <usize>take);
      buffered += take;
      i = take;
      if (buffered < BLOCK) {
        this.buffered = buffered;
        return;
      }
      compress(state, block, w);
      buffered = 0;
    }
    while (len - i >= BLOCK) {
      compress(state, ptr + <usize>i, w);
      i += BLOCK;
    }
    if (i < len) {
      memory.copy(block, ptr + <usize>i, <usize>(len - i));
      buffered = len - i;
    }
    this.buffered = buffered;
  }

  /** Appends the bytes of `data`. */
  updateBytes(data: ArrayBuffer): void {
    this.update(changetype<usize>(data), data.byteLength);
  }

  /** Appends `s` encoded as UTF-8 (a lone surrogate becomes U+FFFD, as TextEncoder and Node do). */
  updateString(s: string): void {
    const sp = changetype<usize>(s);
    const n = s.length;
    const out = changetype<usize>(this.text);
    const room = this.text.byteLength - 4; // one more code point always fits
    let o = 0;
    for (let i = 0; i < n; i++) {
      const c = codePointAt(sp, i, n);
      if (c >= 0x10000) i++;
      o += utf8Encode(out + <usize>o, c);
      if (o >= room) {
        this.update(out, o);
        o = 0;
      }
    }
    this.update(out, o);
  }

  /** The 32-byte digest of everything appended since the last reset; then starts a new message. */
  finish(): ArrayBuffer {
    const state = changetype<usize>(this.state);
    const block = changetype<usize>(this.block);
    const w = changetype<usize>(this.schedule);
    const bits = this.total << 3;
    let buffered = this.buffered;
    // Padding: one 1 bit, zeros up to 56 bytes into a block, then the length in bits (big-endian u64).
    store<u8>(block + <usize>buffered, 0x80);
    buffered++;
    if (buffered > BLOCK - 8) {
      memory.fill(block + <usize>buffered, 0, <usize>(BLOCK - buffered));
      compress(state, block, w);
      buffered = 0;
    }
    memory.fill(block + <usize>buffered, 0, <usize>(BLOCK - 8 - buffered));
    store<u64>(block + <usize>(BLOCK - 8), bswap<u64>(bits));
    compress(state, block, w);
    const out = new ArrayBuffer(SHA256_BYTES);
    const op = changetype<usize>(out);
    for (let i: usize = 0; i < 8; i++) store<u32>(op + (i << 2), bswap<u32>(load<u32>(state + (i << 2))));
    this.reset();
    return out;
  }
}

const oneShot = new Sha256();

/** SHA-256 of `data` (32 bytes). */
export function sha256(data: ArrayBuffer): ArrayBuffer {
  oneShot.reset();
  oneShot.updateBytes(data);
  return oneShot.finish();
}

/** SHA-256 of `data` as 64 lowercase hex digits. */
export function sha256Hex(data: ArrayBuffer): string {
  return toHex(sha256(data));
}
