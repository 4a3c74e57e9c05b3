// Image references: [oci://]REGISTRY[:PORT]/REPOSITORY[:TAG][@sha256:HEX], the docker/distribution grammar
// (a first path component is a registry host when it has a dot or a port, or is "localhost").
import { isDigest } from "./digest.ts";

export interface ImageReference {
  registry: string;      // host[:port] as written
  repository: string;    // path inside the registry, e.g. "mcp-guard/filter"
  tag?: string;
  digest?: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;

export function parseReference(input: string): ImageReference {
  let rest = input.trim();
  if (rest.startsWith("oci://")) rest = rest.slice("oci://".length);
  if (rest === "" || /\s/.test(rest) || rest.includes("://")) throw new Error(`invalid image reference ${JSON.stringify(input)}`);

  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isDigest(digest)) throw new Error(`invalid digest in ${JSON.stringify(input)}: expected @sha256:<64 lowercase hex>`);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf("/");
  const lastColon = rest.lastIndexOf(":");
  if (lastColon > lastSlash) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!TAG.test(tag)) throw new Error(`invalid tag ${JSON.stringify(tag)} in ${JSON.stringify(input)}`);
  }
  const parts = rest.split("/");
  let registry = "docker.io";
  const first = parts[0] ?? "";
  if (parts.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost")) {
    registry = first;
    parts.shift();
  }
  if (registry === "docker.io" && parts.length === 1) parts.unshift("library");
  for (const p of parts) {
    if (!COMPONENT.test(p)) throw new Error(`invalid repository path component ${JSON.stringify(p)} in ${JSON.stringify(input)} (lowercase letters, digits, separators)`);
  }
  return { registry, repository: parts.join("/"), ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

export function formatReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag !== undefined ? `:${ref.tag}` : ""}${ref.digest !== undefined ? `@${ref.digest}` : ""}`;
}

/** The host the distribution API is served from (Docker Hub's API host differs from its name). */
export function apiHost(registry: string): string {
  return registry === "docker.io" ? "registry-1.docker.io" : registry;
}
