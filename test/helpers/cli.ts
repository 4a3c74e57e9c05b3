// Runs the real `mcp-guard` CLI (bin/mcp-guard.js, what `npx mcp-guard` runs) as a child process, as a user would.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "bin/mcp-guard.js");

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Standard input (closed after it; empty by default, so a command reading it never waits). */
  input?: string;
  /** Added to this process's environment. */
  env?: Record<string, string>;
  /** The child is killed after this long (the run then reports code -1); default 30 s. */
  timeoutMs?: number;
}

/** One command to its end: exit code, stdout and stderr. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { cwd: ROOT, timeout: options.timeoutMs ?? 30_000, encoding: "utf8", env: { ...process.env, ...options.env } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
    });
    child.stdin?.end(options.input ?? "");
  });
}

/** A long-running command (`serve`), its stdout and stderr piped. */
export function spawnCli(args: string[]): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
}
