// The second opinion on a policy: the module's own proxy_on_configure, run in the Envoy-like host exactly as
// Istio would hand it the pluginConfig. Its refusal names a field; that field is located in the file.
import { ProxyWasmHost, type LogEntry } from "../../host/index.ts";
import type { LoadedPolicy } from "./load.ts";
import { fieldPath, type Problem } from "./problem.ts";

export interface ModuleVerdict {
  configured: boolean;
  problems: Problem[];
  /** Warnings the module logged (e.g. an empty allowlist). */
  warnings: string[];
  /** The module's own summary line when it accepted the configuration. */
  summary?: string;
}

const PREFIX = /^mcp-guard: /;

export async function checkWithModule(policy: LoadedPolicy, module: Uint8Array): Promise<ModuleVerdict> {
  const host = await ProxyWasmHost.start({ module, pluginConfig: policy.json, logLevel: 2 });
  // The module's own words only (the host adds e.g. "Failed to configure base Wasm plugin", as Envoy does).
  const messages = (level: (l: LogEntry) => boolean) => host.logs.filter((l) => l.source === "module" && level(l)).map((l) => l.message.replace(PREFIX, ""));
  const warnings = messages((l) => l.level === 3);
  const errors = messages((l) => l.level >= 4);
  const summary = messages((l) => l.level === 2 && /configured/.test(l.message))[0];
  host.shutdown();
  if (host.configured) return { configured: true, problems: [], warnings, ...(summary ? { summary } : {}) };
  const problems = (errors.length > 0 ? errors : ["on_configure returned false without a message"]).map((message) => toProblem(policy, message));
  return { configured: false, problems, warnings };
}

function toProblem(policy: LoadedPolicy, message: string): Problem {
  const named = /field "([^"]*)"/.exec(message);
  const field = named?.[1] ?? "";
  const expected = /: (expected .*)$/.exec(message)?.[1];
  const at = policy.locate(fieldPath(field));
  return {
    source: "module",
    field,
    message: message.replace(/^invalid plugin configuration: /, "").replace(/^field "[^"]*": /, ""),
    ...(expected ? { fix: expected.replace(/^expected /, "use ") } : {}),
    ...(at ? { line: at.line, column: at.column } : {}),
  };
}
