// `npm start` as a newcomer meets it: the demo entry (src/demo/start.ts, what `npm start` runs after building
// the module) starts the SDK demo server behind the gateway and prints commands; this test runs the printed
// commands exactly as printed, in a shell, and checks that one shows a call allowed and the others a refusal.
import { exec, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

function shell(command: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    exec(command, { cwd: ROOT, timeout: 45_000, encoding: "utf8", shell: "/bin/bash" }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

it("npm start prints the endpoint, the policy and commands that show one call allowed and one refused", { timeout: 120_000 }, async () => {
  const child = spawn(process.execPath, ["--import", "tsx", "src/demo/start.ts"], { cwd: ROOT, env: { ...process.env, MCP_GUARD_PORT: "0" }, stdio: ["ignore", "pipe", "pipe"] });
  const killer = setTimeout(() => child.kill("SIGKILL"), 110_000);
  let out = "";
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("Ctrl-C stops")) resolve();
    });
    child.on("exit", (code) => reject(new Error(`demo exited early (${code}): ${out}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  try {
    await ready;
    expect(out).toMatch(/MCP endpoint \(through the filter\): http:\/\/127\.0\.0\.1:\d+\/mcp/);
    expect(out).toContain('policy examples/policy.yaml: configured root "mcp-guard": mode enforce, 2 tool allowlist entries');
    expect(out).toContain('pluginConfig: {"mode":"enforce","tool_allowlist":["search_code","get_pull_request"]');
    const commands = out.split("\n").filter((l) => /^ {2}(npx mcp-guard call|curl) /.test(l)).map((l) => l.trim());
    expect(commands).toHaveLength(3);

    type Result = Awaited<ReturnType<typeof shell>>;
    const [allowed, refused, wire] = (await Promise.all(commands.map((c) => shell(c)))) as [Result, Result, Result];
    expect(commands[0]).toContain("search_code");
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain('3 matches for "TODO"');
    expect(commands[1]).toContain("system_exec");
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain("refused: MCP error -32602: Unknown tool: system_exec");
    expect(commands[2]).toMatch(/^curl /);
    expect(wire.code).toBe(0);
    expect(JSON.parse(wire.stdout)).toEqual({ jsonrpc: "2.0", id: 1, error: { code: -32602, message: "Unknown tool: delete_repo" } });

    // The demo logged the decisions as they happened.
    await expect.poll(() => out.includes('"decision":"deny","reason":"tool_not_allowed","method":"tools/call","tool":"system_exec"'), { timeout: 5000 }).toBe(true);
    expect(out).toContain('"decision":"allow","reason":"allowed","method":"tools/call","tool":"search_code"');
  } finally {
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    clearTimeout(killer);
  }
});
