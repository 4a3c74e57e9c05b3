// Filters what a server sends to the client:
// - lists: in every JSON-RPC response whose result carries `tools`, `prompts`, `resources` or
//   `resourceTemplates`, entries the policy does not allow are removed. Detection is by shape, not by the request
//   that asked, so it works on any stream (a POST's answer, a Streamable HTTP GET stream, the legacy HTTP+SSE
//   stream) without knowing which request id was a list request;
// - server-initiated messages (sampling, elicitation, roots, notifications…) whose method the server policy
//   refuses are removed.
// Everything else stays byte for byte: only a filtered array is rebuilt (kept entries verbatim) and, when a
// 2026-07-28 list result lost entries, `cacheScope` becomes "private" (the list now depends on who asked).
import { JsonDocument, JsonError, JsonType } from "../json";
import { GuardConfig } from "../policy/config";
import { checkResourceUri } from "../policy/resource_uri";
import { toolDigest } from "./tool_digest";
import { AccessPolicy } from "../policy/access";
import { Bytes } from "./bytes";
import { Splicer } from "./splice";
import { utf8 } from "../abi/text";

// message (0, or 1 inside a batch) → result → list → entry → name / annotations → hint. Pinned tools need their whole description
// and input schema, so with pins every depth is recorded.
const RECORD_DEPTH: i32 = 6;

export enum FilterOutcome { Unchanged = 0, Rewritten = 1, Unparseable = 2, Dropped = 3 }

enum ListKind { Tools = 0, Prompts = 1, Resources = 2, Templates = 3 }

export class ServerMessageFilter {
  private doc: JsonDocument = new JsonDocument();
  private splicer: Splicer = new Splicer();
  // The caller's policy for the message under way.
  private access: AccessPolicy;
  readonly output: Bytes = new Bytes();
  // The rebuilt array of the list being filtered; kept between lists so a warm filter does not grow a new one.
  private keptEntries: Bytes = new Bytes();
  // What the last call removed, for the log and the audit.
  readonly removedTools: Array<string> = new Array<string>();
  readonly removedOther: Array<string> = new Array<string>();
  readonly refusedMethods: Array<string> = new Array<string>();
  kept: i32 = 0;
  parseError: JsonError = JsonError.None;
  // Of the first response message in the last call: its JSON-RPC error code (0 if none), and result.isError
  // (-1 when absent).
  errorCode: i32 = 0;
  isError: i32 = -1;
  // Pinned tools the last call saw: name, whether the digest matched, and the digest seen.
  readonly pinnedSeen: Array<string> = new Array<string>();
  readonly pinnedMatched: Array<bool> = new Array<bool>();
  readonly pinnedDigests: Array<string> = new Array<string>();
  // Listed tools and whether their annotations leave them destructive (MCP default: yes).
  readonly hintedTools: Array<string> = new Array<string>();
  readonly hintedDestructive: Array<bool> = new Array<bool>();

  constructor(private config: GuardConfig) {
    this.access = config.defaults;
    const limits = this.doc.limits;
    limits.maxBytes = config.limits.maxBodyBytes;
    limits.maxDepth = config.limits.maxJsonDepth;
    limits.maxValues = config.limits.maxBodyBytes;
    limits.recordDepth = config.toolPins.size > 0 ? config.limits.maxJsonDepth : RECORD_DEPTH;
    limits.rejectDuplicateKeys = true;
  }

  get removedCount(): i32 {
    return this.removedTools.length + this.removedOther.length + this.refusedMethods.length;
  }

  // Filters one server message (a JSON-RPC message or batch) in [ptr, ptr + len). On Rewritten the new bytes
  // are in `output`; Dropped means no message is left to pass on.
  filter(ptr: usize, len: i32, access: AccessPolicy | null = null): FilterOutcome {
    this.access = access !== null ? access : this.config.defaults;
    this.removedTools.length = 0;
    this.removedOther.length = 0;
    this.refusedMethods.length = 0;
    this.pinnedSeen.length = 0;
    this.pinnedMatched.length = 0;
    this.pinnedDigests.length = 0;
    this.hintedTools.length = 0;
    this.hintedDestructive.length = 0;
    this.kept = 0;
    this.errorCode = 0;
    this.isError = -1;
    this.splicer.clear();
    const doc = this.doc;
    this.parseError = doc.parse(ptr, len);
    if (this.parseError != JsonError.None) return FilterOutcome.Unparseable;
    const root = doc.root();
    if (doc.type(root) != JsonType.Array) {
      if (!this.filterMessage(ptr, root)) return FilterOutcome.Dropped;
      return this.finish(ptr, len);
    }
    // A batch: messages the server policy refuses leave the array; the others are filtered in place.
    const keptMessages = new Array<i32>();
    for (let m = doc.firstChild(root); m >= 0; m = doc.nextSibling(m)) {
      if (this.filterMessage(ptr, m)) keptMessages.push(m);
    }
    if (keptMessages.length == doc.length(root)) return this.finish(ptr, len);
    if (keptMessages.length == 0) return FilterOutcome.Dropped;
    const out = this.output;
    out.clear();
    out.append(ptr, doc.start(root));
    out.appendByte(0x5b); // [
    for (let i = 0; i < keptMessages.length; i++) {
      if (i > 0) out.appendByte(0x2c); // ,
      this.splicer.applyRange(ptr, doc.start(keptMessages[i]), doc.end(keptMessages[i]), out);
    }
    out.appendByte(0x5d); // ]
    out.append(ptr + <usize>doc.end(root), len - doc.end(root));
    return FilterOutcome.Rewritten;
  }

  private finish(ptr: usize, len: i32): FilterOutcome {
    if (this.splicer.count == 0) return FilterOutcome.Unchanged;
    this.output.clear();
    this.splicer.apply(ptr, len, this.output);
    return FilterOutcome.Rewritten;
  }

  // Records the edits one message needs; false when the whole message must go.
  private filterMessage(ptr: usize, message: i32): bool {
    const doc = this.doc;
    if (doc.type(message) != JsonType.Object) return true;
    const methodNode = doc.get(message, "method");
    if (methodNode >= 0) {
      const method = doc.getString(methodNode);
      if (method === null || !this.config.serverMethods.permits(method)) {
        this.refusedMethods.push(method !== null ? method : utf8("<method that is not a string>"));
        return false;
      }
      return true;
    }
    const error = doc.get(message, "error");
    if (error >= 0 && this.errorCode == 0) {
      const code = doc.get(error, "code");
      if (doc.isInteger(code)) this.errorCode = <i32>doc.getNumber(code);
    }
    const result = doc.get(message, "result");
    if (doc.type(result) != JsonType.Object) return true;
    if (this.isError < 0) {
      const flag = doc.get(result, "isError");
      if (doc.type(flag) == JsonType.True) this.isError = 1;
      else if (doc.type(flag) == JsonType.False) this.isError = 0;
    }
    let filtered = this.filterList(ptr, result, "tools", ListKind.Tools);
    if (this.access.prompts !== null) filtered = this.filterList(ptr, result, "prompts", ListKind.Prompts) || filtered;
    filtered = this.filterList(ptr, result, "resources", ListKind.Resources) || filtered;
    filtered = this.filterList(ptr, result, "resourceTemplates", ListKind.Templates) || filtered;
    if (filtered) this.markPrivate(result);
    return true;
  }

  // Rebuilds result[key] without the entries the policy refuses; true when something was removed.
  private filterList(ptr: usize, result: i32, key: string, kind: ListKind): bool {
    const doc = this.doc;
    const list = doc.get(result, key);
    if (doc.type(list) != JsonType.Array) return false;
    const kept = this.keptEntries;
    kept.clear();
    kept.appendByte(0x5b); // [
    let keptCount = 0;
    let removedHere = 0;
    for (let entry = doc.firstChild(list); entry >= 0; entry = doc.nextSibling(entry)) {
      const label = this.refusal(entry, kind);
      if (label === null) {
        if (keptCount > 0) kept.appendByte(0x2c); // ,
        kept.append(ptr + <usize>doc.start(entry), doc.end(entry) - doc.start(entry));
        keptCount++;
      } else {
        if (kind == ListKind.Tools) this.removedTools.push(label);
        else this.removedOther.push(key + ":" + label);
        removedHere++;
      }
    }
    if (kind == ListKind.Tools) this.kept += keptCount;
    if (removedHere == 0) return false;
    kept.appendByte(0x5d); // ]
    this.splicer.replace(doc.start(list), doc.end(list), kept.toArrayBuffer());
    return true;
  }

  // null when the entry may stay; otherwise a label naming it for the log.
  private refusal(entry: i32, kind: ListKind): string | null {
    const doc = this.doc;
    if (doc.type(entry) != JsonType.Object) return utf8("<entry that is not an object>");
    const field = kind == ListKind.Resources ? "uri" : kind == ListKind.Templates ? "uriTemplate" : "name";
    const node = doc.get(entry, field);
    if (doc.type(node) != JsonType.String) return utf8("<entry without a string ") + field + ">";
    if (kind == ListKind.Tools) {
      const tools = this.access.tools;
      // Looked up on the name's bytes first, as the request path does. The hint (every listed tool) and a pin
      // need the name as a string: an exact entry's own (no decoding), else the decoded name.
      const index = tools.exactIndexOf(doc, node);
      const name = index >= 0 ? tools.exactName(index) : this.decode(node);
      this.noteHint(entry, name);
      if (index < 0 && !tools.matchesAfterMiss(doc, node, name)) return name;
      return this.checkPin(entry, name) ? null : name + utf8(" (description or schema differs from its pin)");
    }
    if (kind == ListKind.Prompts) {
      // Only a refused prompt's name is needed (for the log).
      const prompts = this.access.prompts;
      if (prompts === null || prompts.exactIndexOf(doc, node) >= 0) return null;
      const name = this.decode(node);
      return prompts.matchesAfterMiss(doc, node, name) ? null : name;
    }
    const value = this.decode(node);
    if (kind == ListKind.Templates) return this.access.resourcePrefixes.permitsTemplate(value) ? null : value;
    const check = checkResourceUri(value);
    return check.ok && this.access.resourcePrefixes.permits(check.normalised) ? null : value;
  }

  // The decoded text of string `node` (its type was checked).
  private decode(node: i32): string {
    const value = this.doc.getString(node);
    return value !== null ? value : "";
  }

  // readOnlyHint true or destructiveHint false make a tool non-destructive; anything else (absent) keeps the
  // MCP default, destructive.
  private noteHint(entry: i32, name: string): void {
    const doc = this.doc;
    const annotations = doc.get(entry, "annotations");
    let destructive = true;
    if (doc.type(annotations) == JsonType.Object) {
      if (doc.type(doc.get(annotations, "readOnlyHint")) == JsonType.True) destructive = false;
      else if (doc.type(doc.get(annotations, "destructiveHint")) == JsonType.False) destructive = false;
    }
    this.hintedTools.push(name);
    this.hintedDestructive.push(destructive);
  }

  // True unless `name` is pinned and this entry's digest differs from the pin.
  private checkPin(entry: i32, name: string): bool {
    const pins = this.config.toolPins;
    if (!pins.has(name)) return true;
    const digest = toolDigest(this.doc, entry);
    const matched = digest == pins.get(name);
    this.pinnedSeen.push(name);
    this.pinnedMatched.push(matched);
    this.pinnedDigests.push(digest);
    return matched;
  }

  // 2026-07-28 list results say whether a cache may share them across callers; a filtered list may not.
  private markPrivate(result: i32): void {
    const doc = this.doc;
    const scope = doc.get(result, "cacheScope");
    if (scope >= 0) {
      if (!doc.stringEquals(scope, "private")) this.splicer.replace(doc.start(scope), doc.end(scope), String.UTF8.encode("\"private\""));
    } else if (doc.get(result, "ttlMs") >= 0 || doc.get(result, "resultType") >= 0) {
      // A 2026-07-28 result without cacheScope: add it right after the opening brace.
      const at = doc.start(result) + 1;
      this.splicer.replace(at, at, String.UTF8.encode("\"cacheScope\":\"private\","));
    }
  }
}
