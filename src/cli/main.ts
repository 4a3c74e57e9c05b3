// The mcp-guard command line (README "CLI reference"): serve, eval, check, render, call, pin, package, approve.
import { Command, CommanderError } from "commander";
import { GatewayConfigError, ModuleNotFoundError } from "../gateway/index.ts";
import { registerApprove } from "./commands/approve.ts";
import { registerCall } from "./commands/call.ts";
import { registerCheck } from "./commands/check.ts";
import { registerEval } from "./commands/eval.ts";
import { registerPackage } from "./commands/package.ts";
import { registerPin } from "./commands/pin.ts";
import { InvalidPolicyError } from "./commands/policy-gate.ts";
import { registerRender } from "./commands/render.ts";
import { registerServe } from "./commands/serve.ts";
import { EXIT, UsageError, type ExitCode } from "./exit.ts";
import { formatProblem } from "./policy/index.ts";

/** Runs a command's action and turns its outcome (or failure) into the process exit code. */
async function run(action: () => Promise<ExitCode>): Promise<void> {
  try {
    process.exitCode = await action();
  } catch (error) {
    process.exitCode = reportFailure(error);
  }
}

function reportFailure(error: unknown): ExitCode {
  if (error instanceof UsageError) {
    console.error(`mcp-guard: ${error.message}\n(see --help)`);
    return EXIT.USAGE;
  }
  if (error instanceof InvalidPolicyError) {
    for (const problem of error.report.problems) console.error(formatProblem(error.report.file, problem));
    console.error(`${error.report.file}: invalid policy (run \`mcp-guard check ${error.report.file}\` for details)`);
    return EXIT.REFUSED;
  }
  if (error instanceof GatewayConfigError) {
    console.error(`mcp-guard: ${error.message}`);
    return EXIT.REFUSED;
  }
  if (error instanceof ModuleNotFoundError) {
    console.error(`mcp-guard: ${error.message}`);
    return EXIT.FAILURE;
  }
  console.error(`mcp-guard: ${(error as Error).message ?? String(error)}`);
  return EXIT.FAILURE;
}

export function buildProgram(): Command {
  const program = new Command("mcp-guard")
    .description("Guard MCP servers: the mcp-guard proxy-wasm filter, run locally, checked and rendered for Istio.")
    .version("0.1.0")
    .showSuggestionAfterError()
    .addHelpText(
      "after",
      "\nExit codes: 0 ok; 1 policy refusal or validation failure; 2 usage error; 3 could not run (module missing,\n" +
        "port in use, server unreachable). Every command has --help and --json.",
    );
  registerServe(program, run);
  registerEval(program, run);
  registerCheck(program, run);
  registerRender(program, run);
  registerCall(program, run);
  registerApprove(program, run);
  registerPin(program, run);
  registerPackage(program, run);
  program.exitOverride();
  for (const command of program.commands) command.exitOverride();
  return program;
}

export async function main(argv: readonly string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version print and exit 0; everything else commander reports is a usage error.
      process.exitCode = error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
      return;
    }
    process.exitCode = reportFailure(error);
  }
}

await main(process.argv.slice(2));
