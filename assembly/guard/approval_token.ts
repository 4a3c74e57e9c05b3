// Approval tokens: what a user's approval of one destructive call looks like on the wire.
//   v1.<hex user>.<hex tool>.<sha256 hex of the canonical arguments>.<expiry, Unix seconds>.<HMAC-SHA256 hex>
// The MAC covers "mcp-guard-approval-v1\n" + user + "\n" + tool + "\n" + digest + "\n" + expiry, keyed by the
// approval key from the VM environment. The signed fields travel in clear so a refusal can say *why* a valid
// token does not fit this call (other user, other tool, other arguments, expired). `mcp-guard approve` mints one
// (src/approval/token.ts); the two sides are tested against each other.
import { asciiLowerCase } from "../mcp/ascii";
import { fromHex } from "../crypto/hex";
import { parseContentLength } from "./media_type";
import { constantTimeEquals, hmacSha256 } from "../crypto/hmac";
import { utf8 } from "../abi/text";

// Decoded once, at start (texts as UTF-8, see abi/text.ts).
export const TOKEN_MALFORMED = utf8("approval_token_malformed");
export const TOKEN_BAD_SIGNATURE = utf8("approval_token_bad_signature");
export const TOKEN_EXPIRED = utf8("approval_token_expired");
export const TOKEN_OTHER_USER = utf8("approval_token_other_user");
export const TOKEN_OTHER_TOOL = utf8("approval_token_other_tool");
export const TOKEN_OTHER_ARGUMENTS = utf8("approval_token_other_arguments");
export const TOKEN_VALID = utf8("approval_granted");

const MAX_TOKEN_LENGTH = 4096;

function isDecimal(text: string): bool {
  if (text.length == 0 || text.length > 12) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function hexText(text: string): string | null {
  const bytes = fromHex(text);
  return bytes === null ? null : String.UTF8.decode(bytes);
}

export function approvalMessage(user: string, tool: string, argumentsDigest: string, expiry: string): ArrayBuffer {
  return String.UTF8.encode(utf8("mcp-guard-approval-v1\n") + user + "\n" + tool + "\n" + argumentsDigest + "\n" + expiry);
}

// The fields of a token, separated by "."; at most 7 (a well-formed token has 6, so more is malformed anyway).
function tokenFields(token: string): Array<string> {
  const fields = new Array<string>();
  let start = 0;
  while (fields.length < 7) {
    const end = token.indexOf(".", start);
    if (end < 0) {
      fields.push(token.substring(start));
      break;
    }
    fields.push(token.substring(start, end));
    start = end + 1;
  }
  return fields;
}

// Checks `token` for this call; returns TOKEN_VALID or the reason it does not fit.
export function verifyApprovalToken(token: string, key: ArrayBuffer, user: string, tool: string, argumentsDigest: string, nowSeconds: i64): string {
  if (token.length > MAX_TOKEN_LENGTH) return TOKEN_MALFORMED;
  const parts = tokenFields(token.trim());
  if (parts.length != 6 || parts[0] != "v1") return TOKEN_MALFORMED;
  const tokenUser = hexText(parts[1]);
  const tokenTool = hexText(parts[2]);
  const digest = parts[3];
  const expiry = parts[4];
  const mac = fromHex(parts[5]);
  if (tokenUser === null || tokenTool === null || fromHex(digest) === null || digest.length != 64 || !isDecimal(expiry) || mac === null || mac.byteLength != 32) {
    return TOKEN_MALFORMED;
  }
  const expected = hmacSha256(key, approvalMessage(tokenUser, tokenTool, asciiLowerCase(digest), expiry));
  if (!constantTimeEquals(expected, mac)) return TOKEN_BAD_SIGNATURE;
  if (parseContentLength(expiry) < nowSeconds) return TOKEN_EXPIRED;
  if (tokenUser != user) return TOKEN_OTHER_USER;
  if (tokenTool != tool) return TOKEN_OTHER_TOOL;
  if (asciiLowerCase(digest) != argumentsDigest) return TOKEN_OTHER_ARGUMENTS;
  return TOKEN_VALID;
}
