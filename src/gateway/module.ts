// Finds and reads the filter module the gateway, the CLI and the demo run.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** build/mcp-guard.wasm of this checkout (built by `npm run build:release`). */
export const DEFAULT_MODULE_PATH = fileURLToPath(new URL("../../build/mcp-guard.wasm", import.meta.url));

export class ModuleNotFoundError extends Error {
  constructor(readonly path: string) {
    super(`no filter module at ${path}: run \`npm run build:release\` first (or pass --module PATH)`);
    this.name = "ModuleNotFoundError";
  }
}

export function loadModule(path: string = DEFAULT_MODULE_PATH): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new ModuleNotFoundError(path);
    throw error;
  }
}
