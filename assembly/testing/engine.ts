// Test and benchmark entry for the pure request engine (guard/engine.ts + policy + mcp + json), without the
// proxy-wasm ABI: the caller writes bytes into the input buffer, then configures or decides.
import { RequestEngine } from "../guard/engine";
import { Decision } from "../guard/decision";
import { parseConfig } from "../policy/config";
import { RequestHeaders } from "../mcp/request_headers";
import { chargeHostBytes, enterCallback, leaveCallback } from "../abi/collector";

let input = new ArrayBuffer(1024);
let engine: RequestEngine | null = null;
let last: Decision | null = null;
let lastError = "";
const noHeaders = new RequestHeaders();

// Returns a pointer to an input buffer of at least `len` bytes, valid until the next call.
export function inputBuffer(len: i32): usize {
  if (input.byteLength < len) input = new ArrayBuffer(len);
  return changetype<usize>(input);
}

// Configures from the JSON policy in the input buffer; false when it is invalid (see configError).
export function configure(len: i32): bool {
  const result = parseConfig(changetype<usize>(input), len);
  const config = result.config;
  if (config === null) {
    lastError = result.error;
    engine = null;
    return false;
  }
  engine = new RequestEngine(config);
  return true;
}

// Decides the body in the input buffer: 1 allow, 0 deny, -1 not configured.
export function decide(len: i32): i32 {
  const e = engine;
  if (e === null) return -1;
  // Collects garbage as the module does after a callback that read `len` bytes (minimal runtime only).
  enterCallback();
  chargeHostBytes(<usize>len);
  const decision = e.decide(changetype<usize>(input), len, noHeaders);
  last = decision;
  const allowed = decision.allow ? 1 : 0;
  leaveCallback();
  return allowed;
}

// Results of the last call, as UTF-8 strings written into the input buffer: returns the byte length.
export function lastReason(): i32 {
  const d = last;
  return writeOut(d === null ? "" : d.reason);
}

export function lastReply(): i32 {
  const d = last;
  if (d === null) return 0;
  const reply = d.reply;
  if (reply === null) return 0;
  memory.copy(changetype<usize>(inputBuffer(reply.byteLength)), changetype<usize>(reply), reply.byteLength);
  return reply.byteLength;
}

export function configError(): i32 {
  return writeOut(lastError);
}

function writeOut(text: string): i32 {
  const bytes = String.UTF8.encode(text);
  memory.copy(inputBuffer(bytes.byteLength), changetype<usize>(bytes), bytes.byteLength);
  return bytes.byteLength;
}
