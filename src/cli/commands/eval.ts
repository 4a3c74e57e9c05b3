// mcp-guard eval --config POLICY [FILE|-]: each JSON-RPC message through the module, with its decision.
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { identityProperties } from "../../gateway/index.ts";
import { evaluateMessages, splitMessages, type Evaluation } from "../evaluate.ts";
import { EXIT, UsageError, type ExitCode } from "../exit.ts";
import { addIdentityOptions, collectHeader, identityFrom, parseHeaders, printJson, type IdentityFlags } from "../options.ts";
import { requireValidPolicy } from "./policy-gate.ts";

interface EvalFlags extends IdentityFlags {
  config: string;
  header?: string[];
  protocolVersion?: string;
  json?: boolean;
  module?: string;
}

export function registerEval(program: Command, run: (action: () => Promise<ExitCode>) => Promise<void>): void {
  const command = program
    .command("eval")
    .summary("run JSON-RPC messages through the module and print each decision")
    .description(
      "Sends each message as the body of a POST /mcp through the module (one HTTP stream each, as a sidecar would)\n" +
        "and prints the decision: allow (the MCP server would receive it), deny (with the exact reply the client\n" +
        "gets) or would_deny (audit mode), and the reason from the module's decision log.\n" +
        "Input: one JSON value (may span lines), or JSONL — one message per line; blank lines and lines starting\n" +
        "with # are skipped. A line that is not JSON is sent as is (to see how malformed input is answered).\n" +
        "Exit 0 when every message was allowed, 1 when one was refused or the policy is invalid, 2 on usage errors.",
    )
    .argument("[file]", "message file (JSON or JSONL); - or nothing for standard input", "-")
    .requiredOption("-c, --config <policy>", "policy file (YAML or JSON)")
    .option("-H, --header <header>", "extra request header, repeatable, e.g. 'mcp-protocol-version: 2025-03-26'", collectHeader)
    .option("--protocol-version <version>", "shorthand for --header 'mcp-protocol-version: VERSION'")
    .option("--json", "print the decisions as JSON")
    .option("--module <path>", "filter module (default: build/mcp-guard.wasm)");
  addIdentityOptions(command)
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  npx mcp-guard eval --config examples/policy.yaml examples/seed-traffic.jsonl\n" +
        `  echo '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"system_exec"}}' | npx mcp-guard eval -c examples/policy.yaml`,
    )
    .action((file: string, flags: EvalFlags) =>
      run(async () => {
        const headers = parseHeaders(flags.header);
        if (flags.protocolVersion) headers.push(["mcp-protocol-version", flags.protocolVersion]);
        const properties = identityProperties(identityFrom(flags));
        const { policy, module } = await requireValidPolicy(flags.config, flags.module);
        let text: string;
        try {
          text = readFileSync(file === "-" ? 0 : file, "utf8");
        } catch (error) {
          throw new UsageError(`cannot read ${file === "-" ? "standard input" : file}: ${(error as Error).message}`);
        }
        const messages = splitMessages(text);
        if (messages.length === 0) throw new UsageError(`no message in ${file === "-" ? "standard input" : file}`);
        const results = await evaluateMessages(messages, { module, pluginConfig: policy.json, headers, properties });
        if (flags.json) printJson({ config: flags.config, results });
        else printHuman(results);
        return results.some((r) => r.decision === "deny") ? EXIT.REFUSED : EXIT.OK;
      }),
    );
}

function printHuman(results: readonly Evaluation[]): void {
  for (const r of results) {
    const what = [r.method, r.tool].filter(Boolean).join(" ") || "(no method)";
    const label = r.decision === "allow" ? "ALLOW" : r.decision === "deny" ? "DENY" : "WOULD_DENY";
    const reason = r.reason && r.reason !== "allowed" ? ` — ${r.reason}` : "";
    console.log(`line ${r.line}: ${label} ${what}${reason}`);
    console.log(`    request: ${clip(r.request)}`);
    if (r.reply) console.log(`    reply:   HTTP ${r.reply.status} ${r.reply.body}`);
    else console.log(`    forwarded to the MCP server`);
  }
  const refused = results.filter((r) => r.decision === "deny").length;
  const audited = results.filter((r) => r.decision === "would_deny").length;
  console.log(`${results.length} message${results.length === 1 ? "" : "s"}: ${results.length - refused - audited} allowed, ${refused} refused${audited ? `, ${audited} would be refused (audit)` : ""}`);
}

function clip(text: string): string {
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}
