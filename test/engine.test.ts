// The request engine on its own (assembly/testing/engine.ts: no proxy-wasm ABI, no host), as the benchmark
// runs it.
import { beforeAll, describe, expect, it } from "vitest";
import { WasmEngine } from "../bench/wasm-engine.ts";
import { toolCallBody } from "../bench/bodies.ts";
import { NodeBaselineGuard } from "../bench/node-baseline.ts";

let engine: WasmEngine;
const encode = (s: string) => new TextEncoder().encode(s);
const call = (name: string) => encode(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name } }));

beforeAll(() => {
  engine = WasmEngine.load("build/test/engine.wasm");
});

/** Reference glob: `*` any run, `?` one UTF-16 unit, everything else literal. */
function globToRegExp(glob: string): RegExp {
  return new RegExp("^" + glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[\\s\\S]*").replace(/\?/g, "[\\s\\S]") + "$");
}

describe("the pure request engine", () => {
  it("decides like a reference implementation for random names and glob allowlists", () => {
    let seed = 12345;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const alphabet = ["a", "b", "_", "*", "?", "é", "😀"];
    const word = (n: number) => Array.from({ length: n }, () => alphabet[Math.floor(rand() * alphabet.length)]).join("");
    for (let round = 0; round < 60; round++) {
      const allowlist = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => word(1 + Math.floor(rand() * 5)));
      engine.configure({ tool_allowlist: allowlist });
      const patterns = allowlist.map(globToRegExp);
      for (let i = 0; i < 40; i++) {
        const name = word(Math.floor(rand() * 7)).replace(/[*?]/g, "x");
        const expected = patterns.some((p) => p.test(name));
        expect(engine.decide(call(name)), `${JSON.stringify(allowlist)} vs ${name}`).toBe(expected);
      }
    }
  });

  it("configures a 10,000-entry allowlist and still matches exact names", () => {
    const names = Array.from({ length: 10_000 }, (_, i) => `tool_${i}`);
    engine.configure({ tool_allowlist: names });
    expect(engine.decide(call("tool_0"))).toBe(true);
    expect(engine.decide(call("tool_9999"))).toBe(true);
    expect(engine.decide(call("tool_10000"))).toBe(false);
    expect(engine.lastReason()).toBe("tool_not_allowed");
  });

  it("agrees with the Node baseline on the benchmark's bodies, from 0.4 KB to 1 MB", () => {
    const allowlist = ["search_code", "get_*"];
    engine.configure({ tool_allowlist: allowlist });
    const node = new NodeBaselineGuard(allowlist);
    for (const kb of [0.4, 1.2, 16, 256, 1000]) {
      for (const tool of ["search_code", "get_pull_request", "system_exec"]) {
        const body = toolCallBody(kb * 1024, tool);
        expect(engine.decide(body), `${kb} KB ${tool}`).toBe(node.decide(body));
      }
    }
  });

  it("reuses its decision without carrying anything over from the request before", () => {
    engine.configure({ tool_allowlist: ["search_code"] });
    const sequence: Array<[Uint8Array, boolean, string]> = [
      [call("system_exec"), false, "tool_not_allowed"],
      [call("search_code"), true, "allowed"],
      [encode('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":7}}'), false, "invalid_tool_name"],
      [encode('{"jsonrpc":"2.0","id":2,"method":"ping"}'), true, "allowed"],
      [encode('{"jsonrpc":"2.0","id":3,"result":{}}'), true, "allowed"],
      [call("search_code"), true, "allowed"],
    ];
    for (const [body, allowed, reason] of sequence) {
      expect(engine.decide(body), new TextDecoder().decode(body)).toBe(allowed);
      expect(engine.lastReason()).toBe(reason);
      if (allowed) expect(engine.lastReply()).toBe("");
    }
  });

  it("recognises a method and a tool name however they are spelled (escapes are decoded, not compared as bytes)", () => {
    engine.configure({ tool_allowlist: ["search_code", "sûr"] });
    const escapedMethod = '{"jsonrpc":"2.0","id":1,"method":"tools\\/call","params":{"name":"system_exec"}}';
    expect(engine.decide(encode(escapedMethod))).toBe(false);
    expect(engine.lastReason()).toBe("tool_not_allowed");
    expect(engine.decide(encode('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"search\\u005fcode"}}'))).toBe(true);
    expect(engine.decide(encode('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"s\\u00fbr"}}'))).toBe(true);
    expect(engine.decide(call("sûr"))).toBe(true);
    expect(engine.decide(call("sur"))).toBe(false);
    expect(engine.decide(encode('{"jsonrpc":"2\\u002e0","id":1,"method":"tools/call","params":{"n\\u0061me":"search_code"}}'))).toBe(true);
  });

  it("keeps linear memory flat when the same requests repeat", () => {
    // A fresh instance: earlier tests' reconfigurations leave garbage the incremental GC collects in its own time.
    const engine = WasmEngine.load("build/test/engine.wasm");
    engine.configure({ tool_allowlist: ["search_code"] });
    const bodies = [toolCallBody(16 * 1024), toolCallBody(400, "system_exec"), encode('{"jsonrpc":"2.0","id":1,"method":"x"')];
    for (let i = 0; i < 300; i++) for (const b of bodies) engine.decide(b);
    const warm = engine.memoryBytes();
    for (let i = 0; i < 3000; i++) for (const b of bodies) engine.decide(b);
    expect(engine.memoryBytes()).toBe(warm);
  });
});
