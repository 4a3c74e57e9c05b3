// Building the OCI image of the filter without any registry: reproducibility (same .wasm → same bytes → same
// manifest digest, on any machine), the exact formats Istio accepts, the layout directory, and the pieces the
// registry client is made of (references, auth challenges, error messages).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as zlib from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { parseChallenge } from "../src/oci/auth.ts";
import {
  buildImage, checkIstioCompatible, DOCKER_LAYER_TAR_GZIP, DOCKER_MANIFEST_V2, gunzip, gzipDeterministic, OCI_CONFIG,
  OCI_LAYER_TAR_GZIP, OCI_MANIFEST, packageImage, parseReference, pushImage, readLayout, readTar, RegistryError,
  sha256Digest, tarSingleFile, WASM_CONFIG, WASM_CONTENT_LAYER, type OciManifest,
} from "../src/oci/index.ts";
import { crc32 } from "../src/oci/gzip.ts";
import { guardModule } from "./helpers/guard.ts";

const MINIMAL_WASM = Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0);
const work = mkdtempSync(join(tmpdir(), "mcp-guard-oci-image-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, prefix: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(d, entry.name), `${prefix}${entry.name}/`);
      else out[`${prefix}${entry.name}`] = sha256Digest(readFileSync(join(d, entry.name)));
    }
  };
  walk(dir, "");
  return out;
}

describe("reproducible image", () => {
  it("same .wasm → identical layout trees and manifest digest, for both formats", () => {
    const wasm = guardModule();
    for (const format of ["compat", "wasm-artifact"] as const) {
      const a = packageImage({ wasm, format, outDir: join(work, `${format}-a`), tag: "v1" });
      const b = packageImage({ wasm: new Uint8Array(wasm), format, outDir: join(work, `${format}-b`), tag: "v1" });
      expect(b.digest).toBe(a.digest);
      expect(files(join(work, `${format}-b`))).toEqual(files(join(work, `${format}-a`)));
      expect(a.sha256).toMatch(/^[a-f0-9]{64}$/);
    }
  });

  it("digests are golden values: no timestamp, host, user, zlib build or CPU feeds into them", () => {
    // These were computed once; any change means images built from the same module would no longer match.
    expect(buildImage({ wasm: MINIMAL_WASM }).digest).toBe("sha256:957cf3ba460fc1d4bd86f54f5e6aef8b9ada2f1a403058a6f50644449082faab");
    expect(buildImage({ wasm: MINIMAL_WASM, format: "wasm-artifact" }).digest).toBe("sha256:0f842dd86c0207c390e8b25d11ac6bce665f173d1125598391780ceeaf5bcc54");
    const big = new Uint8Array(200_000);
    big.set(MINIMAL_WASM);
    for (let i = 8; i < big.length; i++) big[i] = (i * 31) & 0xff;
    expect(buildImage({ wasm: big }).digest).toBe("sha256:3db11b555458bb6ec24e1dbb26dbf7b088bac4ccf60d07897a75ea3051c4942a");
  });

  it("a different module or different annotations give a different digest", () => {
    const base = buildImage({ wasm: MINIMAL_WASM }).digest;
    expect(buildImage({ wasm: Uint8Array.of(...MINIMAL_WASM, 0) }).digest).not.toBe(base);
    expect(buildImage({ wasm: MINIMAL_WASM, annotations: { "org.opencontainers.image.version": "0.1.0" } }).digest).not.toBe(base);
  });

  it("refuses bytes that are not WebAssembly", () => {
    expect(() => buildImage({ wasm: new TextEncoder().encode("not wasm at all") })).toThrow(/not a WebAssembly binary/);
  });
});

describe("compat format (BRIEF §4 format 2)", () => {
  const image = buildImage({ wasm: guardModule() });

  it("manifest: OCI media type, one tar+gzip layer, the compat annotation, an image config with fixed time", () => {
    const m = image.manifest;
    expect(m.mediaType).toBe(OCI_MANIFEST);
    expect(m.config.mediaType).toBe(OCI_CONFIG);
    expect(m.layers.map((l) => l.mediaType)).toEqual([OCI_LAYER_TAR_GZIP]);
    expect(m.annotations).toEqual({ "module.wasm.image/variant": "compat" });
    const config = JSON.parse(Buffer.from(image.blobs.get(m.config.digest) ?? []).toString("utf8")) as Record<string, unknown>;
    expect(config).toMatchObject({ created: "1970-01-01T00:00:00Z", architecture: "wasm", os: "wasip1", rootfs: { type: "layers" } });
    // The bytes are canonical JSON: keys sorted, no whitespace.
    const text = Buffer.from(image.manifestBytes).toString("utf8");
    expect(text).toBe(JSON.stringify(JSON.parse(text)));
    expect(Object.keys(JSON.parse(text) as object)).toEqual(["annotations", "config", "layers", "mediaType", "schemaVersion"]);
  });

  it("layer: GNU tar sees exactly plugin.wasm, root-owned, mode 0644, dated 1970, holding the module", () => {
    const layer = image.blobs.get(image.manifest.layers[0]?.digest ?? "") ?? new Uint8Array();
    const listing = spawnSync("tar", ["-tvz", "--full-time"], { input: layer, encoding: "utf8" });
    expect(listing.status).toBe(0);
    expect(listing.stdout.trim()).toMatch(/^-rw-r--r-- root\/root +\d+ 1970-01-01 00:00:00 plugin\.wasm$/);
    const extracted = spawnSync("tar", ["-xzO", "plugin.wasm"], { input: layer, maxBuffer: 16 << 20 });
    expect(Buffer.from(extracted.stdout).equals(Buffer.from(guardModule()))).toBe(true);
    // rootfs.diff_ids holds the digest of the uncompressed tar, as OCI requires.
    const config = JSON.parse(Buffer.from(image.blobs.get(image.manifest.config.digest) ?? []).toString("utf8")) as { rootfs: { diff_ids: string[] } };
    expect(config.rootfs.diff_ids).toEqual([sha256Digest(gunzip(layer))]);
  });
});

describe("wasm-artifact format (BRIEF §4 format 3)", () => {
  it("exactly two layers: the runtime config JSON and the raw module; the config doubles as manifest config", () => {
    const image = buildImage({ wasm: guardModule(), format: "wasm-artifact" });
    const m = image.manifest;
    expect(m.layers.map((l) => l.mediaType)).toEqual([WASM_CONFIG, WASM_CONTENT_LAYER]);
    expect(m.config).toEqual(m.layers[0]);
    expect(Buffer.from(image.blobs.get(m.layers[1]?.digest ?? "") ?? []).equals(Buffer.from(guardModule()))).toBe(true);
    expect(JSON.parse(Buffer.from(image.blobs.get(m.config.digest) ?? []).toString("utf8"))).toEqual({
      abiVersions: ["proxy_abi_version_0_2_1"], config: { rootIds: ["mcp-guard"] }, type: "envoy_proxy",
    });
  });
});

describe("deterministic gzip", () => {
  it("level 0 is a stored deflate stream any gunzip reads, with a fixed header and correct CRC", () => {
    expect(Buffer.from(gzipDeterministic(new Uint8Array())).toString("hex")).toBe("1f8b08000000000000ff010000ffff0000000000000000");
    const data = new Uint8Array(200_003).map((_, i) => (i * 7 + (i >> 9)) & 0xff);
    const gz = gzipDeterministic(data);
    expect(Buffer.from(zlib.gunzipSync(gz)).equals(Buffer.from(data))).toBe(true);
    expect(gz.length).toBe(10 + 4 * 5 + data.length + 8); // 4 stored blocks of ≤ 65535 bytes
    const zcrc = (zlib as unknown as { crc32?: (d: Uint8Array) => number }).crc32;
    if (zcrc) expect(crc32(data)).toBe(zcrc(data));
  });

  it("levels 1-9 use zlib, decompress to the input, and have a normalised header (mtime 0, OS unknown, no name)", () => {
    const data = guardModule();
    const a = gzipDeterministic(data, 9);
    const b = gzipDeterministic(new Uint8Array(data), 9);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(Array.from(a.subarray(0, 10))).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 0xff]);
    expect(a.length).toBeLessThan(data.length);
    expect(Buffer.from(gunzip(a)).equals(Buffer.from(data))).toBe(true);
  });
});

describe("tar", () => {
  it("round-trips through our reader; reads GNU tar archives with long names and nested paths", () => {
    const archive = tarSingleFile("plugin.wasm", MINIMAL_WASM);
    expect(archive.length % 512).toBe(0);
    expect(readTar(archive)).toMatchObject([{ name: "plugin.wasm", type: "0", size: 8 }]);
    const dir = mkdtempSync(join(work, "gnutar-"));
    const long = `${"d".repeat(120)}/plugin.wasm`;
    spawnSync("sh", ["-c", `mkdir -p ${long.slice(0, long.lastIndexOf("/"))} && printf 'xyz' > other && printf '\\0asm\\1\\0\\0\\0' > ${long}`], { cwd: dir });
    const gnu = spawnSync("tar", ["-c", "--format=gnu", "other", long], { cwd: dir, maxBuffer: 1 << 20 });
    expect(gnu.status).toBe(0);
    const entries = readTar(new Uint8Array(gnu.stdout));
    expect(entries.map((e) => e.name)).toEqual(["other", long]); // the long name arrives through a GNU "L" entry
    expect(Buffer.from(entries.find((e) => e.name === long)?.data ?? []).equals(Buffer.from(MINIMAL_WASM))).toBe(true);
    const pax = spawnSync("tar", ["-c", "--format=pax", long], { cwd: dir, maxBuffer: 1 << 20 });
    expect(readTar(new Uint8Array(pax.stdout)).map((e) => e.name)).toContain(long);
  });

  it("rejects a header whose checksum does not match", () => {
    const archive = tarSingleFile("plugin.wasm", MINIMAL_WASM);
    archive[0] = 0x71; // "q" instead of "p": the stored checksum no longer matches
    expect(() => readTar(archive)).toThrow(/bad header checksum/);
  });
});

describe("layout directory", () => {
  it("has oci-layout, index.json (with the tag) and every blob; reads back verified", () => {
    const out = join(work, "layout");
    const packaged = packageImage({ wasm: guardModule(), outDir: out, tag: "0.1.0" });
    expect(JSON.parse(readFileSync(join(out, "oci-layout"), "utf8"))).toEqual({ imageLayoutVersion: "1.0.0" });
    const index = JSON.parse(readFileSync(join(out, "index.json"), "utf8")) as { manifests: Array<Record<string, unknown>> };
    expect(index.manifests).toEqual([{
      annotations: { "org.opencontainers.image.ref.name": "0.1.0" }, digest: packaged.digest, mediaType: OCI_MANIFEST,
      size: packaged.image.manifestBytes.length,
    }]);
    expect(Object.keys(files(out)).filter((f) => f.startsWith("blobs/")).sort()).toEqual(
      [packaged.digest, ...packaged.image.blobs.keys()].map((d) => `blobs/sha256/${d.slice(7)}`).sort(),
    );
    const back = readLayout(out);
    expect(back.digest).toBe(packaged.digest);
    expect(readLayout(out, { tag: "0.1.0" }).digest).toBe(packaged.digest);
    expect(() => readLayout(out, { tag: "nope" })).toThrow(/no manifest tagged "nope"/);
  });
});

describe("Istio's acceptance rules (pkg/wasm imagefetcher.go)", () => {
  const wasm = guardModule();
  const compat = buildImage({ wasm });
  const artifact = buildImage({ wasm, format: "wasm-artifact" });
  const tarGz = gzipDeterministic(tarSingleFile("plugin.wasm", wasm));
  const blobs = new Map<string, Uint8Array>([...compat.blobs, ...artifact.blobs, [sha256Digest(tarGz), tarGz]]);
  const desc = (mediaType: string, bytes: Uint8Array) => {
    blobs.set(sha256Digest(bytes), bytes);
    return { mediaType, digest: sha256Digest(bytes), size: bytes.length };
  };
  const manifest = (layers: OciManifest["layers"], mediaType?: string): OciManifest => ({
    schemaVersion: 2, ...(mediaType ? { mediaType } : {}), config: compat.manifest.config, layers,
  });

  it("accepts the compat image and the wasm artifact, returning the module", () => {
    for (const image of [compat, artifact]) {
      const r = checkIstioCompatible(image.manifest, image.blobs, { manifestBytes: image.manifestBytes, expectedSha256: image.digest });
      expect(r.ok && Buffer.from(r.wasm).equals(Buffer.from(wasm))).toBe(true);
    }
  });

  it("Docker schema 2: only the last layer counts, and it must be a Docker tar.gzip layer", () => {
    const other = desc(DOCKER_LAYER_TAR_GZIP, gzipDeterministic(tarSingleFile("README", new TextEncoder().encode("hi"))));
    const last = desc(DOCKER_LAYER_TAR_GZIP, tarGz);
    expect(checkIstioCompatible(manifest([other, last], DOCKER_MANIFEST_V2), blobs)).toMatchObject({ ok: true, variant: "docker" });
    expect(checkIstioCompatible(manifest([last, other], DOCKER_MANIFEST_V2), blobs)).toMatchObject({ ok: false, reason: expect.stringContaining("plugin.wasm not found") });
    expect(checkIstioCompatible(manifest([desc(OCI_LAYER_TAR_GZIP, tarGz)], DOCKER_MANIFEST_V2), blobs)).toMatchObject({
      ok: false, reason: expect.stringContaining(`invalid media type ${OCI_LAYER_TAR_GZIP} (expect ${DOCKER_LAYER_TAR_GZIP})`),
    });
  });

  it("compat: plugin.wasm is found by base name in the last layer; an uncompressed tar layer is refused", () => {
    const nested = desc(OCI_LAYER_TAR_GZIP, gzipDeterministic(tarSingleFile("some/dir/plugin.wasm", wasm)));
    expect(checkIstioCompatible(manifest([nested]), blobs)).toMatchObject({ ok: true, variant: "compat" });
    const plainTar = desc("application/vnd.oci.image.layer.v1.tar", tarSingleFile("plugin.wasm", wasm));
    const r = checkIstioCompatible(manifest([plainTar]), blobs);
    expect(r).toMatchObject({ ok: false });
    expect(!r.ok && r.reason).toContain("could not parse as compat variant: invalid media type application/vnd.oci.image.layer.v1.tar (expect application/vnd.oci.image.layer.v1.tar+gzip)");
    expect(!r.ok && r.reason).toContain("could not parse as oci variant: number of layers must be 2 but got 1");
  });

  it("artifact: exactly two layers, one of them the wasm content layer", () => {
    const [cfg, mod] = artifact.manifest.layers;
    if (!cfg || !mod) throw new Error("artifact layers");
    expect(checkIstioCompatible(manifest([mod, cfg]), blobs)).toMatchObject({ ok: true, variant: "wasm-artifact" });
    expect(checkIstioCompatible(manifest([cfg, mod, cfg]), blobs)).toMatchObject({ ok: false, reason: expect.stringContaining("number of layers must be 2 but got 3") });
    expect(checkIstioCompatible(manifest([cfg, cfg]), blobs)).toMatchObject({ ok: false, reason: expect.stringContaining(`could not find the layer of type ${WASM_CONTENT_LAYER}`) });
  });

  it("the module must start with the wasm magic number", () => {
    const notWasm = desc(OCI_LAYER_TAR_GZIP, gzipDeterministic(tarSingleFile("plugin.wasm", new TextEncoder().encode("#!/bin/sh echo"))));
    expect(checkIstioCompatible(manifest([notWasm]), blobs)).toMatchObject({ ok: false, reason: expect.stringContaining("invalid") });
  });

  it("spec.sha256 must be the manifest digest (not the layer's or the module's)", () => {
    const ok = checkIstioCompatible(compat.manifest, compat.blobs, { manifestBytes: compat.manifestBytes, expectedSha256: compat.digest.slice(7) });
    expect(ok.ok).toBe(true);
    const moduleDigest = sha256Digest(wasm).slice(7);
    const wrong = checkIstioCompatible(compat.manifest, compat.blobs, { manifestBytes: compat.manifestBytes, expectedSha256: moduleDigest });
    expect(wrong).toMatchObject({ ok: false, reason: expect.stringContaining(`which does not match: ${moduleDigest}`) });
  });
});

describe("image references", () => {
  it("parses registry, repository, tag and digest like docker/distribution", () => {
    const d = `sha256:${"a".repeat(64)}`;
    expect(parseReference("oci://127.0.0.1:5000/mcp-guard/filter:v1")).toEqual({ registry: "127.0.0.1:5000", repository: "mcp-guard/filter", tag: "v1" });
    expect(parseReference(`registry.example.com/a/b/c@${d}`)).toEqual({ registry: "registry.example.com", repository: "a/b/c", digest: d });
    expect(parseReference(`localhost/x:1.0@${d}`)).toEqual({ registry: "localhost", repository: "x", tag: "1.0", digest: d });
    expect(parseReference("istio/proxy:1.27")).toEqual({ registry: "docker.io", repository: "istio/proxy", tag: "1.27" });
    expect(parseReference("busybox")).toEqual({ registry: "docker.io", repository: "library/busybox" });
  });

  it("rejects what a registry would", () => {
    expect(() => parseReference("Registry.example.com/UPPER:v1")).toThrow(/invalid repository path component "UPPER"/);
    expect(() => parseReference("r.example.com/x@sha256:abc")).toThrow(/invalid digest/);
    expect(() => parseReference("https://r.example.com/x:v1")).toThrow(/invalid image reference/);
  });
});

describe("auth challenges", () => {
  it("parses Bearer and Basic WWW-Authenticate headers, commas inside quotes included", () => {
    expect(parseChallenge('Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull,push"')).toEqual({
      scheme: "bearer", params: { realm: "https://auth.example.com/token", service: "registry.example.com", scope: "repository:a/b:pull,push" },
    });
    expect(parseChallenge('Basic realm="Registry Realm"')).toEqual({ scheme: "basic", params: { realm: "Registry Realm" } });
    expect(parseChallenge(null)).toBeUndefined();
  });
});

describe("registry errors that no real registry here produces", () => {
  it("403 says the credentials lack push rights", async () => {
    const server = createServer((req, res) => {
      res.writeHead(403, { "content-type": "application/json" });
      res.end(req.method === "HEAD" ? undefined : JSON.stringify({ errors: [{ code: "DENIED", message: "requested access to the resource is denied" }] }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    try {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      const error = await pushImage(buildImage({ wasm: MINIMAL_WASM }), `127.0.0.1:${port}/team/filter:v1`, { insecure: true }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RegistryError);
      expect((error as RegistryError).status).toBe(403);
      expect((error as RegistryError).message).toContain("403 Forbidden to HEAD");
      expect((error as RegistryError).message).toContain("may not push team/filter");
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it("a digest-pinned push reference must match the image", async () => {
    const image = buildImage({ wasm: MINIMAL_WASM });
    await expect(pushImage(image, `127.0.0.1:1/x/y@sha256:${"0".repeat(64)}`, { insecure: true })).rejects.toThrow(/reference pins sha256:0{64} but the image's manifest digest is/);
    await expect(pushImage(image, "127.0.0.1:1/x/y", { insecure: true })).rejects.toThrow(/push needs a tag or digest/);
  });
});

describe("tests that need real programs", () => {
  it("fail under CI when a program is missing, and skip loudly elsewhere", async () => {
    const { requireBinaries } = await import("./helpers/registry.ts");
    const saved = process.env.CI;
    try {
      process.env.CI = "true";
      expect(() => requireBinaries(["mcp-guard-no-such-program"], "apt-get install nothing")).toThrow(/CI run without required programs: missing mcp-guard-no-such-program/);
      delete process.env.CI;
      expect(requireBinaries(["mcp-guard-no-such-program"], "apt-get install nothing")).toMatchObject({ skip: true });
      expect(requireBinaries(["sh"], "")).toEqual({ skip: false, reason: "" });
    } finally {
      if (saved === undefined) delete process.env.CI;
      else process.env.CI = saved;
    }
  });
});
