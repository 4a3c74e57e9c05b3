// Header values must be visible ASCII: anything else (and '%') is percent-encoded from its UTF-8 bytes.
import { percentByte } from "../mcp/ascii";

export function headerSafe(value: string): string {
  const bytes = Uint8Array.wrap(String.UTF8.encode(value));
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b >= 0x20 && b < 0x7f && b != 0x25) out += String.fromCharCode(b);
    else out += percentByte(b);
  }
  return out;
}
