// Reads a policy file — YAML or JSON; either the bare pluginConfig or a whole Istio WasmPlugin, whose
// spec.pluginConfig is taken — and keeps the YAML document so every problem can be reported at its line.
import { readFileSync } from "node:fs";
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document } from "yaml";
import type { Problem } from "./problem.ts";

export type FieldPath = Array<string | number>;

export interface Position {
  line: number;
  column: number;
}

export interface LoadedPolicy {
  file: string;
  /** The pluginConfig value (undefined when the file or spec.pluginConfig is empty). */
  config: unknown;
  /** What the module receives in PLUGIN_CONFIGURATION: the JSON text ("" when there is no configuration). */
  json: string;
  /** Where the pluginConfig sits in the document: [] or ["spec", "pluginConfig"]. */
  base: FieldPath;
  /** Line and column (1-based) of a field of the pluginConfig: its key for object members, else its value. */
  locate(path: FieldPath): Position | undefined;
}

/** The file could not be read or is not well-formed YAML/JSON. */
export class PolicyFileError extends Error {
  constructor(readonly file: string, readonly problems: Problem[]) {
    super(problems.map((p) => p.message).join("; "));
    this.name = "PolicyFileError";
  }
}

export function loadPolicyFile(file: string): LoadedPolicy {
  let text: string;
  try {
    text = readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (error) {
    throw new PolicyFileError(file, [{ source: "file", field: "", message: `cannot read the policy file: ${(error as Error).message}` }]);
  }
  return parsePolicy(text, file);
}

export function parsePolicy(text: string, file = "<policy>"): LoadedPolicy {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true, strict: true });
  if (doc.errors.length > 0) {
    throw new PolicyFileError(
      file,
      doc.errors.map((error) => {
        const at = error.linePos?.[0];
        const fix = error.code === "DUPLICATE_KEY" ? "keep one of the two keys: a policy with a key twice is ambiguous" : "fix the YAML syntax (JSON is YAML too)";
        const message = firstLine(error.message).replace(/ at line \d+, column \d+:?$/, "");
        // The key a duplicate-key error points at, to name the field.
        const field = error.code === "DUPLICATE_KEY" ? (/^["']?([^"':\n]+)/.exec(text.slice(error.pos[0]))?.[1]?.trim() ?? "") : "";
        return { source: "yaml", field, message, fix, ...(at ? { line: at.line, column: at.col } : {}) };
      }),
    );
  }
  const whole: unknown = doc.toJS({ maxAliasCount: 100 });
  const base: FieldPath = isWasmPlugin(whole) ? ["spec", "pluginConfig"] : [];
  const config = base.length > 0 ? (whole as { spec?: { pluginConfig?: unknown } }).spec?.pluginConfig : whole;
  const json = config === undefined || config === null ? "" : JSON.stringify(config);
  const locate = (path: FieldPath): Position | undefined => {
    const offset = offsetOf(doc, [...base, ...path]);
    if (offset === undefined) return undefined;
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  return { file, config: config ?? undefined, json, base, locate };
}

function isWasmPlugin(value: unknown): boolean {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "WasmPlugin";
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}

/** Offset of the deepest node on the path that exists (a member's key, an element's value). */
function offsetOf(doc: Document, path: FieldPath): number | undefined {
  let node: unknown = doc.contents;
  let offset = rangeStart(node);
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) return offset;
      offset = rangeStart(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === "number") {
      node = node.items[segment];
      offset = rangeStart(node) ?? offset;
      if (node === undefined) return offset;
    } else {
      return offset;
    }
  }
  return offset;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
  return range?.[0];
}
