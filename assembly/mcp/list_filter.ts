// Filters what a server tells the client about its tools: in every JSON-RPC response (single or batch) whose
// result carries a `tools` array, tools outside the allowlist are removed. Detection is by shape, not by the
// request that asked, so it works on any stream (a POST's answer, the legacy HTTP+SSE GET stream, a Streamable
// HTTP GET stream) without knowing which request id was a tools/list. Everything else in the message stays byte
// for byte; only the tools array is rewritten (kept entries verbatim) and, when something was removed from a
// 2026-07-28 result, `cacheScope` becomes "private" (the list now depends on who asked).
import { JsonDocument, JsonError, JsonType } from "../json";
import { NameList } from "../policy/name_list";
import { Bytes } from "./bytes";
import { Splicer } from "./splice";

// message (0, or 1 inside a batch) → result → tools → tool → name
const RECORD_DEPTH: i32 = 5;

export enum FilterOutcome { Unchanged = 0, Rewritten = 1, Unparseable = 2 }

export class ServerMessageFilter {
  private doc: JsonDocument = new JsonDocument();
  private splicer: Splicer = new Splicer();
  readonly output: Bytes = new Bytes();
  // Names of the tools removed by the last call (for the log and the audit).
  readonly removed: Array<string> = new Array<string>();
  kept: i32 = 0;
  parseError: JsonError = JsonError.None;

  constructor(private tools: NameList, maxBytes: i32, maxDepth: i32) {
    const limits = this.doc.limits;
    limits.maxBytes = maxBytes;
    limits.maxDepth = maxDepth;
    limits.maxValues = maxBytes;
    limits.recordDepth = RECORD_DEPTH;
    limits.rejectDuplicateKeys = true;
  }

  // Filters one server message (a JSON-RPC message or batch) in [ptr, ptr + len). On Rewritten the new bytes
  // are in `output`.
  filter(ptr: usize, len: i32): FilterOutcome {
    this.removed.length = 0;
    this.kept = 0;
    this.splicer.clear();
    const doc = this.doc;
    this.parseError = doc.parse(ptr, len);
    if (this.parseError != JsonError.None) return FilterOutcome.Unparseable;
    const root = doc.root();
    if (doc.type(root) == JsonType.Array) {
      for (let m = doc.firstChild(root); m >= 0; m = doc.nextSibling(m)) this.filterMessage(ptr, m);
    } else {
      this.filterMessage(ptr, root);
    }
    if (this.splicer.count == 0) return FilterOutcome.Unchanged;
    this.output.clear();
    this.splicer.apply(ptr, len, this.output);
    return FilterOutcome.Rewritten;
  }

  private filterMessage(ptr: usize, message: i32): void {
    const doc = this.doc;
    if (doc.type(message) != JsonType.Object) return;
    const result = doc.get(message, "result");
    if (doc.type(result) != JsonType.Object) return;
    const tools = doc.get(result, "tools");
    if (doc.type(tools) != JsonType.Array) return;

    const kept = new Bytes();
    kept.appendByte(0x5b); // [
    let keptCount = 0;
    let removedHere = 0;
    for (let tool = doc.firstChild(tools); tool >= 0; tool = doc.nextSibling(tool)) {
      const name = doc.type(tool) == JsonType.Object ? doc.getString(doc.get(tool, "name")) : null;
      if (name !== null && this.tools.matches(name)) {
        if (keptCount > 0) kept.appendByte(0x2c); // ,
        kept.append(ptr + <usize>doc.start(tool), doc.end(tool) - doc.start(tool));
        keptCount++;
      } else {
        this.removed.push(name !== null ? name : "<tool without a string name>");
        removedHere++;
      }
    }
    this.kept += keptCount;
    if (removedHere == 0) return;
    kept.appendByte(0x5d); // ]
    this.splicer.replace(doc.start(tools), doc.end(tools), kept.toArrayBuffer());
    this.markPrivate(result);
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
