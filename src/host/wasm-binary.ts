// A minimal reader of the WebAssembly binary format: just enough to list imports and exported functions with
// their signatures, so the host can refuse a module the way proxy-wasm-cpp-host does before instantiating it
// (missing import, import type mismatch, bad export signature, missing ABI version marker).
import { WasmLoadError } from "./errors.ts";

export type ImportKind = "func" | "table" | "memory" | "global" | "tag";

export interface FuncType {
  params: string[];
  results: string[];
}

export interface ModuleImport {
  module: string;
  name: string;
  kind: ImportKind;
  type?: FuncType;
  /** Memory limits in pages, for memory imports. */
  memory?: { initial: number; maximum?: number; shared: boolean };
  /** Element type and limits, for table imports. */
  table?: { element: string; initial: number; maximum?: number };
}

export interface ModuleExport {
  name: string;
  kind: ImportKind;
  type?: FuncType;
}

export interface ModuleInfo {
  imports: ModuleImport[];
  exports: ModuleExport[];
}

const VALTYPES: Record<number, string> = { 0x7f: "i32", 0x7e: "i64", 0x7d: "f32", 0x7c: "f64", 0x7b: "v128", 0x70: "funcref", 0x6f: "externref" };
const KINDS: ImportKind[] = ["func", "table", "memory", "global", "tag"];

export function formatSignature(type: FuncType | undefined): string {
  if (!type) return "?";
  return `(${type.params.join(" ")}) -> (${type.results.join(" ")})`;
}

class Reader {
  at = 0;
  constructor(readonly bytes: Uint8Array) {}

  byte(): number {
    const b = this.bytes[this.at];
    if (b === undefined) throw corrupted();
    this.at++;
    return b;
  }

  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
      if (shift > 28) throw corrupted();
    }
    return result;
  }

  name(): string {
    const len = this.u32();
    if (this.at + len > this.bytes.length) throw corrupted();
    const text = new TextDecoder().decode(this.bytes.subarray(this.at, this.at + len));
    this.at += len;
    return text;
  }

  valtype(): string {
    const t = this.byte();
    return VALTYPES[t] ?? `0x${t.toString(16)}`;
  }

  limits(): { initial: number; maximum?: number; shared: boolean } {
    const flags = this.byte();
    const initial = this.u32();
    const maximum = flags & 1 ? this.u32() : undefined;
    return maximum === undefined ? { initial, shared: (flags & 2) !== 0 } : { initial, maximum, shared: (flags & 2) !== 0 };
  }
}

function corrupted(): WasmLoadError {
  return new WasmLoadError("Failed to parse corrupted Wasm module");
}

export function readModuleInfo(bytes: Uint8Array): ModuleInfo {
  if (bytes.length < 8 || bytes[0] !== 0x00 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw corrupted();
  }
  const r = new Reader(bytes);
  r.at = 8;
  const types: FuncType[] = [];
  const imports: ModuleImport[] = [];
  const funcTypes: number[] = []; // type index of every function, imported ones first
  const exports: ModuleExport[] = [];
  while (r.at < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    const end = r.at + size;
    if (end > bytes.length) throw corrupted();
    if (id === 1) readTypes(r, types);
    else if (id === 2) readImports(r, types, imports, funcTypes);
    else if (id === 3) {
      const count = r.u32();
      for (let i = 0; i < count; i++) funcTypes.push(r.u32());
    } else if (id === 7) {
      const count = r.u32();
      for (let i = 0; i < count; i++) {
        const name = r.name();
        const kind = KINDS[r.byte()] ?? "tag";
        const index = r.u32();
        const typeIndex = kind === "func" ? funcTypes[index] : undefined;
        exports.push(typeIndex === undefined ? { name, kind } : { name, kind, type: types[typeIndex] ?? { params: [], results: [] } });
      }
    }
    r.at = end;
  }
  return { imports, exports };
}

function readTypes(r: Reader, types: FuncType[]): void {
  const count = r.u32();
  for (let i = 0; i < count; i++) {
    if (r.byte() !== 0x60) throw new WasmLoadError("Failed to parse Wasm module: unsupported type section entry");
    const params = Array.from({ length: r.u32() }, () => r.valtype());
    const results = Array.from({ length: r.u32() }, () => r.valtype());
    types.push({ params, results });
  }
}

function readImports(r: Reader, types: FuncType[], imports: ModuleImport[], funcTypes: number[]): void {
  const count = r.u32();
  for (let i = 0; i < count; i++) {
    const module = r.name();
    const name = r.name();
    const kind = KINDS[r.byte()];
    if (kind === "func") {
      const typeIndex = r.u32();
      funcTypes.push(typeIndex);
      imports.push({ module, name, kind, type: types[typeIndex] ?? { params: [], results: [] } });
    } else if (kind === "table") {
      const element = r.valtype();
      const { initial, maximum } = r.limits();
      imports.push({ module, name, kind, table: maximum === undefined ? { element, initial } : { element, initial, maximum } });
    } else if (kind === "memory") {
      imports.push({ module, name, kind, memory: r.limits() });
    } else if (kind === "global") {
      r.valtype();
      r.byte();
      imports.push({ module, name, kind });
    } else if (kind === "tag") {
      r.byte();
      r.u32();
      imports.push({ module, name, kind });
    } else {
      throw corrupted();
    }
  }
}
