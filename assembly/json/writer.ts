// JSON writer: builds UTF-8 JSON in a reusable growable buffer. Commas and colons are placed automatically.
//
// The output is always valid JSON and valid UTF-8: strings are escaped per RFC 8259 (plus U+2028/U+2029, so the
// text is also safe inside JavaScript), lone surrogates of AssemblyScript strings and malformed caller bytes
// become U+FFFD, non-finite numbers become null, and a call that does not fit the structure (a value where a
// key is due, a second top-level value, a mismatched end) is ignored and flagged in `misused` rather than
// producing broken output. Containers left open are closed in what toArrayBuffer()/toString() return.
// The one thing taken on trust is raw()/rawRange(): the caller vouches that those bytes are one JSON value.

import { ByteBuffer, inMemory } from "./buffer";
import { codePointAt, utf8CodePoint, utf8Encode, utf8SequenceLength } from "./utf8";
import { writeDigits } from "../abi/text";

// State of an open container.
const ARRAY_EMPTY: u8 = 0;   // no element yet
const ARRAY_ITEMS: u8 = 1;   // next element needs a comma
const OBJECT_EMPTY: u8 = 2;  // a key is due, no comma
const OBJECT_ITEMS: u8 = 3;  // a key is due, after a comma
const OBJECT_VALUE: u8 = 4;  // a key was written, its value is due

const HEX_DIGITS = "0123456789abcdef";
const TWO_POW_53: f64 = 9007199254740992.0;

export class JsonWriter {
  private out: ByteBuffer = new ByteBuffer(256);
  private size: i32 = 0;
  private states: ByteBuffer = new ByteBuffer(64);
  private depth: i32 = 0;
  private topDone: bool = false;
  /** A call did not fit the structure and was ignored (see the file comment). Cleared by reset(). */
  misused: bool = false;

  /** Bytes written so far (without the closers toArrayBuffer() may add). */
  get byteLength(): i32 {
    return this.size;
  }

  /** Starts a new document, keeping the buffers. */
  reset(): void {
    this.size = 0;
    this.depth = 0;
    this.topDone = false;
    this.misused = false;
  }

  beginObject(): void {
    if (!this.beforeValue()) return;
    this.byte(0x7b);
    this.push(OBJECT_EMPTY);
  }

  endObject(): void {
    const state = this.top();
    if (state != OBJECT_EMPTY && state != OBJECT_ITEMS && state != OBJECT_VALUE) {
      this.misused = true;
      return;
    }
    if (state == OBJECT_VALUE) {
      this.misused = true; // a key without value: give it null so the output stays valid
      this.ascii("null");
    }
    this.byte(0x7d);
    this.depth--;
  }

  beginArray(): void {
    if (!this.beforeValue()) return;
    this.byte(0x5b);
    this.push(ARRAY_EMPTY);
  }

  endArray(): void {
    const state = this.top();
    if (state != ARRAY_EMPTY && state != ARRAY_ITEMS) {
      this.misused = true;
      return;
    }
    this.byte(0x5d);
    this.depth--;
  }

  /** Member name; must be followed by exactly one value. */
  key(k: string): void {
    const state = this.top();
    if (state != OBJECT_EMPTY && state != OBJECT_ITEMS) {
      this.misused = true;
      return;
    }
    if (state == OBJECT_ITEMS) this.byte(0x2c);
    this.quotedUtf16(k);
    this.byte(0x3a);
    this.setTop(OBJECT_VALUE);
  }

  string(s: string): void {
    if (!this.beforeValue()) return;
    this.quotedUtf16(s);
  }

  /** String value from UTF-8 bytes (escaped on write; malformed sequences become U+FFFD). */
  stringBytes(ptr: usize, len: i32): void {
    if (!this.beforeValue()) return;
    if (!inMemory(ptr, len)) {
      this.misused = true;
      this.ascii("null");
      return;
    }
    this.quotedUtf8(ptr, len < 0 ? 0 : len);
  }

  /**
   * A JSON value inserted verbatim (e.g. a JSON-RPC id from JsonDocument.rawBytes); the caller vouches that
   * the bytes are one valid JSON value. Empty → null (so an absent node's rawBytes still gives valid JSON).
   */
  raw(bytes: ArrayBuffer): void {
    this.rawRange(changetype<usize>(bytes), bytes.byteLength);
  }

  rawRange(ptr: usize, len: i32): void {
    if (!this.beforeValue()) return;
    if (len <= 0 || !inMemory(ptr, len)) {
      if (len != 0) this.misused = true;
      this.ascii("null");
      return;
    }
    if (!this.reserve(len)) return;
    memory.copy(this.out.ptr + <usize>this.size, ptr, <usize>len);
    this.size += len;
  }

  integer(v: i64): void {
    if (!this.beforeValue()) return;
    this.decimal(v);
  }

  /** A number: integers up to 2^53 without fraction, other finite values in shortest round-trip form, NaN/±Infinity as null. */
  number(v: f64): void {
    if (!this.beforeValue()) return;
    if (!isFinite(v)) {
      this.ascii("null");
    } else if (v == Math.floor(v) && Math.abs(v) <= TWO_POW_53) {
      if (v == 0 && (reinterpret<u64>(v) >> 63) != 0) this.ascii("-0");
      else this.decimal(<i64>v);
    } else {
      this.ascii(v.toString());
    }
  }

  bool(b: bool): void {
    if (!this.beforeValue()) return;
    this.ascii(b ? "true" : "false");
  }

  null(): void {
    if (!this.beforeValue()) return;
    this.ascii("null");
  }

  /** The document as bytes, with any still-open containers closed (and `null` if nothing was written). */
  toArrayBuffer(): ArrayBuffer {
    let tail = 0;
    for (let d = this.depth - 1; d >= 0; d--) tail += load<u8>(this.states.ptr + <usize>d) == OBJECT_VALUE ? 5 : 1;
    if (!this.topDone) tail += 4;
    const result = new ArrayBuffer(this.size + tail);
    const rp = changetype<usize>(result);
    memory.copy(rp, this.out.ptr, <usize>this.size);
    let k = this.size;
    if (!this.topDone) {
      store<u32>(rp + <usize>k, 0x6c6c756e); // "null"
      k += 4;
    }
    for (let d = this.depth - 1; d >= 0; d--) {
      const state = load<u8>(this.states.ptr + <usize>d);
      if (state == OBJECT_VALUE) {
        store<u32>(rp + <usize>k, 0x6c6c756e);
        k += 4;
      }
      store<u8>(rp + <usize>k, state >= OBJECT_EMPTY ? 0x7d : 0x5d);
      k++;
    }
    return result;
  }

  toString(): string {
    const bytes = this.toArrayBuffer();
    return String.UTF8.decodeUnsafe(changetype<usize>(bytes), <usize>bytes.byteLength);
  }

  // ---------------------------------------------------------------------------------------------------------

  /** State of the innermost open container, or 0xff at the top level. */
  private top(): u8 {
    return this.depth > 0 ? load<u8>(this.states.ptr + <usize>(this.depth - 1)) : 0xff;
  }

  private setTop(state: u8): void {
    if (this.depth > 0) store<u8>(this.states.ptr + <usize>(this.depth - 1), state);
  }

  private push(state: u8): void {
    if (!this.states.ensure(this.depth + 1, this.depth)) {
      this.misused = true;
      return;
    }
    store<u8>(this.states.ptr + <usize>this.depth, state);
    this.depth++;
  }

  /** Writes the separator a value needs here; false (and `misused`) if no value may go here. */
  private beforeValue(): bool {
    if (this.depth == 0) {
      if (this.topDone) {
        this.misused = true;
        return false;
      }
      this.topDone = true;
      return true;
    }
    const state = this.top();
    if (state == ARRAY_EMPTY) {
      this.setTop(ARRAY_ITEMS);
      return true;
    }
    if (state == ARRAY_ITEMS) {
      this.byte(0x2c);
      return true;
    }
    if (state == OBJECT_VALUE) {
      this.setTop(OBJECT_ITEMS);
      return true;
    }
    this.misused = true;
    return false;
  }

  /** Room for `n` more bytes. */
  private reserve(n: i32): bool {
    if (n <= 0) return true;
    if (this.size + n > this.out.capacity && !this.out.ensure(this.size + n, this.size)) {
      this.misused = true;
      return false;
    }
    return true;
  }

  private byte(b: u32): void {
    if (!this.reserve(1)) return;
    store<u8>(this.out.ptr + <usize>this.size, <u8>b);
    this.size++;
  }

  /** Appends an ASCII-only string. */
  private ascii(s: string): void {
    const n = s.length;
    if (!this.reserve(n)) return;
    const op = this.out.ptr + <usize>this.size;
    for (let i = 0; i < n; i++) store<u8>(op + <usize>i, <u8>s.charCodeAt(i));
    this.size += n;
  }

  private decimal(v: i64): void {
    if (!this.reserve(20)) return; // a minus and up to 19 digits
    const p = this.out.ptr + <usize>this.size;
    let n = 0;
    if (v < 0) {
      store<u8>(p, 0x2d); // -
      n = 1;
    }
    this.size += n + writeDigits(p + <usize>n, v < 0 ? <u64>0 - <u64>v : <u64>v, 0);
  }


  /** Quoted, escaped UTF-8 form of an AssemblyScript string. */
  private quotedUtf16(s: string): void {
    const n = s.length;
    // Worst case 6 output bytes per UTF-16 unit (\u00XX), plus the quotes.
    if (n > (1 << 27) || !this.reserve(n * 6 + 2)) {
      this.misused = true;
      return;
    }
    const sp = changetype<usize>(s);
    let op = this.out.ptr + <usize>this.size;
    const begin = op;
    store<u8>(op++, 0x22);
    for (let i = 0; i < n; i++) {
      const u = <u32>load<u16>(sp + (<usize>i << 1));
      if (u < 0x80) {
        op += <usize>putAscii(op, u);
        continue;
      }
      const cp = codePointAt(sp, i, n);
      if (cp >= 0x10000) i++;
      if (cp == 0x2028 || cp == 0x2029) op += <usize>putUnicodeEscape(op, cp);
      else op += <usize>utf8Encode(op, cp);
    }
    store<u8>(op++, 0x22);
    this.size += <i32>(op - begin);
  }

  /** Quoted, escaped form of UTF-8 bytes; each byte that starts no well-formed sequence becomes U+FFFD. */
  private quotedUtf8(ptr: usize, len: i32): void {
    // Worst case 6 output bytes per input byte (a control character), plus the quotes.
    if (len > (1 << 27) || !this.reserve(len * 6 + 2)) {
      this.misused = true;
      return;
    }
    let op = this.out.ptr + <usize>this.size;
    const begin = op;
    store<u8>(op++, 0x22);
    let i = 0;
    while (i < len) {
      const b = <u32>load<u8>(ptr + <usize>i);
      if (b < 0x80) {
        op += <usize>putAscii(op, b);
        i++;
        continue;
      }
      const n = utf8SequenceLength(ptr, i, len, b);
      if (n == 0) {
        op += <usize>utf8Encode(op, 0xfffd);
        i++;
        continue;
      }
      const cp = utf8CodePoint(ptr, i, n);
      if (cp == 0x2028 || cp == 0x2029) {
        op += <usize>putUnicodeEscape(op, cp);
      } else {
        memory.copy(op, ptr + <usize>i, <usize>n);
        op += <usize>n;
      }
      i += n;
    }
    store<u8>(op++, 0x22);
    this.size += <i32>(op - begin);
  }
}

/** Writes ASCII character `c` at `op` as itself or as its RFC 8259 escape (as JSON.stringify writes it); returns the bytes written. */
export function putAscii(op: usize, c: u32): i32 {
  if (c >= 0x20 && c != 0x22 && c != 0x5c) {
    store<u8>(op, <u8>c);
    return 1;
  }
  store<u8>(op, 0x5c);
  switch (c) {
    case 0x22: store<u8>(op, 0x22, 1); return 2;
    case 0x5c: store<u8>(op, 0x5c, 1); return 2;
    case 0x08: store<u8>(op, 0x62, 1); return 2;
    case 0x09: store<u8>(op, 0x74, 1); return 2;
    case 0x0a: store<u8>(op, 0x6e, 1); return 2;
    case 0x0c: store<u8>(op, 0x66, 1); return 2;
    case 0x0d: store<u8>(op, 0x72, 1); return 2;
  }
  return putUnicodeEscape(op, c);
}

/** Writes \uXXXX (lower-case hex, as JSON.stringify does) for `c` at `op`; returns 6. */
function putUnicodeEscape(op: usize, c: u32): i32 {
  store<u8>(op, 0x5c);
  store<u8>(op, 0x75, 1);
  store<u8>(op, <u8>HEX_DIGITS.charCodeAt((c >> 12) & 0xf), 2);
  store<u8>(op, <u8>HEX_DIGITS.charCodeAt((c >> 8) & 0xf), 3);
  store<u8>(op, <u8>HEX_DIGITS.charCodeAt((c >> 4) & 0xf), 4);
  store<u8>(op, <u8>HEX_DIGITS.charCodeAt(c & 0xf), 5);
  return 6;
}

const quoteWriter = new JsonWriter();

/** `s` as a JSON string literal (quotes included), for building small messages. */
export function jsonQuote(s: string): string {
  quoteWriter.reset();
  quoteWriter.string(s);
  return quoteWriter.toString();
}
