// src/render: renderWasmPlugin (what `mcp-guard render` prints) and the kustomize subset, with every kustomize
// feature it claims cross-checked against `kubectl kustomize` on a fixture when kubectl is installed.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { parse as parseYaml, parseAllDocuments } from "yaml";
import { ProxyWasmHost } from "../src/host/index.ts";
import { kustomizeBuild, kustomizeBuildYaml } from "../src/render/kustomize.ts";
import type { K8sObject } from "../src/render/k8s-object.ts";
import { validateWithModels } from "../src/render/validate-models.ts";
import { lintWasmPlugin, renderWasmPlugin, renderWasmPluginYaml, validateWasmPlugin, type WasmPluginObject } from "../src/render/wasmplugin.ts";
import { findBinary } from "./helpers/registry.ts";
import { guardModule, SEED_CONFIG } from "./helpers/guard.ts";

const HEX = "2e61cb3a9b91384d0bf702861c2617a505d00392c68bd0d1b9e9032d0b29e5a1";
const work = mkdtempSync(join(tmpdir(), "mcp-guard-render-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("renderWasmPlugin", () => {
  it("defaults: pluginName mcp-guard, phase AUTHZ, FAIL_CLOSE, inbound only; sha256 is the bare hex manifest digest", () => {
    const plugin = renderWasmPlugin({
      pluginConfig: SEED_CONFIG, image: "oci://registry.example.com/mcp-guard/mcp-guard:0.1.0", sha256: `sha256:${HEX}`,
      namespace: "ai-agents", selector: { app: "github-mcp-server" },
    });
    expect(plugin).toEqual({
      apiVersion: "extensions.istio.io/v1alpha1",
      kind: "WasmPlugin",
      metadata: { name: "mcp-guard", namespace: "ai-agents" },
      spec: {
        selector: { matchLabels: { app: "github-mcp-server" } },
        url: "oci://registry.example.com/mcp-guard/mcp-guard:0.1.0",
        sha256: HEX,
        pluginName: "mcp-guard",
        phase: "AUTHZ",
        failStrategy: "FAIL_CLOSE",
        pluginConfig: SEED_CONFIG,
        match: [{ mode: "SERVER" }],
      },
    });
    expect(validateWithModels([plugin as unknown as K8sObject])).toEqual([]);
    expect(lintWasmPlugin(plugin)).toEqual([]);
  });

  it("the YAML parses back to the same object, and the module accepts its pluginConfig under its pluginName", async () => {
    const yaml = renderWasmPluginYaml({ pluginConfig: { ...SEED_CONFIG, deny_status: 403 }, image: "r.example.com/g/f:1", vmEnv: [{ name: "MCP_GUARD_APPROVAL_KEY", valueFrom: "HOST" }] });
    const back = parseYaml(yaml) as WasmPluginObject;
    expect(back.spec.url).toBe("oci://r.example.com/g/f:1");
    expect(back.spec.vmConfig).toEqual({ env: [{ name: "MCP_GUARD_APPROVAL_KEY", valueFrom: "HOST" }] });
    const host = await ProxyWasmHost.start({ module: guardModule(), rootId: back.spec.pluginName, pluginConfig: JSON.stringify(back.spec.pluginConfig) });
    expect(host.configured).toBe(true);
  });

  it("a URL pinned by digest fills sha256, and a disagreeing sha256 is refused (Istio's rule)", () => {
    const url = `oci://r.example.com/g/f@sha256:${HEX}`;
    expect(renderWasmPlugin({ pluginConfig: {}, image: url }).spec.sha256).toBe(HEX);
    expect(() => renderWasmPlugin({ pluginConfig: {}, image: url, sha256: "0".repeat(64) })).toThrow(/differs from the digest pinned in the image URL/);
  });

  it("refuses what Istio or the registry would refuse, saying what is wrong", () => {
    expect(() => renderWasmPlugin({ pluginConfig: {}, image: "oci://r.example.com/g/f:1", sha256: HEX.toUpperCase() })).toThrow(/not a sha256 digest/);
    expect(() => renderWasmPlugin({ pluginConfig: {}, image: "oci://r.example.com/g/f" })).toThrow(/neither a tag nor a digest/);
    expect(() => renderWasmPlugin({ pluginConfig: {}, image: "oci://r.example.com/G/f:1" })).toThrow(/invalid repository path component/);
    expect(() => renderWasmPlugin({ pluginConfig: [] as unknown as object, image: "oci://r.example.com/g/f:1" })).toThrow(/pluginConfig must be a JSON object/);
    expect(() => renderWasmPlugin({ pluginConfig: {}, image: "oci://r.example.com/g/f:1", vmEnv: [{ name: "A", value: "1" }, { name: "A", valueFrom: "HOST" }] })).toThrow(/duplicate env A/);
    expect(() => renderWasmPlugin({ pluginConfig: {}, image: "oci://r.example.com/g/f:1", match: [{ mode: "SERVER", ports: [70000] }] })).toThrow(/out of range/);
  });

  it("lint warns about choices Istio accepts but that defeat the guard", () => {
    const plugin = renderWasmPlugin({ pluginConfig: {}, image: "oci://r.example.com/g/f:1", pluginName: "mcp-tool-guard", failStrategy: "FAIL_OPEN" });
    const warnings = lintWasmPlugin(plugin).join("\n");
    expect(warnings).toMatch(/pluginName is "mcp-tool-guard"/);
    expect(warnings).toMatch(/no selector/);
    expect(warnings).toMatch(/failStrategy FAIL_OPEN/);
    expect(warnings).toMatch(/no sha256/);
    expect(validateWasmPlugin(plugin)).toEqual([]);
  });

  it("the base manifest's WasmPlugin is exactly what renderWasmPlugin makes from the same inputs", () => {
    const base = kustomizeBuild("manifests/base").find((o) => o.kind === "WasmPlugin") as unknown as WasmPluginObject;
    const made = renderWasmPlugin({
      pluginConfig: base.spec.pluginConfig, image: base.spec.url, namespace: "ai-agents", selector: { app: "github-mcp-server" },
      imagePullPolicy: "IfNotPresent", labels: { "app.kubernetes.io/part-of": "mcp-guard" },
      vmEnv: [{ name: "MCP_GUARD_APPROVAL_KEY", valueFrom: "HOST" }],
    });
    expect(JSON.parse(JSON.stringify(made))).toEqual(JSON.parse(JSON.stringify(base)));
  });
});

// A fixture exercising the kustomize features the renderer supports beyond what manifests/ uses.
function writeFixture(root: string): string {
  const files: Record<string, string> = {
    "base/kustomization.yaml": "resources:\n- app.yaml\ncommonLabels:\n  team: platform\n",
    "base/app.yaml": [
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: web\n        image: example.com/web:1.0\n        env:\n        - name: A\n          value: a\n        - name: B\n          value: b\n      - name: helper\n        image: busybox:1.36\n",
      "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  labels:\n    tier: front\nspec:\n  selector:\n    app: web\n  ports:\n  - port: 80\n    targetPort: 8080\n",
      "---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  list: [1, 2, 3]\n  nested:\n    keep: true\n    drop: x\n",
    ].join(""),
    "overlay/kustomization.yaml": [
      "resources:\n- ../base\nnamespace: fixture\n",
      "labels:\n- pairs:\n    env: test\n  includeTemplates: true\n",
      "images:\n- name: example.com/web\n  newName: registry.example.com/web\n  newTag: \"2.0\"\n- name: busybox\n  digest: sha256:" + "b".repeat(64) + "\n",
      "replicas:\n- name: web\n  count: 4\n",
      "patchesStrategicMerge:\n- deploy-patch.yaml\n",
      "patches:\n- path: widget-patch.yaml\n- target:\n    kind: Service\n    labelSelector: tier=front\n  patch: |-\n    - op: add\n      path: /metadata/annotations\n      value:\n        note: patched\n",
      "patchesJson6902:\n- target:\n    group: apps\n    version: v1\n    kind: Deployment\n    name: web\n  patch: |-\n    - op: replace\n      path: /spec/template/spec/containers/0/env/0/value\n      value: replaced\n",
    ].join(""),
    "overlay/deploy-patch.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        env:\n        - name: B\n          value: b2\n        - name: C\n          value: c\n      - name: helper\n        $patch: delete\n",
    "overlay/widget-patch.yaml": "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  list: [9]\n  nested:\n    drop: null\n    added: 1\n",
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return join(root, "overlay");
}

describe("kustomize subset", () => {
  const dir = writeFixture(join(work, "fixture"));
  const kubectl = findBinary("kubectl");

  it("applies resources, commonLabels, namespace, labels, images, replicas and all three patch kinds", () => {
    const objects = kustomizeBuild(dir);
    const deploy = objects.find((o) => o.kind === "Deployment") as K8sObject & { spec: any };
    expect(deploy.metadata).toMatchObject({ namespace: "fixture", labels: { team: "platform", env: "test" } });
    expect(deploy.spec.replicas).toBe(4);
    expect(deploy.spec.selector.matchLabels).toEqual({ app: "web", team: "platform" });
    expect(deploy.spec.template.metadata.labels).toEqual({ app: "web", team: "platform", env: "test" });
    expect(deploy.spec.template.spec.containers).toEqual([{
      name: "web", image: "registry.example.com/web:2.0",
      // Strategic merge puts the patch's elements first (B merged, C new), then the untouched A; the JSON patch
      // then replaces element 0 — kustomize's order, checked against kubectl below.
      env: [{ name: "B", value: "replaced" }, { name: "C", value: "c" }, { name: "A", value: "a" }],
    }]);
    const service = objects.find((o) => o.kind === "Service") as K8sObject & { spec: any };
    expect(service.spec.selector).toEqual({ app: "web", team: "platform" });
    expect(service.metadata.annotations).toEqual({ note: "patched" });
    const widget = objects.find((o) => o.kind === "Widget") as K8sObject & { spec: any };
    expect(widget.spec).toEqual({ list: [9], nested: { keep: true, added: 1 } });
    expect(validateWithModels(objects.filter((o) => o.kind !== "Widget"))).toEqual([]);
  });

  it.skipIf(!kubectl)("gives the same objects, in the same order, as `kubectl kustomize`", () => {
    const theirs = parseAllDocuments(execFileSync(kubectl as string, ["kustomize", dir], { encoding: "utf8", timeout: 60_000 })).map((d) => d.toJS() as unknown);
    const ours = parseAllDocuments(kustomizeBuildYaml(dir)).map((d) => d.toJS() as unknown);
    expect(ours.length).toBe(theirs.length);
    for (let i = 0; i < ours.length; i++) expect(isDeepStrictEqual(ours[i], theirs[i]), JSON.stringify([ours[i], theirs[i]])).toBe(true);
  });

  it("refuses what it does not implement, and patches that match nothing", () => {
    const bad = join(work, "bad");
    mkdirSync(bad, { recursive: true });
    writeFileSync(join(bad, "app.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n");
    writeFileSync(join(bad, "kustomization.yaml"), "resources:\n- app.yaml\nnamePrefix: x-\n");
    expect(() => kustomizeBuild(bad)).toThrow(/field namePrefix is not supported/);
    writeFileSync(join(bad, "kustomization.yaml"), "resources:\n- app.yaml\npatches:\n- patch: |-\n    apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: other\n");
    expect(() => kustomizeBuild(bad)).toThrow(/matches no resource/);
    writeFileSync(join(bad, "kustomization.yaml"), "resources:\n- app.yaml\n- app.yaml\n");
    expect(() => kustomizeBuild(bad)).toThrow(/defined more than once/);
  });
});
