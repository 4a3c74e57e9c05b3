// Resource URI checks (seed 004 §4.C: "reject any URI containing `..` or `%2e%2e`"). A URI is refused when,
// after percent-decoding as many times as it takes (double encoding such as %252e hides a dot from a single
// decode), it contains a `..` path segment, a backslash, a NUL or another control character, or when it carries
// an encoded separator (%2f, %5c), which would hide a segment boundary from the check but not from a server
// that decodes before splitting. Malformed escapes are refused too. What passes is normalised (decoded, `.`
// segments removed) for the prefix allowlist.

import { asciiLowerCase } from "../mcp/ascii";
import { decimal, utf8 } from "../abi/text";
const MAX_DECODE_ROUNDS = 4;

export class UriVerdict {
  ok: bool = false;
  reason: string = "";
  normalised: string = "";
}

function hexValue(c: i32): i32 {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

// One round of percent-decoding over UTF-16 code units; escapes are decoded as bytes and re-read as UTF-8.
// Returns null for a malformed escape.
function percentDecode(text: string): string | null {
  if (text.indexOf("%") < 0) return text;
  const bytes = String.UTF8.encode(text);
  const src = Uint8Array.wrap(bytes);
  const out = new Uint8Array(src.length);
  let n = 0;
  for (let i = 0; i < src.length; i++) {
    const b = src[i];
    if (b != 0x25) {
      out[n++] = b;
      continue;
    }
    if (i + 2 >= src.length) return null;
    const hi = hexValue(src[i + 1]);
    const lo = hexValue(src[i + 2]);
    if (hi < 0 || lo < 0) return null;
    out[n++] = <u8>((hi << 4) | lo);
    i += 2;
  }
  return String.UTF8.decodeUnsafe(out.dataStart, <usize>n);
}

function hasEncodedSeparator(text: string): bool {
  const lower = asciiLowerCase(text);
  return lower.indexOf("%2f") >= 0 || lower.indexOf("%5c") >= 0;
}

function hasForbiddenCharacter(text: string): bool {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c == 0x7f || c == 0x5c) return true; // controls (NUL included), DEL, backslash
  }
  return false;
}

// Splits off "scheme://authority" (kept as is) from the path part, removes "." segments and reports "..".
function normalisePath(text: string, verdict: UriVerdict): bool {
  let pathStart = 0;
  const schemeEnd = text.indexOf("://");
  if (schemeEnd >= 0) {
    const authorityEnd = text.indexOf("/", schemeEnd + 3);
    pathStart = authorityEnd >= 0 ? authorityEnd : text.length;
  }
  const head = text.substring(0, pathStart);
  // The path's segments, read one at a time (String#split would link another standard-library function).
  const path = text.substring(pathStart);
  const kept = new Array<string>();
  let start = 0;
  for (let i = 0; start <= path.length; i++) {
    let end = path.indexOf("/", start);
    const last = end < 0;
    if (last) end = path.length;
    const segment = path.substring(start, end);
    start = end + 1;
    if (segment == "..") {
      verdict.reason = utf8("a \"..\" path segment");
      return false;
    }
    // Also a segment that only looks like ".." to a server trimming query or fragment (e.g. "..?x", "..#x").
    if (segment.startsWith("..?") || segment.startsWith("..#")) {
      verdict.reason = utf8("a \"..\" path segment");
      return false;
    }
    if (segment == "." && i > 0 && !last) continue;
    kept.push(segment);
  }
  verdict.normalised = head + kept.join("/");
  return true;
}

export function checkResourceUri(uri: string): UriVerdict {
  const verdict = new UriVerdict();
  if (uri.length == 0) {
    verdict.reason = "an empty URI";
    return verdict;
  }
  let current = uri;
  for (let round = 0; round <= MAX_DECODE_ROUNDS; round++) {
    if (hasEncodedSeparator(current)) {
      verdict.reason = utf8("an encoded path separator (%2f or %5c)");
      return verdict;
    }
    if (hasForbiddenCharacter(current)) {
      verdict.reason = utf8("a backslash or control character");
      return verdict;
    }
    const decoded = percentDecode(current);
    if (decoded === null) {
      verdict.reason = utf8("a malformed percent escape");
      return verdict;
    }
    if (decoded == current) {
      if (!normalisePath(current, verdict)) return verdict;
      verdict.ok = true;
      return verdict;
    }
    current = decoded;
  }
  verdict.reason = utf8("percent-encoding nested more than ") + decimal(MAX_DECODE_ROUNDS) + utf8(" levels deep");
  return verdict;
}

// Prefixes a resource URI must start with (after normalisation). Empty = every URI that passes the checks.
export class UriPrefixes {
  prefixes: Array<string> = new Array<string>();

  get isEmpty(): bool {
    return this.prefixes.length == 0;
  }

  permits(normalised: string): bool {
    if (this.prefixes.length == 0) return true;
    for (let i = 0; i < this.prefixes.length; i++) {
      if (normalised.startsWith(this.prefixes[i])) return true;
    }
    return false;
  }

  // A URI template's literal part (up to the first "{") must itself fall under a prefix: a template that could
  // expand outside every prefix is not offered.
  permitsTemplate(template: string): bool {
    if (this.prefixes.length == 0) return true;
    const brace = template.indexOf("{");
    const literal = brace >= 0 ? template.substring(0, brace) : template;
    for (let i = 0; i < this.prefixes.length; i++) {
      const prefix = this.prefixes[i];
      if (literal.startsWith(prefix)) return true;
    }
    return false;
  }
}
