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

// Offset of the first LF or CR in [i, len), or len. Eight bytes at a time, with one SWAR test for bytes below
// 0x0e, which LF (0x0a) and CR (0x0d) are (the lowest flagged byte is exact); a flagged byte that is neither
// (a tab, in JSON rarely outside pretty-printed text, which has line breaks anyway) is stepped over. A data line
// is a whole JSON message, often hundreds of KB: this is the event-stream framing's main cost per byte.
export function findLineEnd(ptr: usize, i: i32, len: i32): i32 {
  while (i + 8 <= len) {
    const w = load<u64>(ptr + <usize>i);
    const below = (w - 0x0e0e0e0e0e0e0e0e) & ~w & 0x8080808080808080;
    if (below == 0) {
      i += 8;
      continue;
    }
    i += <i32>(ctz(below) >> 3);
    const b = load<u8>(ptr + <usize>i);
    if (b == LF || b == CR) return i;
    i++;
  }
  while (i < len) {
    const b = load<u8>(ptr + <usize>i);
    if (b == LF || b == CR) return i;
    i++;
  }
  return len;
}

// Splits a carry buffer (bytes of an event stream kept across chunks) into whole events. Positions are relative
// to the carry: after the caller drops the bytes it consumed from the carry's front, it calls dropped().
// A pending (incomplete) event is scanned once, not once per chunk, also when it is one long `data:` line (the
// usual case, often hundreds of KB): the scan resumes inside the line where the last chunk left it. The line
// ends found on the way are kept and, when the event is complete, handed to parseSseEvent and
// writeSseEventWithData (see the line-end cache below), so neither reads that data line again.
export class SseEventSplitter {
  // Where scanning of the pending event resumes: lines before it are known complete.
  private resumeScan: i32 = 0;
  // How far that incomplete line was already read.
  private resumeScanned: i32 = 0;
  // Ends of the pending event's complete lines (at their CR or LF), relative to the event's start so that
  // dropping bytes before it changes nothing: the first MAX_CACHED_LINES of them, lineCount -1 when there were more.
  private lineEnds: StaticArray<i32> = new StaticArray<i32>(MAX_CACHED_LINES);
  private lineCount: i32 = 0;

  // The end of the event that starts at `from` in [ptr, ptr + len) (just past its terminating empty line), or
  // -1 when it is not complete yet. `final` says no more bytes will come.
  next(ptr: usize, from: i32, len: i32, final: bool): i32 {
    dropCachedLines();
    if (this.resumeScan < from) {
      // The caller skipped bytes (a byte order mark): a new event starts at `from`.
      this.resumeScan = from;
      this.resumeScanned = from;
      this.lineCount = 0;
    }
    let p = this.resumeScan;
    let q = this.resumeScanned > p && this.resumeScanned <= len ? this.resumeScanned : p;
    while (p < len) {
      q = findLineEnd(ptr, q, len);
      if (q >= len) break;
      let terminator = 1;
      if (load<u8>(ptr + <usize>q) == CR) {
        if (q + 1 < len) {
          if (load<u8>(ptr + <usize>(q + 1)) == LF) terminator = 2;
        } else if (!final) {
          break; // the CR itself is looked at again
        }
      }
      this.recordLineEnd(q - from);
      const next = q + terminator;
      if (q == p) {
        // Empty line: the event ends here.
        publishLines(ptr, from, next, this.lineEnds, this.lineCount);
        this.resumeScan = next;
        this.resumeScanned = next;
        this.lineCount = 0;
        return next;
      }
      p = next;
      q = next;
    }
    this.resumeScan = p;
    this.resumeScanned = q < p ? p : q;
    return -1;
  }

  private recordLineEnd(q: i32): void {
    const n = this.lineCount;
    if (n < 0) return;
    if (n < MAX_CACHED_LINES) {
      this.lineEnds[n] = q;
      this.lineCount = n + 1;
    } else {
      this.lineCount = -1; // too many lines: the parser scans them itself
    }
  }

  // The caller removed the first n bytes of the carry (only bytes before the pending event).
  dropped(n: i32): void {
    this.resumeScan = this.resumeScan > n ? this.resumeScan - n : 0;
    this.resumeScanned = this.resumeScanned > n ? this.resumeScanned - n : 0;
  }

  reset(): void {
    this.resumeScan = 0;
    this.resumeScanned = 0;
    this.lineCount = 0;
  }
}

// The fields of one complete event that the filter needs.
export class SseEvent {
  // Whether the `event:` field is absent or "message" (the type an MCP client listens to).
  isMessage: bool = true;
  hasData: bool = false;
  // The data lines joined with LF, as the client reassembles them: [dataPtr, dataPtr + dataLength). With one
  // data line (the usual case) that is the line's value where it lies in the event, not a copy; with several it
  // is `joined`. Valid until the event's bytes or the next event are touched.
  dataPtr: usize = 0;
  dataLength: i32 = 0;
  private joined: Bytes = new Bytes();
  // The data is the first line's value, in place.
  private inPlace: bool = false;

  // Adds the value of one data line; the first stays in place until a second one needs joining.
  addDataLine(ptr: usize, len: i32): void {
    const joined = this.joined;
    if (!this.hasData) {
      this.hasData = true;
      this.inPlace = true;
      this.dataPtr = ptr;
      this.dataLength = len;
      return;
    }
    if (this.inPlace) {
      // The second line: the first one is copied out of the event.
      this.inPlace = false;
      joined.clear();
      joined.append(this.dataPtr, this.dataLength);
    }
    joined.appendByte(LF);
    joined.append(ptr, len);
    this.dataPtr = joined.ptr;
    this.dataLength = joined.length;
  }
}

// Whether the bytes [start, end) are the ASCII text `name`.
function bytesMatch(ptr: usize, start: i32, end: i32, name: string): bool {
  if (end - start != name.length) return false;
  for (let i = 0; i < name.length; i++) {
    if (<i32>load<u8>(ptr + <usize>(start + i)) != name.charCodeAt(i)) return false;
  }
  return true;
}

// Line ends of the event the splitter returned last, for parseSseEvent and writeSseEventWithData on that event:
// a message's data line is often hundreds of KB, and finding its end again would scan it once more. The cache
// names its event by (ptr, start, end) and SseEventSplitter.next() drops it before anything else, so it serves
// only the parse and write of the event just returned (callers split, parse, filter the data, then write,
// without touching the buffer in between). An event of more lines than fit is scanned again.
const MAX_CACHED_LINES: i32 = 16;
let cachedLineEnds = new StaticArray<i32>(0); // relative to cachedStart
let cachedPtr: usize = 0;
let cachedStart: i32 = -1;
let cachedEnd: i32 = -1;
let cachedLines: i32 = -1; // -1: nothing cached

function dropCachedLines(): void {
  cachedLines = -1;
}

function publishLines(ptr: usize, start: i32, end: i32, lineEnds: StaticArray<i32>, lines: i32): void {
  cachedLineEnds = lineEnds;
  cachedPtr = ptr;
  cachedStart = start;
  cachedEnd = end;
  cachedLines = lines;
}

// Steps through the lines of [start, end): lineStart, lineEnd (at the CR or LF, or end), next line's start.
// Line ends come from the cache when it describes these bytes.
class LineCursor {
  lineStart: i32 = 0;
  lineEnd: i32 = 0;
  next: i32 = 0;
  private index: i32 = 0;
  private replayLines: i32 = 0; // cached line ends this cursor may use

  constructor(private ptr: usize, private end: i32, private start: i32) {
    this.next = start;
    if (cachedLines > 0 && cachedPtr == ptr && cachedStart == start && cachedEnd == end) this.replayLines = min(cachedLines, cachedLineEnds.length);
  }

  advance(): bool {
    if (this.next >= this.end) return false;
    const ptr = this.ptr;
    const q = this.index < this.replayLines ? this.start + cachedLineEnds[this.index] : findLineEnd(ptr, this.next, this.end);
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
  out.isMessage = true;
  out.hasData = false;
  const cursor = new LineCursor(ptr, end, start);
  while (cursor.advance()) {
    const ls = cursor.lineStart;
    const le = cursor.lineEnd;
    if (le == ls || load<u8>(ptr + <usize>ls) == COLON) continue; // blank line or comment
    const nameEnd = fieldNameEnd(ptr, ls, le);
    const valueStart = fieldValueStart(ptr, nameEnd, le);
    if (bytesMatch(ptr, ls, nameEnd, "data")) {
      out.addDataLine(ptr + <usize>valueStart, le - valueStart);
    } else if (bytesMatch(ptr, ls, nameEnd, "event")) {
      out.isMessage = bytesMatch(ptr, valueStart, le, "message");
    }
  }
}

// Writes the event again with new data: every non-data line (id, event, retry, comments) is kept byte for
// byte, the data lines are replaced, at the place of the first one, by [data, data + dataLength) split into
// lines. The data must not lie in `out`.
export function writeSseEventWithData(ptr: usize, start: i32, end: i32, data: usize, dataLength: i32, out: Bytes): void {
  const cursor = new LineCursor(ptr, end, start);
  let dataWritten = false;
  while (cursor.advance()) {
    const ls = cursor.lineStart;
    const le = cursor.lineEnd;
    if (le == ls) continue; // the terminating empty line, written at the end
    const nameEnd = fieldNameEnd(ptr, ls, le);
    if (load<u8>(ptr + <usize>ls) != COLON && bytesMatch(ptr, ls, nameEnd, "data")) {
      if (!dataWritten) {
        writeDataLines(data, dataLength, out);
        dataWritten = true;
      }
      continue;
    }
    // The line, ended by LF whatever ended it: a kept line ending in a lone CR, followed by the LF that ends the
    // event, would read as one CRLF, and the client would merge this event with the next one.
    out.append(ptr + <usize>ls, le - ls);
    out.appendByte(LF);
  }
  if (!dataWritten) writeDataLines(data, dataLength, out);
  out.appendByte(LF);
}

// "data: ", the prefix of every data line written.
const DATA_PREFIX: usize = memory.data<u8>([0x64, 0x61, 0x74, 0x61, 0x3a, 0x20]);
const DATA_PREFIX_LENGTH: i32 = 6;

// One `data:` line per line of `data` (CRLF, LF or CR end a line; an empty `data` still gives one line). The
// data is usually one JSON message without line breaks, hundreds of KB: lines are found eight bytes at a time.
function writeDataLines(ptr: usize, len: i32, out: Bytes): void {
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
