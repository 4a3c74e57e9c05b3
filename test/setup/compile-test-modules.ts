// Vitest global setup: builds the filter (release and debug) and every AssemblyScript test entry in
// assembly/testing/ once per test run, so tests never run against a stale .wasm.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import asc from "assemblyscript/asc";
import { compileAssemblyScript } from "../helpers/asc.ts";

async function buildTarget(target: "release" | "debug"): Promise<void> {
  let stderrText = "";
  const { error } = await asc.main(["assembly/index.ts", "--target", target], {
    stderr: { write: (chunk: string | Uint8Array) => { stderrText += String(chunk); return true; } } as never,
  });
  if (error) throw new Error(`asc --target ${target} failed: ${error.message}\n${stderrText}`);
}

export default async function setup(): Promise<void> {
  const entries = readdirSync("assembly/testing").filter((f) => f.endsWith(".ts"));
  await Promise.all([
    buildTarget("release"),
    buildTarget("debug"),
    ...entries.map((f) => compileAssemblyScript(join("assembly/testing", f), join("build/test", f.replace(/\.ts$/, ".wasm")))),
  ]);
}
