// A growable byte sequence for building rewritten bodies and carrying partial SSE events between chunks.
// Storage is kept between uses (clear() does not free), so a warm stream allocates nothing.
import { ByteBuffer } from "../json/buffer";

export class Bytes {
  private buffer: ByteBuffer = new ByteBuffer(256);
  length: i32 = 0;

  get ptr(): usize {
    return this.buffer.ptr;
  }

  clear(): void {
    this.length = 0;
  }

  // Appends [ptr, ptr + len); false when the total would exceed 1 GiB (callers bound sizes far below that).
  append(ptr: usize, len: i32): bool {
    if (len <= 0) return true;
    const needed = this.length + len;
    if (needed < 0 || !this.buffer.ensure(needed, this.length)) return false;
    memory.copy(this.buffer.ptr + <usize>this.length, ptr, <usize>len);
    this.length = needed;
    return true;
  }

  appendBuffer(data: ArrayBuffer): bool {
    return this.append(changetype<usize>(data), data.byteLength);
  }

  appendString(text: string): bool {
    return this.appendBuffer(String.UTF8.encode(text));
  }

  appendByte(b: u8): bool {
    if (!this.buffer.ensure(this.length + 1, this.length)) return false;
    store<u8>(this.buffer.ptr + <usize>this.length, b);
    this.length++;
    return true;
  }

  // Removes the first n bytes, keeping the rest (a partial event carried to the next chunk).
  dropFront(n: i32): void {
    if (n <= 0) return;
    if (n >= this.length) {
      this.length = 0;
      return;
    }
    memory.copy(this.buffer.ptr, this.buffer.ptr + <usize>n, <usize>(this.length - n));
    this.length -= n;
  }

  toArrayBuffer(): ArrayBuffer {
    const out = new ArrayBuffer(this.length);
    memory.copy(changetype<usize>(out), this.buffer.ptr, <usize>this.length);
    return out;
  }
}
