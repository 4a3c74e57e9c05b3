// Real registry software for the OCI tests: Debian's docker-registry (Distribution v2) on 127.0.0.1 with a
// random free port, a temporary storage directory and a config file written here, optionally behind htpasswd
// (bcrypt, from apache2-utils' htpasswd) or distribution's token authentication with a small token server
// (an RS256 JWT issuer with a throwaway certificate from openssl). Everything is loopback-only, bounded in time,
// and removed by stop().
import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createPrivateKey, randomBytes, sign, type KeyObject } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

export function findBinary(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter).concat(["/usr/bin", "/usr/sbin", "/bin"])) {
    const path = join(dir, name);
    if (dir && existsSync(path)) return path;
  }
  return undefined;
}

/**
 * Whether the tests that need these programs can run. Missing programs fail the run under CI (CI=true: .ci/run
 * installs them) and skip the tests loudly elsewhere.
 */
export function requireBinaries(names: string[], installHint: string): { skip: boolean; reason: string } {
  const missing = names.filter((n) => !findBinary(n));
  if (missing.length === 0) return { skip: false, reason: "" };
  const reason = `missing ${missing.join(", ")} (install: ${installHint})`;
  if (process.env.CI) throw new Error(`CI run without required programs: ${reason}`);
  console.warn(`\n*** SKIPPING tests that need real programs: ${reason} ***\n`);
  return { skip: true, reason };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface RegistryOptions {
  /** Require HTTP Basic credentials (htpasswd file with a bcrypt hash). */
  htpasswd?: { username: string; password: string };
  /** Require bearer tokens from this token server. */
  tokenServer?: TokenServer;
  /** Point storage at a regular file so every write fails: the registry answers 500. */
  brokenStorage?: boolean;
}

export interface RegistryHandle {
  host: string;                 // 127.0.0.1:PORT
  dir: string;
  log(): string;
  stop(): Promise<void>;
}

export async function startRegistry(options: RegistryOptions = {}): Promise<RegistryHandle> {
  const binary = findBinary("docker-registry");
  if (!binary) throw new Error("docker-registry is not installed (apt-get install docker-registry)");
  const dir = mkdtempSync(join(tmpdir(), "mcp-guard-registry-"));
  let storage = join(dir, "storage");
  if (options.brokenStorage) {
    storage = join(dir, "not-a-directory");
    writeFileSync(storage, "storage root is a file, so every write fails\n");
  }
  let auth = "";
  if (options.htpasswd) {
    const htpasswd = findBinary("htpasswd");
    if (!htpasswd) throw new Error("htpasswd is not installed (apt-get install apache2-utils)");
    const out = spawnSync(htpasswd, ["-Bbn", options.htpasswd.username, options.htpasswd.password], { encoding: "utf8", timeout: 10_000 });
    if (out.status !== 0) throw new Error(`htpasswd failed: ${out.stderr}`);
    writeFileSync(join(dir, "htpasswd"), out.stdout);
    auth = `auth:\n  htpasswd:\n    realm: mcp-guard-test\n    path: ${join(dir, "htpasswd")}\n`;
  } else if (options.tokenServer) {
    const t = options.tokenServer;
    auth = `auth:\n  token:\n    realm: ${t.realm}\n    service: ${t.service}\n    issuer: ${t.issuer}\n    rootcertbundle: ${t.certFile}\n`;
  }

  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    const config = join(dir, "config.yml");
    writeFileSync(config, [
      "version: 0.1",
      "log:\n  level: warn\n  accesslog:\n    disabled: true",
      `storage:\n  filesystem:\n    rootdirectory: ${storage}\n  delete:\n    enabled: true\n  maintenance:\n    uploadpurging:\n      enabled: false`,
      `http:\n  addr: ${host}\n  secret: ${randomBytes(16).toString("hex")}`,
      auth,
    ].join("\n"));
    const child = spawn(binary, ["serve", config], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout?.on("data", (d: Buffer) => { output += d.toString(); });
    child.stderr?.on("data", (d: Buffer) => { output += d.toString(); });
    const ready = await waitReady(child, host, 15_000);
    if (ready) {
      return {
        host,
        dir,
        log: () => output,
        stop: async () => {
          await stopChild(child);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    await stopChild(child);
    if (!/address already in use/.test(output)) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`docker-registry did not start:\n${output}`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error("docker-registry did not start: no free port after 3 attempts");
}

async function waitReady(child: ChildProcess, host: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    try {
      const r = await fetch(`http://${host}/v2/`, { signal: AbortSignal.timeout(1000) });
      await r.body?.cancel();
      if (r.status === 200 || r.status === 401) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

export interface TokenRequestLog {
  username: string | undefined;
  service: string | null;
  scopes: string[];
  granted: string[];
}

export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  certFile: string;
  requests: TokenRequestLog[];
  stop(): Promise<void>;
}

/**
 * A token service for distribution's "token" auth: checks Basic credentials, grants each user the actions it was
 * given on the requested repositories, and signs an RS256 JWT whose x5c header carries the certificate the
 * registry trusts (rootcertbundle).
 */
export async function startTokenServer(users: Record<string, { password: string; actions: string[] }>): Promise<TokenServer> {
  const openssl = findBinary("openssl");
  if (!openssl) throw new Error("openssl is not installed (apt-get install openssl)");
  const dir = mkdtempSync(join(tmpdir(), "mcp-guard-token-"));
  const keyFile = join(dir, "key.pem");
  const certFile = join(dir, "cert.pem");
  const gen = spawnSync(openssl, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile, "-out", certFile,
    "-days", "1", "-subj", "/CN=mcp-guard-test-token-issuer"], { encoding: "utf8", timeout: 30_000 });
  if (gen.status !== 0) throw new Error(`openssl failed: ${gen.stderr}`);
  const key: KeyObject = createPrivateKey(readFileSync(keyFile));
  const certDer = Buffer.from(readFileSync(certFile, "utf8").replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
  const service = "mcp-guard-test-registry";
  const issuer = "mcp-guard-test-issuer";
  const requests: TokenRequestLog[] = [];

  const server: Server = createHttpServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const [username, password] = basic ? Buffer.from(basic, "base64").toString("utf8").split(":") : [];
    const user = username !== undefined ? users[username] : undefined;
    const scopes = url.searchParams.getAll("scope").flatMap((s) => s.split(" ")).filter(Boolean);
    if (!user || user.password !== password) {
      requests.push({ username, service: url.searchParams.get("service"), scopes, granted: [] });
      res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ details: "bad credentials" }));
      return;
    }
    const access = scopes.flatMap((scope) => {
      const [type, name, actions] = scope.split(":");
      if (type !== "repository" || !name || !actions) return [];
      const granted = actions.split(",").filter((a) => user.actions.includes(a));
      return granted.length > 0 ? [{ type, name, actions: granted }] : [];
    });
    requests.push({ username, service: url.searchParams.get("service"), scopes, granted: access.map((a) => `${a.name}:${a.actions.join(",")}`) });
    const now = Math.floor(Date.now() / 1000);
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const header = b64({ alg: "RS256", typ: "JWT", x5c: [certDer.toString("base64")] });
    const claims = b64({ iss: issuer, sub: username, aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: randomBytes(8).toString("hex"), access });
    const signature = sign("sha256", Buffer.from(`${header}.${claims}`), key).toString("base64url");
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token: `${header}.${claims}.${signature}`, expires_in: 300 }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certFile,
    requests,
    stop: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs skopeo with a time limit; resolves to stdout, rejects with stderr on failure. Asynchronous on purpose: a
 * token server in this process must keep answering while skopeo runs.
 */
export function skopeo(args: string[], timeoutMs = 60_000): Promise<string> {
  const binary = findBinary("skopeo");
  if (!binary) return Promise.reject(new Error("skopeo is not installed (apt-get install skopeo)"));
  return new Promise((resolve, reject) => {
    execFile(binary, args, { encoding: "utf8", timeout: timeoutMs, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`skopeo ${args.join(" ")} failed (${error.code ?? error.signal}): ${stderr}`));
      else resolve(stdout);
    });
  });
}
