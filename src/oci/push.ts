// `mcp-guard package --push`: uploads an image (a layout directory or one built in memory) through the OCI
// distribution API. Blobs the registry already has are skipped (HEAD); the others go up monolithically
// (POST, then PUT ?digest=) or, when a chunk size is given and the blob is larger, in chunks (POST, PATCH with
// Content-Range per chunk, PUT ?digest=). The manifest goes last, under the tag (or the digest).
import type { RegistryAuth } from "./auth.ts";
import { RegistryClient } from "./client.ts";
import type { OciImage } from "./image.ts";
import { readLayout } from "./layout.ts";
import { formatReference, parseReference } from "./reference.ts";

export interface PushOptions {
  auth?: RegistryAuth;
  /** Upload blobs larger than this in PATCH chunks of this many bytes; unset: one PUT per blob. */
  chunkSize?: number;
  /** Plain HTTP (a local test registry). */
  insecure?: boolean;
  timeoutMs?: number;
  /** Progress lines for a CLI. */
  onProgress?: (event: PushEvent) => void;
  fetch?: typeof fetch;
}

export type PushEvent =
  | { kind: "blob-exists"; digest: string; size: number }
  | { kind: "blob-uploaded"; digest: string; size: number; mode: "monolithic" | "chunked"; chunks: number }
  | { kind: "manifest-pushed"; digest: string; reference: string };

export interface PushResult {
  digest: string;                 // manifest digest, "sha256:<hex>"
  sha256: string;                 // hex part, for WasmPlugin.spec.sha256
  reference: string;              // REGISTRY/REPO:TAG@sha256:…, a pinned reference
  url: string;                    // oci://REGISTRY/REPO@sha256:…, ready for WasmPlugin.spec.url
  uploaded: string[];
  skipped: string[];
}

export async function pushImage(source: string | OciImage, ref: string, options: PushOptions = {}): Promise<PushResult> {
  const image = typeof source === "string" ? readLayout(source) : source;
  const target = parseReference(ref);
  if (target.tag === undefined && target.digest === undefined) {
    throw new Error(`push needs a tag or digest in ${JSON.stringify(ref)}, e.g. ${formatReference({ ...target, tag: "v1" })}`);
  }
  if (target.digest !== undefined && target.digest !== image.digest) {
    throw new Error(`reference pins ${target.digest} but the image's manifest digest is ${image.digest}`);
  }
  if (options.chunkSize !== undefined && (!Number.isInteger(options.chunkSize) || options.chunkSize < 1)) {
    throw new Error(`chunkSize must be a positive integer, got ${options.chunkSize}`);
  }
  const client = new RegistryClient(target.registry, target.repository, "push", {
    ...(options.auth ? { auth: options.auth } : {}),
    ...(options.insecure !== undefined ? { insecure: options.insecure } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });

  const uploaded: string[] = [];
  const skipped: string[] = [];
  // Config first, then layers in manifest order: a registry may check references when the manifest arrives.
  const order = [...new Set([image.manifest.config.digest, ...image.manifest.layers.map((l) => l.digest)])];
  for (const digest of order) {
    const bytes = image.blobs.get(digest);
    if (!bytes) throw new Error(`image is missing blob ${digest} that its manifest references`);
    if (await blobExists(client, digest)) {
      skipped.push(digest);
      options.onProgress?.({ kind: "blob-exists", digest, size: bytes.length });
      continue;
    }
    const chunked = options.chunkSize !== undefined && bytes.length > options.chunkSize;
    const chunks = chunked ? await uploadChunked(client, digest, bytes, options.chunkSize as number) : await uploadMonolithic(client, digest, bytes);
    uploaded.push(digest);
    options.onProgress?.({ kind: "blob-uploaded", digest, size: bytes.length, mode: chunked ? "chunked" : "monolithic", chunks });
  }

  const manifestUrl = client.url(`manifests/${target.tag ?? image.digest}`);
  const response = await client.request("PUT", manifestUrl, {
    headers: { "content-type": image.manifestMediaType },
    body: image.manifestBytes,
    expect: [200, 201],
    what: `push manifest ${image.digest}`,
  });
  await response.body?.cancel().catch(() => undefined);
  const stored = response.headers.get("docker-content-digest");
  if (stored && stored !== image.digest) {
    throw new Error(`registry stored the manifest as ${stored}, not ${image.digest}: it rewrote the manifest, so WasmPlugin.sha256 would not match`);
  }
  const pinned = { registry: target.registry, repository: target.repository, digest: image.digest };
  const reference = formatReference({ ...pinned, ...(target.tag !== undefined ? { tag: target.tag } : {}) });
  options.onProgress?.({ kind: "manifest-pushed", digest: image.digest, reference });
  return {
    digest: image.digest,
    sha256: image.digest.slice("sha256:".length),
    reference,
    url: `oci://${formatReference(pinned)}`,
    uploaded,
    skipped,
  };
}

async function blobExists(client: RegistryClient, digest: string): Promise<boolean> {
  const response = await client.request("HEAD", client.url(`blobs/${digest}`), { expect: [200, 404], what: `check blob ${digest}` });
  return response.status === 200;
}

async function startUpload(client: RegistryClient, digest: string): Promise<string> {
  const response = await client.request("POST", client.url("blobs/uploads/"), {
    headers: { "content-length": "0" },
    expect: [202],
    what: `start upload of blob ${digest}`,
  });
  await response.body?.cancel().catch(() => undefined);
  const location = response.headers.get("location");
  if (!location) throw new Error(`registry started an upload for ${digest} without a Location header`);
  return client.resolve(location);
}

function withDigest(location: string, digest: string): string {
  const url = new URL(location);
  url.searchParams.set("digest", digest);
  return url.toString();
}

async function uploadMonolithic(client: RegistryClient, digest: string, bytes: Uint8Array): Promise<number> {
  const location = await startUpload(client, digest);
  const response = await client.request("PUT", withDigest(location, digest), {
    headers: { "content-type": "application/octet-stream", "content-length": String(bytes.length) },
    body: bytes,
    expect: [201],
    what: `upload blob ${digest}`,
  });
  await response.body?.cancel().catch(() => undefined);
  return 1;
}

async function uploadChunked(client: RegistryClient, digest: string, bytes: Uint8Array, chunkSize: number): Promise<number> {
  let location = await startUpload(client, digest);
  let chunks = 0;
  for (let start = 0; start < bytes.length; start += chunkSize) {
    const chunk = bytes.subarray(start, Math.min(bytes.length, start + chunkSize));
    const end = start + chunk.length - 1;
    const response = await client.request("PATCH", location, {
      headers: {
        "content-type": "application/octet-stream",
        "content-range": `${start}-${end}`,
        "content-length": String(chunk.length),
      },
      body: chunk,
      expect: [202],
      what: `upload chunk ${start}-${end} of blob ${digest}`,
    });
    await response.body?.cancel().catch(() => undefined);
    // The registry reports what it holds as "0-<last byte>"; anything else means it lost or re-ordered data.
    const range = response.headers.get("range");
    if (range && range !== `0-${end}`) throw new Error(`registry holds ${range} of blob ${digest} after sending bytes 0-${end}: push again`);
    const next = response.headers.get("location");
    if (next) location = client.resolve(next);
    chunks++;
  }
  const response = await client.request("PUT", withDigest(location, digest), {
    headers: { "content-length": "0" },
    expect: [201],
    what: `finish upload of blob ${digest}`,
  });
  await response.body?.cancel().catch(() => undefined);
  return chunks;
}

/** What `mcp-guard package --push` prints for a person: the pinned reference and the two WasmPlugin fields. */
export function formatPushResult(result: PushResult): string {
  return [
    `pushed    ${result.reference}`,
    `digest    ${result.digest}`,
    `blobs     ${result.uploaded.length} uploaded, ${result.skipped.length} already present`,
    "WasmPlugin.spec:",
    `  url:    ${result.url}`,
    `  sha256: ${result.sha256}`,
  ].join("\n");
}
