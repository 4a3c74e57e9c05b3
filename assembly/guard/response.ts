// The response side of one stream: what the server says goes to the client only after the tool list in it was
// filtered. Two framings:
// - application/json: the body is buffered (content-length was removed when the headers passed, since the size
//   may change) and rewritten once at the end of the stream;
// - text/event-stream: each chunk is cut into complete events, each event's data is filtered on its own, and
//   a partial event waits in a carry buffer for the next chunk; the whole stream is never buffered.
// A server message the filter cannot parse is not passed on in enforce mode: the client gets a JSON-RPC error
// in its place.
import { BufferType, LogLevel, getBufferBytes, log, setBufferBytes } from "../abi";
import { JsonWriter, jsonErrorMessage } from "../json";
import { asciiLowerCase } from "../mcp/ascii";
import { Bytes } from "../mcp/bytes";
import { writeErrorResponse } from "../mcp/error_reply";
import { FilterOutcome, ServerMessageFilter } from "../mcp/list_filter";
import { INTERNAL_ERROR } from "../mcp/rpc_codes";
import { SseEvent, SseEventSplitter, parseSseEvent, writeSseEventWithData } from "../mcp/sse";
import { GuardConfig, Mode } from "../policy/config";
import { GuardMetrics } from "./metrics";
import { LIST_TOOLS, listOfRemovedEntry } from "./metric_labels";
import { PinStatus } from "../policy/pins";
import { AuditRecord, CappedNames } from "./audit";
import { ToolHints } from "../policy/tool_hints";
import { AccessPolicy } from "../policy/access";
import { decimal, utf8 } from "../abi/text";

// Audit-record texts, decoded once at start (texts as UTF-8, see abi/text.ts): the response path reads a global.
const REMOVED = utf8("removed");
const WOULD_REMOVE = utf8("would_remove");
const PINNED_DIGEST = utf8("pinned_digest");
const FILTERED = utf8("filtered");
const WOULD_FILTER = utf8("would_filter");
const REMOVED_TOOLS = utf8("removed_tools");
const KEPT_TOOLS = utf8("kept_tools");
const WITHHELD = utf8("withheld");
const WOULD_WITHHOLD = utf8("would_withhold");
const BYTE_LIMIT = utf8(" byte limit");

export enum Framing { None = 0, Json = 1, EventStream = 2 }

const writer = new JsonWriter();
// proxy_set_buffer_bytes with start 0 and a length at least the buffer's size replaces all of it.
const WHOLE_BUFFER: i32 = 0x7fffffff;

// The media type of a content-type value, lower-cased, without parameters.
export function mediaType(value: string | null): string {
  if (value === null) return "";
  const semicolon = value.indexOf(";");
  return asciiLowerCase((semicolon >= 0 ? value.substring(0, semicolon) : value).trim());
}

export function framingOf(contentType: string | null): Framing {
  const type = mediaType(contentType);
  if (type == "application/json") return Framing.Json;
  if (type == "text/event-stream") return Framing.EventStream;
  return Framing.None;
}

function withheldReply(reason: string): ArrayBuffer {
  writer.reset();
  writeErrorResponse(writer, null, INTERNAL_ERROR, utf8("mcp-guard withheld a server message: ") + reason);
  return writer.toArrayBuffer();
}

export class ResponseRewriter {
  framing: Framing = Framing.None;
  private done: bool = false;
  private carry: Bytes | null = null;
  private out: Bytes | null = null;
  private event: SseEvent | null = null;
  private atStreamStart: bool = true;
  // Finds the events in the carry, resuming the scan of a pending event where the last chunk left it.
  private splitter: SseEventSplitter = new SseEventSplitter();
  // The event stream is past repair (an event over the size limit): in enforce mode the rest is dropped.
  private broken: bool = false;

  constructor(private config: GuardConfig, private messages: ServerMessageFilter, private metrics: GuardMetrics, private pins: PinStatus, private audit: AuditRecord, private hints: ToolHints, private access: AccessPolicy) {}

  // What the last filtered message tells the audit record.
  private noteMessage(): void {
    const messages = this.messages;
    const audit = this.audit;
    if (audit.serverErrorCode == 0) audit.serverErrorCode = messages.errorCode;
    if (audit.serverIsError < 0) audit.serverIsError = messages.isError;
    if (this.enforce) for (let i = 0; i < messages.removedTools.length; i++) audit.toolsRemoved.push(messages.removedTools[i]);
    for (let i = 0; i < messages.hintedTools.length; i++) this.hints.record(messages.hintedTools[i], messages.hintedDestructive[i]);
  }

  private get enforce(): bool {
    return this.config.mode == Mode.Enforce;
  }

  // JSON framing: true when the caller should keep buffering.
  onJsonBody(bodySize: i32, endOfStream: bool): bool {
    if (this.done) {
      // The body was withheld before its end: what still arrives must not follow the error we sent.
      if (this.broken && bodySize > 0) setBufferBytes(BufferType.HttpResponseBody, 0, WHOLE_BUFFER, new ArrayBuffer(0));
      return false;
    }
    if (!endOfStream && bodySize <= this.config.limits.maxBodyBytes) return true;
    this.finishJson();
    return false;
  }

  // JSON framing, at end of stream (or at the trailers, which end the body without end_of_stream).
  finishJson(): void {
    if (this.done) return;
    this.done = true;
    const limit = this.config.limits.maxBodyBytes;
    const body = getBufferBytes(BufferType.HttpResponseBody, 0, limit + 1);
    if (body === null) return;
    const len = body.byteLength;
    if (len > limit) {
      this.withhold(utf8("the response exceeds the ") + decimal(limit) + BYTE_LIMIT, "json");
      this.broken = this.enforce;
      return;
    }
    const outcome = this.messages.filter(changetype<usize>(body), len, this.access);
    this.recordPins();
    this.noteMessage();
    if (outcome == FilterOutcome.Unparseable) {
      this.withhold(utf8("the response is not valid JSON (") + jsonErrorMessage(this.messages.parseError) + ")", "json");
    } else if (outcome == FilterOutcome.Dropped) {
      this.report("json");
      this.withhold(utf8("the server sent a method the policy refuses"), "json");
    } else if (outcome == FilterOutcome.Rewritten) {
      this.report("json");
      if (this.enforce) setBufferBytes(BufferType.HttpResponseBody, 0, WHOLE_BUFFER, this.messages.output.toArrayBuffer());
    }
  }

  private withhold(reason: string, framing: string): void {
    logWithheld(reason, framing, this.enforce);
    if (!this.enforce) return;
    this.countWithheld();
    setBufferBytes(BufferType.HttpResponseBody, 0, WHOLE_BUFFER, withheldReply(reason));
  }

  // Event-stream framing: rewrites the current chunk in place to the complete events it finishes.
  onEventStreamChunk(chunkSize: i32, endOfStream: bool): void {
    if (this.done) return;
    if (endOfStream) this.done = true;
    const chunk = getBufferBytes(BufferType.HttpResponseBody, 0, chunkSize);
    const chunkLength = chunk === null ? 0 : chunk.byteLength;
    if (this.broken) {
      if (this.enforce && chunkLength > 0) setBufferBytes(BufferType.HttpResponseBody, 0, WHOLE_BUFFER, new ArrayBuffer(0));
      return;
    }
    let carry = this.carry;
    if (carry === null) {
      carry = new Bytes();
      this.carry = carry;
    }
    let out = this.out;
    if (out === null) {
      out = new Bytes();
      this.out = out;
    }
    out.clear();
    // With no partial event carried over, the chunk starts an event: its complete events are read where they
    // lie in the chunk, and only a trailing partial one is copied into the carry (which then stays the size of
    // a partial event, not of a chunk). Otherwise the chunk continues the carried event, which must be whole to
    // be filtered: it is appended and the carry is split. A large event spanning chunks is copied either way.
    if (carry.length == 0 && chunk !== null) {
      const ptr = changetype<usize>(chunk);
      const from = this.processEvents(ptr, chunkLength, out, endOfStream);
      carry.append(ptr + <usize>from, chunkLength - from);
    } else {
      if (chunk !== null) carry.appendBuffer(chunk);
      carry.dropFront(this.processEvents(carry.ptr, carry.length, out, endOfStream));
    }
    if (carry.length > this.config.limits.maxBodyBytes) this.breakStream(carry, out);
    setBufferBytes(BufferType.HttpResponseBody, 0, WHOLE_BUFFER, out.toArrayBuffer());
  }

  // Writes the complete events of [ptr, ptr + len) to `out` and returns where the first incomplete one starts
  // (len when none is left): the caller keeps those bytes in the carry. The splitter's positions are then made
  // relative to that start, the carry's front.
  private processEvents(ptr: usize, len: i32, out: Bytes, final: bool): i32 {
    let from = 0;
    if (this.atStreamStart && len >= 3) {
      // A client strips one leading byte order mark; so do we, or a "data" field would hide behind it.
      if (load<u8>(ptr) == 0xef && load<u8>(ptr + 1) == 0xbb && load<u8>(ptr + 2) == 0xbf) from = 3;
      this.atStreamStart = false;
    } else if (this.atStreamStart && !final) {
      return 0; // wait for three bytes to know
    }
    let event = this.event;
    if (event === null) {
      event = new SseEvent();
      this.event = event;
    }
    const splitter = this.splitter;
    while (from < len) {
      const end = splitter.next(ptr, from, len, final);
      if (end < 0) break;
      this.processEvent(ptr, from, end, event, out);
      from = end;
    }
    // An unterminated event at the end of the stream is discarded by a conforming client, but a lenient one may
    // dispatch it: it is filtered like any other event and passed on.
    if (final && from < len) {
      this.processEvent(ptr, from, len, event, out);
      from = len;
    }
    splitter.dropped(from);
    return from;
  }

  // Writes the event to `out` as the client may see it: filtered, replaced by an error, left out (a refused
  // server-initiated message), or as it came (audit mode, events that are not messages, unchanged messages).
  private processEvent(ptr: usize, start: i32, end: i32, event: SseEvent, out: Bytes): void {
    parseSseEvent(ptr, start, end, event);
    if (event.isMessage && event.hasData && event.dataLength > 0) {
      const outcome = this.messages.filter(event.dataPtr, event.dataLength, this.access);
      this.recordPins();
      this.noteMessage();
      if (outcome == FilterOutcome.Unparseable) {
        const reason = utf8("an event's data is not valid JSON (") + jsonErrorMessage(this.messages.parseError) + ")";
        logWithheld(reason, "sse", this.enforce);
        if (this.enforce) {
          this.countWithheld();
          const reply = withheldReply(reason);
          writeSseEventWithData(ptr, start, end, changetype<usize>(reply), reply.byteLength, out);
          return;
        }
      } else if (outcome != FilterOutcome.Unchanged) {
        this.report("sse");
        if (this.enforce) {
          // Rewritten: the new data; Dropped: nothing.
          if (outcome == FilterOutcome.Rewritten) writeSseEventWithData(ptr, start, end, this.messages.output.ptr, this.messages.output.length, out);
          return;
        }
      }
    }
    out.append(ptr + <usize>start, end - start);
  }

  // An event larger than the limit cannot be inspected: in enforce mode the client gets an error event and
  // nothing more from this stream; in audit mode the stream passes unfiltered from here on.
  private breakStream(carry: Bytes, out: Bytes): void {
    const reason = utf8("an event exceeds the ") + decimal(this.config.limits.maxBodyBytes) + BYTE_LIMIT;
    logWithheld(reason, "sse", this.enforce);
    this.broken = true;
    this.splitter.reset();
    if (this.enforce) {
      this.countWithheld();
      out.appendString(utf8("event: message\ndata: "));
      out.appendBuffer(withheldReply(reason));
      out.appendString("\n\n");
    } else {
      out.append(carry.ptr, carry.length);
      this.done = true;
    }
    carry.clear();
  }

  private countWithheld(): void {
    this.metrics.count(this.metrics.withheld);
    this.audit.withheld++;
  }

  // Remembers what the server showed for pinned tools (calls of a mismatched one are refused), and logs each
  // mismatch with both digests.
  private recordPins(): void {
    const messages = this.messages;
    for (let i = 0; i < messages.pinnedSeen.length; i++) {
      const tool = messages.pinnedSeen[i];
      const matched = messages.pinnedMatched[i];
      if (this.enforce) this.pins.record(tool, matched);
      if (matched) continue;
      this.metrics.count(this.metrics.pinMismatches);
      writer.reset();
      writer.beginObject();
      writer.key("event");
      writer.string(utf8("mcp_guard.tool_pin_mismatch"));
      writer.key("decision");
      writer.string(this.enforce ? REMOVED : WOULD_REMOVE);
      writer.key("tool");
      writer.string(tool);
      writer.key(PINNED_DIGEST);
      writer.string(this.config.toolPins.has(tool) ? this.config.toolPins.get(tool) : "");
      writer.key(utf8("observed_digest"));
      writer.string(messages.pinnedDigests[i]);
      writer.endObject();
      log(LogLevel.Warn, writer.toString());
    }
  }

  private report(framing: string): void {
    const messages = this.messages;
    const removed = this.metrics.entriesRemoved;
    removed.add(LIST_TOOLS, 0, messages.removedTools.length);
    for (let i = 0; i < messages.removedOther.length; i++) removed.add(listOfRemovedEntry(messages.removedOther[i]), 0, 1);
    this.metrics.countBy(this.metrics.serverMethodsRefused, messages.refusedMethods.length);
    writer.reset();
    writer.beginObject();
    writer.key("event");
    writer.string(utf8("mcp_guard.server_message_filtered"));
    writer.key("framing");
    writer.string(framing);
    writer.key("decision");
    writer.string(this.enforce ? FILTERED : WOULD_FILTER);
    writeNames(REMOVED_TOOLS, messages.removedTools);
    writeNames(utf8("removed_entries"), messages.removedOther);
    writeNames(utf8("refused_methods"), messages.refusedMethods);
    writer.key(KEPT_TOOLS);
    writer.integer(messages.kept);
    writer.endObject();
    log(LogLevel.Info, writer.toString());
  }
}

// The log line lists names as the audit record does: each once, at most MAX_NAMES_LISTED, the rest counted.
const logged = new CappedNames();

function writeNames(key: string, names: Array<string>): void {
  if (names.length == 0) return;
  logged.clear();
  for (let i = 0; i < names.length; i++) logged.push(names[i]);
  logged.write(writer, key);
  logged.clear(); // the server's names are not kept until the next line
}

function logWithheld(reason: string, framing: string, enforce: bool): void {
  writer.reset();
  writer.beginObject();
  writer.key("event");
  writer.string(utf8("mcp_guard.response_withheld"));
  writer.key("framing");
  writer.string(framing);
  writer.key("decision");
  writer.string(enforce ? WITHHELD : WOULD_WITHHOLD);
  writer.key("reason");
  writer.string(reason);
  writer.endObject();
  log(LogLevel.Warn, writer.toString());
}
