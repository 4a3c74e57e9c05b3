// mcp-guard check POLICY: the JSON Schema and the module's on_configure, problems at their line.
import type { Command } from "commander";
import { loadModule } from "../../gateway/index.ts";
import { EXIT, type ExitCode } from "../exit.ts";
import { printJson } from "../options.ts";
import { SCHEMA_PATH, checkPolicyFile, formatProblem } from "../policy/index.ts";

interface CheckFlags {
  json?: boolean;
  module?: string;
}

export function registerCheck(program: Command, run: (action: () => Promise<ExitCode>) => Promise<void>): void {
  program
    .command("check")
    .summary("validate a policy file (JSON Schema + the module's own on_configure)")
    .description(
      "Validates a policy file — YAML or JSON; the pluginConfig of the WasmPlugin, or a whole WasmPlugin whose\n" +
        `spec.pluginConfig is checked — against the published JSON Schema (${SCHEMA_PATH.replace(process.cwd() + "/", "")})\n` +
        "and against the module's own on_configure, run in the Envoy-like host. Each problem names the line, the\n" +
        "field and the fix. Exit 0 when valid, 1 when not, 2 on usage errors, 3 when the module is missing.",
    )
    .argument("<policy>", "policy file (.yaml, .yml or .json; - for standard input)")
    .option("--json", "print the report as JSON")
    .option("--module <path>", "filter module to ask (default: build/mcp-guard.wasm)")
    .addHelpText("after", "\nExamples:\n  npx mcp-guard check examples/policy.yaml\n  npx mcp-guard check --json examples/broken/typo.yaml")
    .action((file: string, flags: CheckFlags) =>
      run(async () => {
        const { report } = await checkPolicyFile(file, loadModule(flags.module));
        if (flags.json) {
          printJson(report);
        } else if (report.valid) {
          console.log(`${file}: valid (JSON Schema and module on_configure)`);
          if (report.summary) console.log(`  module: ${report.summary}`);
          for (const warning of report.warnings) console.log(`  warning: ${warning}`);
        } else {
          for (const problem of report.problems) console.log(formatProblem(file, problem));
          console.log(`${file}: invalid (${report.problems.length} problem${report.problems.length === 1 ? "" : "s"})`);
        }
        return report.valid ? EXIT.OK : EXIT.REFUSED;
      }),
    );
}
