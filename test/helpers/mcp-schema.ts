// Validators for the official MCP schemas in ../shared/mcp-schema, so tests can assert that what the filter
// sends to a client is a valid MCP message in every protocol version.
import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";

export const PROTOCOL_VERSIONS = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25", "2026-07-28"] as const;
export type ProtocolVersion = (typeof PROTOCOL_VERSIONS)[number];

const SCHEMA_DIR = new URL("../../../shared/mcp-schema/", import.meta.url);
const cache = new Map<string, ValidateFunction>();

function loadSchema(version: ProtocolVersion): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`${version}/schema.json`, SCHEMA_DIR), "utf8")) as Record<string, unknown>;
}

/** A validator for one definition (e.g. "JSONRPCError") of one protocol version's schema. */
export function schemaValidator(version: ProtocolVersion, definition: string): ValidateFunction {
  const key = `${version}#${definition}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const schema = loadSchema(version);
  const modern = typeof schema.$schema === "string" && schema.$schema.includes("2020-12");
  const ajv = modern ? new Ajv2020({ strict: false, allErrors: true }) : new Ajv({ strict: false, allErrors: true });
  ajv.addSchema(schema, "mcp");
  const defs = modern ? "$defs" : "definitions";
  const validate = ajv.getSchema(`mcp#/${defs}/${definition}`);
  if (!validate) throw new Error(`no definition ${definition} in MCP schema ${version}`);
  cache.set(key, validate);
  return validate;
}

/** The name of the JSON-RPC error response definition in a protocol version's schema. */
export function errorDefinition(version: ProtocolVersion): string {
  return version < "2025-11-25" ? "JSONRPCError" : "JSONRPCErrorResponse";
}

/** Asserts (by returning the error text, or "" when valid) that `message` is a valid MCP error response. */
export function errorResponseProblems(version: ProtocolVersion, message: unknown): string {
  const validate = schemaValidator(version, errorDefinition(version));
  return validate(message) ? "" : JSON.stringify(validate.errors);
}
