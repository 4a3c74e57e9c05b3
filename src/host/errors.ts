// Error types of the host.

/** The module was refused before it could run (what Envoy reports as "Failed to load Wasm module ..."). */
export class WasmLoadError extends Error {
  override readonly name = "WasmLoadError";
  constructor(message: string) {
    super(message);
  }
}

/**
 * Thrown from inside a host function to make the calling wasm code trap, the way proxy-wasm-cpp-host's V8
 * integration returns a trap (e.g. "restricted_callback" when a function is called where it is not allowed).
 */
export class HostTrap extends Error {
  override readonly name = "HostTrap";
  constructor(message: string) {
    super(message);
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
