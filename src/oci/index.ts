// OCI packaging and distribution of the filter: build (compat or wasm-artifact), write/read image layouts,
// push/pull through the distribution API, and Istio's acceptance rules.
export { buildImage, parseManifest, DEFAULT_ROOT_IDS, type BuildImageOptions, type Descriptor, type ImageFormat, type OciImage, type OciManifest } from "./image.ts";
export { packageImage, type PackageOptions, type PackageResult } from "./package.ts";
export { readLayout, writeLayout, type WriteLayoutOptions } from "./layout.ts";
export { formatPushResult, pushImage, type PushEvent, type PushOptions, type PushResult } from "./push.ts";
export { pullImage, type PullOptions } from "./pull.ts";
export { checkIstioCompatible, type IstioCheck, type IstioCheckOptions, type IstioVariant } from "./istio.ts";
export { parseReference, formatReference, type ImageReference } from "./reference.ts";
export { RegistryError } from "./errors.ts";
export type { RegistryAuth } from "./auth.ts";
export { digestHex, sha256Digest, isDigest } from "./digest.ts";
export { gzipDeterministic, gunzip, type GzipLevel } from "./gzip.ts";
export { readTar, tarSingleFile, type TarEntry } from "./tar.ts";
export * from "./media-types.ts";
