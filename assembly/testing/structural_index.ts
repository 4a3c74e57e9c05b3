// A probe, not part of the filter: the first stage of a two-stage JSON parser (simdjson's "stage 1"), built only
// to measure what that design would cost here (bench/sections/reader-limit.ts, docs/performance.md "The reader
// on large bodies"). It finds, 64 bytes at a time and independently of any parse state, every structural
// character outside strings, every unescaped quote and the first byte of every number or literal, and writes
// their offsets to an index that a second stage would walk. Nothing is validated (no UTF-8, escapes, grammar
// or duplicate keys): it is the part of the work a two-stage reader cannot avoid, so its time is a lower bound.
//
// Needs wasm SIMD (compiled with --enable simd), which the shipped filter does not use (docs/performance.md,
// "SIMD"): the scalar equivalent costs more.

import { grow, inputPtr } from "./shared/io";

export { inputBuffer } from "./shared/io";

let index = new ArrayBuffer(1 << 16);
const tail = new ArrayBuffer(64);

// @ts-ignore: decorator
@inline
function equal(v: v128, c: i8): u64 {
  return <u64>i8x16.bitmask(i8x16.eq(v, i8x16.splat(c)));
}

/** Offsets of the index entries, 4 bytes each (valid until the next call). */
export function indexPtr(): usize {
  return changetype<usize>(index);
}

/**
 * Builds the structural index of the `len` input bytes; returns the number of entries, or -1 in a build without
 * SIMD (the test setup compiles every entry with the filter's flags). A last partial block is padded with spaces.
 */
export function structuralIndex(len: i32): i32 {
  if (!ASC_FEATURE_SIMD) return -1;
  index = grow(index, (len + 64) << 2);
  const start = changetype<usize>(index);
  let out = start;
  let inString: u64 = 0;    // all ones when the previous block ended inside a string
  let escapedNext: u64 = 0; // 1 when the previous block ended with an odd run of backslashes
  let scalarCarry: u64 = 0; // 1 when the previous block ended inside a number or literal
  const ODD: u64 = 0xaaaaaaaaaaaaaaaa;
  for (let i = 0; i < len; i += 64) {
    let p = inputPtr() + <usize>i;
    if (i + 64 > len) {
      const t = changetype<usize>(tail);
      memory.fill(t, 0x20, 64);
      memory.copy(t, p, <usize>(len - i));
      p = t;
    }
    let quotes: u64 = 0, backslashes: u64 = 0, operators: u64 = 0, spaces: u64 = 0;
    for (let k: u64 = 0; k < 64; k += 16) {
      const v = v128.load(p + <usize>k);
      const v20 = v128.or(v, i8x16.splat(0x20)); // [ ] { } → { }
      quotes |= equal(v, 0x22) << k;
      backslashes |= equal(v, 0x5c) << k;
      operators |= (equal(v20, 0x7b) | equal(v20, 0x7d) | equal(v, 0x3a) | equal(v, 0x2c)) << k;
      spaces |= (equal(v, 0x20) | equal(v, 0x0a) | equal(v, 0x0d) | equal(v, 0x09)) << k;
    }
    // Characters escaped by an odd run of backslashes (simdjson's even/odd carry trick).
    let escaped: u64 = 0;
    if ((backslashes | escapedNext) != 0) {
      const runs = backslashes & ~escapedNext;
      const starts = runs & ~(runs << 1);
      const evenEnds = (runs + (starts & ~ODD)) & ~runs;
      const oddSum = runs + (starts & ODD);
      const carry: u64 = oddSum < runs ? 1 : 0;
      const oddEnds = (oddSum | escapedNext) & ~runs;
      escaped = (evenEnds & ODD) | (oddEnds & ~ODD);
      escapedNext = carry;
    }
    const unescaped = quotes & ~escaped;
    // Inside a string: from an opening quote up to (not including) its closing quote, by a prefix XOR.
    let strings = unescaped;
    strings ^= strings << 1;
    strings ^= strings << 2;
    strings ^= strings << 4;
    strings ^= strings << 8;
    strings ^= strings << 16;
    strings ^= strings << 32;
    strings ^= inString;
    inString = <u64>(<i64>strings >> 63);
    const scalar = ~strings & ~operators & ~spaces & ~unescaped;
    const scalarStarts = scalar & ~((scalar << 1) | scalarCarry);
    scalarCarry = scalar >> 63;
    let bits = (operators & ~strings) | unescaped | scalarStarts;
    // Four offsets per step without a branch per entry; the pointer then advances by the real count.
    const n = <usize>popcnt(bits);
    let o = out;
    while (bits != 0) {
      store<u32>(o, i + <i32>ctz(bits));
      bits &= bits - 1;
      store<u32>(o, i + <i32>ctz(bits), 4);
      bits &= bits - 1;
      store<u32>(o, i + <i32>ctz(bits), 8);
      bits &= bits - 1;
      store<u32>(o, i + <i32>ctz(bits), 12);
      bits &= bits - 1;
      o += 16;
    }
    out += n << 2;
  }
  return <i32>((out - start) >> 2);
}
