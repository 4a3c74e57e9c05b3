// Approval tokens for destructive tool calls, the TypeScript side of assembly/guard/approval_token.ts:
//   v1.<hex user>.<hex tool>.<sha256 hex of the RFC 8785 arguments>.<expiry, Unix seconds>.<HMAC-SHA256 hex>
// `mcp-guard approve` mints them for testing; an approval service would mint them after a human said yes.
import { createHash, createHmac } from "node:crypto";
import { canonicalJson } from "../pins/canonical.ts";

export interface ApprovalRequest {
  key: string;
  user: string;
  tool: string;
  /** The call's `arguments` (absent = {}). */
  arguments?: unknown;
  /** Seconds from `now` until the token expires. */
  ttlSeconds: number;
  /** Unix seconds; defaults to the current time. */
  now?: number;
}

const hex = (text: string) => Buffer.from(text, "utf8").toString("hex");

/** SHA-256 (hex) of the canonical form of the arguments, as the module computes it. */
export function argumentsDigest(args: unknown): string {
  return createHash("sha256").update(canonicalJson(args === undefined ? {} : args), "utf8").digest("hex");
}

export function approvalMac(key: string, user: string, tool: string, digest: string, expiry: string): string {
  return createHmac("sha256", Buffer.from(key, "utf8")).update(`mcp-guard-approval-v1\n${user}\n${tool}\n${digest}\n${expiry}`, "utf8").digest("hex");
}

export function mintApprovalToken(request: ApprovalRequest): string {
  const now = request.now ?? Math.floor(Date.now() / 1000);
  const expiry = String(Math.floor(now + request.ttlSeconds));
  const digest = argumentsDigest(request.arguments);
  return ["v1", hex(request.user), hex(request.tool), digest, expiry, approvalMac(request.key, request.user, request.tool, digest, expiry)].join(".");
}
