// Runs the real `mcp-guard` CLI (bin/mcp-guard.js) as a child process, as a user would.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(ROOT, "bin/mcp-guard.js"), ...args], { cwd: ROOT, timeout: 30_000, encoding: "utf8", env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
    });
  });
}
