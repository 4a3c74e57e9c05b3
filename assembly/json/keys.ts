// Duplicate member names, compared on decoded text ("name" and "n\u0061me" are the same key), at every depth.
//
// Why it matters: JSON.parse and most servers take the LAST duplicate; a guard that read the first one could
// be bypassed (BRIEF §5). Why it is built like this:
// - Keys of all currently open objects sit on one stack of entries (start, end, hash, escaped); an object's
//   keys are contiguous because an inner object pops its own keys when it closes.
// - Each nesting level owns one open-addressing hash table that is reused by every object opened at that
//   level. Instead of clearing it, each object gets a fresh generation number and slots of older generations
//   count as empty, so a small object after a huge one costs nothing extra.
// - Expected cost is O(1) per key. The hash is not secret (the filter has no source of randomness), so an
//   attacker could craft colliding keys; if an object's probing exceeds a budget, that object switches to
//   sorting its keys when it closes (heapsort: O(n log n) worst case, no recursion, no extra memory).
//
// The state is module-level and shared by every JsonDocument: it only lives during one parse, and parses never
// interleave (wasm is single-threaded). Hot paths use plain numbers, not object fields: AssemblyScript's
// incremental GC spills every managed reference (like `this`) to its shadow stack around each use.

import { ByteBuffer } from "./buffer";
import { decodeToUtf8 } from "./decode";

// Entry on the key stack: fingerprint (keyFingerprint of the decoded text), content start (after the quote),
// content end (the closing quote) with ESCAPED_BIT set when the key has an escape.
const ENTRY_SIZE: i32 = 16;
const E_FP: usize = 0;
const E_START: usize = 8;
const E_END: usize = 12;
const ESCAPED_BIT: i32 = 1 << 31;
const END_MASK: i32 = 0x7fffffff;

// Hash table slot: generation, the fingerprint's high half, entry index.
const SLOT_SIZE: i32 = 12;
const S_GENERATION: usize = 0;
const S_HASH: usize = 4;
const S_ENTRY: usize = 8;
const MIN_SLOTS: i32 = 16;

// State of one nesting level's table, in a flat record so the per-key path does no array lookups.
const LEVEL_SIZE: i32 = 24;
const L_SLOTS: usize = 0;       // address of the slot array (owned by slotBuffers)
const L_MASK: usize = 4;        // slot count - 1 (the count is a power of two)
const L_GENERATION: usize = 8;  // the open object's generation; slots holding any other value are empty
const L_COUNT: usize = 12;      // keys inserted by the open object
const L_PROBES: usize = 16;     // slots inspected by the open object (the collision budget)
const L_SORT: usize = 20;       // 1 = too many collisions: check this object by sorting when it closes

/** Result of keysAdd. */
export const enum KeyResult { Unique = 0, Duplicate = 1, OutOfMemory = 2 }

/**
 * Objects with up to this many keys are checked without a hash table (see keysSmallAdd): a 64-bit filter of
 * their fingerprints and, when it hits, a search of the object's own entries. The level's table takes over
 * from the next key on.
 */
export const SMALL_OBJECT_KEYS: i32 = 32;

const entries = new ByteBuffer(64 * ENTRY_SIZE);
let entriesPtr: usize = entries.ptr;
let entriesCapacity: i32 = entries.capacity;
let top: i32 = 0;

const levels = new ByteBuffer(16 * LEVEL_SIZE);
let levelsPtr: usize = levels.ptr;
let levelCount: i32 = 0;
const slotBuffers = new Array<ByteBuffer>(); // owns each level's slot array

let generation: u32 = 0;
const scratchA = new ByteBuffer();
const scratchB = new ByteBuffer();
let input: usize = 0;
let duplicateAt: i32 = -1;

/** 32-bit hash of `n` bytes at `p` (MurmurHash3-style mixing, 4 bytes per step). */
export function hashBytes(p: usize, n: i32): u32 {
  let h: u32 = 0x9747b28c ^ <u32>n;
  let i = 0;
  while (i + 4 <= n) {
    let k = load<u32>(p + <usize>i);
    k *= 0xcc9e2d51;
    k = rotl<u32>(k, 15);
    k *= 0x1b873593;
    h ^= k;
    h = rotl<u32>(h, 13);
    h = h * 5 + 0xe6546b64;
    i += 4;
  }
  let tail: u32 = 0;
  let shift: u32 = 0;
  while (i < n) {
    tail |= <u32>load<u8>(p + <usize>i) << shift;
    shift += 8;
    i++;
  }
  tail *= 0xcc9e2d51;
  tail = rotl<u32>(tail, 15);
  tail *= 0x1b873593;
  h ^= tail;
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return h;
}

// ---- Key fingerprints ----
//
// A 64-bit hash of a key's decoded UTF-8 text, cheap enough to compute while the key is scanned: the text is
// taken in 8-byte little-endian chunks (the last one zero-padded; an empty key is one zero chunk) and each is
// folded in with one multiplication. A key of up to 7 plain ASCII bytes, the usual case, is one 64-bit load
// that the scanner already made. Equal text gives an equal fingerprint; equal fingerprints are confirmed by
// comparing the text, so a collision (which an attacker can craft: the function is public) costs a comparison,
// never a wrong answer.

// @ts-ignore: decorator
@inline
function fingerprintStep(h: u64, chunk: u64): u64 {
  h = (h ^ chunk) * 0x9e3779b97f4a7c15;
  return h ^ (h >> 32);
}

// @ts-ignore: decorator
@inline
function fingerprintSeed(n: i32): u64 {
  return <u64>n * 0xa0761d6478bd642f;
}

// @ts-ignore: decorator
@inline
function fingerprintFinish(h: u64): u64 {
  h *= 0xd6e8feb86659fd93;
  return h ^ (h >> 32);
}

/** Fingerprint of a key of `n` <= 8 bytes given as one word (byte k of the text in bits 8k..8k+7, zeros above). */
// @ts-ignore: decorator
@inline
export function wordFingerprint(chunk: u64, n: i32): u64 {
  return fingerprintFinish(fingerprintStep(fingerprintSeed(n), chunk));
}

/** Fingerprint of a key of 8 < `n` < 16 bytes given as two words (the second as for wordFingerprint). */
// @ts-ignore: decorator
@inline
export function twoWordFingerprint(first: u64, second: u64, n: i32): u64 {
  return fingerprintFinish(fingerprintStep(fingerprintStep(fingerprintSeed(n), first), second));
}

/** Fingerprint of the `n` bytes of text at `p` (never reads past them). */
export function keyFingerprint(p: usize, n: i32): u64 {
  let h = fingerprintSeed(n);
  let j = 0;
  while (j + 8 <= n) {
    h = fingerprintStep(h, load<u64>(p + <usize>j));
    j += 8;
  }
  if (j < n || n == 0) {
    let tail: u64 = 0;
    for (let k = n - 1; k >= j; k--) tail = (tail << 8) | <u64>load<u8>(p + <usize>k);
    h = fingerprintStep(h, tail);
  }
  return fingerprintFinish(h);
}

/** Fingerprint of the decoded text of the escaped key content [start, end) of the input. */
export function escapedKeyFingerprint(start: i32, end: i32): u64 {
  const n = decodeToUtf8(input, start, end, scratchA);
  return n < 0 ? 0 : keyFingerprint(scratchA.ptr, n);
}

/** Offset of the opening quote of the later of two equal keys, after keysAdd/keysClose reported one. */
export function keysDuplicateOffset(): i32 {
  return duplicateAt;
}

/** Starts a new document whose bytes are at `inputPtr`. */
export function keysReset(inputPtr: usize): void {
  input = inputPtr;
  top = 0;
  duplicateAt = -1;
  // One document opens fewer than 2^30 objects (each takes 2 bytes and input is < 2^31), so restarting the
  // counter between documents once it passes 2^31 means it can never wrap while an object is open.
  if (generation >= 0x80000000) restartGenerations();
}

/** Where the next key entry goes: an object's base, which it gives back to keysClose / keysDrop. */
// @ts-ignore: decorator
@inline
export function keysTop(): i32 {
  return top;
}

/**
 * Checks a key of an object with fewer than SMALL_OBJECT_KEYS keys so far. `filter` is the object's 64-bit
 * filter (one bit per fingerprint seen, from the fingerprint's top 6 bits), which the caller keeps and passes
 * back with the key's bit set (keyFilterBit). Only when the bit was already set are the object's entries from
 * `base` searched, fingerprints first. The entry is pushed in any case.
 */
// @ts-ignore: decorator
@inline
export function keysSmallAdd(base: i32, filter: u64, fp: u64, start: i32, end: i32, escaped: bool): KeyResult {
  const index = pushEntry(fp, start, end, escaped);
  if (index < 0) return KeyResult.OutOfMemory;
  if ((filter & keyFilterBit(fp)) == 0) return KeyResult.Unique;
  return findEqual(base, index) ? KeyResult.Duplicate : KeyResult.Unique;
}

/** Pushes a key entry; returns its index, or -1 if the stack cannot grow. */
// @ts-ignore: decorator
@inline
function pushEntry(fp: u64, start: i32, end: i32, escaped: bool): i32 {
  const index = top;
  if ((index + 1) * ENTRY_SIZE > entriesCapacity && !growEntries()) return -1;
  const e = entriesPtr + <usize>index * ENTRY_SIZE;
  store<u64>(e + E_FP, fp);
  store<i32>(e + E_START, start);
  store<i32>(e + E_END, escaped ? end | ESCAPED_BIT : end);
  top = index + 1;
  return index;
}

/** The bit of an object's key filter that stands for `fp`. */
// @ts-ignore: decorator
@inline
export function keyFilterBit(fp: u64): u64 {
  return <u64>1 << (fp >> 58);
}

/** Whether entry `index` equals one of the entries [base, index); records the duplicate's offset. */
function findEqual(base: i32, index: i32): bool {
  const fp = load<u64>(entriesPtr + <usize>index * ENTRY_SIZE + E_FP);
  for (let k = base; k < index; k++) {
    if (load<u64>(entriesPtr + <usize>k * ENTRY_SIZE + E_FP) == fp && compareEntries(k, index) == 0) {
      duplicateAt = load<i32>(entriesPtr + <usize>index * ENTRY_SIZE + E_START) - 1;
      return true;
    }
  }
  return false;
}

/**
 * Checks a key of an object that already has SMALL_OBJECT_KEYS keys or more, with the hash table of its
 * nesting `level` (its stack index, < maxDepth). The object's first key beyond the small range opens the table
 * and enters the keys before it.
 */
export function keysLargeAdd(level: i32, base: i32, fp: u64, start: i32, end: i32, escaped: bool): KeyResult {
  if (level < 0 || base < 0 || base > top) return KeyResult.OutOfMemory;
  if (top - base == SMALL_OBJECT_KEYS) {
    if (!openTable(level)) return KeyResult.OutOfMemory;
    for (let k = base; k < top; k++) {
      const r = tableAdd(level, k);
      if (r != KeyResult.Unique) return r;
    }
  }
  const index = pushEntry(fp, start, end, escaped);
  if (index < 0) return KeyResult.OutOfMemory;
  return tableAdd(level, index);
}

/** Makes `level`'s table empty for a new object (a new generation). */
function openTable(level: i32): bool {
  if (level >= levelCount && !addLevels(level + 1)) return false;
  const l = levelsPtr + <usize>level * LEVEL_SIZE;
  generation++;
  store<u32>(l + L_GENERATION, generation);
  store<i32>(l + L_COUNT, 0);
  store<i32>(l + L_PROBES, 0);
  store<i32>(l + L_SORT, 0);
  return true;
}

/** Enters entry `index` into the table of `level`. */
function tableAdd(level: i32, index: i32): KeyResult {
  if (level >= levelCount) return KeyResult.OutOfMemory;
  const l = levelsPtr + <usize>level * LEVEL_SIZE;
  if (load<i32>(l + L_SORT) != 0) return KeyResult.Unique;
  const count = load<i32>(l + L_COUNT);
  if ((count + 1) * 2 > load<i32>(l + L_MASK) + 1 && !growTable(level)) return KeyResult.OutOfMemory;
  const hash = <u32>(load<u64>(entriesPtr + <usize>index * ENTRY_SIZE + E_FP) >> 32);
  const slots = <usize>load<u32>(l + L_SLOTS);
  const mask = load<i32>(l + L_MASK);
  const live = load<u32>(l + L_GENERATION);
  const budget = (count << 3) + 64;
  let probes = load<i32>(l + L_PROBES);
  let slot = <i32>hash & mask;
  while (true) {
    const s = slots + <usize>slot * SLOT_SIZE;
    if (load<u32>(s + S_GENERATION) != live) {
      store<u32>(s + S_GENERATION, live);
      store<u32>(s + S_HASH, hash);
      store<i32>(s + S_ENTRY, index);
      store<i32>(l + L_COUNT, count + 1);
      store<i32>(l + L_PROBES, probes);
      return KeyResult.Unique;
    }
    if (load<u32>(s + S_HASH) == hash && compareEntries(load<i32>(s + S_ENTRY), index) == 0) {
      duplicateAt = load<i32>(entriesPtr + <usize>index * ENTRY_SIZE + E_START) - 1;
      return KeyResult.Duplicate;
    }
    if (++probes > budget) {
      // Too many collisions for this object: check it by sorting when it closes.
      store<i32>(l + L_SORT, 1);
      return KeyResult.Unique;
    }
    slot = (slot + 1) & mask;
  }
}

/**
 * The object at `level` whose keys start at `base` closes; its keys are dropped. Returns true if it had a
 * duplicate (found only now when its table gave up on collisions and its keys are sorted instead).
 */
// @ts-ignore: decorator
@inline
export function keysClose(level: i32, base: i32): bool {
  if (top - base <= SMALL_OBJECT_KEYS) {
    if (base >= 0) top = base;
    return false;
  }
  return closeLarge(level, base);
}

function closeLarge(level: i32, base: i32): bool {
  if (base < 0 || base > top) return false;
  let duplicate = false;
  if (level >= 0 && level < levelCount && load<i32>(levelsPtr + <usize>level * LEVEL_SIZE + L_SORT) != 0) {
    duplicate = sortAndFindDuplicate(base, top - base);
  }
  top = base;
  return duplicate;
}

function growEntries(): bool {
  if (!entries.ensure((top + 1) * ENTRY_SIZE, top * ENTRY_SIZE)) return false;
  entriesPtr = entries.ptr;
  entriesCapacity = entries.capacity;
  return true;
}

/** Creates level tables up to `count` levels. */
function addLevels(count: i32): bool {
  if (count > (1 << 24) || !levels.ensure(count * LEVEL_SIZE, levelCount * LEVEL_SIZE)) return false;
  levelsPtr = levels.ptr;
  while (levelCount < count) {
    const slots = new ByteBuffer(MIN_SLOTS * SLOT_SIZE);
    slotBuffers.push(slots);
    const l = levelsPtr + <usize>levelCount * LEVEL_SIZE;
    store<u32>(l + L_SLOTS, <u32>slots.ptr);
    store<i32>(l + L_MASK, MIN_SLOTS - 1);
    store<u32>(l + L_GENERATION, 0);
    levelCount++;
  }
  return true;
}

/** Doubles the table of `level` and re-inserts the open object's keys. */
function growTable(level: i32): bool {
  if (level < 0 || level >= slotBuffers.length) return false;
  const l = levelsPtr + <usize>level * LEVEL_SIZE;
  const oldSlots = <usize>load<u32>(l + L_SLOTS);
  const oldCount = load<i32>(l + L_MASK) + 1;
  const live = load<u32>(l + L_GENERATION);
  const newCount = oldCount << 1;
  if (newCount > (1 << 26)) return false;
  const buffer = new ByteBuffer(newCount * SLOT_SIZE);
  const slots = buffer.ptr;
  const mask = newCount - 1;
  for (let i = 0; i < oldCount; i++) {
    const s = oldSlots + <usize>i * SLOT_SIZE;
    if (load<u32>(s + S_GENERATION) != live) continue;
    const hash = load<u32>(s + S_HASH);
    let slot = <i32>hash & mask;
    while (load<u32>(slots + <usize>slot * SLOT_SIZE + S_GENERATION) == live) slot = (slot + 1) & mask;
    const d = slots + <usize>slot * SLOT_SIZE;
    store<u32>(d + S_GENERATION, live);
    store<u32>(d + S_HASH, hash);
    store<i32>(d + S_ENTRY, load<i32>(s + S_ENTRY));
  }
  slotBuffers[level] = buffer; // the old slot array becomes garbage
  store<u32>(l + L_SLOTS, <u32>slots);
  store<i32>(l + L_MASK, mask);
  return true;
}

/** Wipes every table so that no stale slot can look live once the counter starts again from 1. */
function restartGenerations(): void {
  for (let level = 0; level < levelCount; level++) {
    const l = levelsPtr + <usize>level * LEVEL_SIZE;
    memory.fill(<usize>load<u32>(l + L_SLOTS), 0, <usize>(load<i32>(l + L_MASK) + 1) * SLOT_SIZE);
    store<u32>(l + L_GENERATION, 0);
  }
  generation = 0;
}

/**
 * Orders two key entries by fingerprint, then by decoded bytes; 0 means the keys are equal. Unescaped keys are
 * compared in place; escaped ones are decoded to UTF-8 first (decoding is canonical: lone surrogates were
 * rejected while parsing, so equal text gives equal bytes).
 */
function compareEntries(a: i32, b: i32): i32 {
  const ea = entriesPtr + <usize>a * ENTRY_SIZE;
  const eb = entriesPtr + <usize>b * ENTRY_SIZE;
  const ha = load<u64>(ea + E_FP);
  const hb = load<u64>(eb + E_FP);
  if (ha != hb) return ha < hb ? -1 : 1;
  const sa = load<i32>(ea + E_START);
  const ea2 = load<i32>(ea + E_END);
  const sb = load<i32>(eb + E_START);
  const eb2 = load<i32>(eb + E_END);
  let pa = input + <usize>sa;
  let na = (ea2 & END_MASK) - sa;
  let pb = input + <usize>sb;
  let nb = (eb2 & END_MASK) - sb;
  if ((ea2 & ESCAPED_BIT) != 0) {
    na = decodeToUtf8(input, sa, ea2 & END_MASK, scratchA);
    pa = scratchA.ptr;
  }
  if ((eb2 & ESCAPED_BIT) != 0) {
    nb = decodeToUtf8(input, sb, eb2 & END_MASK, scratchB);
    pb = scratchB.ptr;
  }
  if (na < 0 || nb < 0) return na < nb ? -1 : (na > nb ? 1 : 0);
  const common = na < nb ? na : nb;
  const order = memory.compare(pa, pb, <usize>common);
  if (order != 0) return order;
  return na < nb ? -1 : (na > nb ? 1 : 0);
}

/** Heapsorts the `n` entries from `base` and reports whether two neighbours are equal. */
function sortAndFindDuplicate(base: i32, n: i32): bool {
  for (let root = (n >> 1) - 1; root >= 0; root--) siftDown(base, root, n);
  for (let last = n - 1; last > 0; last--) {
    swapEntries(base, base + last);
    siftDown(base, 0, last);
  }
  for (let i = base; i + 1 < base + n; i++) {
    if (compareEntries(i, i + 1) == 0) {
      const sa = load<i32>(entriesPtr + <usize>i * ENTRY_SIZE + E_START);
      const sb = load<i32>(entriesPtr + <usize>(i + 1) * ENTRY_SIZE + E_START);
      duplicateAt = (sa > sb ? sa : sb) - 1;
      return true;
    }
  }
  return false;
}

function siftDown(base: i32, root: i32, n: i32): void {
  while (true) {
    let child = 2 * root + 1;
    if (child >= n) return;
    if (child + 1 < n && compareEntries(base + child, base + child + 1) < 0) child++;
    if (compareEntries(base + root, base + child) >= 0) return;
    swapEntries(base + root, base + child);
    root = child;
  }
}

function swapEntries(a: i32, b: i32): void {
  const pa = entriesPtr + <usize>a * ENTRY_SIZE;
  const pb = entriesPtr + <usize>b * ENTRY_SIZE;
  const a0 = load<u64>(pa);
  const a1 = load<u64>(pa, 8);
  store<u64>(pa, load<u64>(pb));
  store<u64>(pa, load<u64>(pb, 8), 8);
  store<u64>(pb, a0);
  store<u64>(pb, a1, 8);
}
