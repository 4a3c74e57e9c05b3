// A list of names (tools, methods) written as exact names or glob patterns. Exact names live in one hash table
// keyed by their UTF-8 bytes, so looking one up costs the same whether the list holds ten names or ten thousand;
// only patterns are scanned one by one.
//
// The request path looks an exact name up by its bytes (`exactIndex`), straight from the request body: no string
// is decoded and no string hash computed for an allowed call. `matches(string)` encodes the name into a scratch
// buffer and asks the same table. The configuration adds names by their bytes too (`addUtf8`), so configuring a
// long list allocates nothing per name: an entry's string is decoded the first time someone asks for it.
//
// Lookups touch as few cache lines as possible: a slot is 32 bytes (two per 64-byte line, the table aligned to
// lines) holding the hash, the entry, the length, the decoded string once there is one, and names of up to 16
// bytes inline. A lookup of a short name — present or absent — reads that line only (plus its neighbour when
// probing runs on); the table is at most 3/4 full, so probe runs are short.
import { globMatch, isGlob, isGlobUtf8 } from "./glob";
import { hashBytes } from "../json/keys";
import { ByteBuffer } from "../json/buffer";
import { JsonDocument, JsonType } from "../json";

export class NameList {
  private patterns: Array<string> = new Array<string>();
  private count: i32 = 0;
  // Every exact name's UTF-8 bytes back to back, and per entry (in the order added) {offset, length} there.
  private bytes: ByteBuffer = new ByteBuffer();
  private used: i32 = 0;
  private entries: ByteBuffer = new ByteBuffer();
  // Each entry's string once decoded (null before). This array keeps them alive; slots hold copies of the addresses.
  private strings: Array<string | null> = new Array<string | null>();
  // Open addressing with linear probing over SLOT_SIZE-byte slots at `base` (inside `table`, aligned to a line).
  private table: ArrayBuffer = new ArrayBuffer(0);
  private base: usize = 0;
  private mask: i32 = -1;
  // The slot of the last exactIndex hit: exactName reads the string from the line that lookup already loaded.
  private hitSlot: usize = 0;

  constructor() {
    this.resize(MIN_SLOTS);
  }

  add(entry: string): void {
    if (isGlob(entry)) {
      this.patterns.push(entry);
      return;
    }
    const n = utf8Scratch(entry);
    if (n >= 0) this.insert(scratch.ptr, n, entry);
  }

  /** Adds the name whose UTF-8 form is the `n` bytes at `p` (well-formed UTF-8, e.g. an unescaped JSON string). */
  addUtf8(p: usize, n: i32): void {
    if (isGlobUtf8(p, n)) this.patterns.push(String.UTF8.decodeUnsafe(p, <usize>n));
    else this.insert(p, n, null);
  }

  /**
   * Makes room for `more` names of `bytes` UTF-8 bytes in all (at most: a configuration array's length and the
   * bytes of its text) without growing the table or the byte and entry buffers on the way.
   */
  reserve(more: i32, bytes: i32): void {
    const needed = this.count + (more < MAX_SLOTS ? more : MAX_SLOTS);
    let size = this.mask + 1;
    while (size * 3 < needed * 4 && size < MAX_SLOTS) size <<= 1;
    if (size > this.mask + 1) this.resize(size);
    // Bounded by the configuration's size (16 MiB at most), far below ensure's 1 GiB.
    this.entries.ensure(needed << 3, this.count << 3);
    this.bytes.ensure(this.used + (bytes > 0 ? bytes : 0), this.used);
  }

  /** How many distinct exact names the list holds; they are exactName(0) … exactName(exactCount - 1). */
  get exactCount(): i32 {
    return this.count;
  }

  get size(): i32 {
    return this.count + this.patterns.length;
  }

  get hasPatterns(): bool {
    return this.patterns.length > 0;
  }

  matches(name: string): bool {
    if (this.count > 0) {
      const n = utf8Scratch(name);
      if (n >= 0 && this.find(scratch.ptr, n, hashBytes(scratch.ptr, n)) != 0) return true;
    }
    return this.matchesPattern(name);
  }

  /**
   * Whether a pattern matches `name`; exact names are not consulted. After exactIndex missed on the bytes of the
   * same name, this is what is left of `matches` (without encoding the name again).
   */
  matchesPattern(name: string): bool {
    const patterns = this.patterns;
    for (let i = 0; i < patterns.length; i++) {
      if (globMatch(patterns[i], name)) return true;
    }
    return false;
  }

  /**
   * Index of the exact name whose UTF-8 form is the `n` bytes at `p` (well-formed UTF-8, e.g. the content of a
   * JSON string without escapes), or -1. Patterns are not consulted: on -1 the caller decodes the name and asks
   * `matchesPattern`; exactIndexOf and matchesAfterMiss do both for a name in a JSON document. A name added twice is one entry, the first.
   */
  exactIndex(p: usize, n: i32): i32 {
    // A negative `n` reads nothing and finds nothing: no entry has that length. An empty table (a list of
    // patterns only) is not worth hashing the name for.
    if (this.count == 0) return -1;
    const sp = this.find(p, n, hashBytes(p, n));
    if (sp == 0) return -1;
    this.hitSlot = sp;
    return load<i32>(sp + S_ENTRY) - 1;
  }

  /**
   * exactIndex of the name in JSON string `node` of `doc`, read where it lies (no string decoded); -1 also for a
   * name with escapes (its bytes are then not its text) and for a node that is not a string. On -1 the caller
   * decodes the name and asks `matchesAfterMiss`.
   */
  exactIndexOf(doc: JsonDocument, node: i32): i32 {
    if (doc.type(node) != JsonType.String || doc.hasEscapes(node)) return -1;
    return this.exactIndex(doc.contentAddress(node), doc.contentLength(node));
  }

  /**
   * Whether the list allows `name`, the decoded text of `node` for which exactIndexOf gave -1: an escaped
   * spelling may still be an exact name; otherwise the exact names were looked up and only patterns are left.
   */
  matchesAfterMiss(doc: JsonDocument, node: i32, name: string): bool {
    return doc.hasEscapes(node) ? this.matches(name) : this.matchesPattern(name);
  }

  /** The exact name at `index` (from exactIndex, or below exactCount); "" for an index that names none. */
  exactName(index: i32): string {
    if (index < 0 || index >= this.count) return "";
    const hit = this.hitSlot;
    const inHit = hit != 0 && load<i32>(hit + S_ENTRY) == index + 1;
    if (inHit && load<u32>(hit + S_STRING) != 0) return changetype<string>(<usize>load<u32>(hit + S_STRING));
    let name = this.strings[index];
    if (name === null) {
      const at = this.entries.ptr + (<usize>index << 3);
      name = String.UTF8.decodeUnsafe(this.bytes.ptr + <usize>load<i32>(at), <usize>load<i32>(at + 4));
      this.strings[index] = name;
    }
    // Looked up by its bytes: the next hit on this slot finds the string there.
    if (inHit) store<u32>(hit + S_STRING, <u32>changetype<usize>(name));
    return name;
  }

  // The slot holding the name whose UTF-8 form is the `n` bytes at `p`, or 0.
  private find(p: usize, n: i32, hash: u32): usize {
    const sp = this.probe(p, n, hash);
    return sp != 0 && load<i32>(sp + S_ENTRY) != 0 ? sp : 0;
  }

  // The slot holding that name, else the empty slot that ends its probe run (where it would go).
  private probe(p: usize, n: i32, hash: u32): usize {
    const mask = this.mask;
    const base = this.base;
    // At most 3/4 of the slots are used, so an empty slot ends every probe run; the bound is a safeguard.
    for (let step = 0, slot = <i32>hash & mask; step <= mask; step++, slot = (slot + 1) & mask) {
      const sp = base + (<usize>slot << SLOT_SHIFT);
      if (load<i32>(sp + S_ENTRY) == 0) return sp;
      if (load<u32>(sp + S_HASH) != hash || load<i32>(sp + S_LENGTH) != n) continue;
      const stored = n <= INLINE_BYTES ? sp + S_BYTES : this.bytes.ptr + <usize>load<i32>(sp + S_BYTES);
      if (bytesEqual(p, stored, n)) return sp;
    }
    return 0;
  }

  private insert(p: usize, n: i32, name: string | null): void {
    const count = this.count;
    if ((count + 1) * 4 > (this.mask + 1) * 3) {
      if (this.mask + 1 >= MAX_SLOTS) return; // unreachable: a 16 MiB configuration holds far fewer names
      this.resize((this.mask + 1) << 1);
    }
    const hash = hashBytes(p, n);
    const sp = this.probe(p, n, hash);
    if (sp == 0 || load<i32>(sp + S_ENTRY) != 0) return; // listed before: one entry, the first
    const offset = this.used;
    // Both stay far below ensure's 1 GiB limit: the names come from a configuration of at most 16 MiB.
    if (!this.bytes.ensure(offset + n, offset) || !this.entries.ensure((count + 1) << 3, count << 3)) return;
    memory.copy(this.bytes.ptr + <usize>offset, p, <usize>n);
    const at = this.entries.ptr + (<usize>count << 3);
    store<i32>(at, offset);
    store<i32>(at + 4, n);
    store<u32>(sp + S_HASH, hash);
    store<i32>(sp + S_ENTRY, count + 1);
    store<i32>(sp + S_LENGTH, n);
    store<u32>(sp + S_STRING, name !== null ? <u32>changetype<usize>(name) : 0);
    if (n <= INLINE_BYTES) memory.copy(sp + S_BYTES, p, <usize>n);
    else store<i32>(sp + S_BYTES, offset);
    this.strings.push(name);
    this.used = offset + n;
    this.count = count + 1;
  }

  // The first empty slot of `hash`'s probe run (the table is at most 3/4 full, so there is one).
  private emptySlot(hash: u32): usize {
    const mask = this.mask;
    let slot = <i32>hash & mask;
    for (let step = 0; step < mask && load<i32>(this.base + (<usize>slot << SLOT_SHIFT) + S_ENTRY) != 0; step++) slot = (slot + 1) & mask;
    return this.base + (<usize>slot << SLOT_SHIFT);
  }

  private resize(size: i32): void {
    const oldBase = this.base;
    const oldSize = this.mask + 1;
    // A new ArrayBuffer is zeroed: every slot starts empty. The extra line lets `base` start on a line boundary.
    const table = new ArrayBuffer(size * <i32>SLOT_SIZE + LINE_BYTES);
    this.table = table;
    this.base = (changetype<usize>(table) + LINE_BYTES - 1) & ~(<usize>LINE_BYTES - 1);
    this.mask = size - 1;
    this.hitSlot = 0;
    for (let slot = 0; slot < oldSize; slot++) {
      const sp = oldBase + (<usize>slot << SLOT_SHIFT);
      if (load<i32>(sp + S_ENTRY) != 0) memory.copy(this.emptySlot(load<u32>(sp + S_HASH)), sp, SLOT_SIZE);
    }
  }
}

const MIN_SLOTS: i32 = 16;
// 16 Mi slots (512 MiB): more than a configuration of at most 16 MiB can fill 3/4 of.
const MAX_SLOTS: i32 = 1 << 24;
const LINE_BYTES: i32 = 64;
const SLOT_SHIFT: usize = 5;
const SLOT_SIZE: usize = 32;
const S_HASH: usize = 0; // hashBytes of the name's UTF-8 bytes
const S_ENTRY: usize = 4; // entry + 1; 0 = empty
const S_LENGTH: usize = 8; // UTF-8 byte length
const S_STRING: usize = 12; // the entry's string once decoded, else 0
const S_BYTES: usize = 16; // the bytes when they fit (INLINE_BYTES), else their offset in `bytes`
const INLINE_BYTES: i32 = 16;

function bytesEqual(a: usize, b: usize, n: i32): bool {
  let k = 0;
  for (; k + 8 <= n; k += 8) {
    if (load<u64>(a + <usize>k) != load<u64>(b + <usize>k)) return false;
  }
  for (; k < n; k++) {
    if (load<u8>(a + <usize>k) != load<u8>(b + <usize>k)) return false;
  }
  return true;
}

// A name's UTF-8 form (WTF-8 for lone surrogates, which no request's UTF-8 can spell) in `scratch`; returns its
// length, or -1 for a name too long for any table to hold (scratch stops at 1 GiB).
const scratch = new ByteBuffer(256);

function utf8Scratch(name: string): i32 {
  const units = name.length;
  if (!scratch.ensure(units * 3, 0)) return -1;
  return <i32>String.UTF8.encodeUnsafe(changetype<usize>(name), units, scratch.ptr);
}
