// Compiles the WAT test subjects in this folder with wabt. A file whose first form (after ";;" comments) is
// not "(module" is a module body: it is wrapped as "(module <prelude.wat> <body>)".
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import wabtInit from "wabt";

const here = dirname(fileURLToPath(import.meta.url));
const cache = new Map<string, Uint8Array<ArrayBuffer>>();
let wabt: Awaited<ReturnType<typeof wabtInit>> | undefined;

export async function compileWat(source: string, name = "inline.wat"): Promise<Uint8Array<ArrayBuffer>> {
  wabt ??= await wabtInit();
  const standalone = /^\s*(;;[^\n]*\n\s*)*\(module/.test(source);
  const text = standalone ? source : `(module\n${readFileSync(join(here, "prelude.wat"), "utf8")}\n${source}\n)`;
  const module = wabt.parseWat(name, text);
  try {
    module.resolveNames();
    module.validate();
    return new Uint8Array(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

/** The compiled test module test/wat/<name>.wat. */
export async function watModule(name: string): Promise<Uint8Array<ArrayBuffer>> {
  const cached = cache.get(name);
  if (cached) return cached;
  const bytes = await compileWat(readFileSync(join(here, `${name}.wat`), "utf8"), `${name}.wat`);
  cache.set(name, bytes);
  return bytes;
}
