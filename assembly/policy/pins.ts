// Tool description pinning ("rug pull" defence): the policy pins a tool to the digest of its description and
// input schema (see mcp/tool_digest.ts). When a server's tools/list shows a pinned tool with another digest,
// the tool is removed from the list and its calls are refused until the server shows the pinned form again.
// Where the last observation is kept is the guard's business (Envoy runs one VM per worker, so it must be
// shared across them); the pure engine only asks through this interface.
import { TOOL_DIGEST_PREFIX } from "../mcp/tool_digest";

export class PinStatus {
  // True when the last tools/list seen showed `tool` with a digest other than its pin.
  isMismatched(tool: string): bool {
    return false;
  }

  // Records what a tools/list showed: matched = the digest equals the pin.
  record(tool: string, matched: bool): void {}
}

// Keeps observations in this VM only (tests, the pure engine entry).
export class LocalPinStatus extends PinStatus {
  private mismatched: Set<string> = new Set<string>();

  isMismatched(tool: string): bool {
    return this.mismatched.has(tool);
  }

  record(tool: string, matched: bool): void {
    if (matched) this.mismatched.delete(tool);
    else this.mismatched.add(tool);
  }
}


// "sha256:" followed by 64 lowercase hex digits.
export function isDigest(text: string): bool {
  if (text.length != TOOL_DIGEST_PREFIX.length + 64 || !text.startsWith(TOOL_DIGEST_PREFIX)) return false;
  for (let i = TOOL_DIGEST_PREFIX.length; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}
