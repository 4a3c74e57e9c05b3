// Byte helpers and ByteBuffer, a growable byte buffer with the operations Envoy's Buffer::Instance offers to
// the wasm filter (append, prepend, drain from the front).

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8");

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Lossy UTF-8 decoding (invalid sequences become U+FFFD), like reading the bytes as text. */
export function fromUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

export function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === "string" ? utf8(data) : data;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export class ByteBuffer {
  private data: Uint8Array;
  private used = 0;

  constructor(initial?: Uint8Array) {
    this.data = new Uint8Array(Math.max(64, initial?.length ?? 0));
    if (initial) this.append(initial);
  }

  get length(): number {
    return this.used;
  }

  /** A view of the current contents; valid until the next change. */
  view(): Uint8Array {
    return this.data.subarray(0, this.used);
  }

  /** A copy of `length` bytes from `start` (clamped). */
  copy(start = 0, length = this.used - start): Uint8Array {
    const from = Math.min(start, this.used);
    const to = Math.min(this.used, from + Math.max(0, length));
    return this.data.slice(from, to);
  }

  append(bytes: Uint8Array): void {
    this.reserve(this.used + bytes.length);
    this.data.set(bytes, this.used);
    this.used += bytes.length;
  }

  prepend(bytes: Uint8Array): void {
    this.reserve(this.used + bytes.length);
    this.data.copyWithin(bytes.length, 0, this.used);
    this.data.set(bytes, 0);
    this.used += bytes.length;
  }

  /** Removes up to `count` bytes from the front. */
  drain(count: number): void {
    const n = Math.min(count, this.used);
    this.data.copyWithin(0, n, this.used);
    this.used -= n;
  }

  /** Moves all bytes out (Envoy's Buffer::move): returns them and leaves this buffer empty. */
  take(): Uint8Array {
    const out = this.data.slice(0, this.used);
    this.used = 0;
    return out;
  }

  private reserve(size: number): void {
    if (size <= this.data.length) return;
    let capacity = this.data.length * 2;
    while (capacity < size) capacity *= 2;
    const next = new Uint8Array(capacity);
    next.set(this.data.subarray(0, this.used));
    this.data = next;
  }
}
