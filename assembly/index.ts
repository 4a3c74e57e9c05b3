// mcp-guard: the module Envoy loads. The ABI callbacks come from our proxy-wasm layer; this file only registers
// the guard's root context under its root id (Istio's WasmPlugin `pluginName`, default "mcp-guard").
import { DEFAULT_ROOT_ID, RootContext, registerRootContext } from "./abi";
import { GuardRootContext } from "./guard/root";

export * from "./abi/exports";

function createGuardRoot(contextId: u32, rootId: string): RootContext {
  return new GuardRootContext(contextId, rootId);
}

registerRootContext(DEFAULT_ROOT_ID, createGuardRoot);
