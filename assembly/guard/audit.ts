// The audit record: exactly one JSON line per HTTP stream (one MCP message exchange, or one SSE stream),
// written when the stream ends — also when it was refused, malformed or reset. It says who (verified identity,
// caller principal, workload), what (method, tool / resource / prompt, a digest and the size of the arguments,
// never the arguments), what the filter decided and why, and how it ended (status, the server's error, tools
// removed from a list, bytes, latency). The line starts with a fixed prefix so a log pipeline can pick it out;
// schema/audit-record.schema.json describes it.
import { JsonWriter } from "../json";
import { Sha256 } from "../crypto/sha256";
import { toHex } from "../crypto/hex";
import { formatRfc3339Millis } from "./rfc3339";
import { utf8 } from "../abi/text";

export const AUDIT_PREFIX = utf8("mcp_guard_audit "); // decoded once at start (see abi/text.ts)
export const AUDIT_VERSION = 1;

const writer = new JsonWriter();
const hasher = new Sha256();

/** Most distinct names one list of a record or log line holds; later other names are only counted. */
export const MAX_NAMES_LISTED = 256;

/**
 * Longest name a list keeps, in UTF-16 units (MCP asks tool names to be 1 to 128 characters); a longer one is
 * cut there and marked with "…".
 */
export const MAX_NAME_LISTED = 128;

// Names for a record or a log line, each once, at most MAX_NAMES_LISTED of at most MAX_NAME_LISTED characters;
// names past the limit are only counted, so whoever chooses them cannot make the line (or the filter's memory)
// grow with them: a list holds at most ~33 K characters (JSON escapes of control characters can make its text
// up to 6 times that), and log pipelines, which truncate or drop long lines, keep the record whole.
// - The tools removed on one stream: a long-lived event stream (the legacy transport's GET stream carries every
//   tools/list answer of a session) may pass thousands of lists, and keeping every removal grew linear memory
//   with each list for as long as the stream lived.
// - The tools a batch called: as many as max_batch_size (up to 10,000) names of the caller's.
// - The log's arrays of removed entries: one list of a hostile server may hold as many names as the body limit
//   allows.
export class CappedNames {
  readonly names: Array<string> = new Array<string>();
  private readonly seen: Set<string> = new Set<string>();
  omitted: i32 = 0;

  get length(): i32 {
    return this.names.length;
  }

  push(name: string): void {
    // Cut before looking it up: names that differ only after the cut are listed once.
    if (name.length > MAX_NAME_LISTED) name = name.substring(0, MAX_NAME_LISTED) + "\u2026";
    if (this.seen.has(name)) return;
    if (this.names.length >= MAX_NAMES_LISTED) {
      this.omitted++;
      return;
    }
    this.seen.add(name);
    this.names.push(name);
  }

  clear(): void {
    this.names.length = 0;
    this.seen.clear();
    this.omitted = 0;
  }

  /** `key`: the names, and `key`_omitted: how many were left out; each only when not empty. */
  write(w: JsonWriter, key: string): void {
    if (this.names.length > 0) {
      w.key(key);
      w.beginArray();
      const names = this.names;
      for (let i = 0; i < names.length; i++) w.string(names[i]);
      w.endArray();
    }
    if (this.omitted > 0) {
      w.key(key + "_omitted");
      w.integer(this.omitted);
    }
  }
}

export class AuditRecord {
  startMillis: i64 = 0;
  requestId: string = "";
  httpMethod: string = "";
  path: string = "";
  user: string | null = null;
  identitySource: string = "";
  principal: string | null = null;
  workload: string = "";
  namespace: string = "";
  protocolVersion: string | null = null;
  sessionHash: string = "";
  // The JSON-RPC id as raw JSON (string or integer), or null.
  jsonrpcId: ArrayBuffer | null = null;
  method: string = "";
  tool: string = "";
  resource: string = "";
  prompt: string = "";
  batchSize: i32 = 0;
  // A batch: the tool name of each of its tools/call elements (Decision.batchTools), listed by toLine.
  batchTools: Array<string> | null = null;
  destructive: bool = false;
  // "allow", "deny", "would_deny"; "" until a request body was decided (then "allow" for pass-through streams).
  decision: string = "";
  reason: string = "";
  rule: string = "default";
  rpcCode: i32 = 0;
  argumentsSha256: string = "";
  argumentsBytes: i32 = -1;
  argumentKeys: Array<string> | null = null;
  status: i32 = 0;
  serverErrorCode: i32 = 0;
  serverIsError: i32 = -1; // -1 unknown, 0 false, 1 true
  toolsRemoved: CappedNames = new CappedNames();
  withheld: i32 = 0;
  bytesIn: i64 = 0;
  bytesOut: i64 = 0;
  localReply: bool = false;

  // "sha256:" + the first 32 hex digits of the session id's digest: sessions can be correlated, not replayed.
  setSession(sessionId: string | null): void {
    if (sessionId === null || sessionId.length == 0) return;
    hasher.reset();
    hasher.updateString(sessionId);
    this.sessionHash = "sha256:" + toHex(hasher.finish()).substring(0, 32);
  }

  setArguments(ptr: usize, start: i32, end: i32): void {
    if (start < 0 || end < start) return;
    hasher.reset();
    hasher.update(ptr + <usize>start, end - start);
    this.argumentsSha256 = "sha256:" + toHex(hasher.finish());
    this.argumentsBytes = end - start;
  }

  toLine(endMillis: i64): string {
    const w = writer;
    w.reset();
    w.beginObject();
    w.key("audit_version");
    w.integer(AUDIT_VERSION);
    w.key("time");
    w.string(formatRfc3339Millis(this.startMillis));
    field(w, "request_id", this.requestId);
    field(w, "http_method", this.httpMethod);
    field(w, "path", this.path);
    nullable(w, "user", this.user);
    field(w, "identity_source", this.identitySource);
    nullable(w, "principal", this.principal);
    field(w, "workload", this.workload);
    field(w, "namespace", this.namespace);
    nullable(w, "protocol_version", this.protocolVersion);
    field(w, "session", this.sessionHash);
    const id = this.jsonrpcId;
    if (id !== null) {
      w.key("jsonrpc_id");
      w.raw(id);
    }
    field(w, "method", this.method);
    field(w, "tool", this.tool);
    field(w, "resource_uri", this.resource);
    field(w, "prompt", this.prompt);
    if (this.batchSize > 0) {
      w.key("batch_size");
      w.integer(this.batchSize);
    }
    const batchTools = this.batchTools;
    if (batchTools !== null) {
      // Each name once (the metric counts the calls); a tools/call without a string name adds none.
      const called = new CappedNames();
      for (let i = 0; i < batchTools.length; i++) if (batchTools[i].length > 0) called.push(batchTools[i]);
      called.write(w, "batch_tools");
    }
    if (this.destructive) {
      w.key("destructive");
      w.bool(true);
    }
    w.key("decision");
    w.string(this.decision.length > 0 ? this.decision : "allow");
    w.key("reason");
    w.string(this.reason.length > 0 ? this.reason : "allowed");
    w.key("rule");
    w.string(this.rule);
    if (this.rpcCode != 0) {
      w.key("rpc_code");
      w.integer(this.rpcCode);
    }
    field(w, "arguments_sha256", this.argumentsSha256);
    if (this.argumentsBytes >= 0) {
      w.key("arguments_bytes");
      w.integer(this.argumentsBytes);
    }
    const keys = this.argumentKeys;
    if (keys !== null) {
      w.key("argument_keys");
      w.beginArray();
      for (let i = 0; i < keys.length; i++) w.string(keys[i]);
      w.endArray();
    }
    w.key("status");
    w.integer(this.status);
    w.key("local_reply");
    w.bool(this.localReply);
    if (this.serverErrorCode != 0) {
      w.key("server_error_code");
      w.integer(this.serverErrorCode);
    }
    if (this.serverIsError >= 0) {
      w.key("server_is_error");
      w.bool(this.serverIsError == 1);
    }
    this.toolsRemoved.write(w, "tools_removed");
    if (this.withheld > 0) {
      w.key("messages_withheld");
      w.integer(this.withheld);
    }
    w.key("bytes_in");
    w.integer(this.bytesIn);
    w.key("bytes_out");
    w.integer(this.bytesOut);
    w.key("latency_ms");
    w.integer(endMillis > this.startMillis ? endMillis - this.startMillis : 0);
    w.endObject();
    return AUDIT_PREFIX + w.toString();
  }
}

function field(w: JsonWriter, key: string, value: string): void {
  if (value.length == 0) return;
  w.key(key);
  w.string(value);
}

function nullable(w: JsonWriter, key: string, value: string | null): void {
  w.key(key);
  if (value === null) w.null();
  else w.string(value);
}
