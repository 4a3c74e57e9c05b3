// Exit codes of the mcp-guard CLI (README "CLI reference").
export const EXIT = {
  /** Success: the policy is valid, every message was allowed, the call returned a result. */
  OK: 0,
  /** A policy refusal or a validation failure: a message was refused, the policy is invalid, the call was refused. */
  REFUSED: 1,
  /** A usage error: unknown command or flag, missing or malformed argument. */
  USAGE: 2,
  /** Could not do the job: module missing, port in use, server unreachable. */
  FAILURE: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Bad command-line input: printed with the command's usage hint, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
