// What servers said about their tools' side effects (MCP annotations), remembered per tool by the VM from the
// tools/list results it filtered. The spec says not to trust annotations from untrusted servers, so a hint can
// only make a tool *more* guarded: a tool is destructive unless the server said readOnlyHint: true or
// destructiveHint: false — and name patterns apply whatever the hint says.
// (Two sets rather than a Map<string, bool>: the module already carries Set<string>, and a map of another value
// type would add its own copy of the hash table code.)
export class ToolHints {
  private listed: Set<string> = new Set<string>();
  private destructive: Set<string> = new Set<string>();
  // Changes whenever a hint is recorded, so a caller may remember an answer until then.
  version: i32 = 0;

  // 1 destructive, 0 not, -1 never listed.
  hint(tool: string): i32 {
    if (!this.listed.has(tool)) return -1;
    return this.destructive.has(tool) ? 1 : 0;
  }

  record(tool: string, destructive: bool): void {
    this.listed.add(tool);
    if (destructive) this.destructive.add(tool);
    else this.destructive.delete(tool);
    this.version++;
  }
}
