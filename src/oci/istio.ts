// What Istio's image fetcher would make of an image (istio/istio pkg/wasm/imagefetcher.go, cache.go), so a
// push can be verified before any sidecar tries it:
//   - manifest mediaType is Docker schema 2: the LAST layer must be application/vnd.docker.image.rootfs.diff.tar.gzip
//     and hold a file whose base name is plugin.wasm;
//   - otherwise, "compat": the LAST layer must be application/vnd.oci.image.layer.v1.tar+gzip holding plugin.wasm;
//   - otherwise, "oci" artifact: EXACTLY two layers, one of them application/vnd.module.wasm.content.layer.v1+wasm,
//     whose blob is the raw module;
//   - then the module must start with the wasm magic number and be at least 8 bytes long;
//   - with WasmPlugin.spec.sha256 set, it must equal the hex manifest digest.
import { sha256Digest } from "./digest.ts";
import { gunzip } from "./gzip.ts";
import type { OciManifest } from "./image.ts";
import { DOCKER_LAYER_TAR_GZIP, DOCKER_MANIFEST_V2, OCI_LAYER_TAR_GZIP, PLUGIN_FILE, WASM_CONTENT_LAYER } from "./media-types.ts";
import { readTar } from "./tar.ts";

export type IstioVariant = "docker" | "compat" | "wasm-artifact";

export type IstioCheck =
  | { ok: true; variant: IstioVariant; wasm: Uint8Array; sha256: string }
  | { ok: false; reason: string };

export interface IstioCheckOptions {
  /** The manifest's bytes, to compute the digest Istio compares WasmPlugin.spec.sha256 with. */
  manifestBytes?: Uint8Array;
  /** WasmPlugin.spec.sha256 to check against the manifest digest (hex, or "sha256:<hex>"). */
  expectedSha256?: string;
}

type BlobSource = Map<string, Uint8Array> | ((digest: string) => Uint8Array | undefined);

export function checkIstioCompatible(manifest: OciManifest, blobs: BlobSource, options: IstioCheckOptions = {}): IstioCheck {
  const blob = typeof blobs === "function" ? blobs : (d: string) => blobs.get(d);
  const sha256 = options.manifestBytes ? sha256Digest(options.manifestBytes).slice("sha256:".length) : "";
  if (options.expectedSha256 !== undefined) {
    const expected = options.expectedSha256.replace(/^sha256:/, "");
    if (!options.manifestBytes) return { ok: false, reason: "cannot check sha256 without the manifest bytes" };
    if (expected !== sha256) {
      return { ok: false, reason: `module has checksum ${sha256}, which does not match: ${expected} (Istio compares spec.sha256 with the manifest digest)` };
    }
  }
  const accept = (variant: IstioVariant, wasm: Uint8Array): IstioCheck => {
    if (!(wasm.length >= 8 && wasm[0] === 0 && wasm[1] === 0x61 && wasm[2] === 0x73 && wasm[3] === 0x6d)) {
      return { ok: false, reason: `fetched Wasm binary is invalid (${variant} image): no \\0asm magic number` };
    }
    return { ok: true, variant, wasm, sha256 };
  };

  if (manifest.mediaType === DOCKER_MANIFEST_V2) {
    const r = lastLayerPlugin(manifest, blob, DOCKER_LAYER_TAR_GZIP);
    return typeof r === "string" ? { ok: false, reason: `could not extract Wasm file from the image as Docker container: ${r}` } : accept("docker", r);
  }
  const compat = lastLayerPlugin(manifest, blob, OCI_LAYER_TAR_GZIP);
  if (typeof compat !== "string") return accept("compat", compat);
  const artifact = artifactModule(manifest, blob);
  if (typeof artifact !== "string") return accept("wasm-artifact", artifact);
  return {
    ok: false,
    reason: `the given image is in invalid format as an OCI image: could not parse as compat variant: ${compat}; could not parse as oci variant: ${artifact}`,
  };
}

/** The plugin.wasm of the last layer, or why not. */
function lastLayerPlugin(manifest: OciManifest, blob: (d: string) => Uint8Array | undefined, mediaType: string): Uint8Array | string {
  const layer = manifest.layers[manifest.layers.length - 1];
  if (!layer) return "number of layers must be greater than zero";
  if (layer.mediaType !== mediaType) return `invalid media type ${layer.mediaType} (expect ${mediaType})`;
  const bytes = blob(layer.digest);
  if (!bytes) return `layer ${layer.digest} is missing`;
  let tar: Uint8Array;
  try {
    tar = gunzip(bytes);
  } catch (e) {
    return `failed to parse layer as tar.gz: ${(e as Error).message}`;
  }
  let entries;
  try {
    entries = readTar(tar);
  } catch (e) {
    return (e as Error).message;
  }
  const entry = entries.find((e) => baseName(e.name) === PLUGIN_FILE);
  return entry ? entry.data.slice() : `${PLUGIN_FILE} not found in the archive`;
}

function artifactModule(manifest: OciManifest, blob: (d: string) => Uint8Array | undefined): Uint8Array | string {
  if (manifest.layers.length !== 2) return `number of layers must be 2 but got ${manifest.layers.length}`;
  const layer = manifest.layers.find((l) => l.mediaType === WASM_CONTENT_LAYER);
  if (!layer) return `could not find the layer of type ${WASM_CONTENT_LAYER}`;
  const bytes = blob(layer.digest);
  return bytes ? bytes.slice() : `layer ${layer.digest} is missing`;
}

function baseName(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}
