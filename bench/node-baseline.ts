// The Node baselines: what a JavaScript guard would do with the same bytes. They are weaker than the module
// (JSON.parse takes the last duplicate key, accepts lone surrogates and decodes invalid UTF-8 leniently unless
// told not to), so they are speed baselines, not correctness ones.
import { createParser } from "eventsource-parser";

const decoder = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

// Exact names in a Set, globs (`*`, `?`) as anchored regular expressions: the same rules as the module.
export class NodeAllowlist {
  private readonly exact = new Set<string>();
  private readonly patterns: RegExp[] = [];

  constructor(allowlist: readonly string[]) {
    for (const entry of allowlist) {
      if (/[*?]/.test(entry)) this.patterns.push(new RegExp("^" + entry.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".") + "$", "s"));
      else this.exact.add(entry);
    }
  }

  allows(name: string): boolean {
    return this.exact.has(name) || this.patterns.some((p) => p.test(name));
  }
}

// tools/call decision: TextDecoder + JSON.parse + the same allowlist decision.
export class NodeBaselineGuard {
  private readonly allowlist: NodeAllowlist;

  constructor(allowlist: readonly string[]) {
    this.allowlist = new NodeAllowlist(allowlist);
  }

  decide(body: Uint8Array): boolean {
    let message: unknown;
    try {
      message = JSON.parse(decoder.decode(body));
    } catch {
      return false;
    }
    if (typeof message !== "object" || message === null || Array.isArray(message)) return false;
    const m = message as { jsonrpc?: unknown; method?: unknown; params?: unknown };
    if (m.jsonrpc !== "2.0" || typeof m.method !== "string") return false;
    if (m.method !== "tools/call") return true;
    const params = m.params as { name?: unknown } | undefined;
    if (typeof params !== "object" || params === null || typeof params.name !== "string") return false;
    return this.allowlist.allows(params.name);
  }
}

interface ToolsListMessage {
  result?: { tools?: Array<{ name?: unknown }> };
}

// Removes the tools the allowlist does not allow from one parsed message; true when it changed.
function filterTools(message: unknown, allowlist: NodeAllowlist): boolean {
  const tools = (message as ToolsListMessage | null)?.result?.tools;
  if (!Array.isArray(tools)) return false;
  const kept = tools.filter((t) => typeof t === "object" && t !== null && typeof t.name === "string" && allowlist.allows(t.name));
  if (kept.length === tools.length) return false;
  (message as { result: { tools: unknown[] } }).result.tools = kept;
  return true;
}

// tools/list rewrite of a JSON body: TextDecoder + JSON.parse + filter + JSON.stringify + TextEncoder.
export class NodeListFilter {
  private readonly allowlist: NodeAllowlist;

  constructor(allowlist: readonly string[]) {
    this.allowlist = new NodeAllowlist(allowlist);
  }

  /** The bytes to send on (the input itself when nothing was removed). */
  filterJson(body: Uint8Array): Uint8Array {
    const message: unknown = JSON.parse(decoder.decode(body));
    return filterTools(message, this.allowlist) ? encoder.encode(JSON.stringify(message)) : body;
  }

  /**
   * The same on an event stream given in chunks: eventsource-parser cuts the events, each message event's
   * data is parsed, filtered and written back as one `data:` line. Returns the bytes to send on, per chunk.
   */
  filterSse(chunks: readonly Uint8Array[]): Uint8Array[] {
    const out: Uint8Array[] = [];
    let pending = "";
    const parser = createParser({
      onEvent: (event) => {
        const id = event.id !== undefined ? `id: ${event.id}\n` : "";
        const type = event.event !== undefined ? `event: ${event.event}\n` : "";
        let data = event.data;
        if (event.event === undefined || event.event === "message") {
          const message: unknown = JSON.parse(data);
          if (filterTools(message, this.allowlist)) data = JSON.stringify(message);
        }
        pending += `${id}${type}data: ${data.replace(/\r\n|\r|\n/g, "\ndata: ")}\n\n`;
      },
    });
    const streamDecoder = new TextDecoder("utf-8", { fatal: true });
    for (const chunk of chunks) {
      parser.feed(streamDecoder.decode(chunk, { stream: true }));
      out.push(encoder.encode(pending));
      pending = "";
    }
    return out;
  }
}
