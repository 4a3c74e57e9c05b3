// Validation against the published JSON Schema (schema/policy.schema.json), with ajv, turning each error into a
// located problem with a concrete fix.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import type { FieldPath, LoadedPolicy } from "./load.ts";
import { fieldName, type Problem } from "./problem.ts";

export const SCHEMA_PATH = fileURLToPath(new URL("../../../schema/policy.schema.json", import.meta.url));

interface SchemaNode {
  properties?: Record<string, unknown>;
  minimum?: number;
  maximum?: number;
  examples?: unknown[];
}

let validator: ValidateFunction | undefined;

function validate(value: unknown): ErrorObject[] {
  if (!validator) {
    const schema = JSON.parse(readFileSync(SCHEMA_PATH, "utf8")) as object;
    validator = new Ajv({ allErrors: true, verbose: true, strict: true }).compile(schema);
  }
  return validator(value) ? [] : [...(validator.errors ?? [])];
}

export function checkSchema(policy: LoadedPolicy): Problem[] {
  if (policy.config === undefined) return [];
  return validate(policy.config).map((error) => toProblem(policy, error));
}

function toProblem(policy: LoadedPolicy, error: ErrorObject): Problem {
  const path = pointerPath(policy.config, error.instancePath);
  const parent = error.parentSchema as SchemaNode | undefined;
  let field = fieldName(path);
  let message = error.message ?? "invalid";
  let fix: string | undefined;
  switch (error.keyword) {
    case "additionalProperties": {
      const name = String((error.params as { additionalProperty: string }).additionalProperty);
      path.push(name);
      field = fieldName(path);
      const allowed = Object.keys(parent?.properties ?? {});
      const guess = closest(name, allowed);
      message = `unknown field "${name}"`;
      fix = `${guess ? `did you mean "${guess}"? ` : "remove it; "}fields allowed ${field.includes(".") ? "here" : "at the top level"}: ${allowed.join(", ")}`;
      break;
    }
    case "enum": {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v));
      message = `${JSON.stringify(error.data)} is not allowed`;
      fix = `use one of ${allowed.join(", ")}`;
      break;
    }
    case "type": {
      const expected = (error.params as { type: string }).type;
      message = `expected ${article(expected)}, got ${describe(error.data)}`;
      fix = typeFix(expected, parent);
      break;
    }
    case "minimum":
    case "maximum":
      message = `${JSON.stringify(error.data)} is out of range`;
      fix = `use an integer from ${parent?.minimum ?? "-∞"} to ${parent?.maximum ?? "∞"}`;
      break;
    case "minLength":
      message = "an empty name matches nothing";
      fix = "remove the empty entry or write the name (a glob such as get_* matches many)";
      break;
    default:
      break;
  }
  const at = policy.locate(path);
  return { source: "schema", field, message, ...(fix ? { fix } : {}), ...(at ? { line: at.line, column: at.column } : {}) };
}

/** A JSON pointer into the config as a path: array indices become numbers. */
function pointerPath(config: unknown, pointer: string): FieldPath {
  const path: FieldPath = [];
  let node = config;
  for (const raw of pointer.split("/").slice(1)) {
    const segment = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    const index = Array.isArray(node) ? Number(segment) : undefined;
    path.push(index ?? segment);
    node = (node as Record<string, unknown> | undefined)?.[segment];
  }
  return path;
}

function typeFix(expected: string, parent: SchemaNode | undefined): string {
  if (expected === "array") return `write a list, e.g. ${JSON.stringify(parent?.examples?.[0] ?? ["search_code", "get_*"])}`;
  if (expected === "integer") return `write a whole number${parent?.minimum !== undefined ? ` from ${parent.minimum} to ${parent.maximum}` : ""} without quotes`;
  if (expected === "string") return "write the name as text (quote it if YAML reads it as a number or boolean)";
  if (expected === "object") return "write a mapping of fields (key: value lines indented below it)";
  return `write ${article(expected)}`;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** The allowed name closest to a typo (edit distance at most 3), if any. */
export function closest(name: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 4;
  for (const candidate of allowed) {
    const d = editDistance(name.toLowerCase(), candidate);
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
