// Decoding of JSON string content (the bytes between the quotes) into code points: escapes, surrogate-pair
// escapes and UTF-8. The reader validates strings while parsing; these functions run later, on demand, over
// content the parser accepted. They still guard every read and map anything malformed to U+FFFD, because the
// caller owns the bytes and could have changed them: a wrong answer is acceptable then, a trap is not.

import { ByteBuffer } from "./buffer";
import { utf8CodePoint, utf8Encode, utf8SequenceLength } from "./utf8";

const REPLACEMENT: i32 = 0xfffd;

// Offset just after the code point last returned by nextCodePoint. A module global instead of an out-parameter
// because a function returns one value; every user sets it before its loop and nothing else runs in between.
let cursor: i32 = 0;

/** Value of the hex digit `c`, or -1. */
// @ts-ignore: decorator
@inline
export function hexValue(c: u32): i32 {
  if (c - 0x30 < 10) return <i32>(c - 0x30);
  const lower = c | 0x20;
  if (lower - 0x61 < 6) return <i32>(lower - 0x61 + 10);
  return -1;
}

/** Value of the 4 hex digits at ptr+i (i+4 <= end required by the caller), or -1 if one is not a hex digit. */
export function hex4(ptr: usize, i: i32): i32 {
  let value = 0;
  for (let k = 0; k < 4; k++) { // a loop, not four inlined digit checks: escapes are rare, bytes are not
    const d = hexValue(<u32>load<u8>(ptr + <usize>(i + k)));
    if (d < 0) return -1;
    value = (value << 4) | d;
  }
  return value;
}

/** Code point of the escape sequence starting with the backslash at ptr+i; advances `cursor` past it. */
function readEscape(ptr: usize, i: i32, end: i32): i32 {
  if (i + 1 >= end) {
    cursor = end;
    return REPLACEMENT;
  }
  const e = <u32>load<u8>(ptr + <usize>i + 1);
  cursor = i + 2;
  switch (e) {
    case 0x22: return 0x22; // \"
    case 0x5c: return 0x5c; // \\
    case 0x2f: return 0x2f; // \/
    case 0x62: return 0x08; // \b
    case 0x66: return 0x0c; // \f
    case 0x6e: return 0x0a; // \n
    case 0x72: return 0x0d; // \r
    case 0x74: return 0x09; // \t
    case 0x75: break;       // \uXXXX, below
    default: return REPLACEMENT;
  }
  if (i + 6 > end) {
    cursor = end;
    return REPLACEMENT;
  }
  const unit = hex4(ptr, i + 2);
  cursor = i + 6;
  if (unit < 0) return REPLACEMENT;
  if (unit < 0xd800 || unit > 0xdfff) return unit;
  // A high surrogate must be followed by an escaped low surrogate; the parser rejects anything else.
  if (unit <= 0xdbff && i + 12 <= end && load<u8>(ptr + <usize>i + 6) == 0x5c && load<u8>(ptr + <usize>i + 7) == 0x75) {
    const low = hex4(ptr, i + 8);
    if (low >= 0xdc00 && low <= 0xdfff) {
      cursor = i + 12;
      return 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
    }
  }
  return REPLACEMENT;
}

/**
 * Next code point of the content [cursor, end), advancing `cursor`; -1 at the end. Not inlined: the three
 * decoders below only come here for text with escapes or non-ASCII bytes (plain ASCII has its own loops), and
 * one copy instead of one per loop keeps ~2 KB out of the module.
 */
function nextCodePoint(ptr: usize, end: i32): i32 {
  const i = cursor;
  if (i >= end) return -1;
  const b = <u32>load<u8>(ptr + <usize>i);
  if (b < 0x80) {
    if (b != 0x5c) {
      cursor = i + 1;
      return <i32>b;
    }
    return readEscape(ptr, i, end);
  }
  const length = utf8SequenceLength(ptr, i, end, b);
  if (length == 0) {
    cursor = i + 1;
    return REPLACEMENT;
  }
  cursor = i + length;
  return <i32>utf8CodePoint(ptr, i, length);
}

/** Whether [start, end) is plain ASCII without a backslash: its decoded text is then the bytes themselves. */
export function isPlainAscii(ptr: usize, start: i32, end: i32): bool {
  let i = start;
  while (i + 8 <= end) {
    const w = load<u64>(ptr + <usize>i);
    // a byte >= 0x80, or a backslash (0x5c): the same SWAR "has byte" test the scanner uses
    const backslash = w ^ 0x5c5c5c5c5c5c5c5c;
    if (((w | ((backslash - 0x0101010101010101) & ~backslash)) & 0x8080808080808080) != 0) return false;
    i += 8;
  }
  while (i < end) {
    const b = load<u8>(ptr + <usize>i);
    if (b >= 0x80 || b == 0x5c) return false;
    i++;
  }
  return true;
}

/** Whether the plain ASCII bytes [start, end) are exactly the UTF-16 units of `s` (the caller checked lengths). */
// @ts-ignore: decorator
@inline
function asciiEqualsUnits(ptr: usize, start: i32, end: i32, sp: usize): bool {
  for (let i = start, k: usize = 0; i < end; i++, k += 2) {
    if (<u32>load<u8>(ptr + <usize>i) != <u32>load<u16>(sp + k)) return false;
  }
  return true;
}

/** Whether `s` has only ASCII code units (so its UTF-8 form has exactly s.length bytes). */
export function isAsciiString(s: string): bool {
  const sp = changetype<usize>(s);
  const n = s.length;
  for (let k = 0; k < n; k++) {
    if (load<u16>(sp + (<usize>k << 1)) >= 0x80) return false;
  }
  return true;
}

/** Decoded content [start, end) as an AssemblyScript (UTF-16) string. */
export function decodeToString(ptr: usize, start: i32, end: i32): string {
  if (start >= end) return "";
  if (isPlainAscii(ptr, start, end)) {
    // The usual method or tool name: one pass that widens bytes to code units.
    const ascii = changetype<string>(__new(<usize>(end - start) << 1, idof<string>()));
    const ap = changetype<usize>(ascii);
    for (let i = start, k: usize = 0; i < end; i++, k += 2) store<u16>(ap + k, <u16>load<u8>(ptr + <usize>i));
    return ascii;
  }
  // Escapes or non-ASCII: decoded to UTF-8 first (one decoder for both forms), then widened by the standard
  // library. A temporary buffer, not a kept one: this is the rare path, and a kept one would hold on to the
  // largest string ever decoded.
  const utf8 = new ByteBuffer();
  const n = decodeToUtf8(ptr, start, end, utf8);
  return n > 0 ? String.UTF8.decodeUnsafe(utf8.ptr, <usize>n) : "";
}

/**
 * Whether the decoded content [start, end) equals `s`, compared code unit by code unit without allocating.
 * `plain` says the content has no escape; `asciiS` that `s` is ASCII: then equal text means equal length and
 * a byte-for-unit comparison.
 */
export function equalsString(ptr: usize, start: i32, end: i32, s: string, plain: bool = false, asciiS: bool = false): bool {
  const sp = changetype<usize>(s);
  const n = s.length;
  if (plain && asciiS) return end - start == n && asciiEqualsUnits(ptr, start, end, sp);
  let k = 0;
  cursor = start;
  for (let cp = nextCodePoint(ptr, end); cp >= 0; cp = nextCodePoint(ptr, end)) {
    if (cp < 0x10000) {
      if (k >= n || <i32>load<u16>(sp + (<usize>k << 1)) != cp) return false;
      k++;
    } else {
      if (k + 1 >= n) return false;
      if (<i32>load<u16>(sp + (<usize>k << 1)) != 0xd800 + ((cp - 0x10000) >> 10)) return false;
      if (<i32>load<u16>(sp + (<usize>k << 1), 2) != 0xdc00 + (cp & 0x3ff)) return false;
      k += 2;
    }
  }
  return k == n;
}

/**
 * Decodes the content [start, end) to UTF-8 into `out` (from offset 0) and returns the byte count. Decoding
 * never lengthens the text (an escape is at least as long as the UTF-8 it stands for), so `end - start` bytes
 * of room are enough. Returns -1 if that room cannot be had.
 */
export function decodeToUtf8(ptr: usize, start: i32, end: i32, out: ByteBuffer): i32 {
  const room = end - start + 4;
  if (!out.ensure(room, 0)) return -1;
  const op = out.ptr;
  let n = 0;
  cursor = start;
  for (let cp = nextCodePoint(ptr, end); cp >= 0 && n + 4 <= room; cp = nextCodePoint(ptr, end)) {
    n += utf8Encode(op + <usize>n, <u32>cp);
  }
  return n;
}
