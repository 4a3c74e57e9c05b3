// Header checks on a request that carries a body: the filter can only inspect identity-encoded JSON, so
// anything else is refused (415) rather than forwarded uninspected.

import { asciiLowerCase } from "../mcp/ascii";

// True for `application/json` with no charset or charset=utf-8 (case-insensitive, optionally quoted).
export function isJsonContentType(value: string | null): bool {
  if (value === null) return false;
  // The media type, then each parameter after a ";" (read in place rather than split into an array).
  let end = value.indexOf(";");
  if (end < 0) end = value.length;
  if (asciiLowerCase(value.substring(0, end).trim()) != "application/json") return false;
  while (end < value.length) {
    const start = end + 1;
    end = value.indexOf(";", start);
    if (end < 0) end = value.length;
    const param = value.substring(start, end).trim();
    if (param.length == 0) continue;
    const eq = param.indexOf("=");
    if (eq < 0) return false;
    const name = asciiLowerCase(param.substring(0, eq).trim());
    let val = asciiLowerCase(param.substring(eq + 1).trim());
    if (val.length >= 2 && val.startsWith("\"") && val.endsWith("\"")) val = val.substring(1, val.length - 1);
    if (name == "charset" && val != "utf-8" && val != "utf8") return false;
  }
  return true;
}

// True when no content-encoding applies (absent, empty or `identity`).
export function isIdentityEncoding(value: string | null): bool {
  if (value === null) return true;
  const v = asciiLowerCase(value.trim());
  return v.length == 0 || v == "identity";
}

// Parses a content-length header (or any plain decimal header value); -1 when absent or not a plain decimal.
export function parseContentLength(value: string | null): i64 {
  if (value === null) return -1;
  const v = value.trim();
  if (v.length == 0 || v.length > 18) return -1;
  let n: i64 = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    n = n * 10 + <i64>(c - 48);
  }
  return n;
}
