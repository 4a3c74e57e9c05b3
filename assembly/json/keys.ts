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

// Entry on the key stack: content start (after the quote), content end (the closing quote), hash, escaped.
const ENTRY_SIZE: i32 = 16;
const E_START: usize = 0;
const E_END: usize = 4;
const E_HASH: usize = 8;
const E_ESCAPED: usize = 12;

// Hash table slot: generation, hash, entry index.
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

/**
 * An object opens at nesting `level` (its stack index, < maxDepth). Returns the key-stack base to give back
 * to keysClose, or -1 if the level's table cannot be created.
 */
export function keysOpen(level: i32): i32 {
  if (level >= levelCount && !addLevels(level + 1)) return -1;
  const l = levelsPtr + <usize>level * LEVEL_SIZE;
  generation++;
  store<u32>(l + L_GENERATION, generation);
  store<i32>(l + L_COUNT, 0);
  store<i32>(l + L_PROBES, 0);
  store<i32>(l + L_SORT, 0);
  return top;
}

/** Records the key whose content is [start, end) in the object open at `level`. */
export function keysAdd(level: i32, start: i32, end: i32, escaped: bool): KeyResult {
  if (level < 0 || level >= levelCount) return KeyResult.OutOfMemory;
  const hash = escaped ? hashEscaped(start, end) : hashBytes(input + <usize>start, end - start);
  const index = top;
  if ((index + 1) * ENTRY_SIZE > entriesCapacity && !growEntries()) return KeyResult.OutOfMemory;
  const e = entriesPtr + <usize>index * ENTRY_SIZE;
  store<i32>(e + E_START, start);
  store<i32>(e + E_END, end);
  store<u32>(e + E_HASH, hash);
  store<i32>(e + E_ESCAPED, escaped ? 1 : 0);
  top = index + 1;

  const l = levelsPtr + <usize>level * LEVEL_SIZE;
  if (load<i32>(l + L_SORT) != 0) return KeyResult.Unique;
  const count = load<i32>(l + L_COUNT);
  if ((count + 1) * 2 > load<i32>(l + L_MASK) + 1 && !growTable(level)) return KeyResult.OutOfMemory;
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
      duplicateAt = start - 1;
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

/** The object at `level` closes; its keys (from `base`) are dropped. Returns true if it had a duplicate. */
export function keysClose(level: i32, base: i32): bool {
  if (base < 0 || base > top) return false;
  let duplicate = false;
  if (level >= 0 && level < levelCount && load<i32>(levelsPtr + <usize>level * LEVEL_SIZE + L_SORT) != 0) {
    duplicate = sortAndFindDuplicate(base, top - base);
  }
  top = base;
  return duplicate;
}

/** Hash of an escaped key's decoded UTF-8 text. */
function hashEscaped(start: i32, end: i32): u32 {
  const n = decodeToUtf8(input, start, end, scratchA);
  return n < 0 ? 0 : hashBytes(scratchA.ptr, n);
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
 * Orders two key entries by hash, then by decoded bytes; 0 means the keys are equal. Unescaped keys are
 * compared in place; escaped ones are decoded to UTF-8 first (decoding is canonical: lone surrogates were
 * rejected while parsing, so equal text gives equal bytes).
 */
function compareEntries(a: i32, b: i32): i32 {
  const ea = entriesPtr + <usize>a * ENTRY_SIZE;
  const eb = entriesPtr + <usize>b * ENTRY_SIZE;
  const ha = load<u32>(ea + E_HASH);
  const hb = load<u32>(eb + E_HASH);
  if (ha != hb) return ha < hb ? -1 : 1;
  let pa = input + <usize>load<i32>(ea + E_START);
  let na = load<i32>(ea + E_END) - load<i32>(ea + E_START);
  let pb = input + <usize>load<i32>(eb + E_START);
  let nb = load<i32>(eb + E_END) - load<i32>(eb + E_START);
  if (load<i32>(ea + E_ESCAPED) != 0) {
    na = decodeToUtf8(input, load<i32>(ea + E_START), load<i32>(ea + E_END), scratchA);
    pa = scratchA.ptr;
  }
  if (load<i32>(eb + E_ESCAPED) != 0) {
    nb = decodeToUtf8(input, load<i32>(eb + E_START), load<i32>(eb + E_END), scratchB);
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
