// Replaces AssemblyScript's default `env.abort` import, which Envoy does not provide (a module importing it
// would fail to load). Reaching this is a bug in the filter: we log what we can through the proxy-wasm log
// call and then trap. The code base is written so that untrusted input can never lead here.
import { proxy_log } from "./imports";
import { decimal } from "./text";

const LOG_CRITICAL: u32 = 5;

export function abortHandler(message: string | null, fileName: string | null, line: u32, column: u32): void {
  let text = "mcp-guard: internal error (abort)";
  if (message !== null) text += ": " + message;
  if (fileName !== null) text += " at " + fileName + ":" + decimal(line) + ":" + decimal(column);
  const bytes = String.UTF8.encode(text);
  proxy_log(LOG_CRITICAL, changetype<usize>(bytes), bytes.byteLength);
  unreachable();
}
