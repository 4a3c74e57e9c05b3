// Server-Sent Events framing (WHATWG HTML, "Interpreting an event stream"), over bytes. Lines end with CRLF,
// LF or CR; an empty line ends an event. Only complete events are handed out: a partial event stays until more
// bytes arrive. A CR that is the last byte available might be the first half of a CRLF, so the line it ends is
// not treated as complete until the next byte (or the end of the stream) shows which; otherwise a stream split
// between CR and LF would show the filter an event boundary the client never sees.
import { Bytes } from "./bytes";

const LF: u8 = 0x0a;
const CR: u8 = 0x0d;
const COLON: u8 = 0x3a;
const SPACE: u8 = 0x20;

// Offset of the first LF or CR in [i, len), or len: eight bytes at a time (SWAR "has byte" test; the lowest
// marked byte is exact), then byte by byte. A data line is a whole JSON message, often hundreds of KB.
export function findLineEnd(ptr: usize, i: i32, len: i32): i32 {
  while (i + 8 <= len) {
    const w = load<u64>(ptr + <usize>i);
    const lf = w ^ 0x0a0a0a0a0a0a0a0a;
    const cr = w ^ 0x0d0d0d0d0d0d0d0d;
    const marks = (((lf - 0x0101010101010101) & ~lf) | ((cr - 0x0101010101010101) & ~cr)) & 0x8080808080808080;
    if (marks != 0) return i + <i32>(ctz(marks) >> 3);
    i += 8;
  }
  while (i < len) {
    const b = load<u8>(ptr + <usize>i);
    if (b == LF || b == CR) return i;
    i++;
  }
  return len;
}

// Where the event starting at `from` ends (just past its terminating empty line), or -1 when it is not complete
// in [from, len). `final` says no more bytes will come. Scanning starts at `scanFrom` (>= from), which must be the
// start of a line of the event, and within that line at `scannedTo` (>= scanFrom): a caller that already scanned
// part of the event passes where the incomplete line began and how far it was read (`incompleteLineStart`,
// `incompleteLineScanned` after a -1), so a large event arriving in many chunks is scanned once, not once per
// chunk — also when it is one long `data:` line, the usual case.
export let incompleteLineStart: i32 = 0;
export let incompleteLineScanned: i32 = 0;

export function sseEventEnd(ptr: usize, from: i32, len: i32, final: bool, scanFrom: i32 = -1, scannedTo: i32 = -1): i32 {
  dropCachedLines();
  let p = scanFrom > from ? scanFrom : from;
  let q = scannedTo > p && scannedTo <= len ? scannedTo : p;
  while (p < len) {
    q = findLineEnd(ptr, q, len);
    if (q >= len) {
      incompleteLineStart = p;
      incompleteLineScanned = q;
      return -1;
    }
    let terminator = 1;
    if (load<u8>(ptr + <usize>q) == CR) {
      if (q + 1 < len) {
        if (load<u8>(ptr + <usize>(q + 1)) == LF) terminator = 2;
      } else if (!final) {
        incompleteLineStart = p;
        incompleteLineScanned = q; // the CR itself is looked at again
        return -1;
      }
    }
    const next = q + terminator;
    if (q == p) return next; // empty line: the event ends here
    p = next;
    q = next;
  }
  incompleteLineStart = p;
  incompleteLineScanned = p;
  return -1;
}

// Splits a carry buffer (bytes of an event stream kept across chunks) into whole events, remembering how far the
// pending event was already scanned so each byte is scanned once (see sseEventEnd). Positions are relative to
// the carry: after the caller drops the bytes it consumed from the carry's front, it calls dropped().
export class SseEventSplitter {
  // Where scanning of the pending (incomplete) event resumes: lines before it are known complete.
  private resumeScan: i32 = 0;
  // How far that incomplete line was already read.
  private resumeScanned: i32 = 0;

  // The end of the event that starts at `from` in [ptr, ptr + len), or -1 when it is not complete yet.
  next(ptr: usize, from: i32, len: i32, final: bool): i32 {
    const end = sseEventEnd(ptr, from, len, final, this.resumeScan, this.resumeScanned);
    if (end < 0) {
      this.resumeScan = incompleteLineStart;
      this.resumeScanned = incompleteLineScanned;
    } else {
      this.resumeScan = end;
      this.resumeScanned = end;
    }
    return end;
  }

  // The caller removed the first n bytes of the carry.
  dropped(n: i32): void {
    this.resumeScan = this.resumeScan > n ? this.resumeScan - n : 0;
    this.resumeScanned = this.resumeScanned > n ? this.resumeScanned - n : 0;
  }

  reset(): void {
    this.resumeScan = 0;
    this.resumeScanned = 0;
  }
}

// The fields of one complete event that the filter needs.
export class SseEvent {
  // Type from the `event:` field; "message" when absent (the default a client dispatches).
  type: string = "message";
  hasData: bool = false;
  // The data lines joined with LF, as the client reassembles them.
  data: Bytes = new Bytes();

  get isMessage(): bool {
    return this.type == "message";
  }
}

function lineMatches(ptr: usize, start: i32, nameEnd: i32, name: string): bool {
  if (nameEnd - start != name.length) return false;
  for (let i = 0; i < name.length; i++) {
    if (<i32>load<u8>(ptr + <usize>(start + i)) != name.charCodeAt(i)) return false;
  }
  return true;
}

// Line ends of the event parseSseEvent read last, kept for writeSseEventWithData on the same event: a message's
// data line is often hundreds of KB, and finding its end again would scan it once more. The cache names its
// event by (ptr, start, end); sseEventEnd and writeSseEventWithData drop it, so it can only serve the write that
// follows the parse of the same bytes (both callers parse, filter the data, then write, without touching the
// buffer in between). An event of more lines than fit is simply scanned again.
const MAX_CACHED_LINES: i32 = 16;
const cachedLineEnds = new StaticArray<i32>(MAX_CACHED_LINES);
let cachedPtr: usize = 0;
let cachedStart: i32 = -1;
let cachedEnd: i32 = -1;
let cachedLines: i32 = -1; // -1: nothing cached

function dropCachedLines(): void {
  cachedLines = -1;
}

// Steps through the lines of [start, end): lineStart, lineEnd (at the CR or LF, or end), next line's start.
// `record` fills the line-end cache; otherwise the cache is used when it describes these bytes.
class LineCursor {
  lineStart: i32 = 0;
  lineEnd: i32 = 0;
  next: i32 = 0;
  private index: i32 = 0;
  private replayLines: i32 = 0; // cached line ends this cursor may use

  constructor(private ptr: usize, private end: i32, start: i32, private record: bool) {
    this.next = start;
    if (record) {
      cachedPtr = ptr;
      cachedStart = start;
      cachedEnd = end;
      cachedLines = 0;
    } else {
      if (cachedLines > 0 && cachedPtr == ptr && cachedStart == start && cachedEnd == end) this.replayLines = cachedLines;
      dropCachedLines();
    }
  }

  advance(): bool {
    if (this.next >= this.end) return false;
    const ptr = this.ptr;
    let q: i32;
    if (this.index < this.replayLines) {
      q = cachedLineEnds[this.index];
    } else {
      q = findLineEnd(ptr, this.next, this.end);
      if (this.record) {
        if (this.index < MAX_CACHED_LINES) {
          cachedLineEnds[this.index] = q;
          cachedLines = this.index + 1;
        } else {
          cachedLines = -1; // too many lines: the writer scans them itself
        }
      }
    }
    this.index++;
    this.lineStart = this.next;
    this.lineEnd = q;
    let after = q;
    if (q < this.end) {
      after = q + 1;
      if (load<u8>(ptr + <usize>q) == CR && after < this.end && load<u8>(ptr + <usize>after) == LF) after++;
    }
    this.next = after;
    return true;
  }
}

// Position of the field name's end (the colon, or the line end when there is none).
function fieldNameEnd(ptr: usize, lineStart: i32, lineEnd: i32): i32 {
  let c = lineStart;
  while (c < lineEnd && load<u8>(ptr + <usize>c) != COLON) c++;
  return c;
}

// Where the field's value starts: after the colon and one optional space.
function fieldValueStart(ptr: usize, nameEnd: i32, lineEnd: i32): i32 {
  let v = nameEnd < lineEnd ? nameEnd + 1 : lineEnd;
  if (v < lineEnd && load<u8>(ptr + <usize>v) == SPACE) v++;
  return v;
}

export function parseSseEvent(ptr: usize, start: i32, end: i32, out: SseEvent): void {
  out.type = "message";
  out.hasData = false;
  out.data.clear();
  const cursor = new LineCursor(ptr, end, start, true);
  while (cursor.advance()) {
    const ls = cursor.lineStart;
    const le = cursor.lineEnd;
    if (le == ls || load<u8>(ptr + <usize>ls) == COLON) continue; // blank line or comment
    const nameEnd = fieldNameEnd(ptr, ls, le);
    const valueStart = fieldValueStart(ptr, nameEnd, le);
    if (lineMatches(ptr, ls, nameEnd, "data")) {
      if (out.hasData) out.data.appendByte(LF);
      out.data.append(ptr + <usize>valueStart, le - valueStart);
      out.hasData = true;
    } else if (lineMatches(ptr, ls, nameEnd, "event")) {
      out.type = String.UTF8.decodeUnsafe(ptr + <usize>valueStart, <usize>(le - valueStart));
    }
  }
}

// Writes the event again with new data: every non-data line (id, event, retry, comments) is kept byte for
// byte, the data lines are replaced, at the place of the first one, by `data` split into lines.
export function writeSseEventWithData(ptr: usize, start: i32, end: i32, data: ArrayBuffer, out: Bytes): void {
  const cursor = new LineCursor(ptr, end, start, false);
  let dataWritten = false;
  while (cursor.advance()) {
    const ls = cursor.lineStart;
    const le = cursor.lineEnd;
    if (le == ls) continue; // the terminating empty line, written at the end
    const nameEnd = fieldNameEnd(ptr, ls, le);
    if (load<u8>(ptr + <usize>ls) != COLON && lineMatches(ptr, ls, nameEnd, "data")) {
      if (!dataWritten) {
        writeDataLines(data, out);
        dataWritten = true;
      }
      continue;
    }
    // The line, ended by LF whatever ended it: a kept line ending in a lone CR, followed by the LF that ends the
    // event, would read as one CRLF, and the client would merge this event with the next one.
    out.append(ptr + <usize>ls, le - ls);
    out.appendByte(LF);
  }
  if (!dataWritten) writeDataLines(data, out);
  out.appendByte(LF);
}

// "data: ", the prefix of every data line written.
const DATA_PREFIX: usize = memory.data<u8>([0x64, 0x61, 0x74, 0x61, 0x3a, 0x20]);
const DATA_PREFIX_LENGTH: i32 = 6;

// One `data:` line per line of `data` (CRLF, LF or CR end a line; an empty `data` still gives one line). The
// data is usually one JSON message without line breaks, hundreds of KB: lines are found eight bytes at a time.
function writeDataLines(data: ArrayBuffer, out: Bytes): void {
  const ptr = changetype<usize>(data);
  const len = data.byteLength;
  let lineStart = 0;
  while (true) {
    const i = findLineEnd(ptr, lineStart, len);
    out.append(DATA_PREFIX, DATA_PREFIX_LENGTH);
    out.append(ptr + <usize>lineStart, i - lineStart);
    out.appendByte(LF);
    if (i >= len) return;
    let next = i + 1;
    if (load<u8>(ptr + <usize>i) == CR && next < len && load<u8>(ptr + <usize>next) == LF) next++;
    lineStart = next;
  }
}
