// mcp-guard render --config POLICY --image oci://REF: the Istio WasmPlugin that deploys the policy.
import type { Command } from "commander";
import { lintWasmPlugin, renderWasmPlugin, toYaml, type RenderWasmPluginOptions, type WasmPluginObject } from "../../render/wasmplugin.ts";
import { EXIT, UsageError, type ExitCode } from "../exit.ts";
import { printJson } from "../options.ts";
import { requireValidPolicy } from "./policy-gate.ts";

interface RenderFlags {
  config: string;
  image: string;
  sha256?: string;
  name?: string;
  namespace?: string;
  selector?: string[];
  json?: boolean;
  module?: string;
}

export function registerRender(program: Command, run: (action: () => Promise<ExitCode>) => Promise<void>): void {
  program
    .command("render")
    .summary("print the Istio WasmPlugin for a policy")
    .description(
      "Checks the policy (as `check` does) and prints a complete Istio WasmPlugin (extensions.istio.io/v1alpha1):\n" +
        "pluginName mcp-guard (the module's root id), phase AUTHZ (after authentication, where JWT claims are\n" +
        "visible), failStrategy FAIL_CLOSE, inbound traffic only, and the policy as pluginConfig. Warnings (no\n" +
        "selector, no sha256 pin) go to standard error. Exit 0, 1 when the policy is invalid, 2 on usage errors.",
    )
    .requiredOption("-c, --config <policy>", "policy file (YAML or JSON)")
    .requiredOption("--image <ref>", "module image, e.g. oci://ghcr.io/acme/mcp-guard:0.1.0 (https:// and file:// URLs too)")
    .option("--sha256 <digest>", "manifest digest that pins the image (sha256:HEX or HEX)")
    .option("--name <name>", "metadata.name (default mcp-guard)")
    .option("-n, --namespace <namespace>", "metadata.namespace")
    .option("--selector <label=value>", "matchLabels of the workloads to guard, repeatable", (v: string, prev: string[] = []) => [...prev, v])
    .option("--json", "print JSON instead of YAML")
    .option("--module <path>", "filter module used to check the policy (default: build/mcp-guard.wasm)")
    .addHelpText(
      "after",
      "\nExample:\n  npx mcp-guard render -c examples/policy.yaml --image oci://ghcr.io/acme/mcp-guard:0.1.0 \\\n    --sha256 sha256:<manifest digest> -n tools --selector app=github-mcp > wasmplugin.yaml",
    )
    .action((flags: RenderFlags) =>
      run(async () => {
        const selector = parseSelector(flags.selector ?? []);
        const { policy } = await requireValidPolicy(flags.config, flags.module);
        const options: RenderWasmPluginOptions = { pluginConfig: (policy.config ?? {}) as object, image: flags.image };
        if (flags.sha256 !== undefined) options.sha256 = flags.sha256;
        if (flags.name !== undefined) options.name = flags.name;
        if (flags.namespace !== undefined) options.namespace = flags.namespace;
        if (selector) options.selector = selector;
        let plugin: WasmPluginObject;
        try {
          plugin = renderWasmPlugin(options);
        } catch (error) {
          throw new UsageError((error as Error).message);
        }
        for (const warning of lintWasmPlugin(plugin)) console.error(`warning: ${warning}`);
        if (flags.json) printJson(plugin);
        else process.stdout.write(toYaml(plugin));
        return EXIT.OK;
      }),
    );
}

function parseSelector(values: readonly string[]): Record<string, string> | undefined {
  if (values.length === 0) return undefined;
  const labels: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf("=");
    if (eq <= 0) throw new UsageError(`--selector must look like label=value, got ${JSON.stringify(value)}`);
    labels[value.slice(0, eq)] = value.slice(eq + 1);
  }
  return labels;
}
