// Which code answers which context id.
//
// Root ids: a module registers one factory per root id (Envoy's root_id = Istio's WasmPlugin pluginName). When
// the host creates a root context, the registry reads the property `plugin_root_id` (empty or absent →
// DEFAULT_ROOT_ID) and calls the matching factory. An unknown root id gets a root context that logs one error
// naming the registered ids and rejects its configuration, so a misnamed plugin fails loudly at load time
// instead of silently passing traffic.
//
// Context ids: the host numbers contexts; root and stream contexts are kept in two maps and removed on
// proxy_on_delete, so per-stream memory is released with the stream.
import { HttpContext, RootContext, RootContextFactory } from "./context";
import { LogLevel } from "./enums";
import { log } from "./log";
import { getPropertyString } from "./properties";
import { utf8 } from "./text";

export const DEFAULT_ROOT_ID = "mcp-guard";

class Registration {
  constructor(public rootId: string, public factory: RootContextFactory) {}
}

const registrations = new Array<Registration>();
const roots = new Map<u32, RootContext>();
const streams = new Map<u32, HttpContext>();

/** Registers the root context factory for `rootId` (a second registration of the same id replaces the first).
 * Call it at module start (top level of the entry file). */
export function registerRootContext(rootId: string, factory: RootContextFactory): void {
  for (let i = 0; i < registrations.length; i++) {
    if (registrations[i].rootId == rootId) {
      registrations[i].factory = factory;
      return;
    }
  }
  registrations.push(new Registration(rootId, factory));
}

/** Ids registered so far, in registration order. */
export function registeredRootIds(): Array<string> {
  const ids = new Array<string>();
  for (let i = 0; i < registrations.length; i++) ids.push(registrations[i].rootId);
  return ids;
}

/** Root context given to an unknown root id: refuses configuration with one clear log line. */
class UnknownRootContext extends RootContext {
  onConfigure(pluginConfigurationSize: i32): bool {
    const ids = registeredRootIds();
    let known = "";
    for (let i = 0; i < ids.length; i++) {
      if (i > 0) known += ", ";
      known += "\"" + ids[i] + "\"";
    }
    if (ids.length == 0) known = "(none)";
    log(LogLevel.Error, utf8("abi: no root context is registered for plugin_root_id \"") + this.rootId +
      utf8("\" (registered: ") + known + utf8("); configuration rejected"));
    return false;
  }
}

/** proxy_on_context_create(id, 0): creates the root context for the plugin being started. */
export function createRootContext(contextId: u32): RootContext {
  let rootId = getPropertyString(["plugin_root_id"]);
  if (rootId === null || rootId.length == 0) rootId = DEFAULT_ROOT_ID;
  let root: RootContext | null = null;
  for (let i = 0; i < registrations.length; i++) {
    const registration = registrations[i];
    if (registration.rootId == rootId) {
      root = registration.factory(contextId, rootId);
      break;
    }
  }
  if (root === null) root = new UnknownRootContext(contextId, rootId);
  roots.set(contextId, root);
  return root;
}

/** proxy_on_context_create(id, parent): creates the stream context through the parent root. A root that does
 * not filter HTTP (createHttpContext → null) gets a base HttpContext, which passes everything through.
 * Returns null only when the parent is unknown. */
export function createHttpContext(contextId: u32, parentId: u32): HttpContext | null {
  const root = getRootContext(parentId);
  if (root === null) return null;
  let stream = root.createHttpContext(contextId);
  if (stream === null) stream = new HttpContext(contextId, root);
  streams.set(contextId, stream);
  return stream;
}

/** The root context with this id, or null. */
export function getRootContext(contextId: u32): RootContext | null {
  return roots.has(contextId) ? roots.get(contextId) : null;
}

/** The stream context with this id, or null (e.g. to reach the paused stream from onHttpCallResponse). */
export function getHttpContext(contextId: u32): HttpContext | null {
  return streams.has(contextId) ? streams.get(contextId) : null;
}

/** Forgets a context (proxy_on_delete). */
export function removeContext(contextId: u32): void {
  if (streams.has(contextId)) streams.delete(contextId);
  if (roots.has(contextId)) roots.delete(contextId);
}

/** Number of live contexts (roots + streams); exposed for leak tests. */
export function liveContextCount(): i32 {
  return roots.size + streams.size;
}
