// The one-pass RFC 8259 validator that builds a JsonDocument's node table.
//
// No recursion: open arrays/objects are kept on an explicit frame stack bounded by maxDepth (the innermost
// one lives in locals), so input cannot exhaust the wasm call stack. Every read checks `i < len` first,
// every table is bounded by a limit, and errors are returned, never thrown: a trap would kill the Envoy VM.
//
// Why module-level functions over plain numbers instead of methods: AssemblyScript's incremental GC spills
// every managed reference (such as `this`) to its shadow stack around each use, which in a per-byte loop
// costs more than the parsing itself. The scan state below is only meaningful during one scan(); wasm is
// single-threaded, so scans never interleave.

import { ByteBuffer } from "./buffer";
import { hex4, hexValue } from "./decode";
import {
  KeyResult, SMALL_OBJECT_KEYS, escapedKeyFingerprint, keyFilterBit, keyFingerprint, keysClose, keysDuplicateOffset,
  keysLargeAdd, keysReset, keysSmallAdd, keysTop, twoWordFingerprint, wordFingerprint,
} from "./keys";
import { JsonError, JsonLimits, JsonType } from "./types";
import { utf8SequenceLength } from "./utf8";

// Node record: 6 × i32, in document (pre-)order.
export const NODE_SIZE: i32 = 24;
export const N_KIND: usize = 0;   // JsonType in the low byte, FLAG_* above it
export const N_START: usize = 4;  // offset of the first byte of the value (the quote of a string)
export const N_END: usize = 8;    // offset just past the value
export const N_NEXT: usize = 12;  // next sibling (array element, or next key of an object), -1 at the end
export const N_AUX: usize = 16;   // container: first child; key: its value node; otherwise -1
export const N_COUNT: usize = 20; // container: number of elements / members (also when children are not stored)
export const FLAG_ESCAPES: i32 = 1 << 8;
export const FLAG_KEY: i32 = 1 << 9;
export const TYPE_MASK: i32 = 0xff;

// Saved state of a suspended (non-innermost) open container of the main loop.
const FRAME_SIZE: i32 = 32;
const F_FILTER: usize = 0;    // u64: an object's key filter (keys.ts keysSmallAdd)
const F_NODE: usize = 8;      // its node
const F_OBJECT: usize = 12;   // 1 for an object, 0 for an array
const F_COUNT: usize = 16;    // elements / members seen so far
const F_LAST: usize = 20;     // last stored child (array element or key), -1 if none yet
const F_KEY_BASE: usize = 24; // key-stack base of an object's keys (keys.ts)

// Saved state of a suspended container inside a subtree that skipContainer validates without storing it.
const SKIP_FRAME_SIZE: i32 = 16;
const S_FILTER: usize = 0;    // u64: key filter
const S_KEY_BASE: usize = 8;
const S_OBJECT: usize = 12;

const QUOTE: u32 = 0x22;
const BACKSLASH: u32 = 0x5c;

// 8-byte patterns for the string fast path (see specialBytes).
const ONES: u64 = 0x0101010101010101;
const HIGHS: u64 = 0x8080808080808080;
const QUOTES: u64 = 0x2222222222222222;
const BACKSLASHES: u64 = 0x5c5c5c5c5c5c5c5c;
const SPACES: u64 = 0x2020202020202020;
const DOTS: u64 = 0x2e2e2e2e2e2e2e2e;

// ---- State of the scan in progress ----
let nodeBuffer: ByteBuffer | null = null; // the document's node table (touched only to grow it)
let nodesPtr: usize = 0;
let nodeCapacity: i32 = 0;  // nodes that fit in nodeBuffer
let nodeCount: i32 = 0;
const frames = new ByteBuffer(16 * FRAME_SIZE);
let framesPtr: usize = frames.ptr;
let framesCapacity: i32 = frames.capacity;
let values: i32 = 0;        // values + keys seen
let maxValues: i32 = 0;
let scanLength: i32 = 0;    // bytes of the document being scanned
let maxDepth: i32 = 0;
let recordDepth: i32 = 0;
let checkKeys: bool = true;
let stringEscaped: bool = false; // side result of scanString and scanKey
let keyFp: u64 = 0;              // side result of scanKey: the key's fingerprint (keys.ts)
let skipCount: i32 = 0;          // side result of skipContainer: the container's elements / members
const skipFrames = new ByteBuffer(16 * SKIP_FRAME_SIZE);
let skipFramesPtr: usize = skipFrames.ptr;
let skipFramesCapacity: i32 = skipFrames.capacity;
let errorCode: JsonError = JsonError.None;
let errorAt: i32 = -1;

/**
 * Validates `len` bytes at `ptr` from offset `start` (the first non-whitespace byte) and fills `nodes`.
 * Returns the number of nodes, or -1 with the error in scanError()/scanErrorOffset().
 */
export function scan(ptr: usize, len: i32, start: i32, limits: JsonLimits, nodes: ByteBuffer): i32 {
  nodeBuffer = nodes;
  nodesPtr = nodes.ptr;
  nodeCapacity = nodes.capacity / NODE_SIZE;
  nodeCount = 0;
  values = 0;
  maxValues = limits.maxValues;
  scanLength = len;
  maxDepth = limits.maxDepth;
  recordDepth = limits.recordDepth < 0 ? 0 : limits.recordDepth; // the root is always stored
  checkKeys = limits.rejectDuplicateKeys;
  errorCode = JsonError.None;
  errorAt = -1;
  keysReset(ptr);
  const result = scanDocument(ptr, len, start);
  nodeBuffer = null;
  return result < 0 ? -1 : nodeCount;
}

export function scanError(): JsonError {
  return errorCode;
}

export function scanErrorOffset(): i32 {
  return errorAt;
}

/** Records an error; returns -1 so scanners can `return fail(...)`. */
function fail(error: JsonError, offset: i32): i32 {
  errorCode = error;
  errorAt = offset;
  return -1;
}

/**
 * Marks (high bit set) the bytes of `w` that need a closer look inside a string: a quote, a backslash, a
 * control character (< 0x20) or a non-ASCII byte. Classic SWAR "has zero byte"/"has byte less than" tests:
 * borrows can only add false marks ABOVE a true one, so the lowest mark is exact, which is all we use.
 */
// @ts-ignore: decorator
@inline
function specialBytes(w: u64): u64 {
  const quote = w ^ QUOTES;
  const backslash = w ^ BACKSLASHES;
  const control = (w - SPACES) & ~w;
  const isQuote = (quote - ONES) & ~quote;
  const isBackslash = (backslash - ONES) & ~backslash;
  return (control | isQuote | isBackslash | w) & HIGHS;
}

/**
 * Skips plain string bytes and returns the offset of the first byte that needs attention, or of the last few
 * bytes of the input (fewer than one word), which the caller checks one by one. SIMD builds look at 16 bytes
 * at once: a signed "less than space" comparison finds control characters and non-ASCII bytes together.
 * Little endian: the lowest marked byte is the first in memory.
 */
// @ts-ignore: decorator
@inline
function skipPlain(ptr: usize, len: i32, i: i32): i32 {
  if (ASC_FEATURE_SIMD) {
    while (i + 16 <= len) {
      const v = v128.load(ptr + <usize>i);
      const special = v128.or(
        v128.or(i8x16.eq(v, i8x16.splat(<i8>QUOTE)), i8x16.eq(v, i8x16.splat(<i8>BACKSLASH))),
        i8x16.lt_s(v, i8x16.splat(0x20)),
      );
      const mask = i8x16.bitmask(special);
      if (mask != 0) return i + ctz(mask);
      i += 16;
    }
  }
  while (i + 8 <= len) {
    const marks = specialBytes(load<u64>(ptr + <usize>i));
    if (marks != 0) return i + <i32>(ctz(marks) >> 3);
    i += 8;
  }
  return i;
}

// ESCAPES[e] is 1 for the characters of the short escapes \" \\ \/ \b \f \n \r \t: one load instead of eight
// comparisons. Indexed by a byte, so always in range.
const ESCAPES = memory.data<u8>([
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
  0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
]);

/** The character after a backslash in \" \\ \/ \b \f \n \r \t. */
// @ts-ignore: decorator
@inline
function isShortEscape(e: u32): bool {
  return load<u8>(ESCAPES + <usize>(e & 0xff)) != 0;
}

// @ts-ignore: decorator
@inline
function isDigit(c: u32): bool {
  return c - 0x30 < 10;
}

/** Skips RFC 8259 whitespace (space, tab, line feed, carriage return) from `i`. */
// @ts-ignore: decorator
@inline
export function skipWhitespace(ptr: usize, len: i32, i: i32): i32 {
  while (i < len) {
    const c = <u32>load<u8>(ptr + <usize>i);
    if (c > 0x20 || (c != 0x20 && c != 0x0a && c != 0x0d && c != 0x09)) break;
    i++;
  }
  return i;
}

// @ts-ignore: decorator
@inline
function setNodeField(node: i32, field: usize, value: i32): void {
  store<i32>(nodesPtr + <usize>node * NODE_SIZE + field, value);
}

/** Appends a node; returns its id, or -1 (error set) if the table cannot grow. */
// @ts-ignore: decorator
@inline
function newNode(kind: i32, start: i32, end: i32): i32 {
  const id = nodeCount;
  if (id >= nodeCapacity && !growNodes(start)) return fail(JsonError.TooLarge, start);
  const np = nodesPtr + <usize>id * NODE_SIZE;
  store<i32>(np + N_KIND, kind);
  store<i32>(np + N_START, start);
  store<i32>(np + N_END, end);
  store<i32>(np + N_NEXT, -1);
  store<i32>(np + N_AUX, -1);
  store<i32>(np + N_COUNT, 0);
  nodeCount = id + 1;
  return id;
}

/**
 * Grows the node table when node `nodeCount` starts at byte `at`: to the size the document's density so far
 * projects for the whole input (+1/8), at least doubling and at most 8 times. Three steps instead of eight for a
 * 10,000-name configuration, so VM start allocates, copies and zeroes fewer and smaller tables than 64, 128, …
 * 16,384 nodes' worth.
 * Bounded: a node takes at least 2 bytes of input (a value and its comma or colon), so never more than
 * (len - at) / 2 nodes remain, and never more than maxValues in all; a misleading dense start followed by one
 * long string allocates no more than a document that dense throughout would (and doubling would) anyway.
 */
function growNodes(at: i32): bool {
  const buffer = nodeBuffer;
  if (buffer === null) return false;
  const count = <i64>nodeCount;
  let wanted = at > 0 ? count * <i64>scanLength / <i64>at : count;
  wanted += wanted >> 3;
  // A projection from a dense start can overshoot when the rest is long strings: at most 8 times what the table
  // holds now per step, so a step wastes at most what three doublings would.
  if (wanted > count << 3) wanted = count << 3;
  const most = count + <i64>((scanLength - at) >> 1) + 2;
  if (wanted > most) wanted = most;
  if (wanted > <i64>maxValues + 1) wanted = <i64>maxValues + 1;
  if (wanted <= count) wanted = count + 1;
  if (wanted > <i64>(((1 << 30) / NODE_SIZE) + 1)) wanted = <i64>(((1 << 30) / NODE_SIZE) + 1); // ensure refuses it
  if (!buffer.ensure(<i32>wanted * NODE_SIZE, nodeCount * NODE_SIZE)) return false;
  nodesPtr = buffer.ptr;
  nodeCapacity = buffer.capacity / NODE_SIZE;
  return true;
}

function growFrames(needed: i32, keep: i32): bool {
  if (!frames.ensure(needed, keep)) return false;
  framesPtr = frames.ptr;
  framesCapacity = frames.capacity;
  return true;
}

function growSkipFrames(needed: i32, keep: i32): bool {
  if (!skipFrames.ensure(needed, keep)) return false;
  skipFramesPtr = skipFrames.ptr;
  skipFramesCapacity = skipFrames.capacity;
  return true;
}

/**
 * The main loop: "a key/value starts here", then "a value ended here: close containers until the next one".
 * The innermost open container is described by the locals `container`, `inObject`, `count`, `last`,
 * `keyBase`; opening a child saves them into the frame stack and closing it restores them.
 */
function scanDocument(ptr: usize, len: i32, i: i32): i32 {
  let depth = 0;        // open arrays/objects
  let container = -1;   // node of the innermost open container (-1: none)
  let inObject = false;
  let count = 0;        // its elements / members so far
  let last = -1;        // its last stored child (element or key), -1 if none
  let keyBase = 0;      // its key-stack base (objects, when checking duplicates)
  let filter: u64 = 0;  // its key filter (objects, when checking duplicates)
  let needKey = false;  // an object member starts at i: read `"key" :` first

  while (true) {
    i = skipWhitespace(ptr, len, i);

    if (needKey) {
      if (i >= len) return fail(JsonError.UnexpectedEnd, i);
      if (<u32>load<u8>(ptr + <usize>i) != QUOTE) return fail(JsonError.UnexpectedByte, i);
      if (++values > maxValues) return fail(JsonError.TooManyValues, i);
      const end = scanKey(ptr, len, i);
      if (end < 0) return -1;
      const escaped = stringEscaped;
      count++;
      const key = newNode(<i32>JsonType.String | FLAG_KEY | (escaped ? FLAG_ESCAPES : 0), i, end);
      if (key < 0) return -1;
      if (last >= 0) setNodeField(last, N_NEXT, key);
      else if (container >= 0) setNodeField(container, N_AUX, key);
      last = key;
      if (checkKeys) {
        const result = addKey(depth - 1, keyBase, filter, keyFp, i, end, escaped);
        filter |= keyFilterBit(keyFp);
        if (result == KeyResult.Duplicate) return fail(JsonError.DuplicateKey, i);
        if (result != KeyResult.Unique) return fail(JsonError.TooLarge, i);
      }
      i = skipWhitespace(ptr, len, end);
      if (i >= len) return fail(JsonError.UnexpectedEnd, i);
      if (load<u8>(ptr + <usize>i) != 0x3a) return fail(JsonError.UnexpectedByte, i); // :
      i = skipWhitespace(ptr, len, i + 1);
      needKey = false;
    }

    // ---- A value starts at i. ----
    if (i >= len) return fail(JsonError.UnexpectedEnd, i);
    if (++values > maxValues) return fail(JsonError.TooManyValues, i);
    const c = <u32>load<u8>(ptr + <usize>i);
    let kind: i32;
    let end = -1;
    if (c == QUOTE) {
      end = scanString(ptr, len, i);
      kind = stringEscaped ? <i32>JsonType.String | FLAG_ESCAPES : <i32>JsonType.String;
    } else if (c == 0x2d || isDigit(c)) {
      end = scanNumber(ptr, len, i);
      kind = JsonType.Number;
    } else if (c == 0x7b || c == 0x5b) { // { or [
      if (depth >= maxDepth) return fail(JsonError.TooDeep, i);
      kind = c == 0x7b ? JsonType.Object : JsonType.Array;
      end = i + 1; // placeholder; the real end is stored when the container closes
    } else if (c == 0x74 || c == 0x66 || c == 0x6e) { // true, false, null
      end = scanLiteral(ptr, len, i, c);
      kind = c == 0x74 ? JsonType.True : (c == 0x66 ? JsonType.False : JsonType.Null);
    } else {
      return fail(JsonError.UnexpectedByte, i);
    }
    if (end < 0) return -1;

    // Every value the main loop sees is stored: deeper ones are validated by skipContainer.
    const node = newNode(kind, i, end);
    if (node < 0) return -1;
    if (depth > 0) {
      if (inObject) {
        // A member value hangs on its key.
        if (last >= 0) setNodeField(last, N_AUX, node);
      } else {
        count++;
        if (last >= 0) setNodeField(last, N_NEXT, node);
        else if (container >= 0) setNodeField(container, N_AUX, node);
        last = node;
      }
    }

    if (kind == JsonType.Object || kind == JsonType.Array) {
      if (depth >= recordDepth) {
        // Its children are not stored: validate them in the tight loop and close the container here.
        const close = skipContainer(ptr, len, i + 1, kind == JsonType.Object, depth + 1);
        if (close < 0) return -1;
        setNodeField(node, N_END, close);
        setNodeField(node, N_COUNT, skipCount);
        i = close;
      } else {
        // Suspend the current container and make the new one innermost.
        if (depth > 0) {
          const frameEnd = depth * FRAME_SIZE;
          if (frameEnd > framesCapacity && !growFrames(frameEnd, (depth - 1) * FRAME_SIZE)) {
            return fail(JsonError.TooLarge, i);
          }
          const fp = framesPtr + <usize>(depth - 1) * FRAME_SIZE;
          store<u64>(fp + F_FILTER, filter);
          store<i32>(fp + F_NODE, container);
          store<i32>(fp + F_OBJECT, inObject ? 1 : 0);
          store<i32>(fp + F_COUNT, count);
          store<i32>(fp + F_LAST, last);
          store<i32>(fp + F_KEY_BASE, keyBase);
        }
        depth++;
        container = node;
        inObject = kind == JsonType.Object;
        count = 0;
        last = -1;
        keyBase = keysTop();
        filter = 0;
        i = skipWhitespace(ptr, len, i + 1);
        if (i >= len || <u32>load<u8>(ptr + <usize>i) != (inObject ? <u32>0x7d : <u32>0x5d)) {
          needKey = inObject;
          continue; // first element / member
        }
        // empty container: the loop below closes it
      }
    } else {
      i = end;
    }

    // ---- A value ended at i: close containers until the next value starts. ----
    while (true) {
      i = skipWhitespace(ptr, len, i);
      if (depth == 0) {
        if (i < len) return fail(JsonError.TrailingContent, i);
        return i;
      }
      if (i >= len) return fail(JsonError.UnexpectedEnd, i);
      const d = <u32>load<u8>(ptr + <usize>i);
      if (d == 0x2c) { // ,
        i++;
        needKey = inObject;
        break; // next element / member
      }
      if (d != (inObject ? <u32>0x7d : <u32>0x5d)) return fail(JsonError.UnexpectedByte, i);
      if (inObject && checkKeys && keysClose(depth - 1, keyBase)) {
        return fail(JsonError.DuplicateKey, keysDuplicateOffset());
      }
      if (container >= 0) {
        setNodeField(container, N_END, i + 1);
        setNodeField(container, N_COUNT, count);
      }
      depth--;
      i++;
      if (depth > 0) {
        const fp = framesPtr + <usize>(depth - 1) * FRAME_SIZE;
        filter = load<u64>(fp + F_FILTER);
        container = load<i32>(fp + F_NODE);
        inObject = load<i32>(fp + F_OBJECT) != 0;
        count = load<i32>(fp + F_COUNT);
        last = load<i32>(fp + F_LAST);
        keyBase = load<i32>(fp + F_KEY_BASE);
      }
    }
  }
}

/**
 * Checks the key just scanned (quote at `quote`, after its closing quote at `end`; fingerprint `fp`) against
 * the other keys of the object open at `level` whose keys start at `base`; `filter` is the object's key filter
 * before this key (the caller adds the key's bit).
 */
// @ts-ignore: decorator
@inline
function addKey(level: i32, base: i32, filter: u64, fp: u64, quote: i32, end: i32, escaped: bool): KeyResult {
  return keysTop() - base < SMALL_OBJECT_KEYS
    ? keysSmallAdd(base, filter, fp, quote + 1, end - 1, escaped)
    : keysLargeAdd(level, base, fp, quote + 1, end - 1, escaped);
}

/**
 * Validates the key string whose opening quote is at `i` (checked by the caller) and computes its fingerprint
 * (`keyFp`; `stringEscaped` as for scanString). Returns the offset after its closing quote, or -1.
 */
// @ts-ignore: decorator
@inline
function scanKey(ptr: usize, len: i32, i: i32): i32 {
  const end = scanPlainKey(ptr + <usize>i + 1, ptr + <usize>len);
  return end != 0 ? <i32>(end - ptr) : scanKeySlow(ptr, len, i);
}

/**
 * A key of up to 15 plain ASCII bytes from `s` (just after its opening quote), the usual case: one or two
 * 64-bit loads find its closing quote and are, masked, the fingerprint's input. Returns the address after the
 * closing quote and sets `keyFp`, or 0 when the key is longer, has an escape or a non-ASCII or control byte, or
 * is too close to the end of the input (the caller then scans it in full).
 */
// @ts-ignore: decorator
@inline
function scanPlainKey(s: usize, end: usize): usize {
  if (s + 8 > end) return 0;
  const w = load<u64>(s);
  const marks = specialBytes(w);
  if (marks != 0) {
    const k = ctz(marks) >> 3;
    if (<u32>load<u8>(s + <usize>k) != QUOTE) return 0;
    keyFp = wordFingerprint(w & ((<u64>1 << (k << 3)) - 1), <i32>k);
    stringEscaped = false;
    return s + <usize>k + 1;
  }
  if (s + 16 > end) return 0;
  const w2 = load<u64>(s, 8);
  const marks2 = specialBytes(w2);
  if (marks2 == 0) return 0;
  const k = ctz(marks2) >> 3;
  if (<u32>load<u8>(s + 8 + <usize>k) != QUOTE) return 0;
  keyFp = k == 0 ? wordFingerprint(w, 8) : twoWordFingerprint(w, w2 & ((<u64>1 << (k << 3)) - 1), 8 + <i32>k);
  stringEscaped = false;
  return s + 9 + <usize>k;
}

function scanKeySlow(ptr: usize, len: i32, i: i32): i32 {
  const end = scanString(ptr, len, i);
  if (end < 0) return -1;
  keyFp = stringEscaped ? escapedKeyFingerprint(i + 1, end - 1) : keyFingerprint(ptr + <usize>(i + 1), end - i - 2);
  return end;
}

/** Whitespace from `p` (an address) up to `end`; returns the address of the first other byte, or `end`. */
// @ts-ignore: decorator
@inline
function skipSpace(p: usize, end: usize): usize {
  while (p < end) {
    const c = <u32>load<u8>(p);
    if (c > 0x20 || (c != 0x20 && c != 0x0a && c != 0x0d && c != 0x09)) break;
    p++;
  }
  return p;
}

/** The bytes of `w` that are ASCII digits, as their high bits. Exact for every byte: for x <= 0x7f, adding 0x50
 * sets the high bit exactly when x >= 0x30 and adding 0x46 when x >= 0x3a, and no byte carries into the next;
 * `~w` drops bytes >= 0x80. */
// @ts-ignore: decorator
@inline
function digitBytes(w: u64): u64 {
  const x = w & 0x7f7f7f7f7f7f7f7f;
  return (x + 0x5050505050505050) & ~(x + 0x4646464646464646) & ~w & HIGHS;
}

/** The bytes of `w` equal to the byte repeated in `pattern`, as their high bits; exact for every byte (unlike
 * specialBytes, no borrow reaches the next byte). */
// @ts-ignore: decorator
@inline
function equalBytes(w: u64, pattern: u64): u64 {
  const t = w ^ pattern;
  return ~(((t & 0x7f7f7f7f7f7f7f7f) + 0x7f7f7f7f7f7f7f7f) | t) & HIGHS;
}

/**
 * A number of up to 7 bytes without an exponent (`4228`, `-12`, `0.372`), the usual shape, from `p` (its first
 * byte `c`, a minus or a digit). One 64-bit load: the number ends at the first byte that is not a digit, a dot
 * or the leading minus, found with one `ctz`, so the next token does not wait for a byte-by-byte walk (the cost
 * of a token is the latency from its first byte to its end). The grammar is then checked on the same masks,
 * off that path. Returns the address after the number, or 0 for anything else — longer, an exponent, malformed,
 * or within 8 bytes of the end of the input — and the caller runs scanNumber, which also reports the error.
 */
// @ts-ignore: decorator
@inline
function scanShortNumber(p: usize, end: usize, c: u32): usize {
  if (p + 8 > end) return 0;
  const w = load<u64>(p);
  const digits = digitBytes(w);
  const sign: u64 = c == 0x2d ? 0x80 : 0; // a minus counts only as byte 0
  const dots = equalBytes(w, DOTS);
  const k = <usize>(ctz(~(digits | dots | sign) & HIGHS) >> 3);
  if (k == 8) return 0;
  const after = <u32>load<u8>(p + k);
  if ((after | 0x20) == 0x65 || after == 0x2b || after == 0x2d) return 0; // e E + -: scanNumber
  const s: u64 = sign != 0 ? 8 : 0; // bit offset of the first digit
  // A digit first, not a zero followed by a digit ("01"), and at most one dot, with a digit after it.
  if (((digits >> s) & 0x80) == 0) return 0;
  if (((w >> s) & 0xff) == 0x30 && ((digits >> (s + 8)) & 0x80) != 0) return 0;
  const dot = dots & ((<u64>1 << (<u64>k << 3)) - 1);
  if (dot != 0 && ((dot & (dot - 1)) != 0 || <usize>(ctz(dot) >> 3) == k - 1)) return 0;
  return p + k;
}

/**
 * Validates everything inside the container whose opening bracket is just before `i`, storing nothing: the
 * children of a container at recordDepth. `depth` counts the open containers including this one. Returns the
 * offset after its closing bracket (and its element / member count in `skipCount`), or -1 with the error set.
 *
 * Same grammar, limits, duplicate-key check and error offsets as scanDocument, in one loop without node
 * bookkeeping: the innermost container's state (kind, key filter, key base) is in locals, the ones around it
 * on a small frame stack; the position is an address. Strings are scanned inline 8 bytes per step, plain ASCII
 * and well-formed non-ASCII text alike (see textBytes); keys and numbers of the usual shapes take one or two
 * 64-bit loads. Anything unusual goes to the general functions, which report errors exactly as scanDocument.
 */
function skipContainer(ptr: usize, len: i32, i: i32, object: bool, depth: i32): i32 {
  const end = ptr + <usize>len;
  let p = ptr + <usize>i;
  const first = depth; // the depth of this container's own members
  let inObject = object;
  let filter: u64 = 0;
  let keyBase = keysTop();
  let count = 0;
  let budget = maxValues - values; // values + keys still allowed

  p = skipSpace(p, end);
  let closing = p < end && <u32>load<u8>(p) == (inObject ? <u32>0x7d : <u32>0x5d);
  while (true) {
    if (!closing) {
      // ---- A member or element starts at p (after whitespace). ----
      if (inObject) {
        if (p >= end) return fail(JsonError.UnexpectedEnd, <i32>(p - ptr));
        if (<u32>load<u8>(p) != QUOTE) return fail(JsonError.UnexpectedByte, <i32>(p - ptr));
        if (--budget < 0) return fail(JsonError.TooManyValues, <i32>(p - ptr));
        let keyEnd = scanPlainKey(p + 1, end);
        if (keyEnd == 0) {
          const e = scanKeySlow(ptr, len, <i32>(p - ptr));
          if (e < 0) return -1;
          keyEnd = ptr + <usize>e;
        }
        if (depth == first) count++;
        if (checkKeys) {
          const fp = keyFp;
          const quote = <i32>(p - ptr);
          const result = addKey(depth - 1, keyBase, filter, fp, quote, <i32>(keyEnd - ptr), stringEscaped);
          filter |= keyFilterBit(fp);
          if (result == KeyResult.Duplicate) return fail(JsonError.DuplicateKey, quote);
          if (result != KeyResult.Unique) return fail(JsonError.TooLarge, quote);
        }
        p = keyEnd;
        if (p < end && <u32>load<u8>(p) == 0x3a) {
          p++;
        } else {
          p = skipSpace(p, end);
          if (p >= end) return fail(JsonError.UnexpectedEnd, <i32>(p - ptr));
          if (<u32>load<u8>(p) != 0x3a) return fail(JsonError.UnexpectedByte, <i32>(p - ptr)); // :
          p++;
        }
        p = skipSpace(p, end);
      } else if (depth == first) {
        count++;
      }

      // ---- A value starts at p. ----
      if (p >= end) return fail(JsonError.UnexpectedEnd, <i32>(p - ptr));
      if (--budget < 0) return fail(JsonError.TooManyValues, <i32>(p - ptr));
      let c = <u32>load<u8>(p);
      if (c == QUOTE) {
        p++;
        while (true) {
          if (p + 8 <= end) {
            const w = load<u64>(p);
            const marks = specialBytes(w);
            if (marks == 0) {
              p += 8;
              continue;
            }
            if ((marks & ~w) == 0) {
              // No quote, backslash or control byte among the 8, only non-ASCII text: validate it word-wise.
              const n = textBytes(w);
              if (n != 0) {
                p += n;
                continue;
              }
            }
            p += <usize>(ctz(marks) >> 3);
          } else if (p >= end) {
            return fail(JsonError.UnexpectedEnd, <i32>(p - ptr));
          }
          c = <u32>load<u8>(p);
          if (c == QUOTE) break;
          if (c == BACKSLASH) {
            if (p + 1 < end && isShortEscape(<u32>load<u8>(p, 1))) {
              p += 2;
            } else {
              const e = scanEscape(ptr, len, <i32>(p - ptr));
              if (e < 0) return -1;
              p = ptr + <usize>e;
            }
          } else if (c >= 0x80) {
            const n = utf8SequenceLength(p, 0, <i32>(end - p), c);
            if (n == 0) return fail(JsonError.InvalidUtf8, <i32>(p - ptr));
            p += <usize>n;
          } else if (c < 0x20) {
            return fail(JsonError.ControlCharacter, <i32>(p - ptr));
          } else {
            p++; // plain ASCII among the last bytes of the input
          }
        }
        p++;
      } else if (c == 0x2d || isDigit(c)) {
        const q = scanShortNumber(p, end, c);
        if (q != 0) {
          p = q;
        } else {
          const e = scanNumber(ptr, len, <i32>(p - ptr));
          if (e < 0) return -1;
          p = ptr + <usize>e;
        }
      } else if (c == 0x7b || c == 0x5b) { // { or [
        if (depth >= maxDepth) return fail(JsonError.TooDeep, <i32>(p - ptr));
        const frame = (depth - first) * SKIP_FRAME_SIZE;
        if (frame + SKIP_FRAME_SIZE > skipFramesCapacity && !growSkipFrames(frame + SKIP_FRAME_SIZE, frame)) {
          return fail(JsonError.TooLarge, <i32>(p - ptr));
        }
        const fp = skipFramesPtr + <usize>frame;
        store<u64>(fp + S_FILTER, filter);
        store<i32>(fp + S_KEY_BASE, keyBase);
        store<i32>(fp + S_OBJECT, inObject ? 1 : 0);
        depth++;
        inObject = c == 0x7b;
        filter = 0;
        keyBase = keysTop();
        p = skipSpace(p + 1, end);
        if (p >= end || <u32>load<u8>(p) != (inObject ? <u32>0x7d : <u32>0x5d)) continue;
        // empty container: closed below
      } else if (c == 0x74 || c == 0x66 || c == 0x6e) { // true, false, null
        const e = scanLiteral(ptr, len, <i32>(p - ptr), c);
        if (e < 0) return -1;
        p = ptr + <usize>e;
      } else {
        return fail(JsonError.UnexpectedByte, <i32>(p - ptr));
      }
    }
    closing = false;

    // ---- A value ended at p: close containers until the next value starts. ----
    while (true) {
      p = skipSpace(p, end);
      if (p >= end) return fail(JsonError.UnexpectedEnd, <i32>(p - ptr));
      const d = <u32>load<u8>(p);
      if (d == 0x2c) { // ,
        p = skipSpace(p + 1, end);
        break;
      }
      if (d != (inObject ? <u32>0x7d : <u32>0x5d)) return fail(JsonError.UnexpectedByte, <i32>(p - ptr));
      if (inObject && checkKeys && keysClose(depth - 1, keyBase)) {
        return fail(JsonError.DuplicateKey, keysDuplicateOffset());
      }
      p++;
      if (depth == first) {
        values = maxValues - budget;
        skipCount = count;
        return <i32>(p - ptr);
      }
      depth--;
      const fp = skipFramesPtr + <usize>(depth - first) * SKIP_FRAME_SIZE;
      filter = load<u64>(fp + S_FILTER);
      keyBase = load<i32>(fp + S_KEY_BASE);
      inObject = load<i32>(fp + S_OBJECT) != 0;
    }
  }
}

/**
 * How many of the 8 bytes of `w` (non-ASCII text: no quote, backslash or control byte, some bytes >= 0x80) are
 * whole well-formed UTF-8 sequences of 2 or 3 bytes and ASCII, up to the first sequence that continues past
 * the 8: at least 6 bytes. Or 0, when the word needs the byte-wise check: 4-byte sequences; the lead bytes C0,
 * C1, E0 and ED, whose second byte has a narrower range; anything malformed, which that check reports.
 * Little endian: the byte after byte k is byte k + 1, 8 bits higher. The caller's position is always at the
 * start of a sequence, so a continuation byte in byte 0 is a stray one.
 */
// @ts-ignore: decorator
@inline
function textBytes(w: u64): usize {
  const high = w & HIGHS;
  const bit6 = (w << 1) & HIGHS;
  const lead = high & bit6;                   // 11xxxxxx
  const lead3 = lead & (w << 2);              // 111xxxxx
  const lead4 = lead3 & (w << 3);             // 1111xxxx
  const c0 = (w & 0xfefefefefefefefe) ^ 0xc0c0c0c0c0c0c0c0; // a zero byte where C0 or C1
  const e0 = w ^ 0xe0e0e0e0e0e0e0e0;
  const ed = w ^ 0xedededededededed;
  if ((((c0 - ONES) & ~c0) | ((e0 - ONES) & ~e0) | ((ed - ONES) & ~ed) | lead4) & HIGHS) return 0;
  // Every continuation byte where a lead asks for one, and nowhere else (what a lead at byte 6 or 7 asks of
  // the bytes after the word is left to the next step, which starts at that lead).
  if ((high & ~bit6) != ((lead << 8) | (lead3 << 16))) return 0;
  const cut = (lead & 0x8000000000000000) | (lead3 & 0x0080000000000000);
  return cut != 0 ? <usize>(ctz(cut) >> 3) : 8;
}

/**
 * Validates the string starting with the quote at `i`; returns the offset after its closing quote and sets
 * `stringEscaped`. Plain ASCII is skipped 16 (SIMD builds) or 8 bytes at a time; what stops the skip is
 * handled byte by byte: the closing quote, an escape, a run of non-ASCII text, or a control character.
 */
function scanString(ptr: usize, len: i32, i: i32): i32 {
  let escaped = false;
  i++;
  while (true) {
    i = skipPlain(ptr, len, i);
    if (i >= len) return fail(JsonError.UnexpectedEnd, i);
    let c = <u32>load<u8>(ptr + <usize>i);
    if (c == QUOTE) {
      stringEscaped = escaped;
      return i + 1;
    }
    if (c >= 0x80) {
      // 8 bytes of well-formed non-ASCII text at once (see textBytes), when there is no quote, backslash or
      // control byte among them.
      if (i + 8 <= len) {
        const w = load<u64>(ptr + <usize>i);
        if ((specialBytes(w) & ~w) == 0) {
          const n = textBytes(w);
          if (n != 0) {
            i += <i32>n;
            continue;
          }
        }
      }
      // Non-ASCII text: validate sequence after sequence, and step over a few plain ASCII bytes between them
      // here rather than going back to the word-wise skip for every letter of "ünïcödé" (a longer ASCII run
      // does go back to it).
      let plain = 0;
      while (true) {
        if (c >= 0x80) {
          const n = utf8SequenceLength(ptr, i, len, c);
          if (n == 0) return fail(JsonError.InvalidUtf8, i);
          i += n;
          plain = 0;
        } else if (c >= 0x20 && c != QUOTE && c != BACKSLASH && plain < 8) {
          i++;
          plain++;
        } else {
          break;
        }
        if (i >= len) break;
        c = <u32>load<u8>(ptr + <usize>i);
      }
    } else if (c == BACKSLASH) {
      escaped = true;
      if (i + 1 < len && isShortEscape(<u32>load<u8>(ptr + <usize>i + 1))) {
        i += 2;
      } else {
        i = scanEscape(ptr, len, i);
        if (i < 0) return -1;
      }
    } else if (c < 0x20) {
      return fail(JsonError.ControlCharacter, i);
    } else {
      i++; // plain ASCII among the last bytes of the input, which the word-wise skip leaves to us
    }
  }
}

/** Validates the escape whose backslash is at `i`; returns the offset after it. */
function scanEscape(ptr: usize, len: i32, i: i32): i32 {
  if (i + 1 >= len) return fail(JsonError.UnexpectedEnd, len);
  const e = <u32>load<u8>(ptr + <usize>i + 1);
  if (isShortEscape(e)) return i + 2;
  if (e != 0x75) return fail(JsonError.InvalidEscape, i); // not \u
  for (let k = i + 2; k < i + 6; k++) {
    if (k >= len) return fail(JsonError.UnexpectedEnd, len);
    if (hexValue(<u32>load<u8>(ptr + <usize>k)) < 0) return fail(JsonError.InvalidEscape, i);
  }
  const unit = hex4(ptr, i + 2);
  if (unit < 0xd800 || unit > 0xdfff) return i + 6;
  // A surrogate escape must be a high one immediately followed by an escaped low one.
  if (unit >= 0xdc00) return fail(JsonError.LoneSurrogate, i);
  if (i + 12 <= len && load<u8>(ptr + <usize>i + 6) == BACKSLASH && load<u8>(ptr + <usize>i + 7) == 0x75) {
    const low = hex4(ptr, i + 8);
    if (low >= 0xdc00 && low <= 0xdfff) return i + 12;
  }
  return fail(JsonError.LoneSurrogate, i);
}

/** Validates a number against the RFC 8259 grammar; returns the offset after it. */
function scanNumber(ptr: usize, len: i32, i: i32): i32 {
  let j = i;
  if (load<u8>(ptr + <usize>j) == 0x2d) { // -
    j++;
    if (j >= len) return fail(JsonError.InvalidNumber, j);
  }
  let c = <u32>load<u8>(ptr + <usize>j);
  if (c == 0x30) {
    j++;
    // "01" is not a number: a zero integer part stands alone
    if (j < len && isDigit(<u32>load<u8>(ptr + <usize>j))) return fail(JsonError.InvalidNumber, j);
  } else if (c - 0x31 < 9) {
    j++;
    while (j < len && isDigit(<u32>load<u8>(ptr + <usize>j))) j++;
  } else {
    return fail(JsonError.InvalidNumber, j);
  }
  if (j < len && load<u8>(ptr + <usize>j) == 0x2e) { // . needs at least one digit after it
    j++;
    if (j >= len || !isDigit(<u32>load<u8>(ptr + <usize>j))) return fail(JsonError.InvalidNumber, j);
    while (j < len && isDigit(<u32>load<u8>(ptr + <usize>j))) j++;
  }
  if (j < len && (<u32>load<u8>(ptr + <usize>j) | 0x20) == 0x65) { // e or E, optional sign, digits
    j++;
    if (j < len) {
      c = <u32>load<u8>(ptr + <usize>j);
      if (c == 0x2b || c == 0x2d) j++;
    }
    if (j >= len || !isDigit(<u32>load<u8>(ptr + <usize>j))) return fail(JsonError.InvalidNumber, j);
    while (j < len && isDigit(<u32>load<u8>(ptr + <usize>j))) j++;
  }
  return j;
}

/** Validates the literal starting with `c` (t, f or n) at `i`; returns the offset after it. One 32-bit comparison. */
// @ts-ignore: decorator
@inline
function scanLiteral(ptr: usize, len: i32, i: i32, c: u32): i32 {
  if (c == 0x74) return i + 4 <= len && load<u32>(ptr + <usize>i) == 0x65757274 ? i + 4 : literalError(ptr, len, i, "true");
  // false: "f" then "alse"
  if (c == 0x66) return i + 5 <= len && load<u32>(ptr + <usize>i, 1) == 0x65736c61 ? i + 5 : literalError(ptr, len, i, "false");
  return i + 4 <= len && load<u32>(ptr + <usize>i) == 0x6c6c756e ? i + 4 : literalError(ptr, len, i, "null");
}

/** Reports where the bytes at `i` stop matching the literal `word` (the fast 4-byte comparison failed). */
function literalError(ptr: usize, len: i32, i: i32, word: string): i32 {
  const n = word.length;
  for (let k = 0; k < n; k++) {
    if (i + k >= len) return fail(JsonError.UnexpectedEnd, i + k);
    if (<i32>load<u8>(ptr + <usize>(i + k)) != <i32>word.charCodeAt(k)) return fail(JsonError.UnexpectedByte, i + k);
  }
  return fail(JsonError.UnexpectedByte, i); // not reached: the fast comparison would have matched
}
