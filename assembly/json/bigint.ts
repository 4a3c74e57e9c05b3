// A small fixed-capacity unsigned big integer, for the exact comparisons that correct rounding of decimal
// numbers needs (number.ts) and the exact decimal expansion of a double (mcp/es_number.ts). Capacity 8192 bits:
// the largest operand is about 5000 bits. Every operation is bounded; if a result would not fit, `overflow` is
// set and the caller falls back to its estimate (or gives up).

import { ByteBuffer } from "./buffer";

const LIMBS: i32 = 256;

export class BigUint {
  private limbs: ByteBuffer = new ByteBuffer(LIMBS * 4); // little-endian u32 limbs
  size: i32 = 0;                                          // limbs in use; no leading zero limb
  overflow: bool = false;

  setU64(v: u64): void {
    this.overflow = false;
    this.size = 0;
    const p = this.limbs.ptr;
    if (v != 0) {
      store<u32>(p, <u32>v);
      this.size = 1;
      if ((v >> 32) != 0) {
        store<u32>(p, <u32>(v >> 32), 4);
        this.size = 2;
      }
    }
  }

  mulSmall(m: u32): void {
    const p = this.limbs.ptr;
    let carry: u64 = 0;
    for (let i = 0; i < this.size; i++) {
      const q = p + (<usize>i << 2);
      const t = <u64>load<u32>(q) * <u64>m + carry;
      store<u32>(q, <u32>t);
      carry = t >> 32;
    }
    this.push(<u32>carry);
    if (m == 0) this.size = 0;
  }

  addSmall(a: u32): void {
    const p = this.limbs.ptr;
    let carry: u64 = a;
    for (let i = 0; i < this.size && carry != 0; i++) {
      const q = p + (<usize>i << 2);
      const t = <u64>load<u32>(q) + carry;
      store<u32>(q, <u32>t);
      carry = t >> 32;
    }
    this.push(<u32>carry);
  }

  mulPow5(n: i32): void {
    while (n >= 13) {
      this.mulSmall(1220703125); // 5^13, the largest power of 5 below 2^32
      n -= 13;
    }
    let m: u32 = 1;
    for (let i = 0; i < n; i++) m *= 5;
    this.mulSmall(m);
  }

  shiftLeft(bits: i32): void {
    if (this.size == 0 || bits <= 0) return;
    const words = bits >> 5;
    const rest = <u32>(bits & 31);
    if (this.size + words + 1 > LIMBS) {
      this.overflow = true;
      return;
    }
    const p = this.limbs.ptr;
    // Top limb first, so nothing is overwritten before it is read.
    store<u32>(p + (<usize>(this.size + words) << 2), 0);
    for (let i = this.size - 1; i >= 0; i--) {
      const v = load<u32>(p + (<usize>i << 2));
      const hi = p + (<usize>(i + words + 1) << 2);
      if (rest != 0) store<u32>(hi, load<u32>(hi) | (v >> (32 - rest)));
      store<u32>(p + (<usize>(i + words) << 2), v << rest);
    }
    for (let i = 0; i < words; i++) store<u32>(p + (<usize>i << 2), 0);
    this.size += words + 1;
    this.trim();
  }

  /** Divides in place by `d` (> 0) and returns the remainder. */
  divSmall(d: u32): u32 {
    const p = this.limbs.ptr;
    let rem: u64 = 0;
    for (let i = this.size - 1; i >= 0; i--) {
      const q = p + (<usize>i << 2);
      const cur = (rem << 32) | <u64>load<u32>(q);
      store<u32>(q, <u32>(cur / <u64>d));
      rem = cur % <u64>d;
    }
    this.trim();
    return <u32>rem;
  }

  /** -1, 0 or 1 as this is below, equal to or above `other`. */
  compare(other: BigUint): i32 {
    if (this.size != other.size) return this.size < other.size ? -1 : 1;
    const a = this.limbs.ptr;
    const b = other.limbs.ptr;
    for (let i = this.size - 1; i >= 0; i--) {
      const x = load<u32>(a + (<usize>i << 2));
      const y = load<u32>(b + (<usize>i << 2));
      if (x != y) return x < y ? -1 : 1;
    }
    return 0;
  }

  private push(carry: u32): void {
    if (carry == 0) return;
    if (this.size >= LIMBS) {
      this.overflow = true;
      return;
    }
    store<u32>(this.limbs.ptr + (<usize>this.size << 2), carry);
    this.size++;
  }

  private trim(): void {
    while (this.size > 0 && load<u32>(this.limbs.ptr + (<usize>(this.size - 1) << 2)) == 0) this.size--;
  }
}
