// What the engine decided about one request, and what the client gets when it is refused.
import { utf8 } from "../abi/text";
import { same } from "../mcp/message";

// Machine-readable reasons: stable strings used in logs, audit records and metrics. The refusals are decoded
// once, at start (texts as UTF-8, see abi/text.ts): the request path reads a global either way.
export const REASON_ALLOWED = "allowed";
export const REASON_TOOL_NOT_ALLOWED = utf8("tool_not_allowed");
export const REASON_TOOL_PIN_MISMATCH = utf8("tool_pin_mismatch");
export const REASON_METHOD_NOT_ALLOWED = utf8("method_not_allowed");
export const REASON_INVALID_TOOL_NAME = utf8("invalid_tool_name");
export const REASON_INVALID_PARAMS = utf8("invalid_params");
export const REASON_PROMPT_NOT_ALLOWED = utf8("prompt_not_allowed");
export const REASON_RESOURCE_URI_REJECTED = utf8("resource_uri_rejected");
export const REASON_RESOURCE_NOT_ALLOWED = utf8("resource_not_allowed");
export const REASON_HEADER_MISMATCH = utf8("header_mismatch");
export const REASON_IDENTITY_REQUIRED = utf8("identity_required");
export const REASON_PARSE_ERROR = utf8("parse_error");
export const REASON_EMPTY_BODY = utf8("empty_body");
export const REASON_INVALID_REQUEST = utf8("invalid_request");
export const REASON_DUPLICATE_KEY = utf8("duplicate_key");
export const REASON_TOO_DEEP = utf8("too_deep");
export const REASON_TOO_MANY_VALUES = utf8("too_many_values");
export const REASON_BATCH_NOT_ALLOWED = utf8("batch_not_allowed");
export const REASON_BATCH_TOO_LARGE = utf8("batch_too_large");
export const REASON_BODY_TOO_LARGE = utf8("body_too_large");
export const REASON_UNSUPPORTED_MEDIA_TYPE = utf8("unsupported_media_type");
export const REASON_UNSUPPORTED_ENCODING = utf8("unsupported_encoding");

// The engine fills one Decision per request and reuses it for the next (RequestEngine.decide): read it before
// deciding again, or keep a copy() (the webhook approval, which outlives the callback, does).
export class Decision {
  allow: bool = true;
  // HTTP status of the local reply when refused.
  httpStatus: i32 = 200;
  // JSON-RPC error code of the (first) refusal; 0 when allowed.
  rpcCode: i32 = 0;
  reason: string = REASON_ALLOWED;
  // Human-readable detail for logs (never raw tool arguments).
  detail: string = "";
  // The JSON body sent to the client instead of forwarding the request; null when allowed.
  reply: ArrayBuffer | null = null;
  method: string = "";
  tool: string = "";
  prompt: string = "";
  // The requested resource URI as the client sent it (logged; never a tool argument).
  resource: string = "";
  // Raw JSON of the (first) message's id, for the audit record; null when absent.
  id: ArrayBuffer | null = null;
  // Byte range of params.arguments of a tools/call in the body; -1 when absent.
  argumentsStart: i32 = -1;
  argumentsEnd: i32 = -1;
  // A tools/call of a destructive tool (name pattern or the server's annotations); for a batch, any element.
  destructive: bool = false;
  isBatch: bool = false;
  messageCount: i32 = 0;
  // A batch: the tool name of each tools/call element, in order, as its verdict saw it (an allowlist entry's own
  // string, or the caller's decoded name; "" when params.name is not a string), for the per-tool metric and the
  // audit record. Only a batch's own Decision (a new one per batch) sets it, so the engine's reused
  // single-message Decision never carries one and reset() need not clear it.
  batchTools: Array<string> | null = null;

  /** Back to "allowed, nothing known" for the next request. */
  reset(): void {
    this.resetOutcome();
    if (!same(this.method, "")) this.method = "";
    if (!same(this.tool, "")) this.tool = "";
    if (!same(this.prompt, "")) this.prompt = "";
    if (!same(this.resource, "")) this.resource = "";
    if (this.id !== null) this.id = null;
  }

  /** Back to "allowed" without touching what names the request (method, tool, prompt, resource, id). */
  resetOutcome(): void {
    this.allow = true;
    this.httpStatus = 200;
    this.rpcCode = 0;
    this.argumentsStart = -1;
    this.argumentsEnd = -1;
    this.destructive = false;
    this.isBatch = false;
    this.messageCount = 0;
    // Every store of a reference runs the incremental GC's write barrier; most of these are already at their
    // defaults after an allowed request, so only the ones that changed are written.
    if (!same(this.reason, REASON_ALLOWED)) this.reason = REASON_ALLOWED;
    if (!same(this.detail, "")) this.detail = "";
    if (this.reply !== null) this.reply = null;
  }

  /** A Decision of its own with the same content (strings and buffers are never changed in place). */
  copy(): Decision {
    const d = new Decision();
    d.allow = this.allow;
    d.httpStatus = this.httpStatus;
    d.rpcCode = this.rpcCode;
    d.reason = this.reason;
    d.detail = this.detail;
    d.reply = this.reply;
    d.method = this.method;
    d.tool = this.tool;
    d.prompt = this.prompt;
    d.resource = this.resource;
    d.id = this.id;
    d.argumentsStart = this.argumentsStart;
    d.argumentsEnd = this.argumentsEnd;
    d.destructive = this.destructive;
    d.isBatch = this.isBatch;
    d.messageCount = this.messageCount;
    d.batchTools = this.batchTools;
    return d;
  }
}
