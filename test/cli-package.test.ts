// `mcp-guard package`, run as a user runs it (node bin/mcp-guard.js, one child process per command), against real
// registry software: Debian's docker-registry on loopback behind htpasswd, and skopeo as an independent client.
// The digest the CLI prints is the one the registry stores and skopeo reports; `render --sha256` takes the
// printed sha256 as is; two builds give one digest; registry failures exit 3 saying what to do.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildImage, checkIstioCompatible, pullImage } from "../src/oci/index.ts";
import type { PackageReport } from "../src/cli/commands/package.ts";
import { runCli, type CliRun } from "./helpers/cli.ts";
import { guardModule } from "./helpers/guard.ts";
import { freePort, requireBinaries, skopeo, startRegistry, type RegistryHandle } from "./helpers/registry.ts";

const TIMEOUT = { timeout: 40_000 };
const scratch = mkdtempSync(join(tmpdir(), "mcp-guard-cli-package-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function report(run: CliRun): PackageReport {
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as PackageReport;
}

/** Every file of a directory tree: relative path → bytes (as hex, for readable diffs of small files). */
function tree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) files[relative(dir, join(entry.parentPath, entry.name))] = readFileSync(join(entry.parentPath, entry.name)).toString("hex");
  }
  return files;
}

describe("mcp-guard package: layouts and usage (no registry)", () => {
  it("--out twice (and into a second directory) gives one digest and byte-identical layouts, the library's digest", TIMEOUT, async () => {
    const [a, b] = [join(scratch, "a"), join(scratch, "b")];
    const first = report(await runCli(["package", "--out", a, "--tag", "v1", "--json"]));
    const [again, other, artifact] = await Promise.all([
      runCli(["package", "--out", a, "--tag", "v1", "--json"]),
      runCli(["package", "--out", b, "--tag", "v1"]),
      runCli(["package", "--out", join(scratch, "artifact"), "--format", "wasm-artifact", "--json"]),
    ]);
    expect(report(again).digest).toBe(first.digest);
    expect(other.stdout).toContain(`digest    ${first.digest}\n`);
    expect(other.stdout).toContain(`  url:    oci://REGISTRY/REPO@${first.digest}\n  sha256: ${first.sha256}`);
    expect(tree(b)).toEqual(tree(a));
    expect(first).toEqual({ digest: buildImage({ wasm: guardModule() }).digest, sha256: first.digest.slice(7), format: "compat", layout: a, tag: "v1", pushed: null, url: null, uploaded: [], skipped: [] });
    expect(report(artifact)).toMatchObject({ digest: buildImage({ wasm: guardModule(), format: "wasm-artifact" }).digest, format: "wasm-artifact", tag: null });
  });

  it("--help exits 0; usage errors 2, a missing module 3, a --push digest the image does not have 1", TIMEOUT, async () => {
    const cluttered = join(scratch, "cluttered");
    mkdirSync(cluttered, { recursive: true });
    writeFileSync(join(cluttered, "notes.txt"), "not an image layout\n");
    const notWasm = join(scratch, "not.wasm");
    writeFileSync(notWasm, "hello");
    const ref = "registry.example.com/mcp-guard/mcp-guard";
    const runs = await Promise.all([
      runCli(["package", "--format", "docker"]),
      runCli(["package", "--push", `${ref}:v1`, "--password", "p"]),
      runCli(["package", "--push", `${ref}:v1`, "--username", "u", "--token", "t"]),
      runCli(["package", "--push", `${ref}:v1`, "--username", "u"]),
      runCli(["package", "--push", `${ref}:v1`, "--chunk-size", "0"]),
      runCli(["package", "--push", "Registry.example.com/UPPER:v1"]),
      runCli(["package", "--push", ref]),
      runCli(["package", "--insecure"]),
      runCli(["package", "--out", cluttered]),
      runCli(["package", "--module", notWasm, "--out", join(scratch, "x")]),
      runCli(["package", "--module", join(scratch, "absent.wasm")]),
      runCli(["package", "--push", `${ref}@sha256:${"0".repeat(64)}`]),
      runCli(["package", "--help"]),
    ]);
    expect(runs.map((r) => r.code)).toEqual([2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 1, 0]);
    const stderr = runs.map((r) => r.stderr);
    expect(stderr[0]).toContain('--format must be compat or wasm-artifact, got "docker"');
    expect(stderr[1]).toContain("a password needs --username");
    expect(stderr[2]).toContain("either --token or --username");
    expect(stderr[3]).toContain("--username needs --password-stdin");
    expect(stderr[4]).toContain('--chunk-size must be a positive number of bytes, got "0"');
    expect(stderr[5]).toContain("--push: invalid repository path component");
    expect(stderr[6]).toContain("--push needs a tag");
    expect(stderr[7]).toContain("--insecure applies to --push only");
    expect(stderr[8]).toContain("is a directory with other files in it (no oci-layout)");
    expect(stderr[9]).toContain("not a WebAssembly binary");
    expect(stderr[10]).toContain("no filter module at");
    expect(stderr[11]).toContain(`--push pins sha256:${"0".repeat(64)}, but the image of`);
    expect(runs[12]!.stdout).toContain("Usage: mcp-guard package [options]");
    expect(runs[12]!.stdout).toContain("--password-stdin");
  });
});

const bins = requireBinaries(["docker-registry", "htpasswd", "skopeo"], "apt-get install docker-registry apache2-utils skopeo");

describe.skipIf(bins.skip)("mcp-guard package --push to a real registry (docker-registry behind htpasswd, skopeo)", () => {
  const user = { username: "release-bot", password: "s3cret-pass" };
  const creds = `${user.username}:${user.password}`;
  let registry: RegistryHandle;
  beforeAll(async () => {
    registry = await startRegistry({ htpasswd: user });
  }, 60_000);
  afterAll(async () => {
    await registry?.stop();
  });

  it("prints the digest skopeo and our pull see; render --sha256 <sha256> pins exactly that image", TIMEOUT, async () => {
    const ref = `${registry.host}/mcp-guard/filter:v1`;
    const pushed = report(await runCli(["package", "--push", ref, "--insecure", "--username", user.username, "--password-stdin", "--chunk-size", "20000", "--json"], { input: `${user.password}\n` }));
    expect(pushed).toMatchObject({ pushed: `${ref}@${pushed.digest}`, url: `oci://${registry.host}/mcp-guard/filter@${pushed.digest}`, layout: null, tag: "v1", skipped: [] });
    expect(pushed.uploaded).toHaveLength(2);

    const inspected = JSON.parse(await skopeo(["inspect", "--tls-verify=false", "--creds", creds, `docker://${ref}`])) as { Digest: string };
    expect(inspected.Digest).toBe(pushed.digest);
    const pulled = await pullImage(ref, { insecure: true, auth: user });
    const istio = checkIstioCompatible(pulled.manifest, pulled.blobs, { manifestBytes: pulled.manifestBytes, expectedSha256: pushed.sha256 });
    expect(istio.ok && Buffer.from(istio.wasm).equals(Buffer.from(guardModule()))).toBe(true);

    // The printed sha256 goes into render as is, with the tag URL or the pinned URL; and a second tag skips blobs.
    const [byTag, byUrl, again] = await Promise.all([
      runCli(["render", "-c", "examples/policy.yaml", "--image", `oci://${ref}`, "--sha256", pushed.sha256, "--json"]),
      runCli(["render", "-c", "examples/policy.yaml", "--image", pushed.url!, "--sha256", pushed.sha256, "--json"]),
      runCli(["package", "--push", `${registry.host}/mcp-guard/filter:v2`, "--insecure", "--username", user.username, "--password", user.password]),
    ]);
    for (const [run, url] of [[byTag, `oci://${ref}`], [byUrl, pushed.url]] as const) {
      expect(run.code, run.stderr).toBe(0);
      expect((JSON.parse(run.stdout) as { spec: { url: string; sha256: string } }).spec).toMatchObject({ url, sha256: pushed.sha256 });
    }
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe([
      `pushed    ${registry.host}/mcp-guard/filter:v2@${pushed.digest}`,
      `digest    ${pushed.digest}`,
      "blobs     0 uploaded, 2 already present",
      "WasmPlugin.spec:",
      `  url:    ${pushed.url}`,
      `  sha256: ${pushed.sha256}`,
      "",
    ].join("\n"));
    expect(again.stderr).toContain("present   sha256:");
  });

  it("a layout from --out is what gets pushed, and skopeo copies it without changing the digest", TIMEOUT, async () => {
    const layout = join(scratch, "pushed-layout");
    const pushed = report(await runCli(["package", "--out", layout, "--push", `${registry.host}/mcp-guard/layout:v1`, "--insecure", "--username", user.username, "--password-stdin", "--json"], { input: user.password }));
    expect(pushed.layout).toBe(layout);
    const copy = `${registry.host}/mcp-guard/copied:v1`;
    await skopeo(["--insecure-policy", "copy", "--dest-tls-verify=false", "--dest-creds", creds, `oci:${layout}:v1`, `docker://${copy}`]);
    const inspected = JSON.parse(await skopeo(["inspect", "--tls-verify=false", "--creds", creds, `docker://${copy}`])) as { Digest: string };
    expect(inspected.Digest).toBe(pushed.digest);
  });

  it("401 (wrong password, no credentials) and a refused connection exit 3 with the status and what to do", TIMEOUT, async () => {
    const ref = `${registry.host}/mcp-guard/filter:v3`;
    const closed = `127.0.0.1:${await freePort()}/mcp-guard/filter:v1`;
    const [wrong, wrongJson, anonymous, refused] = await Promise.all([
      runCli(["package", "--push", ref, "--insecure", "--username", user.username, "--password", "wrong"]),
      runCli(["package", "--push", ref, "--insecure", "--username", user.username, "--password-stdin", "--json"], { input: "wrong\n" }),
      runCli(["package", "--push", ref, "--insecure"]),
      runCli(["package", "--push", closed, "--insecure"]),
    ]);
    expect([wrong, wrongJson, anonymous, refused].map((r) => r.code)).toEqual([3, 3, 3, 3]);
    expect(wrong.stdout).toBe("");
    expect(wrong.stderr).toMatch(/mcp-guard: push failed: check blob sha256:[0-9a-f]{64}: registry answered 401 Unauthorized to HEAD http:\/\/127\.0\.0\.1:\d+\/v2\/mcp-guard\/filter\/blobs\//);
    expect(wrong.stderr).toContain("\n  hint: Authentication failed: the registry refused the username/password.\n");
    expect(JSON.parse(wrongJson.stdout)).toMatchObject({ error: { status: 401, hint: "Authentication failed: the registry refused the username/password." } });
    expect(anonymous.stderr).toContain("hint: Authentication failed: the registry requires a username and password");
    expect(refused.stderr).toContain("(ECONNREFUSED)");
    expect(refused.stderr).toContain("hint: Nothing accepts connections at 127.0.0.1:");
  });
});
