// Memory shared with the host.
//
// Out-params: host functions write their results (a pointer and a size, a u32 token or id, a u64 value) into
// memory the module names. We use one static block for that (`memory.data`), reused by every call: no
// allocation per call, and nothing the GC could move or collect.
//
// Host-returned bytes: when a host function returns data, the host first calls proxy_on_memory_allocate, copies
// the data there and writes (pointer, size) into the out-params. That memory comes from `heap.alloc`, which the
// GC does not manage, so the wrapper copies it into a managed ArrayBuffer and frees it at once. The pointers we
// hand out are recorded, and only recorded pointers are ever freed: a host that wrote some other pointer into
// the out-params cannot make us corrupt the allocator (freeing a foreign pointer is undefined behaviour).

/** Out-param words: pointer, size, a third u32 (token, id, cas, status code, log level), and a u64. */
const OUT: usize = memory.data(24, 8);
export const OUT_PTR: usize = OUT;
export const OUT_SIZE: usize = OUT + 4;
export const OUT_U32: usize = OUT + 8;
export const OUT_U64: usize = OUT + 16;

/** Clears the out-params so a host that answers Ok without writing them yields "empty", not stale data. */
export function resetOut(): void {
  store<u64>(OUT, 0);
  store<u64>(OUT, 0, 8);
  store<u64>(OUT, 0, 16);
}

/** Host allocations not yet released: (pointer u32, size u32) records. One host call allocates at most one or
 * two blocks; a small fixed table is enough, and when it is full further requests fail (return 0) rather than
 * leak untracked memory. */
const MAX_PENDING: i32 = 16;
const PENDING: usize = memory.data(MAX_PENDING * 8, 4);
let pendingCount: i32 = 0;

/** Largest single block the host may ask for. Above it proxy_on_memory_allocate answers 0 (the host reports
 * InvalidMemoryAccess) instead of letting the allocator trap on a huge request. */
let maxHostAllocation: usize = 64 << 20;

/** Hard ceiling for the limit: keeps every copy (and a UTF-16 string decoded from it, twice as large) below the
 * allocator's largest block, whose overflow would abort. */
const HOST_ALLOCATION_CEILING: usize = 256 << 20;

/** Changes the limit on one host allocation (default 64 MiB, at most 256 MiB). Bodies the filter reads must
 * fit under it. */
export function setMaxHostAllocation(bytes: usize): void {
  maxHostAllocation = bytes < HOST_ALLOCATION_CEILING ? bytes : HOST_ALLOCATION_CEILING;
}

/** Body of proxy_on_memory_allocate. The host calls this in a restricted mode where most host functions are
 * refused, so it must not log. Returns 0 on refusal, which the spec defines as failure. */
export function allocateForHost(size: usize): usize {
  if (size > maxHostAllocation || pendingCount >= MAX_PENDING) return 0;
  const ptr = heap.alloc(size > 0 ? size : 1);
  const record = PENDING + (<usize>pendingCount << 3);
  store<u32>(record, <u32>ptr);
  store<u32>(record, <u32>size, 4);
  pendingCount++;
  return ptr;
}

/** Frees every block handed to the host since the last release. Called by every wrapper once it has copied
 * what it needs, including on failure paths (a host may allocate and then fail). */
export function releaseHostAllocations(): void {
  for (let i: i32 = 0; i < pendingCount; i++) {
    heap.free(<usize>load<u32>(PENDING + (<usize>i << 3)));
  }
  pendingCount = 0;
}

/** Number of host blocks not yet freed (0 between host calls; exposed for tests). */
export function pendingHostAllocations(): i32 {
  return pendingCount;
}

/** True when [ptr, ptr + size) lies inside linear memory, so reading it cannot trap. */
export function inMemory(ptr: usize, size: usize): bool {
  const end = <u64>ptr + <u64>size;
  return end <= (<u64>memory.size() << 16);
}

/** True when a (pointer, size) pair from the host can be read: non-null, within the allocation limit, inside
 * linear memory. */
export function hostBlockReadable(ptr: usize, size: usize): bool {
  return ptr != 0 && size <= maxHostAllocation && inMemory(ptr, size);
}

/** Copies the (pointer, size) pair the host wrote into the out-params into a managed ArrayBuffer, then frees the
 * host's block(s). Returns null when the pair does not describe readable memory (a broken host), never traps.
 * A zero size gives an empty buffer whatever the pointer (hosts write pointer 0 for empty results). */
export function takeHostBytes(): ArrayBuffer | null {
  const ptr = <usize>load<u32>(OUT_PTR);
  const size = <usize>load<u32>(OUT_SIZE);
  let copy: ArrayBuffer | null = null;
  if (size == 0) {
    copy = new ArrayBuffer(0);
  } else if (hostBlockReadable(ptr, size)) {
    const bytes = new ArrayBuffer(<i32>size);
    memory.copy(changetype<usize>(bytes), ptr, size);
    copy = bytes;
  }
  releaseHostAllocations();
  return copy;
}
