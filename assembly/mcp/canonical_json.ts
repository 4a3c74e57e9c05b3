// RFC 8785 JSON Canonicalization Scheme (JCS) of a parsed JsonDocument node: object members sorted by their
// names' UTF-16 code units, no whitespace, strings escaped exactly as JSON.stringify escapes them, numbers as
// ECMAScript Number::toString. The output is byte-identical to canonicalJson() in src/pins/canonical.ts
// applied to JSON.parse of the same text (see docs/tool-pinning.md).
//
// The writer walks the document with an explicit stack (no recursion), bounded by MAX_DEPTH; its buffers are
// reused across calls. With a hasher attached the output is streamed into it in chunks, so hashing a large
// schema needs no buffer of the schema's canonical size.

import { ByteBuffer } from "../json/buffer";
import { codePointAt, utf8Encode } from "../json/utf8";
import { putAscii } from "../json/writer";
import { JsonDocument, JsonType } from "../json";
import { Sha256 } from "../crypto/sha256";
import { MAX_NUMBER_TEXT, formatNumber } from "./es_number";

export enum CanonicalStatus {
  Ok = 0,
  NotFinite = 1, // a number beyond the double range (JSON.parse gives ±Infinity; JCS has no form for it)
  Truncated = 2, // a container whose children were not stored (parsed with a small recordDepth)
  TooDeep = 3,   // nesting beyond MAX_DEPTH
  TooLarge = 4,  // the output (when not hashed) or a stack could not grow
  Absent = 5,    // the node id names no node
}

/** Nesting the writer follows; the reader's maxDepth (64 by default) stops real documents long before. */
const MAX_DEPTH: i32 = 4096;
/** With a hasher, output is handed over once this much is buffered. */
const FLUSH_BYTES: i32 = 4096;
/** UTF-16 units escaped per step: each takes at most 6 bytes (\u00XX). */
const STRING_STEP: i32 = 512;

// Stack frames: five i32 fields.
const FRAME_SIZE: i32 = 20;
const F_KIND: usize = 0;    // FRAME_ARRAY or FRAME_OBJECT
const F_NEXT: usize = 4;    // array: next element node; object: next position in the sorted member order
const F_END: usize = 8;     // object: end of its range in the member stacks
const F_BASE: usize = 12;   // object: start of that range (the stacks are cut back to it when it closes)
const F_WRITTEN: usize = 16; // 1 once a member or element was written (the next one needs a comma)
const FRAME_ARRAY: i32 = 1;
const FRAME_OBJECT: i32 = 2;

/** Order of `a` and `b` by UTF-16 code units: negative, zero or positive. */
export function compareUtf16(a: string, b: string): i32 {
  const n = a.length < b.length ? a.length : b.length;
  const ap = changetype<usize>(a);
  const bp = changetype<usize>(b);
  for (let i = 0; i < n; i++) {
    const x = <i32>load<u16>(ap + (<usize>i << 1));
    const y = <i32>load<u16>(bp + (<usize>i << 1));
    if (x != y) return x - y;
  }
  return a.length - b.length;
}

export class CanonicalWriter {
  private out: ByteBuffer = new ByteBuffer(FLUSH_BYTES);
  private size: i32 = 0;
  private hasher: Sha256 | null = null;
  private failed: bool = false;
  private frames: ByteBuffer = new ByteBuffer(16 * FRAME_SIZE);
  private depth: i32 = 0;
  // Members of the objects being written: decoded names, key nodes and the sorted order (positions).
  private names: Array<string> = new Array<string>();
  private keyNodes: ByteBuffer = new ByteBuffer(256);
  private order: ByteBuffer = new ByteBuffer(256);
  private scratch: ByteBuffer = new ByteBuffer(256);

  /** Starts a new output. With a hasher, bytes go into it (call flush() before finishing the hash). */
  begin(hasher: Sha256 | null): void {
    this.size = 0;
    this.hasher = hasher;
    this.failed = false;
    this.depth = 0;
    this.names.length = 0;
  }

  /** Hands buffered bytes to the hasher (no-op without one). */
  flush(): void {
    const hasher = this.hasher;
    if (hasher === null) return;
    hasher.update(this.out.ptr, this.size);
    this.size = 0;
  }

  /** Copy of the output (without a hasher); empty after a failure. */
  toArrayBuffer(): ArrayBuffer {
    const size = this.failed ? 0 : this.size;
    const copy = new ArrayBuffer(size);
    memory.copy(changetype<usize>(copy), this.out.ptr, <usize>size);
    return copy;
  }

  /** Appends ASCII text verbatim (the fixed punctuation and member names of a synthetic object). */
  ascii(s: string): void {
    const n = s.length;
    for (let i = 0; i < n; i += STRING_STEP) {
      const end = i + STRING_STEP < n ? i + STRING_STEP : n;
      if (!this.reserve(end - i)) return;
      const p = this.out.ptr + <usize>this.size;
      const sp = changetype<usize>(s);
      for (let j = i; j < end; j++) store<u8>(p + <usize>(j - i), <u8>load<u16>(sp + (<usize>j << 1)));
      this.size += end - i;
    }
  }

  /** Appends the canonical form of `node` of `doc`. */
  value(doc: JsonDocument, node: i32): CanonicalStatus {
    this.depth = 0;
    let status = this.open(doc, node);
    while (status == CanonicalStatus.Ok && this.depth > 0) status = this.step(doc);
    if (status == CanonicalStatus.Ok && this.failed) status = CanonicalStatus.TooLarge;
    this.depth = 0;
    this.names.length = 0;
    return status;
  }

  // ---- traversal ----

  private frame(offset: usize): i32 {
    return load<i32>(this.frames.ptr + <usize>(this.depth - 1) * FRAME_SIZE + offset);
  }

  private setFrame(offset: usize, v: i32): void {
    store<i32>(this.frames.ptr + <usize>(this.depth - 1) * FRAME_SIZE + offset, v);
  }

  private push(kind: i32, next: i32, end: i32, base: i32): CanonicalStatus {
    if (this.depth >= MAX_DEPTH) return CanonicalStatus.TooDeep;
    if (!this.frames.ensure((this.depth + 1) * FRAME_SIZE, this.depth * FRAME_SIZE)) return CanonicalStatus.TooLarge;
    this.depth++;
    this.setFrame(F_KIND, kind);
    this.setFrame(F_NEXT, next);
    this.setFrame(F_END, end);
    this.setFrame(F_BASE, base);
    this.setFrame(F_WRITTEN, 0);
    return CanonicalStatus.Ok;
  }

  /** Writes a scalar, or the opening of a container (pushing a frame for its children). */
  private open(doc: JsonDocument, node: i32): CanonicalStatus {
    switch (doc.type(node)) {
      case JsonType.Null: this.ascii("null"); return CanonicalStatus.Ok;
      case JsonType.False: this.ascii("false"); return CanonicalStatus.Ok;
      case JsonType.True: this.ascii("true"); return CanonicalStatus.Ok;
      case JsonType.Number: return this.number(doc.getNumber(node));
      case JsonType.String: {
        const s = doc.getString(node);
        this.string(s !== null ? s : "");
        return CanonicalStatus.Ok;
      }
      case JsonType.Array: {
        const first = doc.firstChild(node);
        if (first < 0 && doc.length(node) > 0) return CanonicalStatus.Truncated;
        this.ascii("[");
        return this.push(FRAME_ARRAY, first, 0, 0);
      }
      case JsonType.Object: {
        if (doc.firstChild(node) < 0 && doc.length(node) > 0) return CanonicalStatus.Truncated;
        const base = this.names.length;
        const end = this.collect(doc, node, base);
        if (end < 0) return CanonicalStatus.TooLarge;
        if (!this.sort(base, end)) return CanonicalStatus.TooLarge;
        this.ascii("{");
        return this.push(FRAME_OBJECT, base, end, base);
      }
      default: return CanonicalStatus.Absent;
    }
  }

  /** Writes the next child of the innermost open container, or closes it. */
  private step(doc: JsonDocument): CanonicalStatus {
    if (this.frame(F_KIND) == FRAME_ARRAY) {
      const element = this.frame(F_NEXT);
      if (element < 0) {
        this.ascii("]");
        this.depth--;
        return CanonicalStatus.Ok;
      }
      const next = doc.nextSibling(element);
      this.setFrame(F_NEXT, next > element ? next : -1); // ids grow in document order; anything else ends it
      if (this.frame(F_WRITTEN) != 0) this.ascii(",");
      this.setFrame(F_WRITTEN, 1);
      return this.open(doc, element);
    }
    const end = this.frame(F_END);
    let position = this.frame(F_NEXT);
    // With duplicate keys allowed, JSON.parse keeps the last value of a name: skip all but the last of a run
    // of equal names (the sort is stable, so that is the last in document order).
    while (position + 1 < end && this.name(this.orderAt(position)) == this.name(this.orderAt(position + 1))) {
      position++;
    }
    if (position >= end) {
      this.ascii("}");
      const base = this.frame(F_BASE);
      this.depth--;
      this.names.length = base; // this object's members sit on top of the stacks
      return CanonicalStatus.Ok;
    }
    this.setFrame(F_NEXT, position + 1);
    if (this.frame(F_WRITTEN) != 0) this.ascii(",");
    this.setFrame(F_WRITTEN, 1);
    const member = this.orderAt(position);
    this.string(this.name(member));
    this.ascii(":");
    return this.open(doc, doc.keyValue(this.keyNodeAt(member)));
  }

  // ---- object members ----

  /** Pushes the names and key nodes of `object`'s members at positions base..; returns the end, -1 on failure. */
  private collect(doc: JsonDocument, object: i32, base: i32): i32 {
    let position = base;
    let previous = -1;
    for (let key = doc.firstChild(object); key > previous; key = doc.nextSibling(key)) {
      const name = doc.getString(key);
      if (!this.keyNodes.ensure((position + 1) << 2, position << 2)) return -1;
      if (!this.order.ensure((position + 1) << 2, position << 2)) return -1;
      this.names.push(name !== null ? name : "");
      store<i32>(this.keyNodes.ptr + (<usize>position << 2), key);
      store<i32>(this.order.ptr + (<usize>position << 2), position);
      position++;
      previous = key;
    }
    return position;
  }

  private name(position: i32): string {
    return position >= 0 && position < this.names.length ? this.names[position] : "";
  }

  private orderAt(index: i32): i32 {
    return load<i32>(this.order.ptr + (<usize>index << 2));
  }

  private keyNodeAt(position: i32): i32 {
    return load<i32>(this.keyNodes.ptr + (<usize>position << 2));
  }

  /** Stable bottom-up merge sort of order[base..end) by name: O(n log n), no recursion. */
  private sort(base: i32, end: i32): bool {
    const n = end - base;
    if (n < 2) return true;
    if (!this.scratch.ensure(n << 2, 0)) return false;
    let from = this.order.ptr + (<usize>base << 2);
    let to = this.scratch.ptr;
    for (let width = 1; width < n; width <<= 1) {
      for (let left = 0; left < n; left += width << 1) {
        const mid = left + width < n ? left + width : n;
        const right = mid + width < n ? mid + width : n;
        let i = left;
        let j = mid;
        let k = left;
        while (i < mid && j < right) {
          const a = load<i32>(from + (<usize>i << 2));
          const b = load<i32>(from + (<usize>j << 2));
          if (compareUtf16(this.name(b), this.name(a)) < 0) {
            store<i32>(to + (<usize>(k++) << 2), b);
            j++;
          } else {
            store<i32>(to + (<usize>(k++) << 2), a);
            i++;
          }
        }
        while (i < mid) store<i32>(to + (<usize>(k++) << 2), load<i32>(from + (<usize>(i++) << 2)));
        while (j < right) store<i32>(to + (<usize>(k++) << 2), load<i32>(from + (<usize>(j++) << 2)));
      }
      const swap = from;
      from = to;
      to = swap;
    }
    const target = this.order.ptr + (<usize>base << 2);
    if (from != target) memory.copy(target, from, <usize>n << 2);
    return true;
  }

  // ---- scalars ----

  private number(v: f64): CanonicalStatus {
    if (!isFinite(v)) return CanonicalStatus.NotFinite;
    if (!this.reserve(MAX_NUMBER_TEXT)) return CanonicalStatus.Ok; // failure recorded
    this.size += formatNumber(v, this.out.ptr + <usize>this.size);
    return CanonicalStatus.Ok;
  }

  /** Writes `s` as a JSON string the way JSON.stringify does (lone surrogates, which a parsed document
   *  cannot contain, become U+FFFD). */
  private string(s: string): void {
    this.ascii("\"");
    const n = s.length;
    const sp = changetype<usize>(s);
    let i = 0;
    while (i < n) {
      const stop = i + STRING_STEP < n ? i + STRING_STEP : n;
      if (!this.reserve(6 * (STRING_STEP + 1))) return;
      const base = this.out.ptr;
      let o = this.size;
      for (; i < stop; i++) {
        const c = <u32>load<u16>(sp + (<usize>i << 1));
        const p = base + <usize>o;
        if (c >= 0x20 && c < 0x80 && c != 0x22 && c != 0x5c) {
          store<u8>(p, <u8>c);
          o++;
        } else if (c < 0x80) {
          o += putAscii(p, c); // a quote, a backslash or a control: escaped as JSON.stringify does
        } else {
          const cp = codePointAt(sp, i, n);
          if (cp >= 0x10000) i++;
          o += utf8Encode(p, cp);
        }
      }
      this.size = o;
    }
    this.ascii("\"");
  }

  // ---- output ----

  /** Makes room for `n` more bytes: flushes to the hasher, else grows. False (and `failed`) if impossible. */
  private reserve(n: i32): bool {
    if (this.failed) return false;
    if (this.size + n <= this.out.capacity) return true;
    if (this.hasher !== null) {
      this.flush();
      if (n <= this.out.capacity) return true;
    }
    if (this.out.ensure(this.size + n, this.size)) return true;
    this.failed = true;
    return false;
  }
}

const shared = new CanonicalWriter();

/** The canonical (RFC 8785) UTF-8 bytes of `node`, or null when it has none (see CanonicalStatus). */
export function canonicalJsonBytes(doc: JsonDocument, node: i32): ArrayBuffer | null {
  shared.begin(null);
  if (shared.value(doc, node) != CanonicalStatus.Ok) return null;
  return shared.toArrayBuffer();
}
