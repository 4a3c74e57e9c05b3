// A list of names (tools, methods) written as exact names or glob patterns. Exact names live in a hash set,
// so looking one up costs the same whether the list holds ten names or ten thousand; only patterns are
// scanned one by one.
//
// The request path can also look an exact name up by its UTF-8 bytes (`exactIndex`), straight from the request
// body: no string is decoded and no string hash computed for an allowed call. That index is built on the first
// byte lookup, not in `add`, so configuring a long list (VM start) does not pay for it.
import { globMatch, isGlob } from "./glob";
import { hashBytes } from "../json/keys";
import { equalsString, isAsciiString } from "../json/decode";
import { ByteBuffer } from "../json/buffer";

export class NameList {
  private exact: Set<string> = new Set<string>();
  private patterns: Array<string> = new Array<string>();
  // The exact names in the order they were added (a name added twice appears twice; the first one is found).
  private names: Array<string> = new Array<string>();
  // Byte index over `names`, built lazily (`add` drops it): open addressing, at most half full, in plain
  // memory so that a lookup is loads and compares only. A slot is {hash, entry + 1 (0 = empty), the name's
  // address, its length when it is ASCII (-1 otherwise)}; the strings stay alive through `names`.
  private slots: ByteBuffer = new ByteBuffer(SLOT_SIZE);
  private slotsPtr: usize = 0;
  private mask: i32 = -1;
  private indexed: bool = false;

  add(entry: string): void {
    if (isGlob(entry)) {
      this.patterns.push(entry);
    } else {
      this.exact.add(entry);
      this.names.push(entry);
      this.indexed = false;
    }
  }

  // The exact (non-glob) names, in the order they were added.
  exactNames(): Array<string> {
    return this.exact.values();
  }

  get size(): i32 {
    return this.exact.size + this.patterns.length;
  }

  get hasPatterns(): bool {
    return this.patterns.length > 0;
  }

  matches(name: string): bool {
    if (this.exact.has(name)) return true;
    const patterns = this.patterns;
    for (let i = 0; i < patterns.length; i++) {
      if (globMatch(patterns[i], name)) return true;
    }
    return false;
  }

  /**
   * Index of the exact name whose UTF-8 form is the `n` bytes at `p` (well-formed UTF-8, e.g. the content of a
   * JSON string without escapes), or -1. Patterns are not consulted: on -1 the caller decodes the name and asks
   * `matches`.
   */
  exactIndex(p: usize, n: i32): i32 {
    if (!this.indexed) this.buildIndex();
    const mask = this.mask;
    if (mask < 0 || n < 0) return -1;
    const slots = this.slotsPtr;
    const hash = hashBytes(p, n);
    // At most half the slots are used, so an empty slot ends every probe sequence; the bound is a safeguard.
    for (let probe = 0, slot = <i32>hash & mask; probe <= mask; probe++, slot = (slot + 1) & mask) {
      const sp = slots + <usize>slot * SLOT_SIZE;
      const entry = load<i32>(sp + S_ENTRY) - 1;
      if (entry < 0) return -1;
      if (load<u32>(sp + S_HASH) != hash) continue;
      const name = load<u32>(sp + S_NAME);
      const asciiLength = load<i32>(sp + S_ASCII_LENGTH);
      if (asciiLength >= 0 ? asciiLength == n && asciiEquals(p, n, name) : equalsString(p, 0, n, changetype<string>(name), true, false)) {
        return entry;
      }
    }
    return -1;
  }

  /** The exact name at `index` (from exactIndex); "" for an index that names none. */
  exactName(index: i32): string {
    return index >= 0 && index < this.names.length ? this.names[index] : "";
  }

  private buildIndex(): void {
    const names = this.names;
    const count = names.length;
    let size = 16;
    while (size < count * 2) size <<= 1;
    const slots = new ByteBuffer(size * SLOT_SIZE);
    const base = slots.ptr;
    memory.fill(base, 0, <usize>size * SLOT_SIZE);
    const mask = size - 1;
    for (let i = 0; i < count; i++) {
      const name = names[i];
      const isAscii = isAsciiString(name);
      const hash = isAscii ? hashAsciiUnits(name) : hashUtf8Of(name);
      // The table is at most half full, so this finds an empty slot within `size` steps.
      let slot = <i32>hash & mask;
      for (let step = 0; step < size && load<i32>(base + <usize>slot * SLOT_SIZE + S_ENTRY) != 0; step++) slot = (slot + 1) & mask;
      const sp = base + <usize>slot * SLOT_SIZE;
      store<u32>(sp + S_HASH, hash);
      store<i32>(sp + S_ENTRY, i + 1);
      store<u32>(sp + S_NAME, <u32>changetype<usize>(name));
      store<i32>(sp + S_ASCII_LENGTH, isAscii ? name.length : -1);
    }
    this.slots = slots;
    this.slotsPtr = base;
    this.mask = mask;
    this.indexed = true;
  }
}

const SLOT_SIZE: i32 = 16;
const S_HASH: usize = 0;
const S_ENTRY: usize = 4;
const S_NAME: usize = 8;
const S_ASCII_LENGTH: usize = 12;

/** Whether the `n` bytes at `p` are the code units of the ASCII string at `name` (of length n). */
function asciiEquals(p: usize, n: i32, name: usize): bool {
  for (let k = 0; k < n; k++) {
    if (<u32>load<u8>(p + <usize>k) != <u32>load<u16>(name + (<usize>k << 1))) return false;
  }
  return true;
}

// hashBytes of an ASCII string's bytes, computed on its code units (no UTF-8 copy): narrowed to bytes, they are
// the bytes. Uses a small scratch buffer for long names.
const asciiScratch = new StaticArray<u8>(64);

function hashAsciiUnits(name: string): u32 {
  const n = name.length;
  if (n > asciiScratch.length) return hashUtf8Of(name);
  const sp = changetype<usize>(name);
  const out = changetype<usize>(asciiScratch);
  for (let k = 0; k < n; k++) store<u8>(out + <usize>k, <u8>load<u16>(sp + (<usize>k << 1)));
  return hashBytes(out, n);
}

function hashUtf8Of(name: string): u32 {
  const bytes = String.UTF8.encode(name);
  return hashBytes(changetype<usize>(bytes), bytes.byteLength);
}
