// Fetches an image back (manifest and every blob it references) and checks each against its digest: used to
// verify a push, and by checkIstioCompatible to extract the module as Istio would.
import type { RegistryAuth } from "./auth.ts";
import { RegistryClient } from "./client.ts";
import { sha256Digest, verifyDigest } from "./digest.ts";
import { parseManifest, type OciImage } from "./image.ts";
import { MANIFEST_ACCEPT } from "./media-types.ts";
import { parseReference } from "./reference.ts";

export interface PullOptions {
  auth?: RegistryAuth;
  insecure?: boolean;
  timeoutMs?: number;
  /** Refuse blobs larger than this (default 256 MiB, Istio's default module size limit). */
  maxBlobBytes?: number;
  fetch?: typeof fetch;
}

export async function pullImage(ref: string, options: PullOptions = {}): Promise<OciImage> {
  const target = parseReference(ref);
  const client = new RegistryClient(target.registry, target.repository, "pull", {
    ...(options.auth ? { auth: options.auth } : {}),
    ...(options.insecure !== undefined ? { insecure: options.insecure } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const identifier = target.digest ?? target.tag ?? "latest";
  const response = await client.request("GET", client.url(`manifests/${identifier}`), {
    headers: { accept: MANIFEST_ACCEPT },
    expect: [200],
    what: `fetch manifest ${identifier}`,
  });
  const manifestBytes = new Uint8Array(await response.arrayBuffer());
  const digest = sha256Digest(manifestBytes);
  if (target.digest !== undefined && digest !== target.digest) {
    throw new Error(`manifest fetched by ${target.digest} hashes to ${digest}`);
  }
  const announced = response.headers.get("docker-content-digest");
  if (announced && announced !== digest) throw new Error(`registry announced manifest digest ${announced} but the bytes hash to ${digest}`);
  const manifest = parseManifest(manifestBytes);
  const contentType = (response.headers.get("content-type") ?? "").split(";")[0]?.trim() ?? "";
  const manifestMediaType = manifest.mediaType ?? contentType;

  const max = options.maxBlobBytes ?? 256 * 1024 * 1024;
  const blobs = new Map<string, Uint8Array>();
  for (const d of [manifest.config, ...manifest.layers]) {
    if (blobs.has(d.digest)) continue;
    if (d.size > max) throw new Error(`blob ${d.digest} is ${d.size} bytes, over the ${max}-byte limit`);
    const blob = await client.request("GET", client.url(`blobs/${d.digest}`), { expect: [200], what: `fetch blob ${d.digest}` });
    const bytes = new Uint8Array(await blob.arrayBuffer());
    verifyDigest(bytes, d.digest, `blob ${d.digest}`);
    blobs.set(d.digest, bytes);
  }
  return { manifest, manifestBytes, manifestMediaType, digest, blobs };
}
