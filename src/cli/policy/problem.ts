// A problem found in a policy file, located and explained: what is wrong, where, and how to fix it.

export interface Problem {
  /** Which check found it: reading the file, YAML syntax, the JSON Schema, or the module's own on_configure. */
  source: "file" | "yaml" | "schema" | "module";
  /** Dotted field path in the pluginConfig, e.g. "limits.max_body_bytes" or "tool_allowlist[2]"; "" for the file. */
  field: string;
  message: string;
  fix?: string;
  line?: number;
  column?: number;
}

/** "limits.max_body_bytes", "tool_allowlist[2]" from a path. */
export function fieldName(path: ReadonlyArray<string | number>): string {
  let out = "";
  for (const segment of path) out += typeof segment === "number" ? `[${segment}]` : out ? `.${segment}` : segment;
  return out;
}

/** The path of a dotted field name (inverse of fieldName). */
export function fieldPath(name: string): Array<string | number> {
  const path: Array<string | number> = [];
  for (const part of name.match(/[^.[\]]+|\[\d+\]/g) ?? []) path.push(part.startsWith("[") ? Number(part.slice(1, -1)) : part);
  return path;
}

/** "file:line:column: field: message" and an indented fix line, as compilers print them. */
export function formatProblem(file: string, problem: Problem): string {
  const where = problem.line !== undefined ? `${file}:${problem.line}:${problem.column ?? 1}` : file;
  const what = problem.field ? `${problem.field}: ${problem.message}` : problem.message;
  const label = problem.source === "module" ? "module on_configure" : problem.source === "schema" ? "JSON Schema" : problem.source;
  const lines = [`${where}: error: ${what} [${label}]`];
  if (problem.fix) lines.push(`    fix: ${problem.fix}`);
  return lines.join("\n");
}
