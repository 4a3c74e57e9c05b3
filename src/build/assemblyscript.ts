// Compiles an AssemblyScript entry file to a .wasm for tests that exercise one part of the module on its own
// (the JSON reader, the pure engine) without going through the proxy-wasm ABI.
import asc from "assemblyscript/asc";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";

export interface CompileOptions {
  /** Extra asc flags, e.g. ["--runtime", "stub"]. */
  flags?: string[];
  optimize?: boolean;
}

export async function compileAssemblyScript(entry: string, outFile: string, options: CompileOptions = {}): Promise<void> {
  mkdirSync(dirname(outFile), { recursive: true });
  const args = [
    entry,
    "--outFile", outFile,
    "--runtime", "incremental",
    "--exportStart", "_initialize",
    "--use", "abort=assembly/abi/runtime/abortHandler",
    "--exportRuntime",
    ...(options.optimize === false ? ["--debug"] : ["-O3", "--noAssert"]),
    ...(options.flags ?? []),
  ];
  let stderrText = "";
  const { error } = await asc.main(args, {
    stderr: { write: (chunk: string | Uint8Array) => { stderrText += String(chunk); return true; } } as never,
  });
  if (error) throw new Error(`asc failed for ${entry}: ${error.message}\n${stderrText}`);
}
