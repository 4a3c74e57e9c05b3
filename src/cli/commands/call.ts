// mcp-guard call --url URL TOOL [ARGS]: one tools/call with the official MCP SDK client (initialize, session id,
// the call, close), to try a gateway or a server by hand.
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import type { Command } from "commander";
import { EXIT, UsageError, type ExitCode } from "../exit.ts";
import { serverTarget, withMcpClient, type ServerFlags } from "../mcp-client.ts";
import { collectHeader, printJson } from "../options.ts";

interface CallFlags extends ServerFlags {
  url: string;
  json?: boolean;
}

export function registerCall(program: Command, run: (action: () => Promise<ExitCode>) => Promise<void>): void {
  program
    .command("call")
    .summary("call one tool through a gateway (or any MCP server) with the official SDK client")
    .description(
      "Connects with the official MCP SDK client (initialize, then the session id on every request), calls one\n" +
        "tool, prints the result, and closes the session. Exit 0 on a result, 1 when the call was refused (a\n" +
        "JSON-RPC error such as -32602 Unknown tool, or a result with isError), 2 on usage errors, 3 when the\n" +
        "server cannot be reached.",
    )
    .argument("<tool>", "tool name")
    .argument("[arguments]", "tool arguments as a JSON object", "{}")
    .requiredOption("--url <url>", "MCP endpoint, e.g. http://127.0.0.1:8080/mcp (legacy transport: the /sse URL)")
    .option("--transport <kind>", "streamable (Streamable HTTP) or sse (legacy HTTP+SSE)", "streamable")
    .option("-H, --header <header>", "extra request header, repeatable", collectHeader)
    .option("--timeout <ms>", "give up after this many milliseconds", "10000")
    .option("--json", "print the result (or error) as JSON")
    .addHelpText("after", "\nExamples:\n  npx mcp-guard call --url http://127.0.0.1:8080/mcp search_code '{\"query\":\"TODO\"}'\n  npx mcp-guard call --url http://127.0.0.1:8080/sse --transport sse get_pull_request '{\"number\":42}'")
    .action((tool: string, args: string, flags: CallFlags) => run(() => call(tool, args, flags)));
}

async function call(tool: string, argsText: string, flags: CallFlags): Promise<ExitCode> {
  let args: unknown;
  try {
    args = JSON.parse(argsText);
  } catch (error) {
    throw new UsageError(`tool arguments must be a JSON object, e.g. '{"query":"TODO"}': ${(error as Error).message}`);
  }
  if (typeof args !== "object" || args === null || Array.isArray(args)) throw new UsageError(`tool arguments must be a JSON object, got ${argsText}`);
  const target = serverTarget("--url", flags.url, flags);
  return withMcpClient(target, "mcp-guard-cli", async (client) => {
    try {
      const result = await client.callTool({ name: tool, arguments: args as Record<string, unknown> }, undefined, { timeout: target.timeoutMs });
      if (flags.json) printJson({ tool, result });
      else printContent(result.content);
      return result.isError ? EXIT.REFUSED : EXIT.OK;
    } catch (error) {
      const refusal = refusalOf(error);
      if (!refusal) {
        console.error(`mcp-guard: ${tool} failed: ${(error as Error).message}`);
        return EXIT.FAILURE;
      }
      if (flags.json) printJson({ tool, error: refusal });
      else console.log(`refused: ${refusal.message}`);
      return EXIT.REFUSED;
    }
  });
}

/** A JSON-RPC error answer, or the SDK's report of a refused POST (legacy transport with deny_status 403). */
function refusalOf(error: unknown): { code?: number; message: string } | undefined {
  if (error instanceof McpError && error.code !== -32001) return { code: error.code, message: error.message };
  const message = (error as Error).message ?? "";
  if (/\(HTTP 4\d\d\)/.test(message)) return { message };
  return undefined;
}

function printContent(content: unknown): void {
  for (const item of Array.isArray(content) ? content : []) {
    const part = item as { type?: string; text?: string };
    console.log(part.type === "text" ? part.text : JSON.stringify(part));
  }
}
