// Long texts (configuration errors, log messages) stored as UTF-8. A string literal is kept as UTF-16 with a
// 20-byte header, more than twice the bytes of an ASCII text; `utf8("…")` marks a literal that the build
// (scripts/utf8-text-transform.mjs, loaded by asconfig.json) moves into TABLE, rewriting the call to
// `utf8("", offset, length)`. The string is then decoded only when the text is used, on paths where that does
// not matter (configuration, errors). A build without the transform gets the literal back unchanged.

// Filled by the transform with the UTF-8 bytes of every marked text.
const TABLE: usize = memory.data<u8>([0]);

export function utf8(text: string, offset: i32 = -1, length: i32 = 0): string {
  if (offset < 0) return text;
  return String.UTF8.decodeUnsafe(TABLE + <usize>offset, <usize>length);
}

// The non-empty lines of `text`: for lists of names kept as one utf8(`…`) text, split once when the module starts.
export function lines(text: string, out: Array<string> = new Array<string>()): Array<string> {
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    if (end > start) out.push(text.substring(start, end));
    start = end + 1;
  }
  return out;
}

/**
 * Writes the decimal digits of `value` at `out`, left-padded with zeros to `width`; returns their count (at most
 * 20, or `width`). The one digit loop of the module: JSON numbers, the tool digest's number expansion, audit
 * timestamps and `decimal()` all write through it.
 */
export function writeDigits(out: usize, value: u64, width: i32): i32 {
  let n = 0;
  let t = value;
  do {
    n++;
    t /= 10;
  } while (t != 0);
  if (width > n) n = width;
  t = value;
  for (let i = n - 1; i >= 0; i--) {
    store<u8>(out + <usize>i, <u8>(0x30 + t % 10));
    t /= 10;
  }
  return n;
}

// Room for a minus sign and the digits of any i64 (19) or u64 (20).
const DIGITS = memory.data(21);

/**
 * `value` in decimal, what `value.toString()` gives. The module's own: `toString()` on numbers links the standard
 * library's formatting for every radix, with its digit table and error text (~0.8 KB), and the module only ever
 * writes decimal.
 */
export function decimal(value: i64): string {
  let n = 0;
  if (value < 0) {
    store<u8>(DIGITS, 0x2d); // -
    n = 1;
  }
  n += writeDigits(DIGITS + <usize>n, value < 0 ? <u64>0 - <u64>value : <u64>value, 0);
  return String.UTF8.decodeUnsafe(DIGITS, <usize>n);
}
