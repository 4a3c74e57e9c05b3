// JSONTestSuite (shared/jsontestsuite/test_parsing): every y_ file accepted, every n_ file rejected, every i_
// file decided as the table in docs/json-reader.md says. One wasm instance runs all files in sequence, so a
// trap on any file would break the files after it (a trapped AssemblyScript instance is left inconsistent).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { canonicalOf, JsonError, JsonWasm } from "./json-harness.ts";

// CI and developers have shared/ beside the repository.
const suiteDir = process.env.JSONTESTSUITE_DIR ?? "../shared/jsontestsuite/test_parsing";

// y_ files that a default JsonDocument rejects on purpose: RFC 8259 only says names SHOULD be unique, but a
// guard must not read a different member than the server (JSON.parse keeps the last one). They are accepted
// with rejectDuplicateKeys = false (checked below).
const DUPLICATE_KEY_FILES = new Set(["y_object_duplicated_key.json", "y_object_duplicated_key_and_value.json"]);

interface Decision {
  accepted: boolean;
  error: JsonError;
}

/** The i_ decision table of docs/json-reader.md: | `file` | accepted/rejected | Error | why |. */
function decisionTable(): Map<string, Decision> {
  const doc = readFileSync("docs/json-reader.md", "utf8");
  const table = new Map<string, Decision>();
  for (const line of doc.split("\n")) {
    const m = /^\|\s*`(i_[^`]+)`\s*\|\s*(accepted|rejected)\s*\|\s*(\w+)\s*\|/.exec(line);
    if (!m) continue;
    const error = JsonError[m[3] as keyof typeof JsonError];
    table.set(m[1]!, { accepted: m[2] === "accepted", error });
  }
  return table;
}

const files = readdirSync(suiteDir).filter((f) => f.endsWith(".json")).sort();

describe("JSONTestSuite", () => {
  let wasm: JsonWasm;
  beforeAll(() => {
    wasm = JsonWasm.load();
  });

  it("has the expected files", () => {
    expect(files.filter((f) => f.startsWith("y_")).length).toBe(95);
    expect(files.filter((f) => f.startsWith("n_")).length).toBe(188);
    expect(files.filter((f) => f.startsWith("i_")).length).toBe(35);
  });

  it("accepts every y_ file with the structure JSON.parse sees", () => {
    for (const f of files.filter((name) => name.startsWith("y_"))) {
      const bytes = readFileSync(join(suiteDir, f));
      const error = wasm.parse(bytes);
      if (DUPLICATE_KEY_FILES.has(f)) {
        expect(error, f).toBe(JsonError.DuplicateKey);
        continue;
      }
      expect(error, f).toBe(JsonError.None);
      const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
      expect(wasm.canonical(wasm.x.root()), f).toEqual(canonicalOf(JSON.parse(text)));
    }
  });

  it("accepts the duplicate-key y_ files when duplicates are allowed, and get() returns the last value", () => {
    wasm.setLimits({ rejectDuplicateKeys: false });
    try {
      for (const f of DUPLICATE_KEY_FILES) {
        const bytes = readFileSync(join(suiteDir, f));
        expect(wasm.parse(bytes), f).toBe(JsonError.None);
        const parsed = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
        expect(wasm.getString(wasm.get(wasm.x.root(), "a"))).toBe(parsed.a);
      }
    } finally {
      wasm.resetLimits();
    }
  });

  it("rejects every n_ file", () => {
    for (const f of files.filter((name) => name.startsWith("n_"))) {
      const error = wasm.parse(readFileSync(join(suiteDir, f)));
      expect(error, f).not.toBe(JsonError.None);
      expect(wasm.x.root(), f).toBe(-1);
      expect(wasm.x.errorOffset(), f).toBeGreaterThanOrEqual(0);
    }
  });

  it("decides every i_ file as documented in docs/json-reader.md", () => {
    const table = decisionTable();
    const iFiles = files.filter((name) => name.startsWith("i_"));
    expect([...table.keys()].sort()).toEqual(iFiles);
    for (const f of iFiles) {
      const decision = table.get(f)!;
      const bytes = readFileSync(join(suiteDir, f));
      const error = wasm.parse(bytes);
      expect(error, f).toBe(decision.accepted ? JsonError.None : decision.error);
      if (decision.accepted) {
        // The accepted i_ files are numbers beyond double range or precision: same value as JSON.parse.
        const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
        expect(wasm.canonical(wasm.x.root()), f).toEqual(canonicalOf(JSON.parse(text)));
      }
    }
  });

  it("still works after all files (no trap, nothing logged)", () => {
    expect(wasm.parse('{"ok":[1,2,3]}')).toBe(JsonError.None);
    expect(wasm.x.length(wasm.get(wasm.x.root(), "ok"))).toBe(3);
    expect(wasm.logs).toEqual([]);
  });
});
