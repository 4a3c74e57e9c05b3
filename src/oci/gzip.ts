// Deterministic gzip for image layers. The layer digest is part of the manifest digest that WasmPlugin pins, so
// the same input must give the same bytes on every machine.
//
// Level 0 (the default) writes the deflate stream itself as "stored" blocks: the output is a pure function of the
// input, whatever Node, zlib build or CPU. Levels 1-9 use node:zlib and are smaller, but zlib builds differ:
// Node bundles Chromium's zlib, which picks its match-finding hash by CPU features, so compressed bytes (and so
// the digest) can differ between machines even on one Node version. In both cases the gzip header carries no file
// name, mtime 0 and OS "unknown" (255), so nothing about the build host leaks in.
import { gunzipSync, gzipSync } from "node:zlib";

export type GzipLevel = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;

const HEADER = Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff); // magic, deflate, no flags, mtime 0, xfl 0, OS 255
const MAX_STORED = 0xffff;

export function gzipDeterministic(data: Uint8Array, level: GzipLevel = 0): Uint8Array {
  if (level === 0) return gzipStored(data);
  const out = new Uint8Array(gzipSync(data, { level, memLevel: 8, windowBits: 15 }));
  // Normalise the header bytes zlib fills from its build (mtime is already 0; XFL and OS are not).
  out[8] = level === 9 ? 2 : level === 1 ? 4 : 0;
  out[9] = 0xff;
  return out;
}

export function gunzip(data: Uint8Array): Uint8Array {
  return new Uint8Array(gunzipSync(data));
}

function gzipStored(data: Uint8Array): Uint8Array {
  const blocks = Math.max(1, Math.ceil(data.length / MAX_STORED));
  const out = new Uint8Array(HEADER.length + blocks * 5 + data.length + 8);
  out.set(HEADER, 0);
  let at = HEADER.length;
  for (let b = 0; b < blocks; b++) {
    const start = b * MAX_STORED;
    const length = Math.min(MAX_STORED, data.length - start);
    out[at++] = b === blocks - 1 ? 1 : 0; // BFINAL bit, BTYPE 00 (stored), then padding to the byte boundary
    out[at++] = length & 0xff;
    out[at++] = length >>> 8;
    out[at++] = ~length & 0xff;
    out[at++] = (~length >>> 8) & 0xff;
    out.set(data.subarray(start, start + length), at);
    at += length;
  }
  writeU32le(out, at, crc32(data));
  writeU32le(out, at + 4, data.length >>> 0);
  return out;
}

function writeU32le(buf: Uint8Array, at: number, value: number): void {
  buf[at] = value & 0xff;
  buf[at + 1] = (value >>> 8) & 0xff;
  buf[at + 2] = (value >>> 16) & 0xff;
  buf[at + 3] = (value >>> 24) & 0xff;
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (ISO-HDLC, the one gzip uses). */
export function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = (crcTable[(crc ^ (data[i] ?? 0)) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
