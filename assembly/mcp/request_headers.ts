// The request headers the decision depends on, captured in the request-headers callback (Envoy refuses to
// read request headers once they have continued).
export class RequestHeaders {
  protocolVersion: string | null = null;
  // 2026-07-28 mirrors of the body: Mcp-Method on every request, Mcp-Name on tools/call, resources/read and
  // prompts/get.
  mcpMethod: string | null = null;
  mcpName: string | null = null;
}

// MCP versions are dates, so they order as strings. Header mirroring is required from 2026-07-28 on.
export const FIRST_VERSION_WITH_HEADER_MIRRORING = "2026-07-28";

export function requiresHeaderMirroring(protocolVersion: string | null): bool {
  return protocolVersion !== null && protocolVersion.trim() >= FIRST_VERSION_WITH_HEADER_MIRRORING;
}
