// mcp-guard package: the filter module as an OCI image (layout directory and/or pushed to a registry), and the
// two WasmPlugin.spec lines that pin it (docs/mesh-admins.md, "Package the module as an OCI image").
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { DEFAULT_MODULE_PATH, loadModule, ModuleNotFoundError } from "../../gateway/index.ts";
import {
  buildImage, checkIstioCompatible, formatPushResult, parseReference, pushImage, RegistryError, writeLayout, type ImageFormat,
  type ImageReference, type OciImage, type PushEvent, type PushResult, type RegistryAuth,
} from "../../oci/index.ts";
import { EXIT, UsageError, type ExitCode } from "../exit.ts";
import { printJson } from "../options.ts";

interface PackageFlags {
  module?: string;
  format: string;
  out?: string;
  tag?: string;
  push?: string;
  username?: string;
  password?: string;
  passwordStdin?: boolean;
  token?: string;
  chunkSize?: string;
  insecure?: boolean;
  json?: boolean;
}

/** Where the layout goes when nothing is pushed and no --out is given. */
const DEFAULT_OUT = "build/oci";

/** What --json prints. */
export interface PackageReport {
  digest: string;               // manifest digest, "sha256:<hex>"
  sha256: string;               // its hex part: WasmPlugin.spec.sha256, and what `render --sha256` takes
  format: ImageFormat;
  layout: string | null;        // the layout directory written, if any
  tag: string | null;           // recorded in the layout's index.json
  pushed: string | null;        // REGISTRY/REPO:TAG@sha256:… when pushed
  url: string | null;           // oci://REGISTRY/REPO@sha256:…: WasmPlugin.spec.url, when pushed
  uploaded: string[];           // blob digests sent
  skipped: string[];            // blob digests the registry already had
}

export function registerPackage(program: Command, run: (action: () => Promise<ExitCode>) => Promise<void>): void {
  program
    .command("package")
    .summary("build the OCI image of the module (layout directory), optionally push it")
    .description(
      "Builds the OCI image Istio's image fetcher accepts from the filter module — reproducibly: one module always\n" +
        "gives one manifest digest — writes it as an OCI image layout directory, and with --push uploads it through\n" +
        "the OCI distribution API (blobs the registry has are skipped; Basic and bearer-token registries). Prints\n" +
        "the manifest digest and the WasmPlugin.spec lines that pin it: url oci://REGISTRY/REPO@sha256:… and sha256\n" +
        "(the hex manifest digest; `render --sha256` takes it as is). Without --push the layout goes to --out\n" +
        `(default ${DEFAULT_OUT}); with --push only when --out is given. Exit 0; 1 when the image would not match\n` +
        "a digest pinned in --push; 2 on usage errors; 3 when the module is missing, the layout cannot be written\n" +
        "or the registry refuses (the message names the status and what to do).",
    )
    .option("--module <path>", "filter module (default: build/mcp-guard.wasm)")
    .option("--format <format>", "compat (one tar+gzip layer holding plugin.wasm; every registry) or wasm-artifact (the Wasm OCI artifact layers)", "compat")
    .option("--out <dir>", `write the OCI image layout here (default without --push: ${DEFAULT_OUT})`)
    .option("--tag <tag>", "tag recorded in the layout's index.json (default: the tag of --push)")
    .option("--push <ref>", "push to REGISTRY/REPO:TAG (or …@sha256:DIGEST to insist on the digest)")
    .option("--username <user>", "registry user (with --password or --password-stdin)")
    .option("--password <password>", "registry password (visible to other local users in the process list: prefer --password-stdin)")
    .option("--password-stdin", "read the registry password from standard input")
    .option("--token <token>", "registry bearer token, instead of a username and password")
    .option("--chunk-size <bytes>", "upload blobs larger than this in chunks of this many bytes (default: one request per blob)")
    .option("--insecure", "plain HTTP to the registry (a local test registry)")
    .option("--json", "print {digest, sha256, format, layout, tag, pushed, url, uploaded, skipped}")
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  npx mcp-guard package --out build/oci --tag 0.1.0\n" +
        "  echo \"$REGISTRY_PASSWORD\" | npx mcp-guard package --push registry.example.com/mcp-guard/mcp-guard:0.1.0 \\\n" +
        "    --username ci --password-stdin\n" +
        "  npx mcp-guard render -c policy.yaml --image oci://registry.example.com/mcp-guard/mcp-guard:0.1.0 \\\n" +
        "    --sha256 \"$(npx mcp-guard package --push registry.example.com/mcp-guard/mcp-guard:0.1.0 --json | jq -r .sha256)\"",
    )
    .action((flags: PackageFlags) => run(() => packageCommand(flags)));
}

async function packageCommand(flags: PackageFlags): Promise<ExitCode> {
  const format = parseFormat(flags.format);
  const target = flags.push === undefined ? undefined : parsePushReference(flags.push);
  if (!target) {
    for (const [flag, given] of [["--username", flags.username], ["--password", flags.password], ["--password-stdin", flags.passwordStdin],
      ["--token", flags.token], ["--chunk-size", flags.chunkSize], ["--insecure", flags.insecure]] as const) {
      if (given !== undefined) throw new UsageError(`${flag} applies to --push only`);
    }
  }
  const chunkSize = flags.chunkSize === undefined ? undefined : parseChunkSize(flags.chunkSize);
  const out = flags.out ?? (target ? undefined : DEFAULT_OUT);
  if (out !== undefined) checkOutDir(out);
  const auth = registryAuth(flags);
  const tag = flags.tag ?? target?.tag;

  const modulePath = flags.module ?? DEFAULT_MODULE_PATH;
  let image: OciImage;
  try {
    image = buildImage({ wasm: loadModule(modulePath), format });
  } catch (error) {
    if (error instanceof ModuleNotFoundError) throw error;
    throw new UsageError(`--module ${modulePath}: ${(error as Error).message}`);
  }
  const sha256 = image.digest.slice("sha256:".length);
  const istio = checkIstioCompatible(image.manifest, image.blobs, { manifestBytes: image.manifestBytes, expectedSha256: sha256 });
  if (!istio.ok) {
    console.error(`mcp-guard: Istio would refuse this image: ${istio.reason}`);
    return EXIT.REFUSED;
  }
  if (target?.digest !== undefined && target.digest !== image.digest) {
    console.error(`mcp-guard: --push pins ${target.digest}, but the image of ${modulePath} is ${image.digest}`);
    return EXIT.REFUSED;
  }
  if (out !== undefined) writeLayout(image, out, tag !== undefined ? { tag } : {});

  const report: PackageReport = {
    digest: image.digest, sha256, format, layout: out ?? null, tag: tag ?? null, pushed: null, url: null, uploaded: [], skipped: [],
  };
  if (!target) {
    if (flags.json) printJson(report);
    else console.log(localSummary(report));
    return EXIT.OK;
  }

  let pushed: PushResult;
  try {
    pushed = await pushImage(out ?? image, flags.push as string, {
      ...(auth ? { auth } : {}),
      ...(chunkSize !== undefined ? { chunkSize } : {}),
      insecure: flags.insecure ?? false,
      ...(flags.json ? {} : { onProgress: printProgress }),
    });
  } catch (error) {
    return reportPushFailure(error, flags.json ?? false);
  }
  Object.assign(report, { pushed: pushed.reference, url: pushed.url, uploaded: pushed.uploaded, skipped: pushed.skipped });
  if (flags.json) printJson(report);
  else console.log(`${out !== undefined ? `wrote     ${out}\n` : ""}${formatPushResult(pushed)}`);
  return EXIT.OK;
}

// ---- flags ----

function parseFormat(value: string): ImageFormat {
  if (value === "compat" || value === "wasm-artifact") return value;
  throw new UsageError(`--format must be compat or wasm-artifact, got ${JSON.stringify(value)}`);
}

function parsePushReference(value: string): ImageReference {
  let ref: ImageReference;
  try {
    ref = parseReference(value);
  } catch (error) {
    throw new UsageError(`--push: ${(error as Error).message}, e.g. registry.example.com/mcp-guard/mcp-guard:0.1.0`);
  }
  if (ref.tag === undefined && ref.digest === undefined) {
    throw new UsageError(`--push needs a tag: ${JSON.stringify(value)} names no version, e.g. ${value}:0.1.0`);
  }
  return ref;
}

function parseChunkSize(value: string): number {
  const size = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(size) || size < 1) throw new UsageError(`--chunk-size must be a positive number of bytes, got ${JSON.stringify(value)}`);
  return size;
}

/** An existing --out must be an image layout (rewritten) or empty: never scribble into some other directory. */
function checkOutDir(dir: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new UsageError(`--out ${dir} exists and is not a directory`);
  if (readdirSync(dir).length > 0 && !existsSync(join(dir, "oci-layout"))) {
    throw new UsageError(`--out ${dir} is a directory with other files in it (no oci-layout): give a new or empty directory`);
  }
}

function registryAuth(flags: PackageFlags): RegistryAuth | undefined {
  const hasPassword = flags.password !== undefined || flags.passwordStdin === true;
  if (flags.token !== undefined) {
    if (flags.username !== undefined || hasPassword) throw new UsageError("give either --token or --username with a password, not both");
    if (flags.token === "") throw new UsageError("--token is empty");
    return { token: flags.token };
  }
  if (flags.password !== undefined && flags.passwordStdin) throw new UsageError("give either --password or --password-stdin, not both");
  if (flags.username === undefined) {
    if (hasPassword) throw new UsageError("a password needs --username");
    return undefined;
  }
  if (!hasPassword) throw new UsageError("--username needs --password-stdin (or --password)");
  const password = flags.passwordStdin ? readFileSync(0, "utf8").replace(/\r?\n$/, "") : (flags.password as string);
  if (password === "") throw new UsageError(flags.passwordStdin ? "--password-stdin: standard input held no password" : "--password is empty");
  return { username: flags.username, password };
}

// ---- output ----

function localSummary(r: PackageReport): string {
  const copy = `skopeo copy oci:${r.layout}${r.tag !== null ? `:${r.tag}` : ""} docker://REGISTRY/REPO:TAG`;
  return [
    `wrote     ${r.layout} (${r.format}${r.tag !== null ? `, tag ${r.tag}` : ""})`,
    `digest    ${r.digest}`,
    `push it (mcp-guard package --push REGISTRY/REPO:TAG, or ${copy}; the digest stays the same), then`,
    "WasmPlugin.spec:",
    `  url:    oci://REGISTRY/REPO@${r.digest}`,
    `  sha256: ${r.sha256}`,
  ].join("\n");
}

/** Blob progress on standard error (the manifest line is in the summary). */
function printProgress(event: PushEvent): void {
  if (event.kind === "blob-exists") console.error(`present   ${event.digest} (${event.size} bytes)`);
  if (event.kind === "blob-uploaded") console.error(`uploaded  ${event.digest} (${event.size} bytes${event.mode === "chunked" ? ` in ${event.chunks} chunks` : ""})`);
}

/** Registry failures name the status and the fix (exit 3); --json gets them as {error: {...}} too. */
function reportPushFailure(error: unknown, json: boolean): ExitCode {
  const message = (error as Error).message ?? String(error);
  if (error instanceof RegistryError) {
    const what = message.endsWith(` ${error.hint}`) ? message.slice(0, -error.hint.length - 1) : message;
    if (json) printJson({ error: { message: what, status: error.status ?? null, code: error.code ?? null, hint: error.hint } });
    console.error(`mcp-guard: push failed: ${what}\n  hint: ${error.hint}`);
  } else {
    if (json) printJson({ error: { message, status: null, code: null, hint: null } });
    console.error(`mcp-guard: push failed: ${message}`);
  }
  return EXIT.FAILURE;
}
