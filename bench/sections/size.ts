// Where the bytes of build/mcp-guard.wasm go: the release target is built once more with names kept (--debug),
// and the code of each function is attributed to the part of the source it comes from (assembly/json/,
// assembly/guard/, the AssemblyScript runtime…). The named build differs slightly from the release one (debug
// builds add a stack check), so the shares are what to read, not the bytes.
import { readFileSync, statSync } from "node:fs";
import { buildModule } from "../../src/build/assemblyscript.ts";

export interface SizeRow {
  area: string;
  bytes: number;
  functions: number;
}

export interface SizeResult {
  releaseBytes: number;
  namedBytes: number;
  /** Code by area, largest first; plus "data segments" and "other sections". */
  areas: SizeRow[];
}

class Reader {
  at = 0;
  constructor(readonly bytes: Uint8Array) {}

  u32(): number {
    let result = 0;
    let shift = 0;
    while (true) {
      const b = this.bytes[this.at++]!;
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result >>> 0;
      shift += 7;
    }
  }

  name(): string {
    const len = this.u32();
    const s = new TextDecoder().decode(this.bytes.subarray(this.at, this.at + len));
    this.at += len;
    return s;
  }
}

function areaOf(name: string): string {
  if (name.startsWith("assembly/")) return name.split("/").slice(0, 2).join("/") + "/";
  if (name.startsWith("~lib/rt/")) return "AssemblyScript runtime (allocator, GC)";
  if (name.startsWith("~lib/")) return "AssemblyScript standard library";
  if (name.startsWith("start:")) return "module initialisation";
  return "other functions";
}

/** Code bytes per area of a wasm binary that has a name section. */
export function codeByArea(bytes: Uint8Array): SizeRow[] {
  const r = new Reader(bytes);
  r.at = 8; // magic + version
  let importedFunctions = 0;
  const bodySizes: number[] = [];
  const names = new Map<number, string>();
  let data = 0;
  let other = 0;
  while (r.at < bytes.length) {
    const id = bytes[r.at++]!;
    const size = r.u32();
    const end = r.at + size;
    if (id === 2) {
      for (let n = r.u32(); n > 0; n--) {
        r.name();
        r.name();
        const kind = bytes[r.at++]!;
        if (kind === 0) {
          importedFunctions++;
          r.u32();
        } else if (kind === 1) {
          r.at++;
          const flags = r.u32();
          r.u32();
          if (flags & 1) r.u32();
        } else if (kind === 2) {
          const flags = r.u32();
          r.u32();
          if (flags & 1) r.u32();
        } else {
          r.at += 2; // global: value type + mutability
        }
      }
    } else if (id === 10) {
      for (let n = r.u32(); n > 0; n--) {
        const body = r.u32();
        bodySizes.push(body);
        r.at += body;
      }
    } else if (id === 11) {
      data += size;
    } else if (id === 0 && r.name() === "name") {
      while (r.at < end) {
        const sub = bytes[r.at++]!;
        const subSize = r.u32();
        const subEnd = r.at + subSize;
        if (sub === 1) {
          for (let n = r.u32(); n > 0; n--) {
            const index = r.u32();
            names.set(index, r.name());
          }
        }
        r.at = subEnd;
      }
    } else if (id !== 0) {
      other += size;
    }
    r.at = end;
  }
  const areas = new Map<string, SizeRow>();
  bodySizes.forEach((size, i) => {
    const area = areaOf(names.get(importedFunctions + i) ?? "");
    const row = areas.get(area) ?? { area, bytes: 0, functions: 0 };
    row.bytes += size;
    row.functions++;
    areas.set(area, row);
  });
  const rows = [...areas.values()].sort((a, b) => b.bytes - a.bytes);
  rows.push({ area: "data segments (strings, tables)", bytes: data, functions: 0 });
  rows.push({ area: "other sections (types, imports, exports…)", bytes: other, functions: 0 });
  return rows;
}

export async function benchSize(guardWasm: string, namedOut = "build/bench/mcp-guard.names.wasm"): Promise<SizeResult> {
  await buildModule("release", { outFile: namedOut, flags: ["--debug"] });
  return {
    releaseBytes: statSync(guardWasm).size,
    namedBytes: statSync(namedOut).size,
    areas: codeByArea(new Uint8Array(readFileSync(namedOut))),
  };
}
