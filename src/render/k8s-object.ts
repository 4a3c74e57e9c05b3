// Kubernetes objects as plain JSON values, with the identity kustomize uses to find them.

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

export function versionOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
}

export function objectId(o: K8sObject): string {
  return `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
}

export function asK8sObject(value: unknown, where: string): K8sObject {
  if (!isPlainObject(value)) throw new Error(`${where}: a resource must be a YAML mapping`);
  const meta = value.metadata;
  if (typeof value.apiVersion !== "string" || typeof value.kind !== "string" || !isPlainObject(meta) || typeof meta.name !== "string") {
    throw new Error(`${where}: a resource needs apiVersion, kind and metadata.name`);
  }
  return value as K8sObject;
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}

/** API groups whose kinds carry Kubernetes' strategic-merge metadata (everything else is a custom resource). */
const BUILTIN_GROUPS = new Set([
  "", "apps", "batch", "autoscaling", "policy", "networking.k8s.io", "rbac.authorization.k8s.io", "storage.k8s.io",
  "scheduling.k8s.io", "coordination.k8s.io", "discovery.k8s.io", "node.k8s.io", "certificates.k8s.io",
]);

export function isBuiltinKind(apiVersion: string): boolean {
  return BUILTIN_GROUPS.has(groupOf(apiVersion));
}

/** Kinds that have no namespace (kustomize's namespace transformer leaves them alone, except Namespace's name). */
export const CLUSTER_SCOPED_KINDS = new Set([
  "Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PersistentVolume", "StorageClass",
  "PriorityClass", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "APIService", "Node",
  "ClusterIssuer", "CSIDriver", "CSINode", "RuntimeClass", "VolumeAttachment", "IngressClass",
  "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
]);
