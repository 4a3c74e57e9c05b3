// Drives build/test/crypto.wasm (assembly/testing/crypto.ts): SHA-256, HMAC, hex, the ES number form, the
// canonical JSON of parsed documents and tool digests.
import { TestEntryIo, loadTestEntry } from "./helpers/test-entry.ts";

interface Exports {
  memory: WebAssembly.Memory;
  _initialize(): void;
  inputBuffer(len: number): number;
  keyBuffer(len: number): number;
  textBuffer(units: number): number;
  outputPtr(): number;
  digest(len: number): number;
  digestChunked(len: number, chunk: number): number;
  digestRepeated(len: number, count: number): number;
  digestText(units: number): number;
  digestRange(ptr: number, len: number): number;
  digestHex(len: number): number;
  hmac(keyLen: number, len: number): number;
  equals(aLen: number, bLen: number): number;
  hex(len: number): number;
  unhex(units: number): number;
  number(v: number): number;
  setLimits(maxDepth: number, recordDepth: number, rejectDuplicateKeys: number): void;
  resetLimits(): void;
  parse(len: number): number;
  root(): number;
  canonical(node: number): number;
  toolDigestOf(node: number): number;
  member(object: number, units: number): number;
  firstChild(node: number): number;
  nextSibling(node: number): number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

export const toBytes = (input: Uint8Array | string): Uint8Array =>
  typeof input === "string" ? encoder.encode(input) : input;

export class CryptoWasm extends TestEntryIo<Exports> {
  private constructor(exports: Exports, logs: string[]) {
    super(exports, logs);
  }

  static load(path = "build/test/crypto.wasm"): CryptoWasm {
    const { exports, logs } = loadTestEntry<Exports>(path);
    return new CryptoWasm(exports, logs);
  }

  putKey(input: Uint8Array | string): number {
    const bytes = toBytes(input);
    const ptr = this.x.keyBuffer(bytes.length);
    new Uint8Array(this.x.memory.buffer, ptr, bytes.length).set(bytes);
    return bytes.length;
  }

  sha256(input: Uint8Array | string): Uint8Array {
    return this.outputBytes(this.x.digest(this.putInput(input)));
  }

  sha256Chunked(input: Uint8Array | string, chunk: number): Uint8Array {
    return this.outputBytes(this.x.digestChunked(this.putInput(input), chunk));
  }

  sha256Hex(input: Uint8Array | string): string {
    return this.outputUtf16(this.x.digestHex(this.putInput(input)));
  }

  sha256Text(s: string): Uint8Array {
    return this.outputBytes(this.x.digestText(this.putText(s)));
  }

  hmac(key: Uint8Array | string, message: Uint8Array | string): Uint8Array {
    const keyLen = this.putKey(key);
    return this.outputBytes(this.x.hmac(keyLen, this.putInput(message)));
  }

  equals(a: Uint8Array, b: Uint8Array): boolean {
    const bLen = this.putKey(b);
    return this.x.equals(this.putInput(a), bLen) === 1;
  }

  toHex(bytes: Uint8Array): string {
    return this.outputUtf16(this.x.hex(this.putInput(bytes)));
  }

  fromHex(text: string): Uint8Array | null {
    const n = this.x.unhex(this.putText(text));
    return n < 0 ? null : this.outputBytes(n);
  }

  /** ECMAScript Number::toString as computed by the module ("" for NaN / infinities). */
  numberText(v: number): string {
    return new TextDecoder().decode(this.outputBytes(this.x.number(v)));
  }

  setLimits(options: { maxDepth?: number; recordDepth?: number; rejectDuplicateKeys?: boolean }): void {
    this.x.setLimits(options.maxDepth ?? 64, options.recordDepth ?? 0x7fffffff, (options.rejectDuplicateKeys ?? true) ? 1 : 0);
  }

  /** Parses JSON text (strings are UTF-8 encoded); returns the JsonError (0 = none). */
  parse(input: Uint8Array | string): number {
    return this.x.parse(this.putInput(input));
  }

  /** Canonical UTF-8 bytes of a node of the last parse (default: the root), or null. */
  canonicalBytes(node = this.x.root()): Uint8Array | null {
    const n = this.x.canonical(node);
    return n < 0 ? null : this.outputBytes(n);
  }

  /** Parses `json` and returns the canonical text of its root; null if parsing or canonicalizing fails. */
  canonical(json: Uint8Array | string): string | null {
    if (this.parse(json) !== 0) return null;
    const bytes = this.canonicalBytes();
    return bytes === null ? null : decoder.decode(bytes);
  }

  toolDigestOf(node: number): string {
    return this.outputUtf16(this.x.toolDigestOf(node));
  }

  /** Parses `json` (one tool object) and returns its digest ("" when there is none; null on a parse error). */
  toolDigest(json: Uint8Array | string): string | null {
    if (this.parse(json) !== 0) return null;
    return this.toolDigestOf(this.x.root());
  }

  member(object: number, key: string): number {
    return this.x.member(object, this.putText(key));
  }

  children(node: number): number[] {
    const out: number[] = [];
    for (let c = this.x.firstChild(node); c >= 0; c = this.x.nextSibling(c)) out.push(c);
    return out;
  }
}
