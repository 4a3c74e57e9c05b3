// Values of number tokens, computed on demand (parsing only checks the grammar, so a document full of numbers
// costs nothing here unless the caller asks). Results match JSON.parse: the nearest double, ties to even.
//
// Fast path (most real numbers): at most 15 significant digits and a power of ten up to 10^22 are both exact
// doubles, so one multiplication or division rounds correctly (Clinger). Otherwise a floating-point estimate
// is corrected by exact big-integer comparison against the halfway points between neighbouring doubles, so the
// result is correctly rounded. (The standard library's parseFloat is not used: on AS 0.28 it is off by orders
// of magnitude for some inputs with more than 19 digits.)

import { BigUint } from "./bigint";
import { ByteBuffer } from "./buffer";

// Digits beyond this many only matter as "something non-zero follows" (sticky), as in correct strtod designs.
const MAX_DIGITS: i32 = 800;
const TWO_POW_53_INT: u64 = 9007199254740992;

// Exact powers of ten representable as doubles.
const POW10: StaticArray<f64> = [
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/** A number token in decimal form: value = ±digits × 10^exponent, digits without leading/trailing zeros. */
class Decimal {
  digits: ByteBuffer = new ByteBuffer(MAX_DIGITS); // digit values 0..9
  count: i32 = 0;
  exponent: i32 = 0;
  negative: bool = false;
  truncated: bool = false; // non-zero digits were dropped after MAX_DIGITS

  /** Reads the token [start, end), which the parser has checked against the RFC 8259 grammar. */
  scan(ptr: usize, start: i32, end: i32): void {
    this.count = 0;
    this.negative = false;
    this.truncated = false;
    let exponent: i64 = 0;
    let i = start;
    if (i < end && load<u8>(ptr + <usize>i) == 0x2d) {
      this.negative = true;
      i++;
    }
    while (i < end) {
      const d = <u32>load<u8>(ptr + <usize>i) - 0x30;
      if (d >= 10) break;
      exponent += this.addDigit(d, false);
      i++;
    }
    if (i < end && load<u8>(ptr + <usize>i) == 0x2e) {
      i++;
      while (i < end) {
        const d = <u32>load<u8>(ptr + <usize>i) - 0x30;
        if (d >= 10) break;
        exponent += this.addDigit(d, true);
        i++;
      }
    }
    if (i < end && (load<u8>(ptr + <usize>i) | 0x20) == 0x65) {
      i++;
      let sign: i64 = 1;
      if (i < end && load<u8>(ptr + <usize>i) == 0x2d) {
        sign = -1;
        i++;
      } else if (i < end && load<u8>(ptr + <usize>i) == 0x2b) {
        i++;
      }
      let e: i64 = 0;
      while (i < end) {
        const d = <u32>load<u8>(ptr + <usize>i) - 0x30;
        if (d >= 10) break;
        if (e < 1000000000) e = e * 10 + <i64>d; // saturate: anything this large is 0 or infinity anyway
        i++;
      }
      exponent += sign * e;
    }
    // Trailing zeros only scale the value.
    while (this.count > 0 && load<u8>(this.digits.ptr + <usize>this.count - 1) == 0) {
      this.count--;
      exponent++;
    }
    if (exponent > 2000000000) exponent = 2000000000;
    if (exponent < -2000000000) exponent = -2000000000;
    this.exponent = <i32>exponent;
  }

  /** Adds one mantissa digit; returns the change of the decimal exponent it causes. */
  private addDigit(d: u32, fraction: bool): i32 {
    if (this.count == 0 && d == 0) return fraction ? -1 : 0; // leading zero
    if (this.count < MAX_DIGITS) {
      store<u8>(this.digits.ptr + <usize>this.count, <u8>d);
      this.count++;
      return fraction ? -1 : 0;
    }
    if (d != 0) this.truncated = true;
    return fraction ? 0 : 1;
  }

  /** The first `n` (<= 19) digits as an integer. */
  leadingDigits(n: i32): u64 {
    let v: u64 = 0;
    for (let i = 0; i < n && i < this.count; i++) v = v * 10 + <u64>load<u8>(this.digits.ptr + <usize>i);
    return v;
  }

  /** Loads all kept digits into `big`. */
  toBig(big: BigUint): void {
    big.setU64(0);
    let chunk: u32 = 0;
    let chunkDigits = 0;
    for (let i = 0; i < this.count; i++) {
      chunk = chunk * 10 + <u32>load<u8>(this.digits.ptr + <usize>i);
      if (++chunkDigits == 9) {
        big.mulSmall(1000000000);
        big.addSmall(chunk);
        chunk = 0;
        chunkDigits = 0;
      }
    }
    if (chunkDigits > 0) {
      let scale: u32 = 1;
      for (let k = 0; k < chunkDigits; k++) scale *= 10;
      big.mulSmall(scale);
      big.addSmall(chunk);
    }
  }

  /**
   * A close estimate of the magnitude: the first 19 digits (exact in a u64, then one rounding to f64) times a
   * power of ten (exact up to 10^22; beyond, applied in exact steps of 10^22, so no intermediate overflows or
   * underflows before the result does — and Math.pow, 1 KB of the module, is not linked). Off by a few units in
   * the last place at most (one rounding per step, at most 15 steps); refine() makes it exact.
   */
  estimate(): f64 {
    const n = this.count < 19 ? this.count : 19;
    const w = <f64>this.leadingDigits(n);
    const e = this.exponent + (this.count - n);
    if (e == 0) return w;
    if (e > 0 && e <= 22) return w * POW10[e];
    if (e < 0 && e >= -22) return w / POW10[-e];
    return scaleByPowerOfTen(w, e);
  }
}

// w × 10^e for |e| > 22, in steps of the largest exact power (10^22): the magnitude check before the estimate
// bounds |e| to about 345, so at most 16 steps.
function scaleByPowerOfTen(w: f64, e: i32): f64 {
  let r = w;
  if (e > 0) {
    for (; e > 22; e -= 22) r *= POW10[22];
    return r * POW10[e];
  }
  for (; e < -22; e += 22) r /= POW10[22];
  return r / POW10[-e];
}

const decimal = new Decimal();
const lhs = new BigUint();
const rhs = new BigUint();

/**
 * Compares the scanned (positive) decimal with the point halfway between the double with bit pattern `bits`
 * and the next one up: -1 below, 0 exactly there, 1 above; 2 if the comparison could not be made.
 */
function compareWithHalfwayAbove(bits: u64): i32 {
  const field = <i32>(bits >> 52);
  const fraction = bits & 0xfffffffffffff;
  // bits = m × 2^q; the next double is (m + 1) × 2^q, so the halfway point is (2m + 1) × 2^(q - 1).
  const m: u64 = field == 0 ? fraction : fraction | (<u64>1 << 52);
  const q: i32 = field == 0 ? -1074 : field - 1075;
  const halfMantissa = 2 * m + 1;
  const halfExponent = q - 1;
  // digits × 5^e × 2^e  against  halfMantissa × 2^halfExponent
  const e = decimal.exponent;
  decimal.toBig(lhs);
  rhs.setU64(halfMantissa);
  if (e >= 0) lhs.mulPow5(e);
  else rhs.mulPow5(-e);
  const shift = halfExponent - e;
  if (shift >= 0) rhs.shiftLeft(shift);
  else lhs.shiftLeft(-shift);
  if (lhs.overflow || rhs.overflow) return 2;
  const order = lhs.compare(rhs);
  if (order == 0 && decimal.truncated) return 1; // dropped non-zero digits put the value just above
  return order;
}

const MAX_FINITE_BITS: u64 = 0x7fefffffffffffff;

/** Correctly rounded magnitude of the scanned decimal, starting from the estimate `estimate` (>= 0). */
function refine(estimate: f64): f64 {
  let bits: u64 = reinterpret<u64>(estimate);
  if (!(estimate >= 0)) bits = 0;                      // NaN or negative: start from zero
  if (bits > MAX_FINITE_BITS) bits = MAX_FINITE_BITS;  // infinity: start from the largest finite
  // Each step moves one unit in the last place; the estimate is at most a few units off.
  for (let step = 0; step < 256; step++) {
    const above = compareWithHalfwayAbove(bits);
    if (above == 2) break;
    if (above > 0 || (above == 0 && (bits & 1) != 0)) {
      if (bits == MAX_FINITE_BITS) return Infinity;
      bits++;
      if (above == 0) break; // tie went to the even neighbour
      continue;
    }
    if (above == 0 || bits == 0) break;
    const below = compareWithHalfwayAbove(bits - 1);
    if (below == 2) break;
    if (below < 0 || (below == 0 && (bits & 1) != 0)) {
      bits--;
      if (below == 0) break;
      continue;
    }
    break;
  }
  return reinterpret<f64>(bits);
}

/** Value of the number token [start, end) as JSON.parse would give it. */
export function numberValue(ptr: usize, start: i32, end: i32): f64 {
  decimal.scan(ptr, start, end);
  const sign: f64 = decimal.negative ? -1.0 : 1.0;
  if (decimal.count == 0) return sign * 0.0;
  const magnitude = <i64>decimal.count + <i64>decimal.exponent; // value lies in [10^(magnitude-1), 10^magnitude)
  if (magnitude > 310) return sign * Infinity;
  if (magnitude < -324) return sign * 0.0;
  const e = decimal.exponent;
  if (!decimal.truncated && decimal.count <= 15) {
    const w = <f64>decimal.leadingDigits(15);
    if (e >= 0 && e <= 22) return sign * (w * POW10[e]);
    if (e < 0 && e >= -22) return sign * (w / POW10[-e]);
  }
  return sign * refine(decimal.estimate());
}

/** Whether the number token [start, end) is an integer of magnitude at most 2^53 (403, 403.0, 4.03e2, -0). */
export function numberIsSafeInteger(ptr: usize, start: i32, end: i32): bool {
  decimal.scan(ptr, start, end);
  if (decimal.count == 0) return true;
  if (decimal.truncated || decimal.exponent < 0) return false; // digits without trailing zeros: a fraction
  if (decimal.count + decimal.exponent > 16) return false;     // 2^53 has 16 digits
  let v = decimal.leadingDigits(decimal.count);
  for (let k = 0; k < decimal.exponent; k++) v *= 10;
  return v <= TWO_POW_53_INT;
}
