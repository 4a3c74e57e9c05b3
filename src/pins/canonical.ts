// RFC 8785 JSON Canonicalization Scheme (JCS) and the tool-definition digest used for pins, on the CLI side.
// The filter computes the same bytes from its own JSON reader (assembly/mcp/canonical_json.ts,
// assembly/mcp/tool_digest.ts); see docs/tool-pinning.md.
//
// JCS on JavaScript values is JSON.stringify with object members sorted by their names' UTF-16 code units:
// ECMAScript already defines the string escapes and the number form JCS prescribes. What is added here is
// strictness: values that JSON cannot carry unambiguously are refused with a TypeError instead of being turned
// into null or dropped silently (NaN, ±Infinity, bigint, functions, symbols, undefined outside an object,
// strings with lone surrogates, cycles, and objects that are not plain data).
import { createHash } from "node:crypto";

export const TOOL_DIGEST_PREFIX = "sha256:";

const LONE_SURROGATE = /[\uD800-\uDFFF]/u; // in `u` mode only unpaired surrogates match

/** The canonical (RFC 8785) JSON text of `value`; UTF-8 encode it for hashing. */
export function canonicalJson(value: unknown): string {
  return write(value, new Set<object>(), "$");
}

function write(value: unknown, open: Set<object>, path: string): string {
  switch (typeof value) {
    case "string":
      if (LONE_SURROGATE.test(value)) throw new TypeError(`canonicalJson: lone surrogate in the string at ${path}`);
      return JSON.stringify(value);
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} at ${path} has no JSON form`);
      return String(value); // Number::toString; -0 gives "0"
    case "boolean":
      return value ? "true" : "false";
    case "object":
      if (value === null) return "null";
      if (open.has(value)) throw new TypeError(`canonicalJson: cycle at ${path}`);
      open.add(value);
      try {
        return Array.isArray(value) ? writeArray(value, open, path) : writeObject(value, open, path);
      } finally {
        open.delete(value);
      }
    default:
      throw new TypeError(`canonicalJson: a ${typeof value} at ${path} is not JSON`);
  }
}

function writeArray(items: unknown[], open: Set<object>, path: string): string {
  const parts: string[] = [];
  for (let i = 0; i < items.length; i++) parts.push(write(items[i], open, `${path}[${i}]`));
  return `[${parts.join(",")}]`;
}

function writeObject(object: object, open: Set<object>, path: string): string {
  const proto: unknown = Object.getPrototypeOf(object);
  if (proto !== Object.prototype && proto !== null) {
    throw new TypeError(`canonicalJson: the object at ${path} is not plain data`);
  }
  const record = object as Record<string, unknown>;
  // The default sort compares UTF-16 code units, which is the order RFC 8785 §3.2.3 requires.
  const parts: string[] = [];
  for (const name of Object.keys(record).sort()) {
    const member = record[name];
    if (member === undefined) continue; // an absent member, as JSON.stringify treats it
    if (LONE_SURROGATE.test(name)) throw new TypeError(`canonicalJson: lone surrogate in a member name at ${path}`);
    parts.push(`${JSON.stringify(name)}:${write(member, open, `${path}.${name}`)}`);
  }
  return `{${parts.join(",")}}`;
}

/** The members of a tool definition a pin covers. Absent (undefined) members stay absent. */
export interface PinnedTool {
  description?: unknown;
  inputSchema?: unknown;
}

/** "sha256:<hex>" of the canonical {"description","inputSchema"} of a tool (as in a tools/list result). */
export function toolDigest(tool: PinnedTool): string {
  if (tool === null || typeof tool !== "object" || Array.isArray(tool)) {
    throw new TypeError("toolDigest: a tool definition is a JSON object");
  }
  const pinned: PinnedTool = {};
  if (tool.description !== undefined) pinned.description = tool.description;
  if (tool.inputSchema !== undefined) pinned.inputSchema = tool.inputSchema;
  return TOOL_DIGEST_PREFIX + createHash("sha256").update(canonicalJson(pinned), "utf8").digest("hex");
}
