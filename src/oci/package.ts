// `mcp-guard package`: the filter as an OCI image layout directory, ready to push or to copy with any OCI tool.
import { buildImage, type BuildImageOptions, type ImageFormat, type OciImage } from "./image.ts";
import { writeLayout } from "./layout.ts";

export interface PackageOptions extends BuildImageOptions {
  wasm: Uint8Array;
  format?: ImageFormat;
  outDir: string;
  tag?: string;
}

export interface PackageResult {
  digest: string;        // manifest digest, "sha256:<hex>"
  sha256: string;        // the hex part, for WasmPlugin.spec.sha256
  outDir: string;
  image: OciImage;
}

export function packageImage(options: PackageOptions): PackageResult {
  const image = buildImage(options);
  writeLayout(image, options.outDir, options.tag !== undefined ? { tag: options.tag } : {});
  return { digest: image.digest, sha256: image.digest.slice("sha256:".length), outDir: options.outDir, image };
}
