// Vitest global setup: builds the filter (release target, build/mcp-guard.wasm) and every AssemblyScript test
// entry in assembly/testing/ once per test run, in parallel, so tests never run against a stale .wasm.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { buildModule, compileAssemblyScript } from "../../src/build/assemblyscript.ts";

export default async function setup(): Promise<void> {
  const entries = readdirSync("assembly/testing").filter((f) => f.endsWith(".ts"));
  await Promise.all([
    buildModule("release"),
    ...entries.map((f) => compileAssemblyScript(join("assembly/testing", f), join("build/test", f.replace(/\.ts$/, ".wasm")))),
  ]);
}
