// The three patch languages kustomize applies: strategic merge (built-in kinds: lists of named things merge by
// their key), JSON merge patch (RFC 7386: what a strategic merge patch means for a custom resource, whose lists
// are replaced), and JSON patch (RFC 6902). Supported directives: `$patch: delete|replace` on a mapping or a list
// element; anything else starting with "$" is refused rather than silently misapplied.
import { clone, isPlainObject } from "./k8s-object.ts";

/** List fields of built-in kinds that merge by a key instead of being replaced (Kubernetes patchMergeKey). */
const MERGE_KEYS: Record<string, string> = {
  containers: "name",
  initContainers: "name",
  ephemeralContainers: "name",
  env: "name",
  volumes: "name",
  volumeMounts: "mountPath",
  volumeDevices: "devicePath",
  imagePullSecrets: "name",
  hostAliases: "ip",
  topologySpreadConstraints: "topologyKey",
};

/** Container ports merge by containerPort, Service ports by port. */
function mergeKeyFor(field: string, sample: Record<string, unknown>): string | undefined {
  if (field === "ports") return "containerPort" in sample ? "containerPort" : "port" in sample ? "port" : undefined;
  return MERGE_KEYS[field];
}

export function strategicMerge(target: unknown, patch: unknown, builtin: boolean): unknown {
  return mergeValue(target, patch, builtin, "");
}

function mergeValue(target: unknown, patch: unknown, builtin: boolean, field: string): unknown {
  if (isPlainObject(patch)) {
    const directive = patch.$patch;
    if (directive === "replace") return stripDirectives(patch);
    if (directive !== undefined && directive !== "merge") throw new Error(`unsupported $patch directive ${JSON.stringify(directive)} in a mapping`);
    const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
    for (const [key, value] of Object.entries(patch)) {
      if (key === "$patch") continue;
      if (key.startsWith("$")) throw new Error(`unsupported strategic merge directive ${key}`);
      if (value === null) delete out[key];
      else out[key] = mergeValue(out[key], value, builtin, key);
    }
    return out;
  }
  if (Array.isArray(patch)) {
    const first = patch.find(isPlainObject);
    const key = builtin && first ? mergeKeyFor(field, first) : undefined;
    if (key === undefined || !Array.isArray(target)) return patch.map((p) => (isPlainObject(p) ? stripDirectives(p) : clone(p)));
    // kustomize's order: the patch's elements first (merged into their match), then the unmatched originals.
    const out: unknown[] = [];
    const used = new Set<number>();
    for (const item of patch) {
      if (!isPlainObject(item)) throw new Error(`list ${field} merges by ${key}: every patch element must be a mapping`);
      const index = target.findIndex((t) => isPlainObject(t) && t[key] === item[key]);
      if (index >= 0) used.add(index);
      if (item.$patch === "delete") continue;
      out.push(index >= 0 ? mergeValue(target[index], item, builtin, "") : stripDirectives(item));
    }
    target.forEach((t, i) => {
      if (!used.has(i)) out.push(t);
    });
    return out;
  }
  return clone(patch);
}

function stripDirectives(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === "$patch") continue;
    out[k] = isPlainObject(v) ? stripDirectives(v) : clone(v);
  }
  return out;
}

export interface JsonPatchOp {
  op: "add" | "remove" | "replace" | "move" | "copy" | "test";
  path: string;
  value?: unknown;
  from?: string;
}

export function applyJsonPatch(document: unknown, ops: JsonPatchOp[]): unknown {
  let doc = clone(document);
  for (const op of ops) {
    switch (op.op) {
      case "add": doc = setAt(doc, op.path, clone(op.value), "add"); break;
      case "replace": getAt(doc, op.path); doc = setAt(doc, op.path, clone(op.value), "replace"); break;
      case "remove": doc = removeAt(doc, op.path); break;
      case "copy": doc = setAt(doc, op.path, clone(getAt(doc, required(op.from, op))), "add"); break;
      case "move": {
        const value = getAt(doc, required(op.from, op));
        doc = setAt(removeAt(doc, required(op.from, op)), op.path, value, "add");
        break;
      }
      case "test":
        if (JSON.stringify(getAt(doc, op.path)) !== JSON.stringify(op.value)) throw new Error(`JSON patch test failed at ${op.path}`);
        break;
      default: throw new Error(`unknown JSON patch op ${JSON.stringify((op as { op: unknown }).op)}`);
    }
  }
  return doc;
}

function required(from: string | undefined, op: JsonPatchOp): string {
  if (from === undefined) throw new Error(`JSON patch ${op.op} needs "from"`);
  return from;
}

function pointer(path: string): string[] {
  if (path === "") return [];
  if (!path.startsWith("/")) throw new Error(`JSON pointer must start with "/": ${path}`);
  return path.slice(1).split("/").map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function getAt(doc: unknown, path: string): unknown {
  return walk(doc, pointer(path), path);
}

function walk(doc: unknown, parts: string[], path: string): unknown {
  let cur = doc;
  for (const part of parts) {
    if (Array.isArray(cur)) cur = cur[arrayIndex(part, cur.length, false, path)];
    else if (isPlainObject(cur) && part in cur) cur = cur[part];
    else throw new Error(`JSON patch path ${path} does not exist`);
  }
  return cur;
}

function arrayIndex(part: string, length: number, forAdd: boolean, path: string): number {
  if (forAdd && part === "-") return length;
  if (!/^(0|[1-9][0-9]*)$/.test(part)) throw new Error(`JSON patch path ${path}: ${part} is not an array index`);
  const i = Number(part);
  if (i > length || (!forAdd && i === length)) throw new Error(`JSON patch path ${path}: index ${i} out of range`);
  return i;
}

function setAt(doc: unknown, path: string, value: unknown, mode: "add" | "replace"): unknown {
  const parts = pointer(path);
  if (parts.length === 0) return value;
  const last = parts[parts.length - 1] as string;
  const parent = walk(doc, parts.slice(0, -1), path);
  if (Array.isArray(parent)) {
    const i = arrayIndex(last, parent.length, mode === "add", path);
    if (mode === "add") parent.splice(i, 0, value);
    else parent[i] = value;
  } else if (isPlainObject(parent)) parent[last] = value;
  else throw new Error(`JSON patch path ${path}: parent is not a container`);
  return doc;
}

function removeAt(doc: unknown, path: string): unknown {
  const parts = pointer(path);
  if (parts.length === 0) throw new Error("JSON patch cannot remove the whole document");
  const last = parts[parts.length - 1] as string;
  const parent = walk(doc, parts.slice(0, -1), path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, false, path), 1);
  else if (isPlainObject(parent) && last in parent) delete parent[last];
  else throw new Error(`JSON patch path ${path} does not exist`);
  return doc;
}
