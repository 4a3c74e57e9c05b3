// Compiles AssemblyScript to .wasm in child processes (asc is single-threaded; separate processes let several
// targets build at once). Used by the test setup and the benchmark: the filter itself (asconfig.json targets)
// and the entries in assembly/testing/, which export one part of the module (JSON reader, engine) on its own.
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const ASC = require.resolve("assemblyscript/bin/asc.js");

// Moves the texts marked `utf8("…")` into a UTF-8 table (assembly/abi/text.ts says why). Passed on the command
// line: asc resolves a transform named in asconfig.json against node_modules, not the project.
export const ASC_TRANSFORM = ["--transform", "./scripts/utf8-text-transform.mjs"];

function runAsc(args: string[], what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [ASC, ...args, ...ASC_TRANSFORM], { maxBuffer: 16 << 20 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`asc failed for ${what}:\n${stderr}`));
      else resolve();
    });
  });
}

/**
 * Builds one asconfig.json target of assembly/index.ts ("release" → build/mcp-guard.wasm). `outFile` and extra
 * `flags` (e.g. ["--runtime", "minimal"]) build a variant of the target elsewhere; asc lets them override it.
 */
export function buildModule(target: "release" | "debug", variant: { outFile?: string; flags?: string[] } = {}): Promise<void> {
  const args = ["assembly/index.ts", "--target", target, ...(variant.flags ?? [])];
  if (variant.outFile !== undefined) {
    mkdirSync(dirname(variant.outFile), { recursive: true });
    args.push("--outFile", variant.outFile);
  }
  return runAsc(args, args.join(" "));
}

export interface CompileOptions {
  /** Extra asc flags, e.g. ["--runtime", "stub"]. */
  flags?: string[];
  optimize?: boolean;
}

/** The AssemblyScript runtime the filter is built with (asconfig.json `options.runtime`). */
export function filterRuntime(): string {
  const config = JSON.parse(readFileSync("asconfig.json", "utf8")) as { options?: { runtime?: string } };
  return config.options?.runtime ?? "incremental";
}

/**
 * Compiles a test entry with the same runtime settings as the filter, plus the runtime exports. With the
 * minimal runtime nothing is collected unless the entry calls the collector (assembly/abi/collector.ts) as the
 * engine and list-filter entries do, or the caller calls `__collect`.
 */
export async function compileAssemblyScript(entry: string, outFile: string, options: CompileOptions = {}): Promise<void> {
  mkdirSync(dirname(outFile), { recursive: true });
  await runAsc([
    entry,
    // The abort handler must be part of the program for `--use abort=` to resolve, even when the entry does
    // not import the ABI layer.
    "assembly/abi/runtime.ts",
    "--outFile", outFile,
    "--runtime", filterRuntime(),
    "--exportStart", "_initialize",
    "--use", "abort=assembly/abi/runtime/abortHandler",
    "--exportRuntime",
    ...(options.optimize === false ? ["--debug"] : ["-O3", "--noAssert"]),
    ...(options.flags ?? []),
  ], entry);
}
