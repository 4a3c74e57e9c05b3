// Digest of a tool definition for pinning (docs/tool-pinning.md): "sha256:" + the lowercase hex SHA-256 of
// the RFC 8785 canonical form of {"description": ..., "inputSchema": ...} taken from one tool object of a
// tools/list result. Members the tool lacks are absent from that object too. The CLI computes the same value
// with src/pins/canonical.ts, so a pin written from a trusted tools/list matches what the filter sees.

import { JsonDocument, JsonLimits, JsonType } from "../json";
import { toHex } from "../crypto/hex";
import { Sha256 } from "../crypto/sha256";
import { CanonicalStatus, CanonicalWriter } from "./canonical_json";

export const TOOL_DIGEST_PREFIX = "sha256:";

const writer = new CanonicalWriter();
const hasher = new Sha256();
// Holds a copy of a tool whose subtree the caller's document did not store (see toolDigest).
const fullLimits = new JsonLimits();
const fullDoc = new JsonDocument(fullLimits);
const NOTHING = new ArrayBuffer(0);

/** Feeds the canonical {"description","inputSchema"} object of `tool` to the hasher. */
function digestMembers(doc: JsonDocument, tool: i32): CanonicalStatus {
  if (doc.firstChild(tool) < 0 && doc.length(tool) > 0) return CanonicalStatus.Truncated;
  hasher.reset();
  writer.begin(hasher);
  writer.ascii("{");
  const description = doc.get(tool, "description");
  const inputSchema = doc.get(tool, "inputSchema");
  if (description >= 0) {
    writer.ascii("\"description\":"); // already canonical: ASCII, nothing to escape
    const status = writer.value(doc, description);
    if (status != CanonicalStatus.Ok) return status;
  }
  if (inputSchema >= 0) {
    writer.ascii(description >= 0 ? ",\"inputSchema\":" : "\"inputSchema\":");
    const status = writer.value(doc, inputSchema);
    if (status != CanonicalStatus.Ok) return status;
  }
  writer.ascii("}");
  writer.flush();
  return CanonicalStatus.Ok;
}

/**
 * "sha256:<64 hex digits>" for the tool object `tool` of `doc`; "" when `tool` is not an object node or the
 * tool has no canonical form (a number beyond the double range, like 1e400, which JSON.parse turns into
 * Infinity: the CLI refuses such a tool too, so no pin can match it).
 *
 * A document parsed with a small recordDepth does not store deep nodes; then the tool's own bytes are parsed
 * again, whole, with the caller's other limits (at most once per call; a parse that succeeded once succeeds
 * again on a part of the same text).
 */
export function toolDigest(doc: JsonDocument, tool: i32): string {
  if (!doc.isType(tool, JsonType.Object)) return "";
  let status = digestMembers(doc, tool);
  if (status == CanonicalStatus.Truncated) {
    const limits = doc.limits;
    fullLimits.maxBytes = 0x7fffffff; // the caller's limit already admitted the whole document
    fullLimits.maxDepth = limits.maxDepth;
    fullLimits.maxValues = limits.maxValues;
    fullLimits.recordDepth = 0x7fffffff;
    fullLimits.rejectDuplicateKeys = limits.rejectDuplicateKeys;
    status = fullDoc.parseBytes(doc.rawBytes(tool)) == 0
      ? digestMembers(fullDoc, fullDoc.root())
      : CanonicalStatus.Truncated;
    fullDoc.parseBytes(NOTHING); // release the copy
  }
  if (status != CanonicalStatus.Ok) {
    hasher.reset();
    return "";
  }
  return TOOL_DIGEST_PREFIX + toHex(hasher.finish());
}
