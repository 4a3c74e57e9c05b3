// When the garbage collector runs.
//
// The module is built with AssemblyScript's `minimal` runtime: the same TLSF allocator and mark & sweep
// collector as the `incremental` one, but the collector runs only when `__collect()` is called, and it finds
// live objects from globals alone. That is why the incremental runtime has to maintain a shadow stack around
// every call that may allocate (it roughly doubles the code: 175 KB against 114 KB for this filter), and why the
// minimal one does not — provided `__collect()` only ever runs when no reference lives on the wasm stack.
//
// Such a moment is the end of an exported callback that was not called from inside another one: everything the
// filter keeps is reachable from the context registry (a global), and every local of the callback is dead. The
// proxy-wasm exports call `enterCallback()` first and `leaveCallback()` last; the depth count makes a callback
// that the host runs from inside another one (e.g. a response callback triggered by `proxy_continue_stream`)
// leave the collection to the outer one.
//
// How often: a full collection marks every live object (a 10,000-name allowlist is ~20,000 of them), so it
// must not run after every callback. The garbage a callback leaves is bounded by what it read from the host
// (bodies, headers, properties: every such copy passes through proxy_on_memory_allocate) plus a fixed amount
// (log lines, audit records, replies). Both are charged to a budget; the collection runs at the first safe
// moment after the budget is spent, or after the heap had to grow (the allocator doubles linear memory when it
// is full, so collecting then keeps memory from growing again for garbage alone). The budget is half the heap
// (at least 512 KiB, at most 16 MiB), so a large live heap is marked less often.

/** Charged for every callback: the garbage that does not depend on input size (log lines, audit records,
 * local replies, header values). */
const CALLBACK_CHARGE: usize = 2 << 10;

/** Charged per byte the host copies in: the copy, its UTF-16 decoding where a string is made of it, and what
 * is built from it (a rewritten list, a parsed document's tables). */
const BYTE_CHARGE: usize = 4;

/** Garbage allowed between two collections: half the heap the last collection left, within these bounds.
 * A collection marks everything live, so the budget grows with the heap (3 MB with a 10,000-name allowlist):
 * the collector's work per byte allocated stays the same whatever the configuration. Half the heap, because
 * garbage up to the budget then still fits into the heap's free half without growing it. */
const MIN_BUDGET: usize = 512 << 10;
const MAX_BUDGET: usize = 16 << 20;
let budget: usize = MIN_BUDGET;

/** `ASC_RUNTIME` of the minimal runtime (`Runtime.Minimal` in the standard library). With the incremental one
 * (some test builds) the collector runs by itself and nothing here collects. */
const MINIMAL_RUNTIME: i32 = 1;

let depth: i32 = 0;
let charged: usize = 0;
let pagesAtLastCollection: i32 = memory.size();
let collections: u32 = 0;

/** First statement of every exported callback. */
export function enterCallback(): void {
  depth++;
}

/** Last statement of every exported callback, after its result is computed: collects garbage when the budget
 * is spent or the heap grew, unless another callback is still running below this one. */
export function leaveCallback(): void {
  if (depth > 0) depth--;
  charged += CALLBACK_CHARGE;
  if (depth != 0 || ASC_RUNTIME != MINIMAL_RUNTIME) return;
  if (charged < budget && memory.size() == pagesAtLastCollection) return;
  __collect();
  charged = 0;
  pagesAtLastCollection = memory.size();
  const half = (<usize>pagesAtLastCollection << 16) >> 1;
  budget = half < MIN_BUDGET ? MIN_BUDGET : half > MAX_BUDGET ? MAX_BUDGET : half;
  collections++;
}

/** proxy_on_memory_allocate: the host is about to copy `size` bytes in. */
export function chargeHostBytes(size: usize): void {
  charged += size * BYTE_CHARGE;
}

/** Collections so far (for tests and the soak). */
export function collectionCount(): u32 {
  return collections;
}
