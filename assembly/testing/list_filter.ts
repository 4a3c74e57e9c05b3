// Benchmark entry for the response path without the proxy-wasm ABI: mcp/list_filter.ts on a JSON body, and the
// same filter behind mcp/sse.ts on an event stream given chunk by chunk, the way guard/response.ts drives them
// (complete events are cut out of the chunk or, after a partial one, of a carry buffer; each message event's data
// is filtered, the rest is copied).
// The caller writes bytes into the input buffer, calls, and reads the result at outputPtr().
import { Bytes } from "../mcp/bytes";
import { FilterOutcome, ServerMessageFilter } from "../mcp/list_filter";
import { SseEvent, SseEventSplitter, parseSseEvent, writeSseEventWithData } from "../mcp/sse";
import { parseConfig } from "../policy/config";
import { chargeHostBytes, enterCallback, leaveCallback } from "../abi/collector";

let input = new ArrayBuffer(1024);
let filter: ServerMessageFilter | null = null;
let output: Bytes = new Bytes();
const carry = new Bytes();
const event = new SseEvent();
// Finds the events in `carry`, as guard/response.ts does.
const splitter = new SseEventSplitter();
let outputFromFilter = false;

// Returns a pointer to an input buffer of at least `len` bytes, valid until the next call.
export function inputBuffer(len: i32): usize {
  if (input.byteLength < len) input = new ArrayBuffer(len);
  return changetype<usize>(input);
}

// Configures from the JSON policy in the input buffer; false when it is invalid.
export function configure(len: i32): bool {
  const config = parseConfig(changetype<usize>(input), len).config;
  if (config === null) return false;
  filter = new ServerMessageFilter(config);
  return true;
}

// Filters the JSON body in the input buffer. Returns the FilterOutcome (-1 when not configured); on Rewritten
// the new body is at outputPtr() / outputLength().
export function filterJson(len: i32): i32 {
  const f = filter;
  if (f === null) return -1;
  // Collects garbage as the module does after a callback that read `len` bytes (minimal runtime only).
  enterCallback();
  chargeHostBytes(<usize>len);
  const outcome = f.filter(changetype<usize>(input), len);
  outputFromFilter = true;
  leaveCallback();
  return outcome;
}

// Starts a new event stream.
export function sseReset(): void {
  carry.clear();
  splitter.reset();
  outputFromFilter = false;
  output.clear();
}

// Feeds the chunk in the input buffer; the bytes to pass on for it are at outputPtr() / outputLength().
export function sseChunk(len: i32, final: bool): i32 {
  const f = filter;
  if (f === null) return -1;
  enterCallback();
  chargeHostBytes(<usize>len);
  outputFromFilter = false;
  output.clear();
  // As guard/response.ts: with no partial event carried over, the chunk's complete events are read where they
  // lie and only a trailing partial one is carried; otherwise the chunk is appended to the carried event.
  if (carry.length == 0) {
    const ptr = changetype<usize>(input);
    const from = filterEvents(f, ptr, len, final);
    carry.append(ptr + <usize>from, len - from);
  } else {
    carry.append(changetype<usize>(input), len);
    carry.dropFront(filterEvents(f, carry.ptr, carry.length, final));
  }
  leaveCallback();
  return output.length;
}

// Filters the complete events of [ptr, ptr + len); returns where the first incomplete one starts.
function filterEvents(f: ServerMessageFilter, ptr: usize, len: i32, final: bool): i32 {
  let from = 0;
  while (from < len) {
    const end = splitter.next(ptr, from, len, final);
    if (end < 0) break;
    filterEvent(f, ptr, from, end);
    from = end;
  }
  if (final && from < len) {
    filterEvent(f, ptr, from, len);
    from = len;
  }
  splitter.dropped(from);
  return from;
}

function filterEvent(f: ServerMessageFilter, ptr: usize, start: i32, end: i32): void {
  parseSseEvent(ptr, start, end, event);
  if (!event.isMessage || !event.hasData || event.dataLength == 0) {
    output.append(ptr + <usize>start, end - start);
    return;
  }
  const outcome = f.filter(event.dataPtr, event.dataLength);
  if (outcome == FilterOutcome.Rewritten) {
    writeSseEventWithData(ptr, start, end, f.output.ptr, f.output.length, output);
  } else if (outcome == FilterOutcome.Unchanged) {
    output.append(ptr + <usize>start, end - start);
  }
  // Unparseable and Dropped events are left out (the guard sends an error event instead).
}

export function outputPtr(): usize {
  const f = filter;
  return outputFromFilter && f !== null ? f.output.ptr : output.ptr;
}

export function outputLength(): i32 {
  const f = filter;
  return outputFromFilter && f !== null ? f.output.length : output.length;
}

// Tools kept by the last filter call (JSON) or its last filtered event (SSE).
export function kept(): i32 {
  const f = filter;
  return f === null ? 0 : f.kept;
}
