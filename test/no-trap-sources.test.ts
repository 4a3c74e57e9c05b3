// A trap in Envoy kills the VM for every later request. The module's sources must not contain the constructs
// that trap by design: `throw` (AssemblyScript aborts), `abort(`, `unreachable(` outside the abort handler,
// `unchecked(` indexing, and `assert(` (aborts when it fails).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

const TRAPPING = [/\bthrow\b/, /\babort\s*\(/, /\bunchecked\s*\(/, /\bassert\s*\(/, /\bunreachable\s*\(/];
// The one place allowed to trap: the replacement for AssemblyScript's abort, reached only by a bug.
const ALLOWED = new Set(["assembly/abi/runtime.ts"]);

describe("module sources", () => {
  it("contain no construct that traps by design", () => {
    const hits: string[] = [];
    for (const file of sources("assembly").filter((f) => !f.startsWith("assembly/testing/"))) {
      if (ALLOWED.has(file)) continue;
      readFileSync(file, "utf8").split("\n").forEach((line, i) => {
        const code = line.replace(/\/\/.*$/, "");
        if (TRAPPING.some((re) => re.test(code))) hits.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(hits).toEqual([]);
  });
});
