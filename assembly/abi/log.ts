// Logging through the host (Envoy prefixes each line with the plugin name and routes it to its "wasm" logger).
import { LogLevel } from "./enums";
import { proxy_get_log_level, proxy_log } from "./imports";
import { OUT_U32, resetOut } from "./memory";
import { utf8Encode } from "./utf8";

/** Logs `message` (UTF-8 encoded) at `level`. Failures are ignored: there is nowhere else to report them. */
export function log(level: LogLevel, message: string): void {
  const bytes = utf8Encode(message);
  proxy_log(<u32>level, changetype<usize>(bytes), <usize>bytes.byteLength);
}

export function logTrace(message: string): void { log(LogLevel.Trace, message); }
export function logDebug(message: string): void { log(LogLevel.Debug, message); }
export function logInfo(message: string): void { log(LogLevel.Info, message); }
export function logWarn(message: string): void { log(LogLevel.Warn, message); }
export function logError(message: string): void { log(LogLevel.Error, message); }
export function logCritical(message: string): void { log(LogLevel.Critical, message); }

/** The host's current log level; Info when the host does not answer. The host may change it at any time. */
export function getLogLevel(): LogLevel {
  resetOut();
  store<u32>(OUT_U32, <u32>LogLevel.Info);
  if (proxy_get_log_level(OUT_U32) != 0) return LogLevel.Info;
  const level = load<u32>(OUT_U32);
  return level <= <u32>LogLevel.Critical ? <LogLevel>level : LogLevel.Info;
}

/** True when a message at `level` would be kept by the host: use it to skip building expensive debug text. */
export function logEnabled(level: LogLevel): bool {
  return level >= getLogLevel();
}
