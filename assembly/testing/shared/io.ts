// The boundary of the test entries: bytes go in through `inputBuffer`, UTF-16 text through `textBuffer`, and
// results come back in the buffer at `outputPtr()` (re-read memory after every call: buffers may grow).
// Entries re-export inputBuffer, textBuffer and outputPtr, and use the rest internally.

let input = new ArrayBuffer(1 << 16);
let text = new ArrayBuffer(1 << 12);
let output = new ArrayBuffer(1 << 16);

/** `buffer` itself when it holds `bytes`, otherwise a new one of the next power-of-two multiple. */
export function grow(buffer: ArrayBuffer, bytes: i32): ArrayBuffer {
  if (bytes <= buffer.byteLength) return buffer;
  let capacity = buffer.byteLength;
  while (capacity < bytes) capacity <<= 1;
  return new ArrayBuffer(capacity);
}

/** Pointer to a reusable input buffer of at least `len` bytes. */
export function inputBuffer(len: i32): usize {
  input = grow(input, len);
  return changetype<usize>(input);
}

/** Pointer to a reusable buffer for `units` UTF-16 code units. */
export function textBuffer(units: i32): usize {
  text = grow(text, units << 1);
  return changetype<usize>(text);
}

export function outputPtr(): usize {
  return changetype<usize>(output);
}

export function inputPtr(): usize {
  return changetype<usize>(input);
}

/** A copy of the first `len` bytes of `buffer` (clamped to its size). */
export function copyOf(buffer: ArrayBuffer, len: i32): ArrayBuffer {
  const n = len < 0 ? 0 : (len > buffer.byteLength ? buffer.byteLength : len);
  const out = new ArrayBuffer(n);
  memory.copy(changetype<usize>(out), changetype<usize>(buffer), <usize>n);
  return out;
}

/** A copy of input[0..len). */
export function inputCopy(len: i32): ArrayBuffer {
  return copyOf(input, len);
}

/** text[0..units) as a string (lone surrogates kept). */
export function textString(units: i32): string {
  return String.UTF16.decodeUnsafe(changetype<usize>(text), <usize>units << 1);
}

/** Pointer to the output buffer, grown to at least `bytes`, for a callee that writes into it. */
export function outputSpace(bytes: i32): usize {
  output = grow(output, bytes);
  return changetype<usize>(output);
}

/** Copies a string into the output as UTF-16; returns its unit count. */
export function outputUtf16(s: string): i32 {
  output = grow(output, s.length << 1);
  memory.copy(changetype<usize>(output), changetype<usize>(s), <usize>s.length << 1);
  return s.length;
}

/** Copies bytes into the output; returns their count. */
export function outputBytes(bytes: ArrayBuffer): i32 {
  output = grow(output, bytes.byteLength);
  memory.copy(changetype<usize>(output), changetype<usize>(bytes), <usize>bytes.byteLength);
  return bytes.byteLength;
}
