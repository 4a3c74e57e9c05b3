// A proxy-wasm module that filters nothing: the same ABI layer as the guard and a root context under the
// guard's root id whose streams answer Continue to every callback. The benchmark runs the same exchanges through
// it and through the guard, so the host's own cost (src/host plus the ABI layer's callbacks) is reported apart
// from the filter's.
import { DEFAULT_ROOT_ID, HttpContext, RootContext, registerRootContext } from "../abi";

export * from "../abi/exports";

class NoopRoot extends RootContext {
  createHttpContext(contextId: u32): HttpContext | null {
    return new HttpContext(contextId, this);
  }
}

function createNoopRoot(contextId: u32, rootId: string): RootContext {
  return new NoopRoot(contextId, rootId);
}

registerRootContext(DEFAULT_ROOT_ID, createNoopRoot);
