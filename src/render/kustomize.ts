// A small kustomize: the subset of `kubectl kustomize` the manifests/ tree uses, so rendering needs no binary
// (Debian's kubectl is 1.20, whose embedded kustomize v2 predates `patches`, `labels` and components; no npm
// package ships kustomize). Supported, with kustomize v5 semantics:
//   resources (files, and directories holding a kustomization) / bases, components (kind: Component),
//   namespace, labels (pairs, includeSelectors, includeTemplates), commonLabels, patches (path or inline patch;
//   strategic merge or JSON 6902; optional target), patchesStrategicMerge, patchesJson6902, replicas, images,
//   and the legacy output order. Anything else in a kustomization is an error, never silently ignored.
// Transformers run in kustomize's order: patches, namespace, labels, JSON 6902 patches, replicas, images.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseAllDocuments } from "yaml";
import { asK8sObject, clone, groupOf, isBuiltinKind, isPlainObject, objectId, versionOf, type K8sObject } from "./k8s-object.ts";
import { applyJsonPatch, strategicMerge, type JsonPatchOp } from "./kustomize-patch.ts";
import { addLabels, legacySort, setImages, setNamespace, setReplicas, type ImageRule } from "./kustomize-transformers.ts";
import { toYaml } from "./wasmplugin.ts";

const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];
const KNOWN_FIELDS = new Set([
  "apiVersion", "kind", "metadata", "resources", "bases", "components", "namespace", "labels", "commonLabels",
  "patches", "patchesStrategicMerge", "patchesJson6902", "replicas", "images",
]);

interface PatchTarget {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
}

/** Renders a kustomization directory to its objects, in kustomize's output order. */
export function kustomizeBuild(dir: string): K8sObject[] {
  return legacySort(build(resolve(dir), [], new Set()));
}

/** The same as `kubectl kustomize DIR`: a multi-document YAML stream, keys sorted as kubectl prints them. */
export function kustomizeBuildYaml(dir: string): string {
  return kustomizeBuild(dir).map((o) => toYaml(sortKeys(o))).join("---\n");
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys(value[k])]));
}

function readKustomization(dir: string): { file: string; k: Record<string, unknown> } {
  const name = KUSTOMIZATION_FILES.find((f) => existsSync(join(dir, f)));
  if (!name) throw new Error(`${dir}: no kustomization.yaml`);
  const file = join(dir, name);
  const k = loadYaml(file)[0];
  if (!isPlainObject(k)) throw new Error(`${file}: not a YAML mapping`);
  for (const key of Object.keys(k)) {
    if (!KNOWN_FIELDS.has(key)) throw new Error(`${file}: field ${key} is not supported by this renderer (use kubectl kustomize)`);
  }
  return { file, k };
}

function build(dir: string, inherited: K8sObject[], visiting: Set<string>): K8sObject[] {
  if (visiting.has(dir)) throw new Error(`${dir}: kustomization cycle`);
  visiting.add(dir);
  const { file, k } = readKustomization(dir);
  if (k.kind === "Component" && visiting.size === 1) throw new Error(`${file}: a Component is rendered only from a kustomization's components`);
  const objects = [...inherited];
  const seen = new Set(objects.map(objectId));
  const add = (o: K8sObject, from: string) => {
    const id = objectId(o);
    if (seen.has(id)) throw new Error(`${from}: resource ${id} is defined more than once`);
    seen.add(id);
    objects.push(o);
  };

  for (const entry of [...strings(k.bases, file, "bases"), ...strings(k.resources, file, "resources")]) {
    if (/^[a-z]+:\/\//i.test(entry) || entry.startsWith("github.com/")) throw new Error(`${file}: remote resource ${entry} is not supported`);
    const path = resolve(dir, entry);
    if (!existsSync(path)) throw new Error(`${file}: resource ${entry} does not exist`);
    if (statSync(path).isDirectory()) {
      for (const o of build(path, [], new Set(visiting))) add(o, file);
    } else {
      for (const doc of loadYaml(path)) if (doc !== null && doc !== undefined) add(asK8sObject(clone(doc), path), path);
    }
  }
  let result = objects;
  for (const entry of strings(k.components, file, "components")) {
    const path = resolve(dir, entry);
    const component = readKustomization(path).k;
    if (component.kind !== "Component") throw new Error(`${file}: ${entry} is listed as a component but is not kind: Component`);
    result = build(path, result, new Set(visiting));
  }

  result = applyPatches(result, patchesOf(k, dir, file), file);
  if (typeof k.namespace === "string" && k.namespace !== "") setNamespace(result, k.namespace);
  if (k.commonLabels !== undefined) addLabels(result, stringMap(k.commonLabels, file, "commonLabels"), { includeSelectors: true, includeTemplates: true });
  for (const entry of list(k.labels, file, "labels")) {
    if (!isPlainObject(entry)) throw new Error(`${file}: labels entries must be mappings`);
    addLabels(result, stringMap(entry.pairs, file, "labels.pairs"), {
      includeSelectors: entry.includeSelectors === true,
      includeTemplates: entry.includeTemplates === true,
    });
  }
  result = applyPatches(result, json6902Of(k, dir, file), file);
  for (const entry of list(k.replicas, file, "replicas")) {
    if (!isPlainObject(entry) || typeof entry.name !== "string" || typeof entry.count !== "number") throw new Error(`${file}: replicas entries need name and count`);
    setReplicas(result, entry.name, entry.count);
  }
  const images = list(k.images, file, "images") as ImageRule[];
  if (images.length > 0) setImages(result, images);
  return result;
}

interface Patch {
  body: unknown;           // an object (strategic merge) or an array of JSON patch operations
  target?: PatchTarget;
  where: string;
}

function patchesOf(k: Record<string, unknown>, dir: string, file: string): Patch[] {
  const out: Patch[] = [];
  for (const entry of list(k.patchesStrategicMerge, file, "patchesStrategicMerge")) {
    if (typeof entry !== "string") throw new Error(`${file}: patchesStrategicMerge entries must be strings`);
    out.push(...patchBodies(entry, dir, file).map((body) => ({ body, where: file })));
  }
  for (const entry of list(k.patches, file, "patches")) {
    if (!isPlainObject(entry)) throw new Error(`${file}: patches entries must be mappings`);
    const source = typeof entry.path === "string" ? readFileSync(resolve(dir, entry.path), "utf8") : entry.patch;
    if (typeof source !== "string") throw new Error(`${file}: a patch needs path or patch`);
    const target = entry.target === undefined ? undefined : (entry.target as PatchTarget);
    for (const body of loadYamlText(source, file)) out.push({ body, ...(target ? { target } : {}), where: file });
  }
  return out;
}

function json6902Of(k: Record<string, unknown>, dir: string, file: string): Patch[] {
  return list(k.patchesJson6902, file, "patchesJson6902").map((entry) => {
    if (!isPlainObject(entry) || !isPlainObject(entry.target)) throw new Error(`${file}: patchesJson6902 entries need a target`);
    const source = typeof entry.path === "string" ? readFileSync(resolve(dir, entry.path), "utf8") : entry.patch;
    if (typeof source !== "string") throw new Error(`${file}: a patch needs path or patch`);
    return { body: loadYamlText(source, file)[0], target: entry.target as PatchTarget, where: file };
  });
}

function patchBodies(entry: string, dir: string, file: string): unknown[] {
  const path = resolve(dir, entry);
  return existsSync(path) ? loadYamlText(readFileSync(path, "utf8"), path) : loadYamlText(entry, file);
}

function applyPatches(objects: K8sObject[], patches: Patch[], file: string): K8sObject[] {
  let result = objects;
  for (const patch of patches) {
    const isJsonPatch = Array.isArray(patch.body);
    if (!isJsonPatch && !isPlainObject(patch.body)) throw new Error(`${patch.where}: a patch must be a mapping or a list of operations`);
    const target = patch.target ?? targetOfPatch(patch.body, patch.where);
    const matches = result.filter((o) => matchesTarget(o, target));
    if (matches.length === 0) throw new Error(`${file}: patch target ${JSON.stringify(target)} matches no resource`);
    const body = patch.body as Record<string, unknown>;
    if (!isJsonPatch && body.$patch === "delete") {
      result = result.filter((o) => !matches.includes(o));
      continue;
    }
    result = result.map((o) => {
      if (!matches.includes(o)) return o;
      const patched = isJsonPatch
        ? applyJsonPatch(o, patch.body as JsonPatchOp[])
        : strategicMerge(o, withoutIdentity(body, patch.target !== undefined), isBuiltinKind(o.apiVersion));
      return asK8sObject(patched, patch.where);
    });
  }
  return result;
}

/** A strategic merge patch with a target keeps its own name out of the result (it may be a placeholder). */
function withoutIdentity(body: Record<string, unknown>, hasTarget: boolean): Record<string, unknown> {
  if (!hasTarget) return body;
  const { apiVersion: _a, kind: _k, ...rest } = body;
  if (isPlainObject(rest.metadata)) {
    const { name: _n, namespace: _ns, ...meta } = rest.metadata;
    return Object.keys(meta).length > 0 ? { ...rest, metadata: meta } : (({ metadata: _m, ...r }) => r)(rest);
  }
  return rest;
}

function targetOfPatch(body: unknown, where: string): PatchTarget {
  const b = body as Record<string, unknown>;
  const meta = isPlainObject(b.metadata) ? b.metadata : {};
  if (typeof b.apiVersion !== "string" || typeof b.kind !== "string" || typeof meta.name !== "string") {
    throw new Error(`${where}: a patch without a target needs apiVersion, kind and metadata.name`);
  }
  return {
    group: groupOf(b.apiVersion), version: versionOf(b.apiVersion), kind: b.kind, name: meta.name,
    ...(typeof meta.namespace === "string" ? { namespace: meta.namespace } : {}),
  };
}

function matchesTarget(o: K8sObject, t: PatchTarget): boolean {
  if (t.kind !== undefined && t.kind !== o.kind) return false;
  if (t.group !== undefined && t.group !== groupOf(o.apiVersion)) return false;
  if (t.version !== undefined && t.version !== versionOf(o.apiVersion)) return false;
  if (t.name !== undefined && !new RegExp(`^(?:${t.name})$`).test(o.metadata.name)) return false;
  if (t.namespace !== undefined && t.namespace !== (o.metadata.namespace ?? "")) return false;
  if (t.labelSelector !== undefined) {
    for (const term of t.labelSelector.split(",").map((s) => s.trim()).filter(Boolean)) {
      const [key, value] = term.split("=").map((s) => s.trim());
      if (key === undefined || o.metadata.labels?.[key] !== value) return false;
    }
  }
  return true;
}

function loadYaml(path: string): unknown[] {
  return loadYamlText(readFileSync(path, "utf8"), path);
}

function loadYamlText(text: string, where: string): unknown[] {
  return parseAllDocuments(text).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${where}: ${doc.errors[0]?.message ?? "YAML error"}`);
    return doc.toJS() as unknown;
  }).filter((d) => d !== null && d !== undefined);
}

function list(value: unknown, file: string, field: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Error(`${file}: ${field} must be a list`);
  return value;
}

function strings(value: unknown, file: string, field: string): string[] {
  return list(value, file, field).map((v) => {
    if (typeof v !== "string") throw new Error(`${file}: ${field} entries must be strings`);
    return v;
  });
}

function stringMap(value: unknown, file: string, field: string): Record<string, string> {
  if (!isPlainObject(value)) throw new Error(`${file}: ${field} must be a mapping`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) out[k] = String(v);
  return out;
}
