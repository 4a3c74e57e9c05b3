// JSON-RPC 2.0 error codes as MCP uses them.
export const PARSE_ERROR: i32 = -32700;
export const INVALID_REQUEST: i32 = -32600;
export const METHOD_NOT_FOUND: i32 = -32601;
export const INVALID_PARAMS: i32 = -32602;
export const INTERNAL_ERROR: i32 = -32603;
// MCP: the requested resource does not exist (also what a refused resource gets, so prefixes cannot be probed).
export const RESOURCE_NOT_FOUND: i32 = -32002;
// MCP 2026-07-28: HTTP headers do not match the body (HTTP status 400).
export const HEADER_MISMATCH: i32 = -32020;
