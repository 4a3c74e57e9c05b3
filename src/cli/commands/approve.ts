// mcp-guard approve: mints an approval token for one destructive call (approval.mode "token"), as an approval
// service would after a human said yes. For testing and for wiring such a service: the module accepts exactly
// these tokens (src/approval/token.ts mirrors assembly/guard/approval_token.ts).
import type { Command } from "commander";
import { argumentsDigest, mintApprovalToken } from "../../approval/token.ts";
import { EXIT, UsageError, type ExitCode } from "../exit.ts";
import { printJson } from "../options.ts";

interface ApproveFlags {
  user: string;
  tool: string;
  args?: string;
  ttl: string;
  keyEnv: string;
  json?: boolean;
}

export function registerApprove(program: Command, run: (action: () => Promise<ExitCode>) => Promise<void>): void {
  program
    .command("approve")
    .summary("mint an approval token for one destructive tool call")
    .description(
      "Prints a token that approves exactly one user calling one tool with these arguments until it expires\n" +
        "(HMAC-SHA256, the key read from an environment variable, as the module reads it from vmConfig.env).\n" +
        "Send it in the x-mcp-approval header (approval.token_header). Exit 0, 2 on usage errors.",
    )
    .requiredOption("--user <identity>", "the verified user identity the call will carry (e.g. the JWT sub)")
    .requiredOption("--tool <name>", "the tool to approve")
    .option("--args <json>", "the call's arguments as JSON (default {})")
    .option("--ttl <seconds>", "how long the token is valid", "300")
    .option("--key-env <name>", "environment variable holding the approval key", "MCP_GUARD_APPROVAL_KEY")
    .option("--json", "print {token, expires, arguments_sha256}")
    .addHelpText("after", "\nExample:\n  MCP_GUARD_APPROVAL_KEY=$(cat key) npx mcp-guard approve --user alice --tool delete_repo --args '{\"repo\":\"acme/w\"}'")
    .action((flags: ApproveFlags) =>
      run(async () => {
        const key = process.env[flags.keyEnv];
        if (key === undefined || key.length < 32) throw new UsageError(`the approval key must be in the environment variable ${flags.keyEnv} (at least 32 characters), as the module needs it`);
        const ttl = Number(flags.ttl);
        if (!Number.isInteger(ttl) || ttl <= 0 || ttl > 86400 * 30) throw new UsageError(`--ttl: expected whole seconds from 1 to 2592000, got ${flags.ttl}`);
        let args: unknown = {};
        if (flags.args !== undefined) {
          try {
            args = JSON.parse(flags.args);
          } catch (error) {
            throw new UsageError(`--args: not valid JSON (${(error as Error).message})`);
          }
        }
        const now = Math.floor(Date.now() / 1000);
        const token = mintApprovalToken({ key, user: flags.user, tool: flags.tool, arguments: args, ttlSeconds: ttl, now });
        if (flags.json) printJson({ token, expires: now + ttl, arguments_sha256: `sha256:${argumentsDigest(args)}` });
        else console.log(token);
        return EXIT.OK;
      }),
    );
}
