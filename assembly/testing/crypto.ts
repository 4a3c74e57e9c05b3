// Test entry for SHA-256, HMAC, hex, the ES number form and the canonical JSON / tool digest (compiled to
// build/test/crypto.wasm by the vitest global setup). Bytes go in through `inputBuffer` / `keyBuffer`, UTF-16
// text through `textBuffer`; results come back in the buffer at `outputPtr()` (re-read memory after a call).

// The abort handler named by --use must be part of the program.
import "../abi/runtime";
import { JsonDocument, JsonLimits } from "../json";
import { constantTimeEquals, hmacSha256 } from "../crypto/hmac";
import { fromHex, toHex } from "../crypto/hex";
import { Sha256, sha256, sha256Hex } from "../crypto/sha256";
import { canonicalJsonBytes } from "../mcp/canonical_json";
import { MAX_NUMBER_TEXT, formatNumber } from "../mcp/es_number";
import { toolDigest } from "../mcp/tool_digest";
import { copyOf, grow, inputCopy, inputPtr, outputBytes, outputSpace, outputUtf16, textString } from "./shared/io";

export { inputBuffer, outputPtr, textBuffer } from "./shared/io";

let key = new ArrayBuffer(1 << 10);
const hasher = new Sha256();
let limits = new JsonLimits();
const doc = new JsonDocument(limits);



export function keyBuffer(len: i32): usize {
  key = grow(key, len);
  return changetype<usize>(key);
}






// ---- SHA-256 / HMAC / hex ----

/** SHA-256 of input[0..len) into the output; returns 32. */
export function digest(len: i32): i32 {
  return outputBytes(sha256(inputCopy(len)));
}

/** The same through Sha256.update in pieces of `chunk` bytes (<= 0: one update per byte run of 1). */
export function digestChunked(len: i32, chunk: i32): i32 {
  const step = chunk > 0 ? chunk : 1;
  const base = inputPtr();
  hasher.reset();
  for (let i = 0; i < len; i += step) hasher.update(base + <usize>i, len - i < step ? len - i : step);
  return outputBytes(hasher.finish());
}

/** SHA-256 of `count` repetitions of input[0..len) (for the one-million-'a' vector); returns 32. */
export function digestRepeated(len: i32, count: i32): i32 {
  hasher.reset();
  for (let i = 0; i < count; i++) hasher.update(inputPtr(), len);
  return outputBytes(hasher.finish());
}

/** SHA-256 of the UTF-8 of text[0..units) via updateString; returns 32. */
export function digestText(units: i32): i32 {
  hasher.reset();
  hasher.updateString(textString(units));
  return outputBytes(hasher.finish());
}

/** Sha256.update over an arbitrary range (to check that an out-of-memory range is ignored); returns 32. */
export function digestRange(ptr: usize, len: i32): i32 {
  hasher.reset();
  hasher.update(ptr, len);
  return outputBytes(hasher.finish());
}

/** sha256Hex of input[0..len) into the output as UTF-16; returns the unit count. */
export function digestHex(len: i32): i32 {
  return outputUtf16(sha256Hex(inputCopy(len)));
}

/** HMAC-SHA256 with key[0..keyLen) over input[0..len); returns 32. */
export function hmac(keyLen: i32, len: i32): i32 {
  return outputBytes(hmacSha256(copyOf(key, keyLen), inputCopy(len)));
}

/** constantTimeEquals(input[0..aLen), key[0..bLen)) as 1 or 0. */
export function equals(aLen: i32, bLen: i32): i32 {
  return constantTimeEquals(inputCopy(aLen), copyOf(key, bLen)) ? 1 : 0;
}

/** toHex(input[0..len)) into the output as UTF-16; returns the unit count. */
export function hex(len: i32): i32 {
  return outputUtf16(toHex(inputCopy(len)));
}

/** fromHex(text[0..units)) into the output; returns the byte count or -1 for null. */
export function unhex(units: i32): i32 {
  const bytes = fromHex(textString(units));
  return bytes === null ? -1 : outputBytes(bytes);
}

// ---- canonical JSON and tool digests ----

/** Number::toString(v) as ASCII into the output; returns the byte count (0 for NaN / infinities). */
export function number(v: f64): i32 {
  return formatNumber(v, outputSpace(MAX_NUMBER_TEXT));
}

export function setLimits(maxDepth: i32, recordDepth: i32, rejectDuplicateKeys: i32): void {
  limits = new JsonLimits();
  limits.maxDepth = maxDepth;
  limits.recordDepth = recordDepth;
  limits.rejectDuplicateKeys = rejectDuplicateKeys != 0;
  doc.limits = limits;
}

export function resetLimits(): void {
  limits = new JsonLimits();
  doc.limits = limits;
}

/** Parses input[0..len); returns the JsonError. */
export function parse(len: i32): i32 {
  return doc.parse(inputPtr(), len);
}

export function root(): i32 {
  return doc.root();
}

/** Canonical bytes of `node` of the last parse into the output; returns their count, or -1 if none. */
export function canonical(node: i32): i32 {
  const bytes = canonicalJsonBytes(doc, node);
  return bytes === null ? -1 : outputBytes(bytes);
}

/** toolDigest of `node` of the last parse into the output as UTF-16; returns the unit count (0 for ""). */
export function toolDigestOf(node: i32): i32 {
  return outputUtf16(toolDigest(doc, node));
}

/** Value node of member `key` (text[0..units)) of `object` of the last parse. */
export function member(object: i32, units: i32): i32 {
  return doc.get(object, textString(units));
}

export function firstChild(node: i32): i32 {
  return doc.firstChild(node);
}

export function nextSibling(node: i32): i32 {
  return doc.nextSibling(node);
}
