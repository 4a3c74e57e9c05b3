// Test entry for the JSON reader and writer (compiled to build/test/json.wasm by the vitest global setup).
// Everything crosses the boundary as numbers: bytes go in through `inputBuffer`, UTF-16 text through
// `textBuffer`, and results come back in the buffer at `outputPtr()` (re-read memory after every call).

// The abort handler named by --use must be part of the program.
import "../abi/runtime";
import { JsonDocument, JsonLimits, JsonWriter, jsonErrorMessage, jsonQuote } from "../json";
import { inputPtr, outputBytes, outputUtf16, textString } from "./shared/io";

export { inputBuffer, outputPtr, textBuffer } from "./shared/io";

let limits = new JsonLimits();
const doc = new JsonDocument(limits);
const other = new JsonDocument(); // a second document, to check that parses do not disturb each other
const writer = new JsonWriter();


// ---- reader ----

export function setLimits(maxBytes: i32, maxDepth: i32, maxValues: i32, recordDepth: i32, rejectDuplicateKeys: i32): void {
  limits = new JsonLimits();
  limits.maxBytes = maxBytes;
  limits.maxDepth = maxDepth;
  limits.maxValues = maxValues;
  limits.recordDepth = recordDepth;
  limits.rejectDuplicateKeys = rejectDuplicateKeys != 0;
  doc.limits = limits;
}

export function resetLimits(): void {
  limits = new JsonLimits();
  doc.limits = limits;
}

export function parse(len: i32): i32 {
  return doc.parse(inputPtr(), len);
}

/** Parses an arbitrary pointer range (to test the bounds check). */
export function parseRange(ptr: usize, len: i32): i32 {
  return doc.parse(ptr, len);
}

export function parseText(units: i32): i32 {
  return doc.parseString(textString(units));
}

export function parseBytesCopy(len: i32): i32 {
  const copy = new ArrayBuffer(len < 0 ? 0 : len);
  memory.copy(changetype<usize>(copy), inputPtr(), <usize>copy.byteLength);
  return doc.parseBytes(copy);
}

/** Parses the input buffer with the second document; returns its root's length (or -1 on error). */
export function parseOther(len: i32): i32 {
  return other.parse(inputPtr(), len) == 0 ? other.length(other.root()) : -1;
}

export function lastError(): i32 { return doc.error; }
export function errorOffset(): i32 { return doc.errorOffset; }
export function root(): i32 { return doc.root(); }
export function nodeTableSize(): i32 { return doc.nodeTableSize; }
export function type(node: i32): i32 { return doc.type(node); }
export function isType(node: i32, t: i32): i32 { return doc.isType(node, t) ? 1 : 0; }
export function isKey(node: i32): i32 { return doc.isKey(node) ? 1 : 0; }
export function start(node: i32): i32 { return doc.start(node); }
export function end(node: i32): i32 { return doc.end(node); }
export function length(node: i32): i32 { return doc.length(node); }
export function firstChild(node: i32): i32 { return doc.firstChild(node); }
export function nextSibling(node: i32): i32 { return doc.nextSibling(node); }
export function keyValue(node: i32): i32 { return doc.keyValue(node); }
export function hasEscapes(node: i32): i32 { return doc.hasEscapes(node) ? 1 : 0; }
export function getBool(node: i32, fallback: i32): i32 { return doc.getBool(node, fallback != 0) ? 1 : 0; }
export function getNumber(node: i32): f64 { return doc.getNumber(node); }
export function isInteger(node: i32): i32 { return doc.isInteger(node) ? 1 : 0; }

/** Decoded string into the output buffer as UTF-16; returns the unit count, or -1 for "not a string". */
export function getString(node: i32): i32 {
  const s = doc.getString(node);
  if (s === null) return -1;
  return outputUtf16(s);
}

export function get(object: i32, keyUnits: i32): i32 {
  return doc.get(object, textString(keyUnits));
}

export function stringEquals(node: i32, units: i32): i32 {
  return doc.stringEquals(node, textString(units)) ? 1 : 0;
}

/** Raw bytes of a node into the output buffer; returns their count. */
export function rawBytes(node: i32): i32 {
  return outputBytes(doc.rawBytes(node));
}

export function errorMessage(e: i32): i32 {
  return outputUtf16(jsonErrorMessage(e));
}

// ---- writer ----

export function wReset(): void { writer.reset(); }
export function wBeginObject(): void { writer.beginObject(); }
export function wEndObject(): void { writer.endObject(); }
export function wBeginArray(): void { writer.beginArray(); }
export function wEndArray(): void { writer.endArray(); }
export function wKey(units: i32): void { writer.key(textString(units)); }
export function wString(units: i32): void { writer.string(textString(units)); }
export function wStringBytes(len: i32): void { writer.stringBytes(inputPtr(), len); }
export function wRawRange(len: i32): void { writer.rawRange(inputPtr(), len); }
export function wStringBytesAt(ptr: usize, len: i32): void { writer.stringBytes(ptr, len); }
export function wRawRangeAt(ptr: usize, len: i32): void { writer.rawRange(ptr, len); }
export function wRawNode(node: i32): void { writer.raw(doc.rawBytes(node)); }
export function wInteger(v: i64): void { writer.integer(v); }
export function wNumber(v: f64): void { writer.number(v); }
export function wBool(b: i32): void { writer.bool(b != 0); }
export function wNull(): void { writer.null(); }
export function wMisused(): i32 { return writer.misused ? 1 : 0; }
export function wByteLength(): i32 { return writer.byteLength; }

/** Writer output (toArrayBuffer) into the output buffer; returns the byte count. */
export function wOutput(): i32 {
  return outputBytes(writer.toArrayBuffer());
}

/** Writer output (toString) into the output buffer as UTF-16; returns the unit count. */
export function wOutputString(): i32 {
  return outputUtf16(writer.toString());
}

export function quote(units: i32): i32 {
  return outputUtf16(jsonQuote(textString(units)));
}
