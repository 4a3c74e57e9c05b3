// What happens to an allowed call of a destructive tool, by approval mode: flagged (allowed, marked in the
// audit record), refused until a human approves (an error carrying the approval URL: MCP's URL-elicitation
// error −32042 for clients on 2025-11-25 or later, a plain error otherwise), or allowed only with a valid
// approval token for exactly this user, tool and arguments.
import { percentByte } from "../mcp/ascii";
import { JsonDocument, JsonError, JsonWriter } from "../json";
import { sha256Hex } from "../crypto/sha256";
import { canonicalJsonBytes } from "../mcp/canonical_json";
import { INVALID_REQUEST } from "../mcp/rpc_codes";
import { ApprovalMode } from "../policy/approval_config";
import { GuardConfig } from "../policy/config";
import { Decision } from "./decision";
import { TOKEN_VALID, verifyApprovalToken } from "./approval_token";
import { utf8 } from "../abi/text";

export const URL_ELICITATION_REQUIRED: i32 = -32042;
// Implementation-defined server error (JSON-RPC reserves -32000..-32099) for clients without URL elicitation.
export const APPROVAL_REQUIRED: i32 = -32001;
// Reasons and audit decisions of a destructive call, decoded once at start (texts as UTF-8, see abi/text.ts).
// "approval_required" is both a reason and the audit decision of a refused call; a granted token's reason
// (TOKEN_VALID) is its audit decision too.
export const REASON_APPROVAL_REQUIRED = utf8("approval_required");
export const REASON_APPROVAL_BATCH = utf8("approval_batch");
export const AUDIT_APPROVAL_DENIED = utf8("approval_denied");

const writer = new JsonWriter();
const argumentsDoc = new JsonDocument();

export class ApprovalOutcome {
  // Audit decision: "" (not destructive or flag mode), "approval_required", "approval_denied", "approval_granted".
  auditDecision: string = "";
  reason: string = "";
  refusal: Decision | null = null;
  // Webhook mode: the call waits for the approval service.
  askWebhook: bool = false;
}

function percentEncode(text: string): string {
  const bytes = Uint8Array.wrap(String.UTF8.encode(text));
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    const unreserved = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b == 0x2d || b == 0x2e || b == 0x5f || b == 0x7e;
    if (unreserved) out += String.fromCharCode(b);
    else out += percentByte(b);
  }
  return out;
}

// SHA-256 (hex) of the RFC 8785 form of the call's arguments; absent arguments count as {}.
export function argumentsDigest(ptr: usize, start: i32, end: i32): string {
  if (start < 0 || end <= start) return sha256Hex(String.UTF8.encode("{}"));
  const doc = argumentsDoc;
  doc.limits.maxBytes = end - start;
  if (doc.parse(ptr + <usize>start, end - start) != JsonError.None) return "";
  const canonical = canonicalJsonBytes(doc, doc.root());
  return canonical === null ? "" : sha256Hex(canonical);
}

export function approvalRefusal(config: GuardConfig, decision: Decision, protocolVersion: string | null, reason: string, detail: string): Decision {
  return refusal(config, decision, protocolVersion, reason, detail);
}

function refusal(config: GuardConfig, decision: Decision, protocolVersion: string | null, reason: string, detail: string): Decision {
  const base = config.approval.approvalUrl;
  const approvalUrl = base.length == 0 ? "" : base + (base.indexOf("?") >= 0 ? "&" : "?") + utf8("tool=") + percentEncode(decision.tool);
  const refused = new Decision();
  refused.allow = false;
  refused.httpStatus = config.denyStatus;
  refused.reason = reason;
  refused.method = decision.method;
  refused.tool = decision.tool;
  refused.id = decision.id;
  refused.destructive = true;
  refused.argumentsStart = decision.argumentsStart;
  refused.argumentsEnd = decision.argumentsEnd;
  const message = utf8("Approval required: ") + decision.tool + utf8(" is a destructive tool; ") + detail;
  refused.detail = message;
  let urlElicitation = false;
  if (protocolVersion !== null) urlElicitation = approvalUrl.length > 0 && protocolVersion.trim() >= utf8("2025-11-25");
  refused.rpcCode = urlElicitation ? URL_ELICITATION_REQUIRED : APPROVAL_REQUIRED;
  const w = writer;
  w.reset();
  w.beginObject();
  w.key("jsonrpc");
  w.string("2.0");
  const id = decision.id;
  if (id !== null) {
    w.key("id");
    w.raw(id);
  }
  w.key("error");
  w.beginObject();
  w.key("code");
  w.integer(refused.rpcCode);
  w.key("message");
  w.string(message);
  w.key("data");
  w.beginObject();
  if (urlElicitation) {
    w.key(utf8("elicitations"));
    w.beginArray();
    w.beginObject();
    w.key("mode");
    w.string("url");
    w.key(utf8("elicitationId"));
    w.string(utf8("mcp-guard-") + sha256Hex(String.UTF8.encode(approvalUrl + "\n" + (id !== null ? String.UTF8.decode(id) : ""))).substring(0, 24));
    w.key("url");
    w.string(approvalUrl);
    w.key("message");
    w.string(message);
    w.endObject();
    w.endArray();
  } else if (approvalUrl.length > 0) {
    w.key(utf8("approval_url"));
    w.string(approvalUrl);
  }
  w.key("reason");
  w.string(reason);
  w.endObject();
  w.endObject();
  w.endObject();
  refused.reply = w.toArrayBuffer();
  return refused;
}

export function checkApproval(config: GuardConfig, decision: Decision, protocolVersion: string | null, token: string | null,
                              user: string | null, bodyPtr: usize, nowSeconds: i64): ApprovalOutcome {
  const outcome = new ApprovalOutcome();
  const mode = config.approval.mode;
  if (!decision.allow || !decision.destructive || mode == ApprovalMode.Off || mode == ApprovalMode.Flag) return outcome;
  if (decision.isBatch) {
    outcome.auditDecision = REASON_APPROVAL_REQUIRED;
    outcome.reason = REASON_APPROVAL_BATCH;
    const refused = refusal(config, decision, protocolVersion, REASON_APPROVAL_BATCH, utf8("send a destructive call on its own, not in a batch"));
    refused.rpcCode = INVALID_REQUEST;
    // Still a batch for the metrics and the audit record: class batch, each tools/call counted, batch_size.
    refused.isBatch = true;
    refused.messageCount = decision.messageCount;
    refused.batchTools = decision.batchTools;
    outcome.refusal = refused;
    return outcome;
  }
  if (mode == ApprovalMode.Webhook) {
    outcome.askWebhook = true;
    return outcome;
  }
  if (mode == ApprovalMode.Deny) {
    outcome.auditDecision = REASON_APPROVAL_REQUIRED;
    outcome.reason = REASON_APPROVAL_REQUIRED;
    outcome.refusal = refusal(config, decision, protocolVersion, REASON_APPROVAL_REQUIRED, utf8("approve it at the URL, then retry"));
    return outcome;
  }
  // Token mode.
  const key = config.approval.key;
  if (token === null || token.length == 0 || key === null) {
    outcome.auditDecision = REASON_APPROVAL_REQUIRED;
    outcome.reason = REASON_APPROVAL_REQUIRED;
    outcome.refusal = refusal(config, decision, protocolVersion, REASON_APPROVAL_REQUIRED, utf8("approve it at the URL and retry with the approval token in ") + config.approval.tokenHeader);
    return outcome;
  }
  const digest = argumentsDigest(bodyPtr, decision.argumentsStart, decision.argumentsEnd);
  const verdict = verifyApprovalToken(token, key, user !== null ? user : "", decision.tool, digest, nowSeconds);
  outcome.reason = verdict;
  if (verdict == TOKEN_VALID) {
    outcome.auditDecision = TOKEN_VALID;
    return outcome;
  }
  outcome.auditDecision = AUDIT_APPROVAL_DENIED;
  outcome.refusal = refusal(config, decision, protocolVersion, verdict, utf8("the approval token does not fit this call (") + verdict + ")");
  return outcome;
}
