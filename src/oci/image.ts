// Builds the OCI image of the filter in memory, in one of the two formats Istio's image fetcher accepts for an
// OCI manifest (istio/istio pkg/wasm/imagefetcher.go):
//   "compat":        one application/vnd.oci.image.layer.v1.tar+gzip layer holding plugin.wasm, manifest
//                    annotation module.wasm.image/variant=compat, a standard image config (solo-io spec-compat.md);
//   "wasm-artifact": exactly two layers, the runtime configuration (application/vnd.module.wasm.config.v1+json)
//                    and the raw module (application/vnd.module.wasm.content.layer.v1+wasm), the configuration
//                    also being the manifest's config (solo-io spec.md, as wasme pushes it).
// Everything is a function of the inputs: fixed timestamps, fixed tar metadata, deterministic gzip, sorted JSON.
import { canonicalJsonBytes } from "./canonical-json.ts";
import { sha256Digest } from "./digest.ts";
import { gzipDeterministic, type GzipLevel } from "./gzip.ts";
import {
  OCI_CONFIG, OCI_LAYER_TAR_GZIP, OCI_MANIFEST, PLUGIN_FILE, TITLE_ANNOTATION, VARIANT_ANNOTATION, WASM_CONFIG,
  WASM_CONTENT_LAYER,
} from "./media-types.ts";
import { tarSingleFile } from "./tar.ts";

export type ImageFormat = "compat" | "wasm-artifact";

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

export interface OciManifest {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

/** An image held in memory: the manifest exactly as its bytes hash, and every blob it references. */
export interface OciImage {
  manifest: OciManifest;
  manifestBytes: Uint8Array;
  manifestMediaType: string;
  digest: string;                    // sha256 of manifestBytes: what WasmPlugin.spec.sha256 pins (hex part)
  blobs: Map<string, Uint8Array>;    // digest → content (config and layers)
}

export interface BuildImageOptions {
  wasm: Uint8Array;
  format?: ImageFormat;              // default "compat"
  /** Extra manifest annotations (e.g. org.opencontainers.image.source / .version / .revision). */
  annotations?: Record<string, string>;
  /** Root ids the module registers; recorded in the wasm-artifact runtime configuration. */
  rootIds?: string[];
  /** Timestamp recorded in the compat image config; default the epoch, so it never depends on the build time. */
  created?: string;
  /** Layer gzip level for "compat"; 0 (default) is reproducible on every machine, see gzip.ts. */
  gzipLevel?: GzipLevel;
}

export const DEFAULT_ROOT_IDS = ["mcp-guard"];
const EPOCH = "1970-01-01T00:00:00Z";

export function buildImage(options: BuildImageOptions): OciImage {
  const wasm = options.wasm;
  if (wasm.length < 8 || wasm[0] !== 0 || wasm[1] !== 0x61 || wasm[2] !== 0x73 || wasm[3] !== 0x6d) {
    throw new Error("not a WebAssembly binary (missing the \\0asm magic number)");
  }
  const format = options.format ?? "compat";
  if (format === "compat") return buildCompat(options);
  if (format === "wasm-artifact") return buildArtifact(options);
  throw new Error(`unknown image format ${JSON.stringify(format)}: expected "compat" or "wasm-artifact"`);
}

function buildCompat(options: BuildImageOptions): OciImage {
  const tar = tarSingleFile(PLUGIN_FILE, options.wasm);
  const layer = gzipDeterministic(tar, options.gzipLevel ?? 0);
  const created = options.created ?? EPOCH;
  const config = canonicalJsonBytes({
    architecture: "wasm",
    os: "wasip1",
    created,
    config: {},
    rootfs: { type: "layers", diff_ids: [sha256Digest(tar)] },
    history: [{ created, created_by: "mcp-guard package (compat)" }],
  });
  const blobs = new Map<string, Uint8Array>();
  const configDesc = addBlob(blobs, OCI_CONFIG, config);
  const layerDesc = addBlob(blobs, OCI_LAYER_TAR_GZIP, layer);
  return finish({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: configDesc,
    layers: [layerDesc],
    annotations: { ...options.annotations, [VARIANT_ANNOTATION]: "compat" },
  }, blobs);
}

function buildArtifact(options: BuildImageOptions): OciImage {
  const runtimeConfig = canonicalJsonBytes({
    type: "envoy_proxy",
    abiVersions: ["proxy_abi_version_0_2_1"],
    config: { rootIds: options.rootIds ?? DEFAULT_ROOT_IDS },
  });
  const blobs = new Map<string, Uint8Array>();
  const configDesc = addBlob(blobs, WASM_CONFIG, runtimeConfig, "runtime-config.json");
  const wasmDesc = addBlob(blobs, WASM_CONTENT_LAYER, options.wasm, PLUGIN_FILE);
  return finish({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: configDesc,
    layers: [configDesc, wasmDesc],
    annotations: {
      ...options.annotations,
      "module.wasm.runtime/type": "envoy_proxy",
      "module.wasm.runtime/abi_version": "proxy_abi_version_0_2_1",
    },
  }, blobs);
}

function addBlob(blobs: Map<string, Uint8Array>, mediaType: string, bytes: Uint8Array, title?: string): Descriptor {
  const digest = sha256Digest(bytes);
  blobs.set(digest, bytes);
  return { mediaType, digest, size: bytes.length, ...(title ? { annotations: { [TITLE_ANNOTATION]: title } } : {}) };
}

function finish(manifest: OciManifest, blobs: Map<string, Uint8Array>): OciImage {
  const manifestBytes = canonicalJsonBytes(manifest);
  return { manifest, manifestBytes, manifestMediaType: OCI_MANIFEST, digest: sha256Digest(manifestBytes), blobs };
}

/** Wraps manifest bytes fetched from somewhere (a registry, a layout) as an image; checks it is a manifest. */
export function parseManifest(bytes: Uint8Array): OciManifest {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (e) {
    throw new Error(`manifest is not valid UTF-8 JSON: ${(e as Error).message}`);
  }
  const m = value as Partial<OciManifest> & { manifests?: unknown };
  if (m === null || typeof m !== "object") throw new Error("manifest is not a JSON object");
  if (Array.isArray(m.manifests)) {
    throw new Error("this is an image index (a list of manifests), not an image manifest: pull one of its manifests by digest");
  }
  if (m.schemaVersion !== 2) throw new Error(`unsupported manifest schemaVersion ${String(m.schemaVersion)} (expected 2)`);
  if (!m.config || typeof m.config.digest !== "string") throw new Error("manifest has no config descriptor");
  if (!Array.isArray(m.layers)) throw new Error("manifest has no layers array");
  return m as OciManifest;
}
