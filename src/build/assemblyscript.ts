// Compiles AssemblyScript to .wasm in child processes (asc is single-threaded; separate processes let several
// targets build at once). Used by the test setup and the benchmark: the filter itself (asconfig.json targets)
// and the entries in assembly/testing/, which export one part of the module (JSON reader, engine) on its own.
import { execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const ASC = require.resolve("assemblyscript/bin/asc.js");

function runAsc(args: string[], what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [ASC, ...args], { maxBuffer: 16 << 20 }, (error, _stdout, stderr) => {
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

/** Compiles a test entry with the same runtime settings as the filter, plus the runtime exports. */
export async function compileAssemblyScript(entry: string, outFile: string, options: CompileOptions = {}): Promise<void> {
  mkdirSync(dirname(outFile), { recursive: true });
  await runAsc([
    entry,
    // The abort handler must be part of the program for `--use abort=` to resolve, even when the entry does
    // not import the ABI layer.
    "assembly/abi/runtime.ts",
    "--outFile", outFile,
    "--runtime", "incremental",
    "--exportStart", "_initialize",
    "--use", "abort=assembly/abi/runtime/abortHandler",
    "--exportRuntime",
    ...(options.optimize === false ? ["--debug"] : ["-O3", "--noAssert"]),
    ...(options.flags ?? []),
  ], entry);
}
