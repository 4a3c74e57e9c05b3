// ECMAScript Number::toString for finite doubles: the number form of RFC 8785 (JCS), byte for byte what
// String(x) and JSON.stringify(x) give in JavaScript. AssemblyScript's f64.toString() is a different algorithm
// (not always the shortest digits, other exponent rules), so it is not used.
//
// ES picks the fewest significant digits s (k of them) such that s × 10^(n-k) rounds back to x, the one
// closest to x if several k-digit strings do (ties: the even one), and then lays them out by the position n of
// the decimal point: plain integer digits up to 21 places, a fraction down to 0.000001, exponent form outside.
//
// Finding s exactly:
//   1. the exact decimal expansion of x (a double is m × 2^q, a finite decimal) from a small big integer;
//   2. for a precision p, the only p-digit candidates that can round-trip are the expansion cut to p digits
//      and that plus one unit in its last place (any other p-digit value is farther from x on the same side,
//      and the round-trip interval around x is convex);
//   3. round-tripping is checked with the JSON reader's correctly rounded decimal→double conversion (the same
//      function that gives getNumber its value), and is monotone in p, so a binary search over 1..17 finds
//      the shortest p (17 digits always round-trip).
// Integers below 2^53 skip all this: their digits are the answer.

import { BigUint } from "../json/bigint";
import { numberValue } from "../json/number";
import { writeDigits } from "../abi/text";

/** Room `formatNumber` may write (the longest form, "-0.0000033333333333333333", has 25 bytes). */
export const MAX_NUMBER_TEXT: i32 = 32;

const TWO_POW_53: f64 = 9007199254740992.0;
const MAX_PRECISION: i32 = 17;

// Base-10^9 chunks of the exact expansion: m × 5^1074 (the smallest subnormals) has about 2550 bits, 767 digits.
const MAX_CHUNKS: i32 = 112;   // >= 2550 bits / log2(10^9)
const MAX_DIGITS: i32 = 1024;  // >= MAX_CHUNKS × 9
const CHUNK: u32 = 1000000000;

const big = new BigUint();     // the big integer class of the JSON reader's exact rounding
const chunks = new ArrayBuffer(MAX_CHUNKS * 4);
const digits = new ArrayBuffer(MAX_DIGITS);   // exact expansion, ASCII, most significant first
let digitCount: i32 = 0;                      // without trailing zeros
let pointPosition: i32 = 0;                   // n: value = 0.DIGITS × 10^n
const candidate = new ArrayBuffer(MAX_PRECISION + 1);
const text = new ArrayBuffer(MAX_PRECISION + 8);

// ---- exact expansion ----

/** Sets `digits`, `digitCount` and `pointPosition` to the exact expansion of the positive finite double `x`. */
function expand(x: f64): bool {
  const bits = reinterpret<u64>(x);
  const field = <i32>(bits >> 52) & 0x7ff;
  const fraction = bits & 0xfffffffffffff;
  const m: u64 = field == 0 ? fraction : fraction | (<u64>1 << 52);
  const q: i32 = field == 0 ? -1074 : field - 1075;
  // x = m × 2^q: an integer m × 2^q when q >= 0, else (m × 5^-q) / 10^-q.
  big.setU64(m);
  if (q >= 0) big.shiftLeft(q);
  else big.mulPow5(-q);
  if (big.overflow || big.size == 0) return false;
  // Base-10^9 chunks, least significant first.
  const cp = changetype<usize>(chunks);
  let count = 0;
  while (big.size > 0) {
    if (count >= MAX_CHUNKS) return false;
    store<u32>(cp + (<usize>count << 2), big.divSmall(CHUNK));
    count++;
  }
  const dp = changetype<usize>(digits);
  let n = writeDigits(dp, load<u32>(cp + (<usize>(count - 1) << 2)), 0);
  for (let i = count - 2; i >= 0; i--) n += writeDigits(dp + <usize>n, load<u32>(cp + (<usize>i << 2)), 9);
  pointPosition = q >= 0 ? n : n + q;
  while (n > 1 && load<u8>(dp + <usize>n - 1) == 0x30) n--;
  digitCount = n;
  return true;
}

// ---- shortest round-trip digits ----

/** Whether the k ASCII digits at `src` × 10^(n-k) read back as `x`. */
function roundTrips(src: usize, k: i32, n: i32, x: f64): bool {
  const tp = changetype<usize>(text);
  memory.copy(tp, src, <usize>k);
  let len = k;
  store<u8>(tp + <usize>(len++), 0x65); // 'e'
  let e = n - k;
  if (e < 0) {
    store<u8>(tp + <usize>(len++), 0x2d);
    e = -e;
  }
  len += writeDigits(tp + <usize>len, <u64>e, 0);
  return numberValue(tp, 0, len) == x;
}

// Set by roundedUp: the carry ran out of the top digit, so the decimal point moved one place right.
let carried: bool = false;

/** Puts the expansion cut to p digits plus one unit in its last place into `candidate`; returns its length. */
function roundedUp(p: i32): i32 {
  const cp = changetype<usize>(candidate);
  memory.copy(cp, changetype<usize>(digits), <usize>p);
  carried = false;
  for (let i = p - 1; i >= 0; i--) {
    const d = load<u8>(cp + <usize>i);
    if (d != 0x39) {
      store<u8>(cp + <usize>i, d + 1);
      return p;
    }
    store<u8>(cp + <usize>i, 0x30);
  }
  store<u8>(cp, 0x31); // 99..9 + 1 = 100..0: one digit "1", one place further left
  carried = true;
  return 1;
}

/** Whether some p-digit decimal (the expansion cut to p digits, or that plus one unit) round-trips. */
function fits(p: i32, x: f64): bool {
  if (p >= digitCount) return true; // the expansion itself has at most p digits
  if (roundTrips(changetype<usize>(digits), p, pointPosition, x)) return true;
  const k = roundedUp(p);
  return roundTrips(changetype<usize>(candidate), k, carried ? pointPosition + 1 : pointPosition, x);
}

// Result of `shortest`: digits at `candidate` (k of them, no trailing zero) and the point position n.
let resultDigits: i32 = 0;
let resultPoint: i32 = 0;

function shortest(x: f64): void {
  let lo = 1;
  let hi = MAX_PRECISION;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (fits(mid, x)) hi = mid;
    else lo = mid + 1;
  }
  const p = lo;
  const cp = changetype<usize>(candidate);
  const dp = changetype<usize>(digits);
  resultPoint = pointPosition;
  if (p >= digitCount) {
    memory.copy(cp, dp, <usize>digitCount);
    resultDigits = digitCount;
    return;
  }
  // Both neighbours at precision p may round-trip: take the closer (the tail beyond p against one half),
  // on a tie the even one.
  const downOk = roundTrips(dp, p, pointPosition, x);
  const k = roundedUp(p);
  const upPoint = carried ? pointPosition + 1 : pointPosition;
  const upOk = roundTrips(cp, k, upPoint, x);
  let up = upOk;
  if (downOk && upOk) {
    const next = load<u8>(dp + <usize>p);
    if (next != 0x35) up = next > 0x35;
    else if (p + 1 < digitCount) up = true;                 // beyond one half
    else up = (load<u8>(dp + <usize>p - 1) & 1) != 0;       // exactly half: keep the even last digit
  } else if (!downOk && !upOk) {
    up = false; // cannot happen (17 digits always round-trip); the cut expansion is the safe answer
  }
  if (up) {
    resultDigits = k;
    resultPoint = upPoint;
  } else {
    memory.copy(cp, dp, <usize>p);
    resultDigits = p;
  }
  while (resultDigits > 1 && load<u8>(cp + <usize>resultDigits - 1) == 0x30) resultDigits--;
}

// ---- layout ----

function fill(out: usize, o: i32, byte: u8, count: i32): i32 {
  for (let i = 0; i < count; i++) store<u8>(out + <usize>(o + i), byte);
  return o + (count > 0 ? count : 0);
}

function copyDigits(out: usize, o: i32, from: i32, to: i32): i32 {
  const cp = changetype<usize>(candidate);
  for (let i = from; i < to; i++) store<u8>(out + <usize>(o++), load<u8>(cp + <usize>i));
  return o;
}

/** Lays out the k digits at `candidate` with decimal point position n per Number::toString. */
function layout(out: usize, negative: bool, k: i32, n: i32): i32 {
  let o = 0;
  if (negative) store<u8>(out + <usize>(o++), 0x2d);
  if (k <= n && n <= 21) {
    o = copyDigits(out, o, 0, k);
    return fill(out, o, 0x30, n - k);
  }
  if (0 < n && n <= 21) {
    o = copyDigits(out, o, 0, n);
    store<u8>(out + <usize>(o++), 0x2e);
    return copyDigits(out, o, n, k);
  }
  if (-6 < n && n <= 0) {
    store<u8>(out + <usize>(o++), 0x30);
    store<u8>(out + <usize>(o++), 0x2e);
    o = fill(out, o, 0x30, -n);
    return copyDigits(out, o, 0, k);
  }
  o = copyDigits(out, o, 0, 1);
  if (k > 1) {
    store<u8>(out + <usize>(o++), 0x2e);
    o = copyDigits(out, o, 1, k);
  }
  store<u8>(out + <usize>(o++), 0x65);
  const e = n - 1;
  store<u8>(out + <usize>(o++), e < 0 ? 0x2d : 0x2b);
  return o + writeDigits(out + <usize>o, <u64>(e < 0 ? -e : e), 0);
}

/**
 * Writes Number::toString(x) as ASCII at `out`, which must have MAX_NUMBER_TEXT bytes of room; returns the
 * byte count, or 0 when x is NaN or infinite (RFC 8785 has no form for them).
 */
export function formatNumber(x: f64, out: usize): i32 {
  if (!isFinite(x)) return 0;
  if (x == 0) {
    store<u8>(out, 0x30); // both zeros: "0"
    return 1;
  }
  const negative = x < 0;
  const a = negative ? -x : x;
  if (a < TWO_POW_53 && a == Math.floor(a)) {
    // An integer below 2^53: neighbouring doubles are at most 1 apart, so its own digits are the shortest.
    const k = writeDigits(changetype<usize>(candidate), <u64>a, 0);
    let trimmed = k;
    while (trimmed > 1 && load<u8>(changetype<usize>(candidate) + <usize>trimmed - 1) == 0x30) trimmed--;
    return layout(out, negative, trimmed, k);
  }
  if (!expand(a)) return 0; // cannot happen: the buffers are sized for every double
  shortest(a);
  return layout(out, negative, resultDigits, resultPoint);
}
