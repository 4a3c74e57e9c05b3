// A reusable, geometrically grown block of bytes. The reader and the writer keep their tables in these so that
// a warm filter allocates nothing per request: storage is grown when a bigger document arrives and never shrunk.

const MIN_CAPACITY: i32 = 64;

export class ByteBuffer {
  /** Owning reference (keeps the block alive for the GC); `ptr` is its data address, cached for load/store. */
  private data: ArrayBuffer;
  ptr: usize;
  capacity: i32;

  constructor(initialCapacity: i32 = MIN_CAPACITY) {
    const capacity = initialCapacity < MIN_CAPACITY ? MIN_CAPACITY : initialCapacity;
    this.data = new ArrayBuffer(capacity);
    this.ptr = changetype<usize>(this.data);
    this.capacity = capacity;
  }

  /**
   * Makes room for at least `needed` bytes, keeping the first `keep` bytes. Callers bound `needed` by their
   * limits (document size, maxValues, maxDepth), so the growth here is bounded too. Returns false only for a
   * request that cannot be represented (negative or above 1 GiB), which callers treat as "too large".
   */
  ensure(needed: i32, keep: i32): bool {
    if (needed <= this.capacity) return true;
    if (needed < 0 || needed > (1 << 30)) return false;
    // Doubling keeps a run of small steps linear in total; a step that already knows its size (a table sized
    // from the document, a name list reserved from the configuration) gets exactly that, not the next power of
    // two above it: at VM start that is the difference between a 240 KB and a 393 KB node table.
    const doubled = this.capacity <= (1 << 29) ? this.capacity << 1 : (1 << 30);
    const capacity = needed > doubled ? needed : doubled;
    const grown = new ArrayBuffer(capacity);
    const copy = keep < 0 ? 0 : (keep > this.capacity ? this.capacity : keep);
    memory.copy(changetype<usize>(grown), this.ptr, <usize>copy);
    this.data = grown;
    this.ptr = changetype<usize>(grown);
    this.capacity = capacity;
    return true;
  }
}

/** Whether [ptr, ptr + len) lies inside linear memory: reading outside it would trap. */
export function inMemory(ptr: usize, len: i32): bool {
  return len >= 0 && <u64>ptr + <u64>len <= (<u64>memory.size() << 16);
}
