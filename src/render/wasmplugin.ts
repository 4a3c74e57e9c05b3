// Renders the Istio WasmPlugin that loads mcp-guard (istio/api extensions/v1alpha1/wasm.proto):
//   - pluginName becomes Envoy's root_id; the module registers "mcp-guard" and rejects any other id;
//   - pluginConfig reaches the module as a JSON string in PLUGIN_CONFIGURATION;
//   - for an oci:// URL, sha256 is the hex MANIFEST digest without "sha256:" (pattern ^[a-f0-9]{64}$); when the URL
//     itself pins "@sha256:…" the two must agree (Istio's rule), so a pinned URL also fills sha256;
//   - phase AUTHZ puts the filter after Istio's authn/authz filters, where JWT claims are visible;
//   - failStrategy FAIL_CLOSE: a module that cannot be fetched or that traps refuses traffic instead of passing it.
import { stringify } from "yaml";
import { digestHex, isDigest } from "../oci/digest.ts";
import { parseReference } from "../oci/reference.ts";

export const WASM_PLUGIN_API_VERSION = "extensions.istio.io/v1alpha1";
export const MODULE_ROOT_ID = "mcp-guard";

export type PluginPhase = "AUTHN" | "AUTHZ" | "STATS" | "UNSPECIFIED_PHASE";
export type FailStrategy = "FAIL_CLOSE" | "FAIL_OPEN" | "FAIL_RELOAD";
export type WorkloadMode = "CLIENT" | "SERVER" | "CLIENT_AND_SERVER";

/** One vmConfig.env entry: an inline value, or (valueFrom HOST) the proxy container's variable of that name. */
export type VmEnvVar = { name: string; value: string } | { name: string; valueFrom: "HOST" };

export interface RenderWasmPluginOptions {
  pluginConfig: object;
  /** oci://REGISTRY/REPO:TAG or …@sha256:HEX (a bare reference means oci://); https:// and file:// pass through. */
  image: string;
  /** Manifest digest for oci:// ("sha256:<hex>" or "<hex>"); the module file's digest for https://. */
  sha256?: string;
  name?: string;                          // default "mcp-guard"
  namespace?: string;
  labels?: Record<string, string>;
  /** matchLabels of the workloads to guard; without it the plugin applies to every workload of the namespace. */
  selector?: Record<string, string>;
  pluginName?: string;                    // default "mcp-guard" (the module's root id)
  phase?: PluginPhase;                    // default AUTHZ
  failStrategy?: FailStrategy;            // default FAIL_CLOSE
  imagePullPolicy?: "IfNotPresent" | "Always";
  imagePullSecret?: string;
  priority?: number;
  vmEnv?: VmEnvVar[];
  /** Traffic the filter sees; default inbound only ([{ mode: SERVER }]); null: all traffic (Istio's default). */
  match?: Array<{ mode?: WorkloadMode; ports?: number[] }> | null;
}

export interface WasmPluginObject {
  apiVersion: typeof WASM_PLUGIN_API_VERSION;
  kind: "WasmPlugin";
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec: {
    selector?: { matchLabels: Record<string, string> };
    url: string;
    sha256?: string;
    imagePullPolicy?: string;
    imagePullSecret?: string;
    pluginName: string;
    phase: PluginPhase;
    priority?: number;
    failStrategy: FailStrategy;
    pluginConfig: Record<string, unknown>;
    vmConfig?: { env: Array<{ name: string; value?: string; valueFrom?: "INLINE" | "HOST" }> };
    match?: Array<{ mode?: WorkloadMode; ports?: Array<{ number: number }> }>;
  };
}

export function renderWasmPlugin(options: RenderWasmPluginOptions): WasmPluginObject {
  const url = normaliseUrl(options.image);
  const sha256 = pinnedSha256(url, options.sha256);
  const pluginConfig = plainJson(options.pluginConfig);
  const metadata: WasmPluginObject["metadata"] = { name: options.name ?? "mcp-guard" };
  if (options.namespace !== undefined) metadata.namespace = options.namespace;
  if (options.labels && Object.keys(options.labels).length > 0) metadata.labels = { ...options.labels };

  const spec: WasmPluginObject["spec"] = {
    ...(options.selector ? { selector: { matchLabels: { ...options.selector } } } : {}),
    url,
    ...(sha256 !== undefined ? { sha256 } : {}),
    ...(options.imagePullPolicy ? { imagePullPolicy: options.imagePullPolicy } : {}),
    ...(options.imagePullSecret ? { imagePullSecret: options.imagePullSecret } : {}),
    pluginName: options.pluginName ?? MODULE_ROOT_ID,
    phase: options.phase ?? "AUTHZ",
    ...(options.priority !== undefined ? { priority: options.priority } : {}),
    failStrategy: options.failStrategy ?? "FAIL_CLOSE",
    pluginConfig,
  };
  if (options.vmEnv && options.vmEnv.length > 0) {
    spec.vmConfig = {
      env: options.vmEnv.map((e) => ("valueFrom" in e ? { name: e.name, valueFrom: "HOST" as const } : { name: e.name, value: e.value })),
    };
  }
  const match = options.match === undefined ? [{ mode: "SERVER" as const }] : options.match;
  if (match && match.length > 0) {
    spec.match = match.map((m) => ({
      ...(m.mode ? { mode: m.mode } : {}),
      ...(m.ports && m.ports.length > 0 ? { ports: m.ports.map((number) => ({ number })) } : {}),
    }));
  }
  const plugin: WasmPluginObject = { apiVersion: WASM_PLUGIN_API_VERSION, kind: "WasmPlugin", metadata, spec };
  const problems = validateWasmPlugin(plugin);
  if (problems.length > 0) throw new Error(`invalid WasmPlugin: ${problems.join("; ")}`);
  return plugin;
}

export function renderWasmPluginYaml(options: RenderWasmPluginOptions): string {
  return toYaml(renderWasmPlugin(options));
}

export function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0, indentSeq: false });
}

/**
 * The checks Istio's validating webhook makes on a WasmPlugin (pkg/config/validation ValidateWasmPlugin) plus the
 * CRD's field patterns: URL scheme, sha256 form and agreement with an @sha256 URL, pluginName length, env names
 * unique and values only for INLINE, match ports in range. Returns the problems; empty means Istio would accept it.
 */
export function validateWasmPlugin(plugin: WasmPluginObject): string[] {
  const problems: string[] = [];
  const s = plugin.spec;
  if (!s.url) problems.push("url field needs to be set");
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(s.url)?.[1]?.toLowerCase() ?? "";
  if (!["", "oci", "http", "https", "file"].includes(scheme)) problems.push(`url contains unsupported scheme: ${scheme}`);
  if (s.sha256 !== undefined && s.sha256 !== "" && !/^[a-f0-9]{64}$/.test(s.sha256)) problems.push("sha256 field must match [a-f0-9]{64} pattern");
  const urlDigest = /@sha256:([a-f0-9]{64})$/.exec(s.url)?.[1];
  if (urlDigest && s.sha256 && urlDigest !== s.sha256) problems.push(`sha256 ${s.sha256} does not match the digest in the url (${urlDigest})`);
  if (!s.pluginName || s.pluginName.length > 256) problems.push("pluginName must be 1..256 characters");
  if (s.imagePullSecret !== undefined && (s.imagePullSecret.length < 1 || s.imagePullSecret.length > 253)) problems.push("imagePullSecret must be 1..253 characters");
  const names = new Set<string>();
  for (const e of s.vmConfig?.env ?? []) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(e.name)) problems.push(`vmConfig.env name ${JSON.stringify(e.name)} must be a C identifier`);
    if (names.has(e.name)) problems.push(`duplicate env ${e.name}`);
    names.add(e.name);
    if (e.valueFrom === "HOST" && e.value !== undefined) problems.push(`value may only be set when valueFrom is INLINE (${e.name})`);
  }
  for (const m of s.match ?? []) {
    for (const p of m.ports ?? []) {
      if (!Number.isInteger(p.number) || p.number <= 0 || p.number > 65535) problems.push(`match port ${p.number} is out of range`);
    }
  }
  return problems;
}

/** Things Istio accepts but that are probably mistakes for mcp-guard. */
export function lintWasmPlugin(plugin: WasmPluginObject): string[] {
  const s = plugin.spec;
  const warnings: string[] = [];
  if (s.pluginName !== MODULE_ROOT_ID) warnings.push(`pluginName is ${JSON.stringify(s.pluginName)}: the module only configures under root id "${MODULE_ROOT_ID}", so every request would fail`);
  if (!s.selector) warnings.push("no selector: the plugin applies to every workload in the namespace (mesh-wide in the root namespace)");
  if (s.failStrategy !== "FAIL_CLOSE") warnings.push(`failStrategy ${s.failStrategy}: traffic passes unchecked whenever the module cannot be loaded or traps`);
  if (!s.sha256 && s.url.startsWith("oci://")) warnings.push("no sha256: the image is not pinned; a re-pushed tag changes what runs");
  return warnings;
}

function normaliseUrl(image: string): string {
  const trimmed = image.trim();
  if (/^(https?|file):\/\//.test(trimmed)) return trimmed;
  const ref = parseReference(trimmed); // throws with a message naming what is wrong
  if (ref.tag === undefined && ref.digest === undefined) {
    throw new Error(`image ${JSON.stringify(image)} has neither a tag nor a digest: name the version (…:TAG) or pin it (…@sha256:HEX)`);
  }
  return trimmed.startsWith("oci://") ? trimmed : `oci://${trimmed}`;
}

function pinnedSha256(url: string, given: string | undefined): string | undefined {
  let sha: string | undefined;
  if (given !== undefined && given !== "") {
    const g = given.trim();
    if (isDigest(g)) sha = digestHex(g);
    else if (/^[a-f0-9]{64}$/.test(g)) sha = g;
    else throw new Error(`sha256 ${JSON.stringify(given)} is not a sha256 digest: give the 64 hex digits, with or without "sha256:" (uppercase is not accepted)`);
  }
  const inUrl = /@sha256:([a-f0-9]{64})$/.exec(url)?.[1];
  if (inUrl !== undefined && sha !== undefined && inUrl !== sha) {
    throw new Error(`sha256 ${sha} differs from the digest pinned in the image URL (${inUrl})`);
  }
  return sha ?? inUrl;
}

function plainJson(value: object): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error("pluginConfig must be a JSON object");
  const copy = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  return copy;
}
