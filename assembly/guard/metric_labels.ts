// Label values of the filter's metrics. Each one comes from a small fixed set below or from the configuration
// (allowlisted tool names), never from what a client sent, so the number of series stays bounded whatever
// the traffic. The index of a value in its set is what the hot path passes around; names are built only
// when a series is first defined.
import * as R from "./decision";
import { lines, utf8 } from "../abi/text";

export const DECISION_ALLOW: i32 = 0;
export const DECISION_DENY: i32 = 1;
export const DECISION_WOULD_DENY: i32 = 2;
export const DECISIONS: Array<string> = ["allow", "deny", "would_deny"];

// What kind of request was decided. `lifecycle` is the session's housekeeping (initialize, ping,
// notifications); `other` any other method, or a client's response to a server request; `none` a request
// whose body held no JSON-RPC message the filter could read (refused at the headers, not JSON, not JSON-RPC).
const CLASS_TOOLS: i32 = 0;
const CLASS_RESOURCES: i32 = 1;
const CLASS_PROMPTS: i32 = 2;
const CLASS_LIFECYCLE: i32 = 3;
const CLASS_OTHER: i32 = 4;
const CLASS_BATCH: i32 = 5;
const CLASS_NONE: i32 = 6;
export const METHOD_CLASSES: Array<string> = ["tools", "resources", "prompts", "lifecycle", "other", "batch", "none"];

export function methodClass(method: string, isBatch: bool, allowed: bool): i32 {
  if (isBatch) return CLASS_BATCH;
  if (method.length == 0) return allowed ? CLASS_OTHER : CLASS_NONE;
  if (method.startsWith("tools/")) return CLASS_TOOLS;
  if (method.startsWith("resources/")) return CLASS_RESOURCES;
  if (method.startsWith("prompts/")) return CLASS_PROMPTS;
  if (method == "initialize" || method == "ping" || method.startsWith("notifications/")) return CLASS_LIFECYCLE;
  return CLASS_OTHER;
}

// Refusals for malformed or unreadable requests (as opposed to policy denials), by their decision reason.
export const ERROR_KINDS: Array<string> = [
  R.REASON_PARSE_ERROR, R.REASON_EMPTY_BODY, R.REASON_INVALID_REQUEST, R.REASON_DUPLICATE_KEY, R.REASON_TOO_DEEP,
  R.REASON_TOO_MANY_VALUES, R.REASON_BATCH_NOT_ALLOWED, R.REASON_BATCH_TOO_LARGE, R.REASON_BODY_TOO_LARGE,
  R.REASON_UNSUPPORTED_MEDIA_TYPE, R.REASON_UNSUPPORTED_ENCODING, R.REASON_HEADER_MISMATCH, R.REASON_INVALID_TOOL_NAME,
  R.REASON_INVALID_PARAMS,
];

// Approval outcomes: the approval reasons of approval.ts, approval_token.ts and the webhook, without the
// common "approval_" prefix.
const APPROVAL_PREFIX = "approval_";
export const APPROVAL_OUTCOMES: Array<string> = lines(utf8(`
required
batch
granted
token_malformed
token_bad_signature
token_expired
token_other_user
token_other_tool
token_other_arguments
webhook_approved
webhook_denied
webhook_timeout
webhook_unavailable
webhook_abandoned
`));

export function approvalOutcome(reason: string): i32 {
  if (!reason.startsWith(APPROVAL_PREFIX)) return -1;
  return APPROVAL_OUTCOMES.indexOf(reason.substring(APPROVAL_PREFIX.length));
}

// Lists a server answer may carry, as the response filter names them (list_filter.ts: "prompts:<name>").
export const LIST_TOOLS: i32 = 0;
export const LISTS: Array<string> = ["tools", "prompts", "resources", "resource_templates"];
const LIST_KEYS: Array<string> = ["tools", "prompts", "resources", "resourceTemplates"];

export function listOfRemovedEntry(entry: string): i32 {
  const colon = entry.indexOf(":");
  return colon > 0 ? LIST_KEYS.indexOf(entry.substring(0, colon)) : -1;
}

// The longest tool name MCP allows; longer allowlist entries are cut (they still get a series of their own
// unless two share their first 128 characters).
const MAX_LABEL_LENGTH: i32 = 128;

// A label value Envoy's tag extraction reads back unchanged: letters, digits, '_' and '-' pass, every other
// character becomes '_'. A '.' could let Istio's built-in tag rules (`cache.`, `tag.…;.`) cut the name, and
// ';' or '=' could end the value early or fake another tag (`x;.;decision=.=allow`).
export function labelValue(text: string): string {
  const length = text.length < MAX_LABEL_LENGTH ? text.length : MAX_LABEL_LENGTH;
  let out = "";
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    const plain = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x5f || c == 0x2d;
    out += plain ? String.fromCharCode(c) : "_";
  }
  return out.length > 0 ? out : "_";
}
