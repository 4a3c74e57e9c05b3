// Policy files for the CLI and the demo: load (YAML/JSON, bare pluginConfig or a WasmPlugin), check against the
// JSON Schema and the module's on_configure, report problems at their line.
import { UsageError } from "../exit.ts";
import { checkWithModule } from "./module-check.ts";
import { loadPolicyFile, type LoadedPolicy } from "./load.ts";
import type { Problem } from "./problem.ts";
import { checkSchema } from "./schema.ts";

export { PolicyFileError, loadPolicyFile, parsePolicy, type LoadedPolicy } from "./load.ts";
export { formatProblem, type Problem } from "./problem.ts";
export { SCHEMA_PATH, checkSchema } from "./schema.ts";
export { checkWithModule } from "./module-check.ts";

export interface PolicyReport {
  file: string;
  valid: boolean;
  problems: Problem[];
  warnings: string[];
  summary?: string;
  /** The pluginConfig as the module receives it. */
  pluginConfig: string;
}

/** Both checks on a loaded policy (the file already parsed). */
export async function checkPolicy(policy: LoadedPolicy, module: Uint8Array): Promise<PolicyReport> {
  const schemaProblems = checkSchema(policy);
  const verdict = await checkWithModule(policy, module);
  const problems = [...schemaProblems, ...verdict.problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return {
    file: policy.file,
    valid: problems.length === 0,
    problems,
    warnings: verdict.warnings,
    ...(verdict.summary ? { summary: verdict.summary } : {}),
    pluginConfig: policy.json,
  };
}

/** Loads and checks a policy file; file and syntax problems come back as an invalid report. */
export async function checkPolicyFile(file: string, module: Uint8Array): Promise<{ report: PolicyReport; policy?: LoadedPolicy }> {
  try {
    const policy = loadPolicyFile(file);
    return { report: await checkPolicy(policy, module), policy };
  } catch (error) {
    const problems = (error as { problems?: Problem[] }).problems;
    if (!problems) throw error;
    if (problems[0]?.source === "file") throw new UsageError(problems[0].message);
    return { report: { file, valid: false, problems, warnings: [], pluginConfig: "" } };
  }
}
