// JsonDocument: a parsed document over caller-owned bytes, and total accessors over its node table.
//
// Parsing is done by scanner.ts (strict RFC 8259, one pass, no recursion). The node table holds one record
// per value and per object key, in document (pre-)order, in a reusable buffer. Containers point to their first
// child; children point to their next sibling; an object's children are its KEY nodes, and each key node
// points to its value. Nodes deeper than recordDepth are validated but not stored.

import { ByteBuffer, inMemory } from "./buffer";
import { decodeToString, equalsString, isAsciiString } from "./decode";
import { numberIsSafeInteger, numberValue } from "./number";
import {
  FLAG_ESCAPES, FLAG_KEY, N_AUX, N_COUNT, N_END, N_KIND, N_NEXT, N_START, NODE_SIZE, TYPE_MASK,
  scan, scanError, scanErrorOffset, skipWhitespace,
} from "./scanner";
import { JsonError, JsonLimits, JsonType } from "./types";

export class JsonDocument {
  limits: JsonLimits;
  /** Result of the last parse. */
  error: JsonError = JsonError.None;
  /** Byte offset at which the last parse detected its error (-1 after success). */
  errorOffset: i32 = -1;

  private input: usize = 0;
  private inputLength: i32 = 0;
  private owned: ArrayBuffer | null = null; // keeps parseBytes/parseString input alive
  private nodes: ByteBuffer = new ByteBuffer(64 * NODE_SIZE);
  // nodes.ptr after the last parse: accessors load from it without going through the managed buffer object.
  private nodesPtr: usize = 0;
  private nodeCount: i32 = 0;
  private uniqueKeys: bool = true;  // duplicates were rejected by the last parse

  constructor(limits: JsonLimits = new JsonLimits()) {
    this.limits = limits;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Parsing

  /** Parses `len` bytes at `ptr` (caller-owned; keep them alive and unchanged while reading the result). */
  parse(ptr: usize, len: i32): JsonError {
    this.owned = null;
    return this.run(ptr, len);
  }

  /** Parses the bytes of `bytes` (kept alive by the document until the next parse). */
  parseBytes(bytes: ArrayBuffer): JsonError {
    this.owned = bytes;
    return this.run(changetype<usize>(bytes), bytes.byteLength);
  }

  /** Parses `text` after encoding it as UTF-8. For configuration and tests. */
  parseString(text: string): JsonError {
    return this.parseBytes(String.UTF8.encode(text));
  }

  private run(ptr: usize, len: i32): JsonError {
    this.input = ptr;
    this.inputLength = len < 0 ? 0 : len;
    this.nodeCount = 0;
    this.error = JsonError.None;
    this.errorOffset = -1;
    const limits = this.limits;
    this.uniqueKeys = limits.rejectDuplicateKeys;

    if (len < 0 || len > limits.maxBytes || !inMemory(ptr, len)) return this.failed(JsonError.TooLarge, 0);
    if (len >= 3 && load<u8>(ptr) == 0xef && load<u8>(ptr, 1) == 0xbb && load<u8>(ptr, 2) == 0xbf) {
      return this.failed(JsonError.ByteOrderMark, 0);
    }
    const start = skipWhitespace(ptr, len, 0);
    if (start >= len) return this.failed(JsonError.Empty, start);
    const count = scan(ptr, len, start, limits, this.nodes);
    if (count < 0) return this.failed(scanError(), scanErrorOffset());
    this.nodeCount = count;
    this.nodesPtr = this.nodes.ptr;
    return JsonError.None;
  }

  /** Records an error and returns it; a failed parse exposes no nodes. */
  private failed(error: JsonError, offset: i32): JsonError {
    this.error = error;
    this.errorOffset = offset;
    this.nodeCount = 0;
    return error;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Reading the result. Every accessor accepts any id: ids that name no node give an "absent" answer.

  /** Whether `node` names a stored node of the last successful parse. */
  // @ts-ignore: decorator
  @inline
  private valid(node: i32): bool {
    return node >= 0 && node < this.nodeCount;
  }

  // @ts-ignore: decorator
  @inline
  private field(node: i32, offset: usize): i32 {
    return load<i32>(this.nodesPtr + <usize>node * NODE_SIZE + offset);
  }

  /** Root node (0), or -1 unless the last parse succeeded. */
  root(): i32 {
    return this.nodeCount > 0 ? 0 : -1;
  }

  /** Number of stored nodes (values and keys at depth <= recordDepth). */
  get nodeTableSize(): i32 {
    return this.nodeCount;
  }

  /** Type of `node`; JsonType.Absent for an id that names no node. A key node is a String. */
  type(node: i32): JsonType {
    if (!this.valid(node)) return JsonType.Absent;
    return <JsonType>(this.field(node, N_KIND) & TYPE_MASK);
  }

  isType(node: i32, t: JsonType): bool {
    return this.valid(node) && (this.field(node, N_KIND) & TYPE_MASK) == <i32>t;
  }

  /** Whether `node` is an object key (as opposed to a string value). */
  isKey(node: i32): bool {
    return this.valid(node) && (this.field(node, N_KIND) & FLAG_KEY) != 0;
  }

  /** Offset of the first byte of the value's text (strings: the opening quote); -1 if absent. */
  start(node: i32): i32 {
    return this.valid(node) ? this.field(node, N_START) : -1;
  }

  /** Offset just past the value's text; -1 if absent. */
  end(node: i32): i32 {
    return this.valid(node) ? this.field(node, N_END) : -1;
  }

  /** Copy of the value's raw text (for echoing a JSON-RPC id verbatim); empty if absent. */
  rawBytes(node: i32): ArrayBuffer {
    if (!this.valid(node)) return new ArrayBuffer(0);
    const start = this.field(node, N_START);
    const end = this.field(node, N_END);
    if (start < 0 || end < start || end > this.inputLength) return new ArrayBuffer(0);
    const out = new ArrayBuffer(end - start);
    memory.copy(changetype<usize>(out), this.input + <usize>start, <usize>(end - start));
    return out;
  }

  /**
   * Elements of an array / members of an object; 0 otherwise. Counted for every container, so a container at
   * recordDepth reports its real length although firstChild() is -1 (its children are not stored).
   */
  length(node: i32): i32 {
    if (!this.valid(node)) return 0;
    const t = this.field(node, N_KIND) & TYPE_MASK;
    return t == JsonType.Array || t == JsonType.Object ? this.field(node, N_COUNT) : 0;
  }

  /** Array: first element; object: first key node; -1 if empty, not a container, or children not stored. */
  firstChild(node: i32): i32 {
    if (!this.valid(node)) return -1;
    const t = this.field(node, N_KIND) & TYPE_MASK;
    return t == JsonType.Array || t == JsonType.Object ? this.field(node, N_AUX) : -1;
  }

  /** Next element of the same array, or for a key node the next key of the same object; -1 at the end. */
  nextSibling(node: i32): i32 {
    return this.valid(node) ? this.field(node, N_NEXT) : -1;
  }

  /** Value node of an object key node; -1 if `node` is not a key. */
  keyValue(keyNode: i32): i32 {
    if (!this.valid(keyNode) || (this.field(keyNode, N_KIND) & FLAG_KEY) == 0) return -1;
    return this.field(keyNode, N_AUX);
  }

  /**
   * Value node of member `key` of `object` (decoded comparison, no allocation); -1 if absent. When duplicate
   * keys were allowed, the LAST one wins, as in JSON.parse and most servers.
   */
  get(object: i32, key: string): i32 {
    if (!this.isType(object, JsonType.Object)) return -1;
    // The members are walked with plain loads (this runs for every field the guard reads). An unescaped key is
    // compared to an ASCII `key` by length first, then byte for code unit; anything else takes the decoding
    // comparison.
    const nodes = this.nodesPtr;
    const count = this.nodeCount;
    const input = this.input;
    const inputLength = this.inputLength;
    const asciiKey = isAsciiString(key);
    const unique = this.uniqueKeys;
    let found = -1;
    for (let k = load<i32>(nodes + <usize>object * NODE_SIZE + N_AUX); k >= 0 && k < count; ) {
      const np = nodes + <usize>k * NODE_SIZE;
      const start = load<i32>(np + N_START) + 1;
      const end = load<i32>(np + N_END) - 1;
      if (start <= end && end <= inputLength) {
        const plain = (load<i32>(np + N_KIND) & FLAG_ESCAPES) == 0;
        if ((!plain || !asciiKey || end - start == key.length) && equalsString(input, start, end, key, plain, asciiKey)) {
          found = load<i32>(np + N_AUX);
          if (unique) break;
        }
      }
      k = load<i32>(np + N_NEXT);
    }
    return found;
  }

  /**
   * The value nodes of several members of `object` in one pass over its keys: out[k] = the value of the
   * member named by entry k of `names`, or -1 (all -1 when `object` is not an object). Cheaper than one `get`
   * per name when a message's fields are read together. With duplicates allowed, the last one wins, as in `get`.
   */
  members(object: i32, names: NameTable, out: StaticArray<i32>): void {
    const n = names.count < out.length ? names.count : out.length;
    const outPtr = changetype<usize>(out);
    for (let k = 0; k < n; k++) store<i32>(outPtr + (<usize>k << 2), -1);
    if (!this.isType(object, JsonType.Object)) return;
    const nodes = this.nodesPtr;
    const count = this.nodeCount;
    const input = this.input;
    const inputLength = this.inputLength;
    const words = names.wordsPtr;
    const lengths = names.lengthsPtr;
    for (let key = load<i32>(nodes + <usize>object * NODE_SIZE + N_AUX); key >= 0 && key < count; ) {
      const np = nodes + <usize>key * NODE_SIZE;
      const start = load<i32>(np + N_START) + 1;
      const end = load<i32>(np + N_END) - 1;
      if (start <= end && end <= inputLength) {
        const plain = (load<i32>(np + N_KIND) & FLAG_ESCAPES) == 0;
        let k = -1;
        if (plain) {
          // The usual key: its length and first 8 bytes against each name, here rather than in a call per key
          // (a longer name's remaining bytes are compared after that).
          const length = end - start;
          const w = wordOf(input, start, length < 8 ? length : 8, inputLength);
          for (let j = 0; j < n; j++) {
            if (load<i32>(lengths + (<usize>j << 2)) == length && load<u64>(words + (<usize>j << 3)) == w &&
                (length <= 8 || names.tailEquals(j, input, start))) {
              k = j;
              break;
            }
          }
        } else {
          k = names.indexOf(input, start, end, inputLength, plain);
        }
        if (k >= 0 && k < n) store<i32>(outPtr + (<usize>k << 2), load<i32>(np + N_AUX));
      }
      key = load<i32>(np + N_NEXT);
    }
  }

  /**
   * Where the content of string (or key) `node` lies, to look its bytes up without decoding them: the address
   * of its first byte (0 when `node` is not a string), and contentLength(node) bytes. The bytes are its text
   * only when hasEscapes(node) is false.
   */
  // @ts-ignore: decorator
  @inline
  contentAddress(node: i32): usize {
    if (!this.isType(node, JsonType.String)) return 0;
    return this.input + <usize>(this.field(node, N_START) + 1);
  }

  // @ts-ignore: decorator
  @inline
  contentLength(node: i32): i32 {
    if (!this.isType(node, JsonType.String)) return 0;
    const n = this.field(node, N_END) - this.field(node, N_START) - 2;
    return n < 0 ? 0 : n;
  }

  /**
   * A string without escapes of at most 7 bytes as one number: its bytes (little endian) with the length in the
   * top byte, as plainWord(text) computes it for a constant; -1 (all ones) for anything else. Compares a short
   * value such as "2.0" in one step.
   */
  // @ts-ignore: decorator
  @inline
  shortPlainWord(node: i32): u64 {
    if (!this.valid(node)) return <u64>-1;
    const kind = this.field(node, N_KIND);
    if ((kind & TYPE_MASK) != JsonType.String || (kind & FLAG_ESCAPES) != 0) return <u64>-1;
    const start = this.field(node, N_START) + 1;
    const n = this.field(node, N_END) - 1 - start;
    if (n < 0 || n > 7 || start + n > this.inputLength) return <u64>-1;
    return wordOf(this.input, start, n, this.inputLength) | (<u64>n << 56);
  }

  /** Whether `node` is a string (or key) whose decoded content equals `s`. */
  stringEquals(node: i32, s: string): bool {
    if (!this.isType(node, JsonType.String)) return false;
    const start = this.field(node, N_START) + 1;
    const end = this.field(node, N_END) - 1;
    if (start > end || end > this.inputLength) return false;
    const plain = (this.field(node, N_KIND) & FLAG_ESCAPES) == 0;
    if (plain) {
      // Without escapes each UTF-16 unit takes 1 to 3 UTF-8 bytes: a cheap length filter.
      const bytes = end - start;
      if (bytes < s.length || bytes > 3 * s.length) return false;
    }
    return equalsString(this.input, start, end, s, plain, plain && isAsciiString(s));
  }

  /** Decoded content of a string (or key) node, or null if `node` is not one. */
  getString(node: i32): string | null {
    if (!this.isType(node, JsonType.String)) return null;
    const start = this.field(node, N_START) + 1;
    const end = this.field(node, N_END) - 1;
    if (start > end || end > this.inputLength) return null;
    return decodeToString(this.input, start, end);
  }

  /** Whether a string (or key) node contains a backslash escape. */
  // @ts-ignore: decorator
  @inline
  hasEscapes(node: i32): bool {
    return this.isType(node, JsonType.String) && (this.field(node, N_KIND) & FLAG_ESCAPES) != 0;
  }

  getBool(node: i32, fallback: bool): bool {
    if (this.isType(node, JsonType.True)) return true;
    if (this.isType(node, JsonType.False)) return false;
    return fallback;
  }

  /** Value of a number node, correctly rounded like JSON.parse (±Infinity beyond the double range); NaN if not a number. */
  getNumber(node: i32): f64 {
    if (!this.isType(node, JsonType.Number)) return NaN;
    const start = this.field(node, N_START);
    const end = this.field(node, N_END);
    if (start < 0 || end > this.inputLength) return NaN;
    return numberValue(this.input, start, end);
  }

  /** Whether `node` is a number whose exact value is an integer with |v| <= 2^53 (403, 403.0, 4.03e2). */
  // @ts-ignore: decorator
  @inline
  isInteger(node: i32): bool {
    if (!this.isType(node, JsonType.Number)) return false;
    const start = this.field(node, N_START);
    const end = this.field(node, N_END);
    if (start < 0 || end > this.inputLength) return false;
    // The usual JSON-RPC id: at most 15 digits and nothing else (the grammar was checked), below 2^53.
    if (end - start <= 15 && digitsOnly(this.input, start, end)) return true;
    return numberIsSafeInteger(this.input, start, end);
  }
}

/**
 * A short table of ASCII names looked up by the raw bytes of a JSON string: each name's length and first 8 bytes
 * (one 64-bit word) are kept, so an unescaped key is recognised by its length and one load (and, beyond 8
 * bytes, a comparison of the rest); an escaped key takes the decoding comparison.
 */
export class NameTable {
  readonly count: i32;
  private words: StaticArray<u64>;
  private lengths: StaticArray<i32>;
  // Their addresses, for plain loads in JsonDocument.members.
  readonly wordsPtr: usize;
  readonly lengthsPtr: usize;

  constructor(private names: Array<string>) {
    const n = names.length;
    this.count = n;
    this.words = new StaticArray<u64>(n);
    this.lengths = new StaticArray<i32>(n);
    for (let k = 0; k < n; k++) {
      const name = names[k];
      let w: u64 = 0;
      for (let i = 0; i < name.length && i < 8; i++) w |= <u64>(name.charCodeAt(i) & 0xff) << (<u64>i << 3);
      this.words[k] = w;
      this.lengths[k] = name.length;
    }
    this.wordsPtr = changetype<usize>(this.words);
    this.lengthsPtr = changetype<usize>(this.lengths);
  }

  /** Whether the bytes from input + start + 8 are the rest of name `k` (whose length the caller checked). */
  tailEquals(k: i32, input: usize, start: i32): bool {
    const names = this.names;
    if (k < 0 || k >= names.length) return false;
    const name = names[k];
    const sp = changetype<usize>(name);
    for (let i = 8; i < name.length; i++) {
      if (<u32>load<u8>(input + <usize>(start + i)) != <u32>load<u16>(sp + (<usize>i << 1))) return false;
    }
    return true;
  }

  /**
   * Index of the name equal to the decoded content [start, end) of the `inputLength` bytes at `input`
   * (`plain`: the content has no escape), or -1.
   */
  indexOf(input: usize, start: i32, end: i32, inputLength: i32, plain: bool): i32 {
    const n = end - start;
    const count = this.count;
    if (plain && n <= 8) {
      const w = wordOf(input, start, n, inputLength);
      const words = changetype<usize>(this.words);
      const lengths = changetype<usize>(this.lengths);
      for (let k = 0; k < count; k++) {
        if (load<i32>(lengths + (<usize>k << 2)) == n && load<u64>(words + (<usize>k << 3)) == w) return k;
      }
      return -1;
    }
    const names = this.names;
    for (let k = 0; k < count && k < names.length; k++) {
      const name = names[k];
      if (plain && name.length != n) continue;
      if (equalsString(input, start, end, name, plain, true)) return k;
    }
    return -1;
  }
}

/** The `n` (<= 8) bytes at input + start as a little-endian word, zero above them; never reads past the input. */
// @ts-ignore: decorator
@inline
function wordOf(input: usize, start: i32, n: i32, inputLength: i32): u64 {
  if (n <= 0) return 0;
  if (start + 8 <= inputLength) {
    const w = load<u64>(input + <usize>start);
    return n == 8 ? w : w & ((<u64>1 << (<u64>n << 3)) - 1);
  }
  let w: u64 = 0;
  for (let i = 0; i < n; i++) w |= <u64>load<u8>(input + <usize>(start + i)) << (<u64>i << 3);
  return w;
}

/** shortPlainWord's number for an ASCII `text` of at most 7 characters (-1 for a longer one). */
export function plainWord(text: string): u64 {
  const n = text.length;
  if (n > 7) return <u64>-1;
  let w: u64 = 0;
  for (let i = 0; i < n; i++) w |= <u64>(text.charCodeAt(i) & 0xff) << (<u64>i << 3);
  return w | (<u64>n << 56);
}

/** Whether [start, end) holds only ASCII digits. */
function digitsOnly(input: usize, start: i32, end: i32): bool {
  if (start >= end) return false;
  for (let i = start; i < end; i++) {
    if (<u32>load<u8>(input + <usize>i) - 0x30 >= 10) return false;
  }
  return true;
}
