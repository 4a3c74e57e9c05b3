// ASCII case mapping and percent-encoding, without the standard library's Unicode tables.
//
// String#toLowerCase / #toUpperCase implement full Unicode case mapping; using them links ~6 KB of tables and
// code into the module. Every caller here compares the result with ASCII constants (media types, parameter
// names, hex digits) or maps bytes that are hex digits already, and there the two agree: Unicode lower-casing
// turns a non-ASCII character into ASCII only for U+212A KELVIN SIGN ("k"; U+0130 gives "i" plus a combining
// dot, still not ASCII), so a string equals a constant without "k" after one mapping exactly when it does after
// the other.

// `text` with A-Z mapped to a-z; every other code unit unchanged.
export function asciiLowerCase(text: string): string {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) break;
    i++;
  }
  if (i == n) return text; // nothing to change (the usual case): no copy
  const out = new Uint16Array(n);
  for (let k = 0; k < n; k++) {
    const c = text.charCodeAt(k);
    out[k] = <u16>(c >= 0x41 && c <= 0x5a ? c + 0x20 : c);
  }
  return String.UTF16.decodeUnsafe(out.dataStart, <usize>n << 1);
}

const HEX_UPPER = "0123456789ABCDEF";

// "%XX" with upper-case hex digits, as RFC 3986 recommends.
export function percentByte(b: u8): string {
  return "%" + HEX_UPPER.charAt(b >> 4) + HEX_UPPER.charAt(b & 15);
}
