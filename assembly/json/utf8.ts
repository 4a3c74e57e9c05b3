// UTF-8 well-formedness (Unicode 15, Table 3-7), shared by the reader (validation inside strings) and the writer
// (re-encoding caller bytes). Over bytes, never over decoded strings: AssemblyScript's String.UTF8.decode does
// not validate, so decoding first could let a malformed byte swallow a quote (BRIEF §1).

// @ts-ignore: decorator
@inline
function isContinuation(b: u32): bool {
  return (b & 0xC0) == 0x80;
}

/**
 * Length (2, 3 or 4) of the well-formed multi-byte sequence whose lead byte `b0` (>= 0x80) sits at `ptr + i`,
 * or 0 when it is malformed: a stray continuation byte, an overlong form (C0, C1, E0 80..9F, F0 80..8F), a
 * UTF-16 surrogate (ED A0..BF), a code point above U+10FFFF (F4 90.., F5..FF) or a sequence cut short by `end`.
 */
// @ts-ignore: decorator
@inline
export function utf8SequenceLength(ptr: usize, i: i32, end: i32, b0: u32): i32 {
  if (b0 < 0xC2) return 0;
  if (b0 < 0xE0) {
    return i + 1 < end && isContinuation(<u32>load<u8>(ptr + <usize>i + 1)) ? 2 : 0;
  }
  if (b0 < 0xF0) {
    if (i + 2 >= end) return 0;
    const b1 = <u32>load<u8>(ptr + <usize>i + 1);
    const low: u32 = b0 == 0xE0 ? 0xA0 : 0x80;  // E0 80..9F would be overlong
    const high: u32 = b0 == 0xED ? 0x9F : 0xBF; // ED A0..BF would be a surrogate
    if (b1 < low || b1 > high) return 0;
    return isContinuation(<u32>load<u8>(ptr + <usize>i + 2)) ? 3 : 0;
  }
  if (b0 < 0xF5) {
    if (i + 3 >= end) return 0;
    const b1 = <u32>load<u8>(ptr + <usize>i + 1);
    const low: u32 = b0 == 0xF0 ? 0x90 : 0x80;  // F0 80..8F would be overlong
    const high: u32 = b0 == 0xF4 ? 0x8F : 0xBF; // F4 90.. would be above U+10FFFF
    if (b1 < low || b1 > high) return 0;
    return isContinuation(<u32>load<u8>(ptr + <usize>i + 2)) && isContinuation(<u32>load<u8>(ptr + <usize>i + 3))
      ? 4
      : 0;
  }
  return 0;
}

/** Code point of a sequence already known (by utf8SequenceLength) to be well-formed and `length` bytes long. */
export function utf8CodePoint(ptr: usize, i: i32, length: i32): u32 {
  const p = ptr + <usize>i;
  if (length == 2) return ((<u32>load<u8>(p) & 0x1F) << 6) | (<u32>load<u8>(p, 1) & 0x3F);
  if (length == 3) {
    return ((<u32>load<u8>(p) & 0x0F) << 12) | ((<u32>load<u8>(p, 1) & 0x3F) << 6) | (<u32>load<u8>(p, 2) & 0x3F);
  }
  return ((<u32>load<u8>(p) & 0x07) << 18) | ((<u32>load<u8>(p, 1) & 0x3F) << 12) |
    ((<u32>load<u8>(p, 2) & 0x3F) << 6) | (<u32>load<u8>(p, 3) & 0x3F);
}

/**
 * The code point of the UTF-16 unit at index `i` of the `n` units at `sp`: with the next unit when
 * the two are a surrogate pair (the caller then skips one more), U+FFFD for a lone surrogate.
 */
export function codePointAt(sp: usize, i: i32, n: i32): u32 {
  const u = <u32>load<u16>(sp + (<usize>i << 1));
  if (u < 0xd800 || u > 0xdfff) return u;
  const next = i + 1 < n ? <u32>load<u16>(sp + (<usize>(i + 1) << 1)) : 0;
  if (u <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) return 0x10000 + ((u - 0xd800) << 10) + (next - 0xdc00);
  return 0xfffd;
}

/** Writes `cp` as UTF-8 at `out` and returns the number of bytes (1-4). `cp` must not be a surrogate. */
export function utf8Encode(out: usize, cp: u32): i32 {
  if (cp < 0x80) {
    store<u8>(out, <u8>cp);
    return 1;
  }
  if (cp < 0x800) {
    store<u8>(out, <u8>(0xC0 | (cp >> 6)));
    store<u8>(out, <u8>(0x80 | (cp & 0x3F)), 1);
    return 2;
  }
  if (cp < 0x10000) {
    store<u8>(out, <u8>(0xE0 | (cp >> 12)));
    store<u8>(out, <u8>(0x80 | ((cp >> 6) & 0x3F)), 1);
    store<u8>(out, <u8>(0x80 | (cp & 0x3F)), 2);
    return 3;
  }
  store<u8>(out, <u8>(0xF0 | (cp >> 18)));
  store<u8>(out, <u8>(0x80 | ((cp >> 12) & 0x3F)), 1);
  store<u8>(out, <u8>(0x80 | ((cp >> 6) & 0x3F)), 2);
  store<u8>(out, <u8>(0x80 | (cp & 0x3F)), 3);
  return 4;
}
