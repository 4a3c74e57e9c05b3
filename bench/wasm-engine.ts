// Loads assembly/testing/engine.ts (the pure request engine, no proxy-wasm ABI) and drives it from Node.
// Shared by the benchmark and the engine's own tests.
import { instantiateEntry, writeInput } from "./wasm-entries.ts";

interface EngineExports {
  memory: WebAssembly.Memory;
  _initialize(): void;
  inputBuffer(len: number): number;
  configure(len: number): number;
  decide(len: number): number;
  lastReason(): number;
  lastReply(): number;
  configError(): number;
  __collect?: () => void;
}

const decoder = new TextDecoder();

export class WasmEngine {
  private constructor(private readonly exports: EngineExports) {}

  static load(path: string): WasmEngine {
    return new WasmEngine(instantiateEntry<EngineExports>(path));
  }

  /** Copies bytes into the module's input buffer, as the host's proxy_get_buffer_bytes would. */
  write(bytes: Uint8Array): void {
    writeInput(this.exports, bytes);
  }

  configure(policy: object): void {
    const bytes = new TextEncoder().encode(JSON.stringify(policy));
    this.write(bytes);
    if (!this.exports.configure(bytes.byteLength)) throw new Error(this.readOut(this.exports.configError()));
  }

  /** Copies the body in and decides; true = allow. */
  decide(body: Uint8Array): boolean {
    this.write(body);
    return this.exports.decide(body.byteLength) === 1;
  }

  lastReason(): string {
    return this.readOut(this.exports.lastReason());
  }

  lastReply(): string {
    return this.readOut(this.exports.lastReply());
  }

  memoryBytes(): number {
    return this.exports.memory.buffer.byteLength;
  }

  /** Runs a full garbage collection (for builds with the minimal runtime, which never collects on its own). */
  collect(): void {
    this.exports.__collect?.();
  }

  private readOut(len: number): string {
    const ptr = this.exports.inputBuffer(0);
    return decoder.decode(new Uint8Array(this.exports.memory.buffer, ptr, len));
  }
}
