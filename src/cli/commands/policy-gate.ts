// Commands that run a policy (serve, eval, render) first make sure it is valid, with the same checks as `check`.
import { loadModule } from "../../gateway/index.ts";
import { checkPolicyFile, type LoadedPolicy, type PolicyReport } from "../policy/index.ts";

/** The policy is invalid: the CLI prints the report and exits 1. */
export class InvalidPolicyError extends Error {
  constructor(readonly report: PolicyReport) {
    super(`invalid policy ${report.file}`);
    this.name = "InvalidPolicyError";
  }
}

export interface ValidPolicy {
  policy: LoadedPolicy;
  report: PolicyReport;
  module: Uint8Array;
}

export async function requireValidPolicy(file: string, modulePath: string | undefined): Promise<ValidPolicy> {
  const module = loadModule(modulePath);
  const { report, policy } = await checkPolicyFile(file, module);
  if (!report.valid || !policy) throw new InvalidPolicyError(report);
  return { policy, report, module };
}
