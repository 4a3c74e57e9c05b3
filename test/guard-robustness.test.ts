// The filter must never trap (a trap kills the VM for every later request) and never let through a message
// that a real server (JSON.parse, last duplicate key wins) would run as a forbidden tools/call. One VM takes
// every case, so a single trap anywhere fails the test.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SEED_CONFIG, post, startGuard } from "./helpers/guard.ts";
import { prng } from "./json-harness.ts";

const SUITE = fileURLToPath(new URL("../../shared/jsontestsuite/test_parsing/", import.meta.url));
const ALLOWED = new Set(SEED_CONFIG.tool_allowlist);

/** What a last-wins server would run, if the forwarded body is a forbidden tools/call. */
function forbiddenCall(forwarded: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(forwarded);
  } catch {
    return undefined;
  }
  const messages = Array.isArray(parsed) ? parsed : [parsed];
  for (const m of messages) {
    if (typeof m !== "object" || m === null) continue;
    const msg = m as { method?: unknown; params?: { name?: unknown } };
    if (msg.method === "tools/call") {
      const name = msg.params?.name;
      if (typeof name !== "string" || !ALLOWED.has(name)) return String(name);
    }
  }
  return undefined;
}

const SEEDS = [
  '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"search_code","arguments":{"q":"a\\"b","n":[1,2.5e3,-0.1]}}}',
  '{"jsonrpc":"2.0","id":"x","method":"tools/call","params":{"name":"system_exec","arguments":{}}}',
  '[{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_pull_request"}},{"jsonrpc":"2.0","method":"notifications/initialized"}]',
  '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"search_code","name":"system_exec"}}',
  '{"jsonrpc":"2.0","id":3,"method":"tools\\/call","params":{"n\\u0061me":"search\\u005fcode"}}',
  '{"jsonrpc":"2.0","id":4,"result":{"roots":[{"uri":"file:///ü","name":"\\ud83d\\ude00"}]}}',
];

const FRAGMENTS = ['"name"', '"n\\u0061me"', '"system_exec"', '"tools/call"', "\\u0000", "\\ud800", "\xff", "\xc3", "[", "]", "{", "}", ",", ":", '"', "\\", "1e999", "-0", " ", "\t", "\uFEFF", "𝄞"];

function mutate(seed: string, rand: () => number): Uint8Array {
  const bytes = Array.from(Buffer.from(seed, "utf8"));
  const steps = 1 + Math.floor(rand() * 4);
  for (let s = 0; s < steps; s++) {
    const at = Math.floor(rand() * (bytes.length + 1));
    const op = Math.floor(rand() * 5);
    if (op === 0 && bytes.length > 0) bytes.splice(at, 1 + Math.floor(rand() * 4));
    else if (op === 1) bytes.splice(at, 0, Math.floor(rand() * 256));
    else if (op === 2) bytes.splice(at, 0, ...Buffer.from(FRAGMENTS[Math.floor(rand() * FRAGMENTS.length)]!, "latin1"));
    else if (op === 3) bytes.splice(at, 0, ...Buffer.from(FRAGMENTS[Math.floor(rand() * FRAGMENTS.length)]!, "utf8"));
    else if (bytes.length > 0) bytes[Math.min(at, bytes.length - 1)] = Math.floor(rand() * 256);
  }
  return new Uint8Array(bytes);
}

function splitRandomly(bytes: Uint8Array, rand: () => number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let i = 0;
  while (i < bytes.length) {
    const n = 1 + Math.floor(rand() * 40);
    chunks.push(bytes.subarray(i, i + n));
    i += n;
  }
  return chunks.length > 0 ? chunks : [bytes];
}

describe("robustness of the whole filter", () => {
  it("takes every JSONTestSuite file as a request body without trapping; n_ files are refused", async () => {
    const host = await startGuard(SEED_CONFIG);
    const files = readdirSync(SUITE).filter((f) => f.endsWith(".json"));
    expect(files.length).toBeGreaterThan(300);
    for (const file of files) {
      const body = new Uint8Array(readFileSync(join(SUITE, file)));
      const result = await post(host, body);
      expect(host.failed, file).toBe(false);
      if (file.startsWith("n_")) {
        expect(result.upstreamCalled, file).toBe(false);
        expect([400, 413], file).toContain(result.status);
      }
      // Every reply the filter writes is JSON.
      if (!result.upstreamCalled) expect(() => JSON.parse(result.body), file).not.toThrow();
    }
  });

  it("survives mutated MCP bodies split at random, and never forwards a forbidden call", async () => {
    const host = await startGuard(SEED_CONFIG);
    const rand = prng(0x5eed);
    const cases = 1500;
    let forwarded = 0;
    for (let n = 0; n < cases; n++) {
      const body = mutate(SEEDS[n % SEEDS.length]!, rand);
      const chunked = rand() < 0.5;
      const result = await post(host, body, chunked ? { chunks: splitRandomly(body, rand), ...(rand() < 0.3 ? { trailers: [["x-t", "1"]] } : {}) } : {});
      expect(host.failed, Buffer.from(body).toString("latin1")).toBe(false);
      if (result.upstreamCalled) {
        forwarded++;
        expect(forbiddenCall(result.upstreamBody), Buffer.from(body).toString("latin1")).toBeUndefined();
      } else {
        const reply = JSON.parse(result.body) as unknown;
        const replies = Array.isArray(reply) ? reply : [reply];
        for (const r of replies) expect(r).toMatchObject({ jsonrpc: "2.0", error: { code: expect.any(Number), message: expect.any(String) } });
      }
    }
    // The mutations must leave some requests valid, or this test proves nothing about the forwarding oracle.
    expect(forwarded).toBeGreaterThan(20);
  });
});
