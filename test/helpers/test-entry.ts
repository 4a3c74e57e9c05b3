// Instantiates an AssemblyScript test entry (build/test/<name>.wasm, see assembly/testing/): its only import is
// env.proxy_log from the abort handler, whose messages are collected so a test can see the module never aborted.
import { readFileSync } from "node:fs";

export interface TestEntryExports {
  memory: WebAssembly.Memory;
  _initialize(): void;
}

export function loadTestEntry<X extends TestEntryExports>(path: string): { exports: X; logs: string[] } {
  const logs: string[] = [];
  let memory: WebAssembly.Memory | undefined;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(path)), {
    env: {
      proxy_log: (_level: number, ptr: number, len: number): number => {
        if (memory) logs.push(new TextDecoder().decode(new Uint8Array(memory.buffer, ptr, len)));
        return 0;
      },
    },
  });
  const exports = instance.exports as unknown as X;
  memory = exports.memory;
  exports._initialize();
  return { exports, logs };
}

/** The boundary every entry exports (assembly/testing/shared/io.ts). */
export interface TestEntryIoExports extends TestEntryExports {
  inputBuffer(len: number): number;
  textBuffer(units: number): number;
  outputPtr(): number;
}

/** Copies in and out of an entry's boundary buffers; the harnesses of each entry extend it. */
export class TestEntryIo<X extends TestEntryIoExports> {
  protected constructor(readonly x: X, readonly logs: string[]) {}

  /** Copies bytes (strings UTF-8 encoded) into the input buffer; returns their count. */
  putInput(input: Uint8Array | string): number {
    const bytes = typeof input === "string" ? new TextEncoder().encode(input) : input;
    const ptr = this.x.inputBuffer(bytes.length);
    new Uint8Array(this.x.memory.buffer, ptr, bytes.length).set(bytes);
    return bytes.length;
  }

  /** Copies a JS string (UTF-16, lone surrogates kept) into the text buffer; returns its unit count. */
  putText(s: string): number {
    const ptr = this.x.textBuffer(s.length);
    const view = new Uint16Array(this.x.memory.buffer, ptr, s.length);
    for (let i = 0; i < s.length; i++) view[i] = s.charCodeAt(i);
    return s.length;
  }

  outputBytes(len: number): Uint8Array {
    return new Uint8Array(this.x.memory.buffer, this.x.outputPtr(), len).slice();
  }

  outputUtf16(units: number): string {
    const view = new Uint16Array(this.x.memory.buffer, this.x.outputPtr(), units);
    let s = "";
    for (let i = 0; i < units; i += 4096) s += String.fromCharCode(...view.subarray(i, i + 4096));
    return s;
  }
}
