// manifests/: every overlay rendered (our kustomize subset, cross-checked against `kubectl kustomize` when
// kubectl is installed), every object validated against the Kubernetes and Istio schemas, and the security
// policy of the seed's four defence layers asserted — including that the real module accepts each overlay's
// WasmPlugin configuration under its pluginName and behaves as the overlay's mode says.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { describe, expect, it } from "vitest";
import { parse as parseYaml, parseAllDocuments } from "yaml";
import { ProxyWasmHost } from "../src/host/index.ts";
import { kustomizeBuild } from "../src/render/kustomize.ts";
import type { K8sObject } from "../src/render/k8s-object.ts";
import { validateWithModels } from "../src/render/validate-models.ts";
import { MODULE_ROOT_ID, validateWasmPlugin, type WasmPluginObject } from "../src/render/wasmplugin.ts";
import { findBinary } from "./helpers/registry.ts";
import { guardModule, post, toolCall } from "./helpers/guard.ts";

const OVERLAYS = ["dev", "staging", "prod"] as const;
type Overlay = (typeof OVERLAYS)[number];
const EXAMPLES = ["examples/prod-hold-mode"];
const GATEWAY_PRINCIPAL = "cluster.local/ns/gateway/sa/ai-gateway";
const MCP_PATHS = new Set(["/mcp", "/sse", "/rpc", "/messages"]);
const APP = { app: "github-mcp-server" };

const rendered = new Map<string, K8sObject[]>();
function render(dir: string): K8sObject[] {
  let objects = rendered.get(dir);
  if (!objects) {
    objects = kustomizeBuild(`manifests/${dir}`);
    rendered.set(dir, objects);
  }
  return objects;
}
const overlay = (o: Overlay) => render(`overlays/${o}`);

function all(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}
function one(objects: K8sObject[], kind: string, name?: string): K8sObject {
  const found = all(objects, kind).filter((o) => name === undefined || o.metadata.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` ${name}` : ""}, found ${found.length}`);
  return found[0] as K8sObject;
}
// Field access into rendered YAML, typed loosely on purpose: the assertions below name every field exactly.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const spec = (o: K8sObject): Any => o.spec;
const wasmPlugin = (objects: K8sObject[]) => one(objects, "WasmPlugin") as unknown as WasmPluginObject;
const matches = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
  selector !== undefined && Object.entries(selector).every(([k, v]) => labels[k] === v);

describe("kustomize rendering", () => {
  const kubectl = findBinary("kubectl");
  if (!kubectl) console.warn("\n*** kubectl not installed: overlays are rendered by src/render/kustomize.ts only, without the kubectl cross-check ***\n");

  it.each([...OVERLAYS.map((o) => `overlays/${o}`), ...EXAMPLES])("%s renders, and every object passes the Kubernetes/Istio schemas", (dir) => {
    const objects = render(dir);
    expect(objects.length).toBeGreaterThan(10);
    expect(validateWithModels(objects)).toEqual([]);
    for (const o of objects) if (o.kind !== "Namespace") expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe("ai-agents");
  });

  it.skipIf(!kubectl).each([...OVERLAYS.map((o) => `overlays/${o}`), ...EXAMPLES, "base"])("%s: identical to `kubectl kustomize`, order included", (dir) => {
    const theirs = parseAllDocuments(execFileSync(kubectl as string, ["kustomize", `manifests/${dir}`], { encoding: "utf8", timeout: 60_000 }))
      .map((d) => d.toJS() as K8sObject);
    const ours = JSON.parse(JSON.stringify(render(dir))) as K8sObject[];
    expect(ours.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(theirs.map((o) => `${o.kind}/${o.metadata.name}`));
    for (let i = 0; i < ours.length; i++) expect(isDeepStrictEqual(ours[i], theirs[i]), `${ours[i]?.kind}/${ours[i]?.metadata.name}`).toBe(true);
  });

  it("the schema check catches a broken object (negative control)", () => {
    const broken = JSON.parse(JSON.stringify(overlay("prod"))) as K8sObject[];
    spec(one(broken, "WasmPlugin")).phase = "AUTHX";
    spec(one(broken, "PeerAuthentication")).mtls.mode = "STRIKT";
    const problems = validateWithModels(broken);
    expect(problems.some((p) => p.startsWith("WasmPlugin/mcp-guard") && p.includes("phase"))).toBe(true);
    expect(problems.some((p) => p.startsWith("PeerAuthentication/default"))).toBe(true);
  });
});

describe.each(OVERLAYS)("overlay %s: the four defence layers", (name) => {
  const objects = overlay(name);
  const deployment = one(objects, "Deployment", "github-mcp-server");
  const podLabels: Record<string, string> = spec(deployment).template.metadata.labels;

  it("Layer 1: WasmPlugin with pluginName = the module's root id, phase AUTHZ, FAIL_CLOSE, inbound only, pinned or tagged oci:// URL", () => {
    const plugin = wasmPlugin(objects);
    expect(plugin.spec.pluginName).toBe(MODULE_ROOT_ID);
    expect(plugin.spec.phase).toBe("AUTHZ");
    expect(plugin.spec.failStrategy).toBe("FAIL_CLOSE");
    expect(plugin.spec.match).toEqual([{ mode: "SERVER" }]);
    expect(plugin.spec.url).toMatch(/^oci:\/\/[^/]+\/.+(:[\w.-]+|@sha256:[a-f0-9]{64})$/);
    expect(matches(plugin.spec.selector?.matchLabels, podLabels)).toBe(true);
    expect(plugin.spec.vmConfig?.env).toEqual([{ name: "MCP_GUARD_APPROVAL_KEY", valueFrom: "HOST" }]);
    expect(validateWasmPlugin(plugin)).toEqual([]); // Istio's webhook rules
    // The HOST variable exists in the proxy container, from a Secret (never inline in git).
    const proxy = spec(deployment).template.spec.containers.find((c: Any) => c.name === "istio-proxy");
    expect(proxy.env).toEqual([{ name: "MCP_GUARD_APPROVAL_KEY", valueFrom: { secretKeyRef: { name: "mcp-guard-approval", key: "approval-key" } } }]);
  });

  it("Layer 1: the real module accepts the pluginConfig under that pluginName (and refuses another root id)", async () => {
    const plugin = wasmPlugin(objects);
    const host = await ProxyWasmHost.start({
      module: guardModule(), rootId: plugin.spec.pluginName, pluginConfig: JSON.stringify(plugin.spec.pluginConfig),
      pluginName: `ai-agents.${plugin.metadata.name}`, env: { MCP_GUARD_APPROVAL_KEY: "test-key" },
    });
    expect(host.configured, host.logs.map((l) => l.message).join("\n")).toBe(true);
    const other = await ProxyWasmHost.start({ module: guardModule(), rootId: "mcp-tool-guard", pluginConfig: JSON.stringify(plugin.spec.pluginConfig) });
    expect(other.configured).toBe(false);
  });

  it(`Layer 1: mode is ${name === "dev" ? "audit (a disallowed call is forwarded)" : "enforce (a disallowed call is refused)"}`, async () => {
    const plugin = wasmPlugin(objects);
    expect(plugin.spec.pluginConfig.mode).toBe(name === "dev" ? "audit" : "enforce");
    const host = await ProxyWasmHost.start({ module: guardModule(), rootId: plugin.spec.pluginName, pluginConfig: JSON.stringify(plugin.spec.pluginConfig) });
    const allowed = await post(host, toolCall(1, "search_code", { q: "x" }));
    expect(allowed.upstreamCalled).toBe(true);
    const refused = await post(host, toolCall(2, "system_exec", { cmd: "id" }));
    if (name === "dev") expect(refused.upstreamCalled).toBe(true);
    else {
      expect(refused.upstreamCalled).toBe(false);
      expect(refused.json).toMatchObject({ id: 2, error: { code: -32602 } });
    }
  });

  it("Layer 2: mTLS STRICT; only the AI gateway, with an end-user JWT, on MCP paths and methods", () => {
    expect(spec(one(objects, "PeerAuthentication")).mtls.mode).toBe("STRICT");
    expect(spec(one(objects, "PeerAuthentication")).selector).toBeUndefined(); // namespace-wide
    const authz = spec(one(objects, "AuthorizationPolicy"));
    expect(authz.action).toBe("ALLOW");
    expect(matches(authz.selector.matchLabels, podLabels)).toBe(true);
    expect(authz.rules).toHaveLength(1);
    const rule = authz.rules[0];
    expect(rule.from).toEqual([{ source: { principals: [GATEWAY_PRINCIPAL], requestPrincipals: ["*"] } }]);
    expect(rule.when).toBeUndefined();
    for (const to of rule.to) {
      for (const p of to.operation.paths) expect(MCP_PATHS.has(p), p).toBe(true);
      for (const m of to.operation.methods) expect(["GET", "POST", "DELETE"]).toContain(m);
      expect(Object.keys(to.operation).sort()).toEqual(["methods", "paths"]);
    }
    const jwt = spec(one(objects, "RequestAuthentication"));
    expect(matches(jwt.selector.matchLabels, podLabels)).toBe(true);
    expect(jwt.jwtRules[0]).toMatchObject({ issuer: expect.stringMatching(/^https:\/\//), jwksUri: expect.stringMatching(/^https:\/\//) });
  });

  it("Layer 3: IRSA service account; no container runs as root or can gain privileges", () => {
    const sa = one(objects, "ServiceAccount", spec(deployment).template.spec.serviceAccountName);
    expect(sa.metadata.annotations?.["eks.amazonaws.com/role-arn"]).toMatch(/^arn:aws:iam::\d{12}:role\/.+/);
    const pod = spec(deployment).template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    expect(pod.hostNetwork ?? false).toBe(false);
    expect(pod.hostPID ?? false).toBe(false);
    for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
      const sc = c.securityContext ?? {};
      expect(sc.runAsUser ?? pod.securityContext.runAsUser, c.name).not.toBe(0);
      expect(sc.runAsNonRoot ?? pod.securityContext.runAsNonRoot, c.name).toBe(true);
      expect(sc.allowPrivilegeEscalation, c.name).toBe(false);
      expect(sc.readOnlyRootFilesystem, c.name).toBe(true);
      expect(sc.capabilities?.drop, c.name).toEqual(["ALL"]);
      expect(sc.capabilities?.add, c.name).toBeUndefined();
      expect(sc.privileged ?? false, c.name).toBe(false);
    }
    const server = pod.containers.find((c: Any) => c.name === "server");
    expect(server.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(server.resources.limits).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(server.readinessProbe).toBeDefined();
    expect(server.livenessProbe).toBeDefined();
    expect(server.image).not.toMatch(/:latest$/);
  });

  it("Layer 4: egress locked to the ServiceEntry hosts (Sidecar REGISTRY_ONLY) and default-deny NetworkPolicy", () => {
    const sidecar = spec(one(objects, "Sidecar"));
    expect(matches(sidecar.workloadSelector.labels, podLabels)).toBe(true);
    expect(sidecar.outboundTrafficPolicy).toEqual({ mode: "REGISTRY_ONLY" });
    const entries = all(objects, "ServiceEntry").map(spec);
    const allowedHosts = new Set(entries.flatMap((e: Any) => e.hosts as string[]));
    for (const e of entries) {
      expect(e.exportTo).toEqual(["."]);
      expect(e.location).toBe("MESH_EXTERNAL");
    }
    expect(allowedHosts.has("api.github.com")).toBe(true);
    const hosts: string[] = sidecar.egress.flatMap((e: Any) => e.hosts);
    for (const h of hosts) {
      if (h === "istio-system/*") continue;
      expect(h.startsWith("./"), h).toBe(true);
      expect(allowedHosts.has(h.slice(2)), h).toBe(true);
    }
    const deny = spec(one(objects, "NetworkPolicy", "default-deny-all"));
    expect(deny).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    const ingress = spec(one(objects, "NetworkPolicy", "allow-ai-gateway-ingress"));
    expect(matches(ingress.podSelector.matchLabels, podLabels)).toBe(true);
    expect(ingress.ingress[0].from[0].namespaceSelector.matchLabels).toEqual({ "kubernetes.io/metadata.name": "gateway" });
    const port = spec(deployment).template.spec.containers.find((c: Any) => c.name === "server").ports[0].containerPort;
    expect(ingress.ingress[0].ports).toEqual([{ protocol: "TCP", port }]);
  });

  it("namespace enforces Pod Security Standard restricted; the proxy exports the filter's wasmcustom stats", () => {
    const ns = one(objects, "Namespace");
    expect(ns.metadata.name).toBe("ai-agents");
    expect(ns.metadata.labels).toMatchObject({
      "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/audit": "restricted",
      "pod-security.kubernetes.io/warn": "restricted", "istio-injection": "enabled",
    });
    const annotations = spec(deployment).template.metadata.annotations;
    const proxyConfig = parseYaml(annotations["proxy.istio.io/config"]) as { proxyStatsMatcher: { inclusionPrefixes: string[] }; extraStatTags: string[] };
    expect(proxyConfig.proxyStatsMatcher.inclusionPrefixes).toContain("wasmcustom");
    // Every label key the module embeds in its stat names (read from its source), or Envoy leaves it in the name.
    const source = readFileSync("assembly/guard/metrics.ts", "utf8");
    const keys = new Set([...source.matchAll(/new LabelledCounter\((?:utf8\()?"\w+"\)?, "(\w+)", \w+(?:, "(\w+)", \w+)?\)/g)].flatMap((m) => m.slice(1).filter((k) => k !== undefined)));
    expect(keys.size).toBeGreaterThan(0);
    expect([...proxyConfig.extraStatTags].sort()).toEqual([...keys].sort());
    expect(annotations["sidecar.istio.io/statsInclusionPrefixes"]).toBeUndefined(); // it would replace the list above
    const service = spec(one(objects, "Service"));
    expect(matches(service.selector, podLabels)).toBe(true);
    expect(service.ports[0]).toMatchObject({ appProtocol: "http", name: expect.stringMatching(/^http-/) });
  });
});

describe("differences between environments", () => {
  it("prod: enforce, FAIL_CLOSE, module pinned by manifest digest in url and sha256, 3 replicas, PDB", () => {
    const prod = overlay("prod");
    const plugin = wasmPlugin(prod);
    expect(plugin.spec.failStrategy).toBe("FAIL_CLOSE");
    expect(plugin.spec.pluginConfig.mode).toBe("enforce");
    expect(plugin.spec.sha256).toMatch(/^[a-f0-9]{64}$/);
    expect(plugin.spec.url.endsWith(`@sha256:${plugin.spec.sha256}`)).toBe(true);
    expect(plugin.spec.imagePullPolicy).toBe("IfNotPresent");
    expect(spec(one(prod, "Deployment")).replicas).toBe(3);
    expect(spec(one(prod, "PodDisruptionBudget")).minAvailable).toBe(2);
  });

  it("replicas grow dev < staging < prod; dev re-pulls its moving tag, staging runs a release tag", () => {
    const replicas = OVERLAYS.map((o) => spec(one(overlay(o), "Deployment")).replicas as number);
    expect(replicas).toEqual([1, 2, 3]);
    expect(wasmPlugin(overlay("dev")).spec).toMatchObject({ imagePullPolicy: "Always", url: expect.stringMatching(/:dev$/) });
    expect(wasmPlugin(overlay("staging")).spec.url).toMatch(/:\d+\.\d+\.\d+$/);
  });

  it("only the overlay-specific parts differ: the tool allowlist and limits are the same everywhere", () => {
    const configs = OVERLAYS.map((o) => {
      const { mode: _mode, ...rest } = wasmPlugin(overlay(o)).spec.pluginConfig as Record<string, unknown>;
      return rest;
    });
    expect(configs[1]).toEqual(configs[0]);
    expect(configs[2]).toEqual(configs[0]);
  });
});

describe("opt-in hold mode (components/hold-mode)", () => {
  it("is used by no overlay", () => {
    for (const o of OVERLAYS) {
      const text = readFileSync(`manifests/overlays/${o}/kustomization.yaml`, "utf8");
      expect(text).not.toMatch(/hold-mode/);
      expect(all(overlay(o), "EnvoyFilter")).toEqual([]);
    }
  });

  it("replaces the WasmPlugin by an EnvoyFilter carrying the same module, config and pin, plus allow_on_headers_stop_iteration", async () => {
    const objects = render("examples/prod-hold-mode");
    expect(all(objects, "WasmPlugin")).toEqual([]);
    const prodPlugin = wasmPlugin(overlay("prod"));
    const filter = spec(one(objects, "EnvoyFilter"));
    expect(matches(filter.workloadSelector.labels, APP)).toBe(true);
    const extension = filter.configPatches.find((p: Any) => p.applyTo === "EXTENSION_CONFIG");
    const insert = filter.configPatches.find((p: Any) => p.applyTo === "HTTP_FILTER");
    const config = extension.patch.value.typed_config.config;
    // Istio applies only ADD patches to ECDS: the whole filter is added, then inserted into the inbound chain.
    expect(extension.patch.operation).toBe("ADD");
    expect(insert.match.context).toBe("SIDECAR_INBOUND");
    expect(insert.patch.operation).toBe("INSERT_BEFORE");
    expect(insert.patch.value.name).toBe(extension.patch.value.name);
    expect(insert.patch.value.config_discovery.type_urls).toEqual([extension.patch.value.typed_config["@type"]]);
    expect(config).toMatchObject({ root_id: MODULE_ROOT_ID, failure_policy: "FAIL_CLOSED", allow_on_headers_stop_iteration: true });
    expect(config.vm_config.code.remote.http_uri.uri).toBe(prodPlugin.spec.url);
    expect(config.vm_config.code.remote.sha256).toBe(prodPlugin.spec.sha256);
    expect(config.vm_config.environment_variables.host_env_keys).toEqual(["MCP_GUARD_APPROVAL_KEY"]);
    // The same policy as prod, with the module's hold mode switched on (it needs the Envoy option above).
    const pluginConfig = JSON.parse(config.configuration.value) as Record<string, unknown>;
    expect(pluginConfig).toEqual({ ...prodPlugin.spec.pluginConfig, hold_request_headers: true });
  });

  it("the EnvoyFilter's module configuration works in an Envoy-like host with the option it sets", async () => {
    const config = spec(one(render("examples/prod-hold-mode"), "EnvoyFilter")).configPatches[0].patch.value.typed_config.config;
    const host = await ProxyWasmHost.start({
      module: guardModule(), rootId: config.root_id, pluginConfig: config.configuration.value,
      allowOnHeadersStopIteration: config.allow_on_headers_stop_iteration,
    });
    expect(host.configured).toBe(true);
    const allowed = await post(host, toolCall(1, "search_code", { q: "x" }));
    expect(allowed.upstreamCalled).toBe(true);
    expect(allowed.stream.upstream.headers).toContainEqual(["x-mcp-tool", "search_code"]);
    const refused = await post(host, toolCall(2, "system_exec", { cmd: "id" }));
    expect(refused.upstreamCalled).toBe(false);
    expect(refused.json).toMatchObject({ id: 2, error: { code: -32602 } });
  });
});
