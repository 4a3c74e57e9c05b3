// Access to the module's linear memory with the bounds checks of proxy-wasm-cpp-host (an out-of-range pointer
// is INVALID_MEMORY_ACCESS, never a host crash), and the "return data" protocol: the host asks the module's
// allocator for memory, copies the data there and writes (pointer, size) to the two result pointers.
import { WasmResult } from "./abi.ts";

export class ModuleMemory {
  constructor(
    private readonly memory: () => WebAssembly.Memory,
    /** Calls the module's allocator; 0 on failure. */
    private readonly allocate: (size: number) => number,
  ) {}

  get byteLength(): number {
    return this.memory().buffer.byteLength;
  }

  private inRange(ptr: number, len: number): boolean {
    return ptr >= 0 && len >= 0 && ptr + len <= this.memory().buffer.byteLength;
  }

  /** A copy of `len` bytes at `ptr`, or null when out of range. */
  read(ptr: number, len: number): Uint8Array | null {
    if (!this.inRange(ptr, len)) return null;
    return new Uint8Array(this.memory().buffer, ptr, len).slice();
  }

  write(ptr: number, data: Uint8Array): boolean {
    if (!this.inRange(ptr, data.length)) return false;
    new Uint8Array(this.memory().buffer, ptr, data.length).set(data);
    return true;
  }

  writeU32(ptr: number, value: number): boolean {
    if (!this.inRange(ptr, 4)) return false;
    new DataView(this.memory().buffer).setUint32(ptr, value >>> 0, true);
    return true;
  }

  writeU64(ptr: number, value: bigint): boolean {
    if (!this.inRange(ptr, 8)) return false;
    new DataView(this.memory().buffer).setBigUint64(ptr, BigInt.asUintN(64, value), true);
    return true;
  }

  readU32(ptr: number): number | null {
    if (!this.inRange(ptr, 4)) return null;
    return new DataView(this.memory().buffer).getUint32(ptr, true);
  }

  /**
   * copyToPointerSize: empty data writes (0, 0) without allocating; otherwise the module's allocator is
   * called and the data copied into the block it returns.
   */
  copyOut(data: Uint8Array, ptrPtr: number, sizePtr: number): number {
    let address = 0;
    if (data.length > 0) {
      address = this.allocate(data.length);
      if (address === 0 || !this.write(address, data)) return WasmResult.InvalidMemoryAccess;
    }
    if (!this.writeU32(ptrPtr, address) || !this.writeU32(sizePtr, data.length)) return WasmResult.InvalidMemoryAccess;
    return WasmResult.Ok;
  }
}
