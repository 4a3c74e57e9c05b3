// Schema validation of rendered objects with kubernetes-models (Kubernetes 1.x OpenAPI) and
// @kubernetes-models/istio (Istio CRD schemas). Note: these schemas accept unknown fields, so a misspelt field
// passes here; the manifest tests assert the security-relevant fields by exact name and value.
import { Deployment } from "kubernetes-models/apps/v1";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ConfigMap, Namespace, Secret, Service, ServiceAccount } from "kubernetes-models/v1";
import { WasmPlugin } from "@kubernetes-models/istio/extensions.istio.io/v1alpha1";
import { ServiceEntry, Sidecar } from "@kubernetes-models/istio/networking.istio.io/v1";
import { EnvoyFilter } from "@kubernetes-models/istio/networking.istio.io/v1alpha3";
import { AuthorizationPolicy, PeerAuthentication, RequestAuthentication } from "@kubernetes-models/istio/security.istio.io/v1";
import { Telemetry } from "@kubernetes-models/istio/telemetry.istio.io/v1";
import type { K8sObject } from "./k8s-object.ts";

interface Validatable { validate(): void }
type ModelClass = { apiVersion: string; kind: string; new (data: never): Validatable };

const MODELS: ModelClass[] = [
  Namespace, ServiceAccount, Service, ConfigMap, Secret, Deployment, NetworkPolicy, PodDisruptionBudget,
  WasmPlugin, ServiceEntry, Sidecar, EnvoyFilter, AuthorizationPolicy, PeerAuthentication, RequestAuthentication, Telemetry,
] as unknown as ModelClass[];

const BY_TYPE = new Map(MODELS.map((m) => [`${m.apiVersion}/${m.kind}`, m]));

/** Problems found, one line each ("Kind/name: message"); an object of a kind without a model is a problem too. */
export function validateWithModels(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const o of objects) {
    const model = BY_TYPE.get(`${o.apiVersion}/${o.kind}`);
    const where = `${o.kind}/${o.metadata.name}`;
    if (!model) {
      problems.push(`${where}: no schema for ${o.apiVersion} ${o.kind}`);
      continue;
    }
    const { apiVersion: _a, kind: _k, ...data } = o;
    try {
      new model(data as never).validate();
    } catch (e) {
      problems.push(`${where}: ${(e as Error).message}`);
    }
  }
  return problems;
}
