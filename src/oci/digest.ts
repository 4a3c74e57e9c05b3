// Content digests in the OCI form "sha256:<64 lowercase hex>".
import { createHash } from "node:crypto";

const DIGEST = /^sha256:[a-f0-9]{64}$/;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${sha256Hex(bytes)}`;
}

export function isDigest(value: string): boolean {
  return DIGEST.test(value);
}

/** The hex part of a digest: what WasmPlugin.spec.sha256 holds for an oci:// URL. */
export function digestHex(digest: string): string {
  if (!isDigest(digest)) throw new Error(`not a sha256 digest: ${JSON.stringify(digest)} (expected sha256:<64 hex>)`);
  return digest.slice("sha256:".length);
}

/** Throws when bytes received from somewhere do not hash to the digest they were asked for by. */
export function verifyDigest(bytes: Uint8Array, expected: string, what: string): void {
  const actual = sha256Digest(bytes);
  if (actual !== expected) throw new Error(`${what}: content hashes to ${actual}, expected ${expected}`);
}
