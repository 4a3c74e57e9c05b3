// Small readers of the host's records for the host tests.
import type { ProxyWasmHost, StreamEvent } from "../../src/host/index.ts";

export interface CallbackDetail {
  name: string;
  args: number[];
  result?: number;
  action?: string;
}

/** The callbacks in a timeline (optionally only those named `name`), in order. */
export function callbacks(events: StreamEvent[], name?: string): CallbackDetail[] {
  return events
    .filter((e) => e.kind === "callback")
    .map((e) => e.detail as CallbackDetail)
    .filter((d) => name === undefined || d.name === name);
}

/** The kinds of a timeline, in order (handy to check what happened before what). */
export function kinds(events: StreamEvent[]): string[] {
  return events.map((e) => e.kind);
}

/** The seq of the first event of `kind` (and matching `where`), or -1. */
export function seqOf(events: StreamEvent[], kind: string, where: (detail: unknown) => boolean = () => true): number {
  return events.find((e) => e.kind === kind && where(e.detail))?.seq ?? -1;
}

/** Messages the module logged. */
export function moduleLogs(host: ProxyWasmHost): string[] {
  return host.logs.filter((l) => l.source === "module").map((l) => l.message);
}

export const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

export const REQUEST = [
  [":method", "POST"],
  [":path", "/mcp"],
  [":authority", "server"],
  ["content-type", "application/json"],
] as Array<[string, string]>;
