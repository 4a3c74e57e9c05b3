// The OCI image against real registry software: Debian's docker-registry (Distribution v2) on loopback, and
// skopeo as an independent client. Proves that what we push is stored byte-for-byte (same manifest digest for
// every client), that the layer holds exactly build/mcp-guard.wasm, that both upload modes and both auth flows
// work against the real server, and that failures come back as errors naming the status and the fix.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkIstioCompatible, formatPushResult, OCI_CONFIG, OCI_LAYER_TAR_GZIP, packageImage, pullImage, pushImage, RegistryError,
  WASM_CONFIG, WASM_CONTENT_LAYER, type PushEvent,
} from "../src/oci/index.ts";
import { sha256Digest } from "../src/oci/digest.ts";
import { renderWasmPlugin } from "../src/render/wasmplugin.ts";
import { guardModule, SEED_CONFIG } from "./helpers/guard.ts";
import {
  freePort, requireBinaries, skopeo, startRegistry, startTokenServer, type RegistryHandle, type RegistryOptions, type TokenServer,
} from "./helpers/registry.ts";

const registryBins = requireBinaries(["docker-registry", "skopeo", "tar"], "apt-get install docker-registry skopeo");
const TIMEOUT = { timeout: 60_000 };

function expectRegistryError(error: unknown, status: number | undefined, ...fragments: string[]): RegistryError {
  expect(error).toBeInstanceOf(RegistryError);
  const e = error as RegistryError;
  expect(e.status).toBe(status);
  for (const f of fragments) expect(e.message).toContain(f);
  return e;
}

/** A registry (and a scratch directory) for one describe block, stopped and removed after it. */
function useRegistry(options: () => Promise<RegistryOptions> | RegistryOptions = () => ({})): { registry: RegistryHandle; work: string } {
  const ctx = {} as { registry: RegistryHandle; work: string };
  beforeAll(async () => {
    ctx.registry = await startRegistry(await options());
    ctx.work = mkdtempSync(join(tmpdir(), "mcp-guard-oci-"));
  }, 60_000);
  afterAll(async () => {
    await ctx.registry?.stop();
    if (ctx.work) rmSync(ctx.work, { recursive: true, force: true });
  });
  return ctx;
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error("expected the operation to fail");
}

describe.skipIf(registryBins.skip)("OCI image on a real registry (docker-registry + skopeo)", () => {
  const ctx = useRegistry();
  const wasm = guardModule();

  it("compat image: monolithic push; our pull, skopeo and the rendered WasmPlugin agree on one digest", TIMEOUT, async () => {
    const layout = join(ctx.work, "compat");
    const packaged = packageImage({ wasm, format: "compat", outDir: layout, tag: "v1" });
    const events: PushEvent[] = [];
    const ref = `${ctx.registry.host}/mcp-guard/filter:v1`;
    const pushed = await pushImage(layout, ref, { insecure: true, onProgress: (e) => events.push(e) });

    expect(pushed.digest).toBe(packaged.digest);
    expect(events.filter((e) => e.kind === "blob-uploaded").map((e) => e.kind === "blob-uploaded" && e.mode)).toEqual(["monolithic", "monolithic"]);
    expect(pushed.url).toBe(`oci://${ctx.registry.host}/mcp-guard/filter@${packaged.digest}`);
    expect(formatPushResult(pushed)).toBe([
      `pushed    ${ctx.registry.host}/mcp-guard/filter:v1@${packaged.digest}`,
      `digest    ${packaged.digest}`,
      "blobs     2 uploaded, 0 already present",
      "WasmPlugin.spec:",
      `  url:    oci://${ctx.registry.host}/mcp-guard/filter@${packaged.digest}`,
      `  sha256: ${packaged.sha256}`,
    ].join("\n"));

    // Our own client.
    const pulled = await pullImage(ref, { insecure: true });
    expect(Buffer.from(pulled.manifestBytes).equals(Buffer.from(packaged.image.manifestBytes))).toBe(true);
    expect(pulled.manifest.config.mediaType).toBe(OCI_CONFIG);
    expect(pulled.manifest.layers.map((l) => l.mediaType)).toEqual([OCI_LAYER_TAR_GZIP]);
    expect(pulled.manifest.annotations?.["module.wasm.image/variant"]).toBe("compat");

    // The WasmPlugin render puts out pins exactly this manifest, and Istio's rules accept the image with it.
    const plugin = renderWasmPlugin({ pluginConfig: SEED_CONFIG, image: `oci://${ref}`, sha256: pushed.digest });
    expect(plugin.spec.sha256).toBe(pushed.sha256);
    const check = checkIstioCompatible(pulled.manifest, pulled.blobs, { manifestBytes: pulled.manifestBytes, expectedSha256: plugin.spec.sha256 });
    expect(check.ok && check.variant).toBe("compat");
    expect(check.ok && Buffer.from(check.wasm).equals(Buffer.from(wasm))).toBe(true);

    // skopeo, an independent client: the same manifest bytes (so the same digest) ...
    const raw = await skopeo(["inspect", "--raw", "--tls-verify=false", `docker://${ref}`]);
    expect(sha256Digest(new TextEncoder().encode(raw))).toBe(pushed.digest);
    const inspected = JSON.parse(await skopeo(["inspect", "--tls-verify=false", `docker://${ref}`])) as { Digest: string; Created: string };
    expect(inspected.Digest).toBe(pushed.digest);
    expect(inspected.Created).toBe("1970-01-01T00:00:00Z");

    // ... and a copy whose layer, unpacked by GNU tar, is the exact module.
    const copy = join(ctx.work, "skopeo-copy");
    await skopeo(["--insecure-policy", "copy", "--src-tls-verify=false", `docker://${ref}`, `oci:${copy}:v1`]);
    const index = JSON.parse(readFileSync(join(copy, "index.json"), "utf8")) as { manifests: Array<{ digest: string }> };
    expect(index.manifests[0]?.digest).toBe(pushed.digest);
    const layerDigest = pulled.manifest.layers[0]?.digest.slice("sha256:".length) ?? "";
    const unpacked = join(ctx.work, "unpacked");
    mkdirSync(unpacked);
    const tar = spawnSync("tar", ["-xzf", join(copy, "blobs", "sha256", layerDigest), "-C", unpacked], { encoding: "utf8" });
    expect(tar.stderr).toBe("");
    expect(readFileSync(join(unpacked, "plugin.wasm")).equals(Buffer.from(wasm))).toBe(true);
  });

  it("chunked upload (POST, PATCH with Content-Range, PUT) stores the same bytes; a re-push skips existing blobs", TIMEOUT, async () => {
    const layout = join(ctx.work, "chunked");
    const packaged = packageImage({ wasm, format: "compat", outDir: layout });
    const chunkSize = 16 * 1024;
    const events: PushEvent[] = [];
    const pushed = await pushImage(layout, `${ctx.registry.host}/mcp-guard/chunked:v1`, { insecure: true, chunkSize, onProgress: (e) => events.push(e) });
    expect(pushed.digest).toBe(packaged.digest);
    const layer = packaged.image.manifest.layers[0];
    const layerEvent = events.find((e) => e.kind === "blob-uploaded" && e.digest === layer?.digest);
    expect(layerEvent).toMatchObject({ mode: "chunked", chunks: Math.ceil((layer?.size ?? 0) / chunkSize) });
    expect(events.find((e) => e.kind === "blob-uploaded" && e.digest === packaged.image.manifest.config.digest)).toMatchObject({ mode: "monolithic" });

    const pulled = await pullImage(`${ctx.registry.host}/mcp-guard/chunked@${pushed.digest}`, { insecure: true });
    const check = checkIstioCompatible(pulled.manifest, pulled.blobs, { manifestBytes: pulled.manifestBytes, expectedSha256: pushed.sha256 });
    expect(check.ok && Buffer.from(check.wasm).equals(Buffer.from(wasm))).toBe(true);
    expect(sha256Digest(new TextEncoder().encode(await skopeo(["inspect", "--raw", "--tls-verify=false", `docker://${ctx.registry.host}/mcp-guard/chunked:v1`])))).toBe(pushed.digest);

    const again = await pushImage(packaged.image, `${ctx.registry.host}/mcp-guard/chunked:v2`, { insecure: true, chunkSize });
    expect(again.digest).toBe(pushed.digest);
    expect(again.uploaded).toEqual([]);
    expect(again.skipped.sort()).toEqual([...packaged.image.blobs.keys()].sort());
  });

  it("skopeo copies our layout directory to the registry without changing the digest", TIMEOUT, async () => {
    const layout = join(ctx.work, "for-skopeo");
    const packaged = packageImage({ wasm, outDir: layout, tag: "v1" });
    const ref = `${ctx.registry.host}/mcp-guard/via-skopeo:v1`;
    await skopeo(["--insecure-policy", "copy", "--dest-tls-verify=false", `oci:${layout}:v1`, `docker://${ref}`]);
    const pulled = await pullImage(ref, { insecure: true });
    expect(pulled.digest).toBe(packaged.digest);
  });

  it("wasm-artifact image: exactly the two wasm layers, accepted by Istio's rules, readable by skopeo", TIMEOUT, async () => {
    const layout = join(ctx.work, "artifact");
    const packaged = packageImage({ wasm, format: "wasm-artifact", outDir: layout, tag: "v1" });
    const ref = `${ctx.registry.host}/mcp-guard/artifact:v1`;
    const pushed = await pushImage(layout, ref, { insecure: true, chunkSize: 32 * 1024 });
    expect(pushed.digest).toBe(packaged.digest);
    const raw = JSON.parse(await skopeo(["inspect", "--raw", "--tls-verify=false", `docker://${ref}`])) as { layers: Array<{ mediaType: string }>; config: { mediaType: string } };
    expect(raw.layers.map((l) => l.mediaType)).toEqual([WASM_CONFIG, WASM_CONTENT_LAYER]);
    expect(raw.config.mediaType).toBe(WASM_CONFIG);
    const pulled = await pullImage(ref, { insecure: true });
    const check = checkIstioCompatible(pulled.manifest, pulled.blobs, { manifestBytes: pulled.manifestBytes });
    expect(check.ok && check.variant).toBe("wasm-artifact");
    expect(check.ok && Buffer.from(check.wasm).equals(Buffer.from(wasm))).toBe(true);
    const runtimeConfig = JSON.parse(Buffer.from(pulled.blobs.get(pulled.manifest.config.digest) ?? []).toString("utf8")) as { type: string; config: { rootIds: string[] } };
    expect(runtimeConfig).toMatchObject({ type: "envoy_proxy", config: { rootIds: ["mcp-guard"] } });
  });

  it("a missing tag is a 404 that says what to check", TIMEOUT, async () => {
    const e = await failure(pullImage(`${ctx.registry.host}/mcp-guard/filter:no-such-tag`, { insecure: true }));
    expectRegistryError(e, 404, "404", "MANIFEST_UNKNOWN", "check the repository mcp-guard/filter and the tag or digest");
  });

  it("nothing listening is a connection error that names the registry", TIMEOUT, async () => {
    const port = await freePort();
    const e = await failure(pushImage(packageImage({ wasm, outDir: join(ctx.work, "refused") }).image, `127.0.0.1:${port}/x/y:v1`, { insecure: true }));
    expectRegistryError(e, undefined, "ECONNREFUSED", `Nothing accepts connections at 127.0.0.1:${port}`);
  });

  it("a registry failing on its side is a 5xx that says to retry and check its storage", TIMEOUT, async () => {
    const broken = await startRegistry({ brokenStorage: true });
    try {
      const e = await failure(pushImage(packageImage({ wasm, outDir: join(ctx.work, "broken") }).image, `${broken.host}/mcp-guard/filter:v1`, { insecure: true }));
      const err = expectRegistryError(e, 500, "500", "failed on its side");
      expect(err.message).toMatch(/check the registry's logs and its storage backend/);
    } finally {
      await broken.stop();
    }
  });
});

const basicBins = requireBinaries(["docker-registry", "htpasswd"], "apt-get install docker-registry apache2-utils");

describe.skipIf(basicBins.skip)("registry with HTTP Basic auth (htpasswd, bcrypt)", () => {
  const credentials = { username: "release-bot", password: "s3cret-pass" };
  const ctx = useRegistry(() => ({ htpasswd: credentials }));
  const wasm = guardModule();

  it("pushes and pulls with the right credentials (challenge, then Basic)", TIMEOUT, async () => {
    const image = packageImage({ wasm, outDir: join(ctx.work, "ok") }).image;
    const pushed = await pushImage(image, `${ctx.registry.host}/mcp-guard/filter:v1`, { insecure: true, auth: credentials, chunkSize: 20_000 });
    const pulled = await pullImage(`${ctx.registry.host}/mcp-guard/filter:v1`, { insecure: true, auth: credentials });
    expect(pulled.digest).toBe(pushed.digest);
  });

  it("without credentials: 401 asking for a username and password", TIMEOUT, async () => {
    const image = packageImage({ wasm, outDir: join(ctx.work, "anon") }).image;
    const e = await failure(pushImage(image, `${ctx.registry.host}/mcp-guard/filter:v1`, { insecure: true }));
    expectRegistryError(e, 401, "requires a username and password");
  });

  it("with a wrong password: 401 saying the credentials were refused", TIMEOUT, async () => {
    const e = await failure(pullImage(`${ctx.registry.host}/mcp-guard/filter:v1`, { insecure: true, auth: { ...credentials, password: "wrong" } }));
    expectRegistryError(e, 401, "refused the username/password");
  });
});

const tokenBins = requireBinaries(["docker-registry", "openssl", "skopeo"], "apt-get install docker-registry openssl skopeo");

describe.skipIf(tokenBins.skip)("registry with bearer-token auth (distribution token auth + a local token service)", () => {
  let tokens: TokenServer;
  const wasm = guardModule();
  const pusher = { username: "ci", password: "ci-pass" };
  const reader = { username: "reader", password: "reader-pass" };
  afterAll(async () => {
    await tokens?.stop();
  });
  const ctx = useRegistry(async () => {
    tokens = await startTokenServer({
      [pusher.username]: { password: pusher.password, actions: ["pull", "push"] },
      [reader.username]: { password: reader.password, actions: ["pull"] },
    });
    return { tokenServer: tokens };
  });

  it("challenge → token endpoint (Basic) → retry with Bearer; the registry verifies the signed token", TIMEOUT, async () => {
    const image = packageImage({ wasm, outDir: join(ctx.work, "ok") }).image;
    const ref = `${ctx.registry.host}/mcp-guard/filter:v1`;
    const pushed = await pushImage(image, ref, { insecure: true, auth: pusher, chunkSize: 20_000 });
    expect(pushed.digest).toBe(image.digest);
    const pushRequest = tokens.requests.find((r) => r.username === "ci");
    expect(pushRequest).toMatchObject({ service: tokens.service, granted: ["mcp-guard/filter:pull,push"] });
    expect(pushRequest?.scopes).toContain("repository:mcp-guard/filter:pull,push");

    const pulled = await pullImage(ref, { insecure: true, auth: reader });
    expect(pulled.digest).toBe(pushed.digest);
    // skopeo runs the same token flow on its own.
    const raw = await skopeo(["inspect", "--raw", "--tls-verify=false", "--creds", `${reader.username}:${reader.password}`, `docker://${ref}`]);
    expect(sha256Digest(new TextEncoder().encode(raw))).toBe(pushed.digest);
  });

  it("a ready-made bearer token is sent as is", TIMEOUT, async () => {
    const url = new URL(tokens.realm);
    url.searchParams.set("service", tokens.service);
    url.searchParams.set("scope", "repository:mcp-guard/filter:pull");
    const response = await fetch(url, { headers: { authorization: `Basic ${Buffer.from("reader:reader-pass").toString("base64")}` } });
    const { token } = (await response.json()) as { token: string };
    const pulled = await pullImage(`${ctx.registry.host}/mcp-guard/filter:v1`, { insecure: true, auth: { token } });
    expect(pulled.manifest.layers).toHaveLength(1);
  });

  it("an account with pull rights only cannot push: 401 naming the missing rights", TIMEOUT, async () => {
    const image = packageImage({ wasm, outDir: join(ctx.work, "reader") }).image;
    const e = await failure(pushImage(image, `${ctx.registry.host}/mcp-guard/other:v1`, { insecure: true, auth: reader }));
    expectRegistryError(e, 401, "pull,push", "mcp-guard/other");
  });

  it("a wrong password is refused by the token endpoint", TIMEOUT, async () => {
    const e = await failure(pullImage(`${ctx.registry.host}/mcp-guard/filter:v1`, { insecure: true, auth: { ...reader, password: "nope" } }));
    expectRegistryError(e, 401, "token endpoint", "refused the credentials");
  });
});
