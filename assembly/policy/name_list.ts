// A list of names (tools, methods) written as exact names or glob patterns. Exact names live in a hash set,
// so looking one up costs the same whether the list holds ten names or ten thousand; only patterns are
// scanned one by one.
import { globMatch, isGlob } from "./glob";

export class NameList {
  private exact: Set<string> = new Set<string>();
  private patterns: Array<string> = new Array<string>();

  add(entry: string): void {
    if (isGlob(entry)) this.patterns.push(entry);
    else this.exact.add(entry);
  }

  // The exact (non-glob) names, in the order they were added.
  exactNames(): Array<string> {
    return this.exact.values();
  }

  get size(): i32 {
    return this.exact.size + this.patterns.length;
  }

  matches(name: string): bool {
    if (this.exact.has(name)) return true;
    const patterns = this.patterns;
    for (let i = 0; i < patterns.length; i++) {
      if (globMatch(patterns[i], name)) return true;
    }
    return false;
  }
}
