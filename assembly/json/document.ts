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
    return load<i32>(this.nodes.ptr + <usize>node * NODE_SIZE + offset);
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
    const nodes = this.nodes.ptr;
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
  isInteger(node: i32): bool {
    if (!this.isType(node, JsonType.Number)) return false;
    const start = this.field(node, N_START);
    const end = this.field(node, N_END);
    if (start < 0 || end > this.inputLength) return false;
    return numberIsSafeInteger(this.input, start, end);
  }
}
