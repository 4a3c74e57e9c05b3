// Drives build/test/json.wasm (assembly/testing/json.ts) from tests: bytes in, results out, plus a canonical
// structural form so our parse can be compared with JSON.parse.
import { TestEntryIo, loadTestEntry } from "./helpers/test-entry.ts";

export enum JsonType { Absent = -1, Null = 0, False = 1, True = 2, Number = 3, String = 4, Array = 5, Object = 6 }
export enum JsonError {
  None = 0, Empty, ByteOrderMark, UnexpectedByte, UnexpectedEnd, TrailingContent, InvalidUtf8,
  InvalidEscape, LoneSurrogate, ControlCharacter, InvalidNumber, TooDeep, TooLarge, TooManyValues, DuplicateKey,
}

/** Everything build/test/json.wasm (assembly/testing/json.ts) exports; bench/ uses the same entry. */
export interface JsonEntryExports {
  memory: WebAssembly.Memory;
  _initialize(): void;
  inputBuffer(len: number): number;
  textBuffer(units: number): number;
  outputPtr(): number;
  setLimits(maxBytes: number, maxDepth: number, maxValues: number, recordDepth: number, rejectDup: number): void;
  resetLimits(): void;
  parse(len: number): number;
  parseRange(ptr: number, len: number): number;
  parseText(units: number): number;
  parseBytesCopy(len: number): number;
  parseOther(len: number): number;
  lastError(): number;
  errorOffset(): number;
  root(): number;
  nodeTableSize(): number;
  type(node: number): number;
  isType(node: number, t: number): number;
  isKey(node: number): number;
  start(node: number): number;
  end(node: number): number;
  length(node: number): number;
  firstChild(node: number): number;
  nextSibling(node: number): number;
  keyValue(node: number): number;
  hasEscapes(node: number): number;
  getBool(node: number, fallback: number): number;
  getNumber(node: number): number;
  isInteger(node: number): number;
  getString(node: number): number;
  get(object: number, keyUnits: number): number;
  stringEquals(node: number, units: number): number;
  rawBytes(node: number): number;
  errorMessage(e: number): number;
  wReset(): void;
  wBeginObject(): void;
  wEndObject(): void;
  wBeginArray(): void;
  wEndArray(): void;
  wKey(units: number): void;
  wString(units: number): void;
  wStringBytes(len: number): void;
  wRawRange(len: number): void;
  wStringBytesAt(ptr: number, len: number): void;
  wRawRangeAt(ptr: number, len: number): void;
  wRawNode(node: number): void;
  wInteger(v: bigint): void;
  wNumber(v: number): void;
  wBool(b: number): void;
  wNull(): void;
  wMisused(): number;
  wByteLength(): number;
  wOutput(): number;
  wOutputString(): number;
  quote(units: number): number;
}

/** Structural form shared by our reader and JSON.parse: object members sorted by key. */
export type Canonical = null | boolean | number | string | Canonical[] | { members: Array<[string, Canonical]> };

export interface LimitOptions {
  maxBytes?: number;
  maxDepth?: number;
  maxValues?: number;
  recordDepth?: number;
  rejectDuplicateKeys?: boolean;
}

export class JsonWasm extends TestEntryIo<JsonEntryExports> {
  private constructor(exports: JsonEntryExports, logs: string[]) {
    super(exports, logs);
  }

  static load(path = "build/test/json.wasm"): JsonWasm {
    const { exports, logs } = loadTestEntry<JsonEntryExports>(path);
    return new JsonWasm(exports, logs);
  }

  setLimits(options: LimitOptions): void {
    this.x.setLimits(
      options.maxBytes ?? 1 << 20,
      options.maxDepth ?? 64,
      options.maxValues ?? 1 << 20,
      options.recordDepth ?? 0x7fffffff,
      (options.rejectDuplicateKeys ?? true) ? 1 : 0,
    );
  }

  resetLimits(): void {
    this.x.resetLimits();
  }

  /** Parses bytes (strings are UTF-8 encoded); returns the JsonError. */
  parse(input: Uint8Array | string): JsonError {
    return this.x.parse(this.putInput(input));
  }

  getString(node: number): string | null {
    const units = this.x.getString(node);
    return units < 0 ? null : this.outputUtf16(units);
  }

  get(object: number, key: string): number {
    return this.x.get(object, this.putText(key));
  }

  stringEquals(node: number, s: string): boolean {
    return this.x.stringEquals(node, this.putText(s)) === 1;
  }

  rawText(node: number): string {
    return new TextDecoder().decode(this.outputBytes(this.x.rawBytes(node)));
  }

  errorMessage(e: JsonError): string {
    return this.outputUtf16(this.x.errorMessage(e));
  }

  /** Children of a container (for objects: key nodes). */
  children(node: number): number[] {
    const out: number[] = [];
    for (let c = this.x.firstChild(node); c >= 0; c = this.x.nextSibling(c)) out.push(c);
    return out;
  }

  /** Canonical form of a stored subtree. */
  canonical(node: number): Canonical {
    switch (this.x.type(node) as JsonType) {
      case JsonType.Null: return null;
      case JsonType.False: return false;
      case JsonType.True: return true;
      case JsonType.Number: return this.x.getNumber(node);
      case JsonType.String: return this.getString(node);
      case JsonType.Array: return this.children(node).map((c) => this.canonical(c));
      case JsonType.Object: {
        const members: Array<[string, Canonical]> = this.children(node).map((k) => [
          this.getString(k) ?? "<not a string>",
          this.canonical(this.x.keyValue(k)),
        ]);
        return { members: members.sort(byKey) };
      }
      default: return "<absent node>";
    }
  }

  // ---- writer ----
  writerOutput(): string {
    return new TextDecoder("utf-8", { fatal: true }).decode(this.outputBytes(this.x.wOutput()));
  }
}

/** Canonical form of a JSON.parse result (own properties, including "__proto__"). */
export function canonicalOf(value: unknown): Canonical {
  if (value === null || typeof value === "boolean" || typeof value === "number" || typeof value === "string") {
    return value;
  }
  if (Array.isArray(value)) return value.map(canonicalOf);
  const record = value as Record<string, unknown>;
  const members: Array<[string, Canonical]> = Object.keys(record).map((k) => [k, canonicalOf(record[k])]);
  return { members: members.sort(byKey) };
}

function byKey(a: [string, Canonical], b: [string, Canonical]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/** Deterministic PRNG (mulberry32) for tests that want plain seeded randomness. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Bytes that make JSON mutations interesting: structure, quotes and escapes, number characters, and UTF-8 lead and
// continuation bytes at the edges of what is valid.
const INTERESTING_BYTES = [
  0x00, 0x09, 0x0a, 0x1f, 0x20, 0x22, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x39, 0x3a, 0x45, 0x5b, 0x5c,
  0x5d, 0x65, 0x66, 0x6e, 0x74, 0x75, 0x7b, 0x7d, 0x7f, 0x80, 0xa0, 0xbf, 0xc0, 0xc2, 0xc3, 0xe0, 0xe2, 0xed,
  0xef, 0xf0, 0xf4, 0xf5, 0xff,
];
const INSERTED_TEXTS = ["\\u", "\\ud83d", "\\udc00", ",", '"a":1', "e9", "-", "0"];

/** One to three random byte-level mutations of a JSON text, in place: overwrite, insert, delete, repeat a slice, insert an escape or a fragment. */
export function mutateJsonBytes(bytes: number[], rnd: () => number): number[] {
  const pick = (n: number): number => Math.floor(rnd() * n);
  const mutations = 1 + pick(3);
  for (let m = 0; m < mutations; m++) {
    const at = pick(bytes.length + 1);
    const b = rnd() < 0.8 ? INTERESTING_BYTES[pick(INTERESTING_BYTES.length)]! : pick(256);
    switch (pick(5)) {
      case 0: if (at < bytes.length) bytes[at] = b; break;
      case 1: bytes.splice(at, 0, b); break;
      case 2: bytes.splice(at, 1 + pick(3)); break;
      case 3: { // copy a slice elsewhere (can repeat keys, members, escapes)
        const from = pick(bytes.length + 1);
        bytes.splice(at, 0, ...bytes.slice(from, from + 1 + pick(12)));
        break;
      }
      default: bytes.splice(at, 0, ...new TextEncoder().encode(INSERTED_TEXTS[pick(INSERTED_TEXTS.length)]!));
    }
  }
  return bytes;
}
