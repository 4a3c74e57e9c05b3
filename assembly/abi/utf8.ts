// Strings cross the ABI as UTF-8 bytes. AssemblyScript strings are UTF-16 and may hold lone surrogates; the
// default encoder writes those as WTF-8 (not valid UTF-8), so we always encode with replacement (U+FFFD).
// Decoding uses the standard lenient decoder: it never reads past the given length and never traps, but it
// does not validate (see BRIEF §1) — callers that must reject invalid UTF-8 work on the bytes instead.

/** UTF-8 bytes of `s`; lone surrogates become U+FFFD. */
export function utf8Encode(s: string): ArrayBuffer {
  return String.UTF8.encode(s, false, String.UTF8.ErrorMode.REPLACE);
}

/** Number of bytes utf8Encode / utf8EncodeInto produce for `s`. */
export function utf8Length(s: string): usize {
  return <usize>String.UTF8.byteLength(s, false);
}

/** Writes the UTF-8 bytes of `s` at `dst` (which must have utf8Length(s) bytes of room); returns the count. */
export function utf8EncodeInto(s: string, dst: usize): usize {
  return String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, dst, false, String.UTF8.ErrorMode.REPLACE);
}

/** String from `len` UTF-8 bytes at `ptr` (lenient, bounds-respecting). */
export function utf8Decode(ptr: usize, len: usize): string {
  if (len == 0) return "";
  return String.UTF8.decodeUnsafe(ptr, len, false);
}

/** String from a whole buffer. */
export function utf8DecodeBuffer(bytes: ArrayBuffer): string {
  return utf8Decode(changetype<usize>(bytes), <usize>bytes.byteLength);
}
