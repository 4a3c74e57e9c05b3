// The kustomize built-in transformers the manifests use — namespace, labels/commonLabels, replicas, images — and
// kustomize's "legacy" output order. Each mirrors kustomize v5's default field specs for built-in kinds.
import { CLUSTER_SCOPED_KINDS, groupOf, isPlainObject, versionOf, type K8sObject } from "./k8s-object.ts";

const WORKLOADS = new Set(["Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job", "ReplicationController"]);

export function setNamespace(objects: K8sObject[], namespace: string): void {
  for (const o of objects) {
    if (o.kind === "Namespace") o.metadata.name = namespace; // kustomize renames Namespace objects too
    else if (!CLUSTER_SCOPED_KINDS.has(o.kind)) o.metadata.namespace = namespace;
  }
}

export interface LabelOptions {
  includeSelectors: boolean;   // commonLabels, or labels[].includeSelectors
  includeTemplates: boolean;
}

export function addLabels(objects: K8sObject[], labels: Record<string, string>, options: LabelOptions): void {
  for (const o of objects) {
    o.metadata.labels = { ...o.metadata.labels, ...labels };
    const spec = isPlainObject(o.spec) ? o.spec : undefined;
    if (!spec) continue;
    const templates = options.includeTemplates || options.includeSelectors;
    if (WORKLOADS.has(o.kind)) {
      if (templates) addAt(spec, ["template", "metadata", "labels"], labels, true);
      if (options.includeSelectors) {
        if (o.kind === "ReplicationController") addAt(spec, ["selector"], labels, true);
        else if (o.kind !== "Job") addAt(spec, ["selector", "matchLabels"], labels, true);
      }
    } else if (o.kind === "CronJob") {
      if (templates) addAt(spec, ["jobTemplate", "spec", "template", "metadata", "labels"], labels, true);
      if (templates) addAt(spec, ["jobTemplate", "metadata", "labels"], labels, true);
    } else if (options.includeSelectors) {
      if (o.kind === "Service") addAt(spec, ["selector"], labels, true);
      else if (o.kind === "PodDisruptionBudget") addAt(spec, ["selector", "matchLabels"], labels, false);
      else if (o.kind === "NetworkPolicy") {
        addAt(spec, ["podSelector", "matchLabels"], labels, false);
        for (const rule of asArray(spec.ingress)) for (const peer of asArray(rule.from)) addAt(peer, ["podSelector", "matchLabels"], labels, false);
        for (const rule of asArray(spec.egress)) for (const peer of asArray(rule.to)) addAt(peer, ["podSelector", "matchLabels"], labels, false);
      }
    }
  }
}

function asArray(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isPlainObject) : [];
}

/** Merges labels into the mapping at path; creates the path only when `create` (kustomize's fieldSpec.create). */
function addAt(root: Record<string, unknown>, path: string[], labels: Record<string, string>, create: boolean): void {
  let cur: Record<string, unknown> = root;
  for (const part of path) {
    const next = cur[part];
    if (isPlainObject(next)) cur = next;
    else if (create && (next === undefined || next === null)) {
      const made: Record<string, unknown> = {};
      cur[part] = made;
      cur = made;
    } else return;
  }
  Object.assign(cur, labels);
}

export function setReplicas(objects: K8sObject[], name: string, count: number): void {
  const kinds = new Set(["Deployment", "ReplicaSet", "StatefulSet", "ReplicationController"]);
  let found = false;
  for (const o of objects) {
    if (kinds.has(o.kind) && o.metadata.name === name) {
      o.spec = { ...(isPlainObject(o.spec) ? o.spec : {}), replicas: count };
      found = true;
    }
  }
  if (!found) throw new Error(`replicas: no Deployment/StatefulSet/ReplicaSet named ${name}`);
}

export interface ImageRule {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

export function setImages(objects: K8sObject[], rules: ImageRule[]): void {
  for (const o of objects) {
    for (const podSpec of podSpecs(o)) {
      for (const field of ["containers", "initContainers"]) {
        for (const c of asArray(podSpec[field])) {
          if (typeof c.image !== "string") continue;
          const parsed = splitImage(c.image);
          const rule = rules.find((r) => r.name === parsed.name);
          if (!rule) continue;
          const name = rule.newName ?? parsed.name;
          if (rule.digest) c.image = `${name}@${rule.digest}`;
          else if (rule.newTag) c.image = `${name}:${rule.newTag}`;
          else c.image = `${name}${parsed.suffix}`;
        }
      }
    }
  }
}

function podSpecs(o: K8sObject): Record<string, unknown>[] {
  const spec = isPlainObject(o.spec) ? o.spec : undefined;
  if (!spec) return [];
  if (o.kind === "Pod") return [spec];
  if (o.kind === "CronJob") {
    const jt = spec.jobTemplate;
    const inner = isPlainObject(jt) && isPlainObject(jt.spec) && isPlainObject(jt.spec.template) ? jt.spec.template.spec : undefined;
    return isPlainObject(inner) ? [inner] : [];
  }
  const template = spec.template;
  return isPlainObject(template) && isPlainObject(template.spec) ? [template.spec] : [];
}

/** "repo/name:tag@digest" → name "repo/name" and the rest (":tag", "@digest", or both). */
function splitImage(image: string): { name: string; suffix: string } {
  const at = image.indexOf("@");
  const beforeDigest = at >= 0 ? image.slice(0, at) : image;
  const lastSlash = beforeDigest.lastIndexOf("/");
  const colon = beforeDigest.lastIndexOf(":");
  const nameEnd = colon > lastSlash ? colon : beforeDigest.length;
  return { name: image.slice(0, nameEnd), suffix: image.slice(nameEnd) };
}

// kustomize's legacy order: these kinds first (in this order), webhooks last, the rest by group/version/kind,
// then namespace and name.
const ORDER_FIRST = [
  "Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition", "ServiceAccount", "PodSecurityPolicy",
  "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ConfigMap", "Secret", "Endpoints", "Service",
  "LimitRange", "PriorityClass", "PersistentVolume", "PersistentVolumeClaim", "Deployment", "StatefulSet",
  "CronJob", "PodDisruptionBudget",
];
const ORDER_LAST = ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"];

export function legacySort(objects: K8sObject[]): K8sObject[] {
  const rank = (kind: string): number => {
    const first = ORDER_FIRST.indexOf(kind);
    if (first >= 0) return first - ORDER_FIRST.length;
    const last = ORDER_LAST.indexOf(kind);
    return last >= 0 ? last + 1 : 0;
  };
  const gvk = (o: K8sObject): string => `${groupOf(o.apiVersion) || "[noGrp]"}_${versionOf(o.apiVersion)}_${o.kind}`;
  const key = (o: K8sObject): [number, string, string, string] => [rank(o.kind), gvk(o), o.metadata.namespace ?? "", o.metadata.name];
  return [...objects].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) {
      const x = ka[i] as number | string;
      const y = kb[i] as number | string;
      if (x < y) return -1;
      if (x > y) return 1;
    }
    return 0;
  });
}
