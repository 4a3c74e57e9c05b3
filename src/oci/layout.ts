// OCI image layout directories (opencontainers/image-spec image-layout.md): oci-layout, index.json and
// blobs/sha256/<hex>. Written deterministically so two builds of one module give identical trees.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { canonicalJsonBytes } from "./canonical-json.ts";
import { digestHex, isDigest, verifyDigest } from "./digest.ts";
import { parseManifest, type OciImage } from "./image.ts";
import { OCI_INDEX, REF_NAME_ANNOTATION } from "./media-types.ts";

export interface WriteLayoutOptions {
  /** Recorded as org.opencontainers.image.ref.name in index.json (for `skopeo copy oci:DIR:TAG`). */
  tag?: string;
}

export function writeLayout(image: OciImage, dir: string, options: WriteLayoutOptions = {}): void {
  const blobDir = join(dir, "blobs", "sha256");
  mkdirSync(blobDir, { recursive: true });
  writeFileSync(join(dir, "oci-layout"), canonicalJsonBytes({ imageLayoutVersion: "1.0.0" }));
  for (const [digest, bytes] of [...image.blobs].sort(([a], [b]) => (a < b ? -1 : 1))) {
    writeFileSync(join(blobDir, digestHex(digest)), bytes);
  }
  writeFileSync(join(blobDir, digestHex(image.digest)), image.manifestBytes);
  const index = {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [{
      mediaType: image.manifestMediaType,
      digest: image.digest,
      size: image.manifestBytes.length,
      ...(options.tag ? { annotations: { [REF_NAME_ANNOTATION]: options.tag } } : {}),
    }],
  };
  writeFileSync(join(dir, "index.json"), canonicalJsonBytes(index));
}

/**
 * Reads an image back from a layout directory. With several manifests in index.json, `tag` picks the one whose
 * ref.name matches; every blob is checked against its digest.
 */
export function readLayout(dir: string, options: { tag?: string } = {}): OciImage {
  const indexPath = join(dir, "index.json");
  if (!existsSync(indexPath)) throw new Error(`${dir} is not an OCI image layout (no index.json)`);
  const index = JSON.parse(readFileSync(indexPath, "utf8")) as {
    manifests?: Array<{ mediaType: string; digest: string; annotations?: Record<string, string> }>;
  };
  const manifests = index.manifests ?? [];
  const chosen = options.tag === undefined
    ? manifests.length === 1 ? manifests[0] : undefined
    : manifests.find((m) => m.annotations?.[REF_NAME_ANNOTATION] === options.tag);
  if (!chosen) {
    throw new Error(options.tag === undefined
      ? `${indexPath} lists ${manifests.length} manifests: name the one to use by tag`
      : `${indexPath} has no manifest tagged ${JSON.stringify(options.tag)}`);
  }
  if (!isDigest(chosen.digest)) throw new Error(`${indexPath}: unsupported digest ${chosen.digest}`);
  const readBlob = (digest: string): Uint8Array => {
    const bytes = new Uint8Array(readFileSync(join(dir, "blobs", "sha256", digestHex(digest))));
    verifyDigest(bytes, digest, `blob ${digest} in ${dir}`);
    return bytes;
  };
  const manifestBytes = readBlob(chosen.digest);
  const manifest = parseManifest(manifestBytes);
  const blobs = new Map<string, Uint8Array>();
  for (const d of [manifest.config, ...manifest.layers]) {
    if (!blobs.has(d.digest)) blobs.set(d.digest, readBlob(d.digest));
  }
  return { manifest, manifestBytes, manifestMediaType: manifest.mediaType ?? chosen.mediaType, digest: chosen.digest, blobs };
}
