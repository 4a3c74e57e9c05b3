// Protocol-version facts the request path depends on.

// JSON-RPC batches exist only in MCP 2025-03-26 (added there, removed in 2025-06-18). Clients of that version
// send no MCP-Protocol-Version header on requests, so an absent header also permits a batch; any other version
// (including ones we do not know yet) does not.
export function batchesAllowed(protocolVersionHeader: string | null): bool {
  if (protocolVersionHeader === null) return true;
  return protocolVersionHeader.trim() == "2025-03-26";
}
