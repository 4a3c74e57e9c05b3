// Lowercase hex encoding of bytes (digests in pins and logs) and its strict inverse.

import { hexValue } from "../json/decode";

const DIGITS: usize = memory.data<u8>([
  0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66,
]);

// Above this many bytes the UTF-16 result (4 bytes per input byte) could not be allocated; digests are 32.
const MAX_HEX_BYTES: i32 = 1 << 26;

/** `data` as lowercase hex, two digits per byte ("" for more than 64 MiB, which no caller has). */
export function toHex(data: ArrayBuffer): string {
  const n = data.byteLength;
  if (n == 0 || n > MAX_HEX_BYTES) return "";
  const out = changetype<string>(__new(<usize>n << 2, idof<string>()));
  const op = changetype<usize>(out);
  const dp = changetype<usize>(data);
  for (let i: usize = 0; i < <usize>n; i++) {
    const b = <usize>load<u8>(dp + i);
    store<u16>(op + (i << 2), <u16>load<u8>(DIGITS + (b >> 4)));
    store<u16>(op + (i << 2), <u16>load<u8>(DIGITS + (b & 15)), 2);
  }
  return out;
}

/** Bytes of a hex string (either case); null if its length is odd or it has a non-hex character. */
export function fromHex(text: string): ArrayBuffer | null {
  const units = text.length;
  if ((units & 1) != 0) return null;
  const out = new ArrayBuffer(units >> 1);
  const op = changetype<usize>(out);
  const tp = changetype<usize>(text);
  for (let i: usize = 0; i < <usize>(units >> 1); i++) {
    const hi = hexValue(<u32>load<u16>(tp + (i << 2)));
    const lo = hexValue(<u32>load<u16>(tp + (i << 2), 2));
    if ((hi | lo) < 0) return null;
    store<u8>(op + i, <u8>((hi << 4) | lo));
  }
  return out;
}
