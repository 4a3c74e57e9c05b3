// A minimal POSIX ustar writer (one regular file, fixed metadata, for reproducible layers) and a reader that
// walks an archive the way Go's archive/tar does for the parts Istio relies on (ustar/GNU/PAX names, sizes,
// header checksums). No I/O here: bytes in, bytes out.

const BLOCK = 512;

export interface TarFileOptions {
  mode?: number;      // default 0o644
  uid?: number;       // default 0
  gid?: number;       // default 0
  uname?: string;     // default "root"
  gname?: string;     // default "root"
  mtime?: number;     // seconds since epoch; default 0 so the archive does not depend on when it was built
}

export interface TarEntry {
  name: string;
  type: string;       // typeflag: "0" regular file, "5" directory, ...
  size: number;
  data: Uint8Array;
}

/** An archive holding a single regular file, terminated by the two zero blocks the format requires. */
export function tarSingleFile(name: string, data: Uint8Array, options: TarFileOptions = {}): Uint8Array {
  const nameBytes = new TextEncoder().encode(name);
  if (nameBytes.length === 0 || nameBytes.length > 100) throw new Error(`tar: file name must be 1..100 bytes: ${name}`);
  const header = new Uint8Array(BLOCK);
  header.set(nameBytes, 0);
  writeOctal(header, 100, 8, options.mode ?? 0o644);
  writeOctal(header, 108, 8, options.uid ?? 0);
  writeOctal(header, 116, 8, options.gid ?? 0);
  writeOctal(header, 124, 12, data.length);
  writeOctal(header, 136, 12, options.mtime ?? 0);
  header[156] = 0x30; // "0": regular file
  writeAscii(header, 257, "ustar\0");
  writeAscii(header, 263, "00");
  writeAscii(header, 265, (options.uname ?? "root").slice(0, 31));
  writeAscii(header, 297, (options.gname ?? "root").slice(0, 31));
  writeOctal(header, 329, 8, 0);
  writeOctal(header, 337, 8, 0);
  // The checksum is computed with its own field filled with spaces, then written as 6 octal digits, NUL, space.
  header.fill(0x20, 148, 156);
  const sum = header.reduce((a, b) => a + b, 0);
  writeAscii(header, 148, sum.toString(8).padStart(6, "0") + "\0 ");

  const padded = Math.ceil(data.length / BLOCK) * BLOCK;
  const out = new Uint8Array(BLOCK + padded + 2 * BLOCK);
  out.set(header, 0);
  out.set(data, BLOCK);
  return out;
}

/** Every entry of an archive, in order, with PAX and GNU long names applied. Throws on a malformed archive. */
export function readTar(archive: Uint8Array): TarEntry[] {
  const entries: TarEntry[] = [];
  let offset = 0;
  let nextName: string | undefined;
  while (offset + BLOCK <= archive.length) {
    const header = archive.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) break; // end-of-archive marker
    verifyChecksum(header, offset);
    const size = readNumber(header, 124, 12);
    const type = header[156] === 0 ? "0" : String.fromCharCode(header[156] ?? 0x30);
    const dataStart = offset + BLOCK;
    const dataEnd = dataStart + size;
    if (dataEnd > archive.length) throw new Error(`tar: entry at ${offset} claims ${size} bytes past the end of the archive`);
    const data = archive.subarray(dataStart, dataEnd);
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;

    if (type === "x") { // PAX extended header for the next entry
      const path = paxRecords(data).get("path");
      if (path !== undefined) nextName = path;
      continue;
    }
    if (type === "g") continue; // PAX global header
    if (type === "L") { // GNU long name for the next entry
      nextName = cString(data, 0, data.length);
      continue;
    }
    const magic = cString(header, 257, 6);
    const prefix = magic === "ustar" ? cString(header, 345, 155) : "";
    const shortName = cString(header, 0, 100);
    const name = nextName ?? (prefix ? `${prefix}/${shortName}` : shortName);
    nextName = undefined;
    entries.push({ name, type, size, data });
  }
  return entries;
}

function writeAscii(buf: Uint8Array, at: number, text: string): void {
  for (let i = 0; i < text.length; i++) buf[at + i] = text.charCodeAt(i) & 0x7f;
}

function writeOctal(buf: Uint8Array, at: number, width: number, value: number): void {
  const digits = value.toString(8);
  if (digits.length > width - 1) throw new Error(`tar: value ${value} does not fit in ${width} bytes`);
  writeAscii(buf, at, digits.padStart(width - 1, "0") + "\0");
}

function cString(buf: Uint8Array, at: number, width: number): string {
  let end = at;
  while (end < at + width && end < buf.length && buf[end] !== 0) end++;
  return new TextDecoder().decode(buf.subarray(at, end));
}

function readNumber(buf: Uint8Array, at: number, width: number): number {
  const first = buf[at] ?? 0;
  if (first & 0x80) { // GNU base-256 encoding for large values
    let value = first & 0x7f;
    for (let i = 1; i < width; i++) value = value * 256 + (buf[at + i] ?? 0);
    return value;
  }
  const text = cString(buf, at, width).trim();
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) throw new Error(`tar: invalid octal number ${JSON.stringify(text)}`);
  return parseInt(text, 8);
}

function verifyChecksum(header: Uint8Array, offset: number): void {
  const recorded = readNumber(header, 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : (header[i] ?? 0);
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  if (recorded !== unsigned && recorded !== signed) throw new Error(`tar: bad header checksum at offset ${offset}`);
}

function paxRecords(data: Uint8Array): Map<string, string> {
  // Records are "<length> <key>=<value>\n" where length counts bytes of the whole record.
  const records = new Map<string, string>();
  const decoder = new TextDecoder();
  let i = 0;
  while (i < data.length) {
    let space = i;
    while (space < data.length && data[space] !== 0x20) space++;
    const length = parseInt(decoder.decode(data.subarray(i, space)), 10);
    if (!Number.isFinite(length) || length <= space - i || i + length > data.length) break;
    const record = decoder.decode(data.subarray(space + 1, i + length - 1)); // without the trailing newline
    const eq = record.indexOf("=");
    if (eq > 0) records.set(record.slice(0, eq), record.slice(eq + 1));
    i += length;
  }
  return records;
}
