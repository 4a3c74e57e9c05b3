// The import table: which host function answers module.name for a given ABI version. Anything else makes
// the host refuse the module, naming the import (as Envoy does with "missing import").
import { proxyHostFunctions } from "./imports-proxy.ts";
import { wasiHostFunctions } from "./imports-wasi.ts";
import type { Runtime } from "./runtime.ts";
import { ENV_IMPORTS, WASI_IMPORTS, WASI_MODULES, envImportAvailable, type AbiVersion } from "./signatures.ts";
import type { HostFunction, ImportResolver } from "./vm.ts";

export function createImportResolver(rt: Runtime): ImportResolver {
  const env = proxyHostFunctions(rt);
  const wasi = wasiHostFunctions(rt);
  return {
    resolve(module: string, name: string, abi: AbiVersion): { fn: HostFunction; signature: string } | undefined {
      if (module === "env") {
        const fn = env[name];
        const signature = ENV_IMPORTS[name];
        return fn && signature && envImportAvailable(name, abi) ? { fn, signature } : undefined;
      }
      if ((WASI_MODULES as readonly string[]).includes(module)) {
        const fn = wasi[name];
        const signature = WASI_IMPORTS[name];
        return fn && signature ? { fn, signature } : undefined;
      }
      return undefined;
    },
  };
}
