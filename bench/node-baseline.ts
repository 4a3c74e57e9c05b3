// The Node baseline: what a JavaScript guard would do with the same body (decode, JSON.parse, the same
// allowlist decision). It is weaker than the module (JSON.parse takes the last duplicate key and does not
// reject lone surrogates), so it is a speed baseline, not a correctness one.
const decoder = new TextDecoder("utf-8", { fatal: true });

export class NodeBaselineGuard {
  private readonly exact = new Set<string>();
  private readonly patterns: RegExp[] = [];

  constructor(allowlist: string[]) {
    for (const entry of allowlist) {
      if (/[*?]/.test(entry)) this.patterns.push(new RegExp("^" + entry.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".") + "$"));
      else this.exact.add(entry);
    }
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
    const name = params.name;
    return this.exact.has(name) || this.patterns.some((p) => p.test(name));
  }
}
