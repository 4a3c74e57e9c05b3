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
