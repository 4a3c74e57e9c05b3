// Loads the AssemblyScript entries the benchmark drives directly (no proxy-wasm host): the response-path filter
// (assembly/testing/list_filter.ts), allowlist matching (assembly/testing/name_list.ts) and the json-as
// comparison (assembly/testing/json-as/compare.ts). Bytes go in through each entry's input buffer.
import { readFileSync } from "node:fs";

const decoder = new TextDecoder();
const encoder = new TextEncoder();
const NOTHING = new Uint8Array(0);

interface EntryExports {
  memory: WebAssembly.Memory;
  _initialize(): void;
  inputBuffer(len: number): number;
}

/** Instantiates an entry whose only import is env.proxy_log (messages go to stderr) and runs _initialize. */
export function instantiateEntry<T extends EntryExports>(path: string): T {
  const module = new WebAssembly.Module(readFileSync(path));
  let memory: WebAssembly.Memory | undefined;
  const instance = new WebAssembly.Instance(module, {
    env: {
      proxy_log: (_level: number, ptr: number, len: number) => {
        if (memory) process.stderr.write(decoder.decode(new Uint8Array(memory.buffer, ptr, len)) + "\n");
        return 0;
      },
    },
  });
  const exports = instance.exports as unknown as T;
  memory = exports.memory;
  exports._initialize();
  return exports;
}

/** Copies bytes into the entry's input buffer, as the host's proxy_get_buffer_bytes would. */
export function writeInput(exports: EntryExports, bytes: Uint8Array): void {
  const ptr = exports.inputBuffer(bytes.byteLength);
  new Uint8Array(exports.memory.buffer, ptr, bytes.byteLength).set(bytes);
}

/** assembly/testing/json.ts (the reader's test entry), described once, beside the tests that drive it. */
export type { JsonEntryExports } from "../test/json-harness.ts";

interface ListFilterExports extends EntryExports {
  configure(len: number): number;
  filterJson(len: number): number;
  sseReset(): void;
  sseChunk(len: number, final: number): number;
  outputPtr(): number;
  outputLength(): number;
  kept(): number;
}

export enum FilterOutcome { Unchanged = 0, Rewritten = 1, Unparseable = 2, Dropped = 3 }

export class ListFilterWasm {
  private constructor(private readonly x: ListFilterExports) {}

  static load(path: string): ListFilterWasm {
    return new ListFilterWasm(instantiateEntry<ListFilterExports>(path));
  }

  configure(policy: object): void {
    const bytes = encoder.encode(JSON.stringify(policy));
    writeInput(this.x, bytes);
    if (!this.x.configure(bytes.byteLength)) throw new Error("list filter: invalid policy");
  }

  /** Filters a JSON body; returns the outcome (the new body is in output() when Rewritten). */
  filterJson(body: Uint8Array): FilterOutcome {
    writeInput(this.x, body);
    return this.x.filterJson(body.byteLength);
  }

  /**
   * Runs a whole event stream through the filter, chunk by chunk, copying out what each chunk lets through (as
   * the host does); returns the number of bytes passed on.
   */
  filterSse(chunks: readonly Uint8Array[], onOutput?: (bytes: Uint8Array) => void): number {
    this.x.sseReset();
    let total = 0;
    chunks.forEach((chunk, i) => {
      writeInput(this.x, chunk);
      this.x.sseChunk(chunk.byteLength, i === chunks.length - 1 ? 1 : 0);
      const out = this.output();
      total += out.byteLength;
      onOutput?.(out);
    });
    return total;
  }

  /** Copy of the bytes the last call produced. */
  output(): Uint8Array {
    // A chunk that only completes part of an event lets nothing through: no copy for it, as a host would make none.
    const length = this.x.outputLength();
    return length === 0 ? NOTHING : new Uint8Array(this.x.memory.buffer, this.x.outputPtr(), length).slice();
  }

  kept(): number {
    return this.x.kept();
  }

  memoryBytes(): number {
    return this.x.memory.buffer.byteLength;
  }
}

interface NameListExports extends EntryExports {
  build(size: number, probes: number): void;
  matchAll(rounds: number): number;
}

export class NameListWasm {
  private constructor(private readonly x: NameListExports) {}

  static load(path: string): NameListWasm {
    return new NameListWasm(instantiateEntry<NameListExports>(path));
  }

  /** An allowlist of `size` exact names, probed by `probes` names (half of them in the list). */
  build(size: number, probes: number): void {
    this.x.build(size, probes);
  }

  matchAll(rounds: number): number {
    return this.x.matchAll(rounds);
  }
}

interface JsonAsExports extends EntryExports {
  configure(len: number): void;
  decideTyped(len: number): number;
  decideDynamic(len: number): number;
  filterTools(len: number): number;
  outputPtr(): number;
}

export class JsonAsWasm {
  private constructor(private readonly x: JsonAsExports) {}

  static load(path: string): JsonAsWasm {
    return new JsonAsWasm(instantiateEntry<JsonAsExports>(path));
  }

  /** Exact tool names only (the comparison entry has no globs). */
  configure(names: readonly string[]): void {
    const bytes = encoder.encode(names.join("\n"));
    writeInput(this.x, bytes);
    this.x.configure(bytes.byteLength);
  }

  decideTyped(body: Uint8Array): boolean {
    writeInput(this.x, body);
    return this.x.decideTyped(body.byteLength) === 1;
  }

  decideDynamic(body: Uint8Array): boolean {
    writeInput(this.x, body);
    return this.x.decideDynamic(body.byteLength) === 1;
  }

  /** tools/list rewrite; returns the length of the rewritten body. */
  filterTools(body: Uint8Array): number {
    writeInput(this.x, body);
    return this.x.filterTools(body.byteLength);
  }

  output(len: number): Uint8Array {
    return new Uint8Array(this.x.memory.buffer, this.x.outputPtr(), len).slice();
  }

  memoryBytes(): number {
    return this.x.memory.buffer.byteLength;
  }
}
