// Request-path enforcement through the real module in the Envoy-like host: every rule and every class of bad
// input, asserting the exact reply the client gets and that the MCP server never saw the body.
import { describe, expect, it } from "vitest";
import { PROTOCOL_VERSIONS, errorResponseProblems } from "./helpers/mcp-schema.ts";
import { SEED_CONFIG, post, startGuard, toolCall } from "./helpers/guard.ts";
import type { ProxyWasmHost } from "../src/host/index.ts";

type Outcome = Awaited<ReturnType<typeof post>>;

function expectRefused(result: Outcome, status: number, reply: unknown): void {
  expect(result.status).toBe(status);
  expect(result.json).toEqual(reply);
  expect(result.upstreamCalled).toBe(false);
  expect(result.upstreamBody).toBe("");
  expect(result.headers.find(([k]) => k === "content-type")?.[1]).toBe("application/json");
}

function expectForwarded(result: Outcome, body: string): void {
  expect(result.upstreamCalled).toBe(true);
  expect(result.upstreamBody).toBe(body);
  expect(result.status).toBe(200);
}

function rpcError(id: number | string | undefined, code: number, message: string) {
  return id === undefined ? { jsonrpc: "2.0", error: { code, message } } : { jsonrpc: "2.0", id, error: { code, message } };
}

describe("the seed's configuration", () => {
  it("forwards a call of an allowed tool and returns the server's answer", async () => {
    const host = await startGuard(SEED_CONFIG);
    expect(host.configured).toBe(true);
    const body = toolCall(1, "search_code", { query: "TODO" });
    const result = await post(host, body);
    expectForwarded(result, body);
    expect(result.json).toEqual({ jsonrpc: "2.0", id: 1, result: { content: [{ type: "text", text: "ok from upstream" }] } });
  });

  it("answers a call of a tool outside the allowlist with -32602 Unknown tool, same id, server untouched", async () => {
    const host = await startGuard(SEED_CONFIG);
    const result = await post(host, toolCall(7, "system_exec", { cmd: "rm -rf /" }));
    expectRefused(result, 200, rpcError(7, -32602, "Unknown tool: system_exec"));
    for (const version of PROTOCOL_VERSIONS) expect(errorResponseProblems(version, result.json)).toBe("");
  });

  it("echoes a string id byte for byte", async () => {
    const host = await startGuard(SEED_CONFIG);
    const body = '{"jsonrpc":"2.0","id":"req-\\u00e9-1","method":"tools/call","params":{"name":"delete_repo"}}';
    const result = await post(host, body);
    expect(result.body).toBe('{"jsonrpc":"2.0","id":"req-\\u00e9-1","error":{"code":-32602,"message":"Unknown tool: delete_repo"}}');
    expect(result.upstreamCalled).toBe(false);
  });

  it("lets notifications, client responses and other standard methods through", async () => {
    const host = await startGuard(SEED_CONFIG);
    for (const body of [
      '{"jsonrpc":"2.0","method":"notifications/initialized"}',
      '{"jsonrpc":"2.0","id":3,"result":{"roots":[]}}',
      '{"jsonrpc":"2.0","id":4,"error":{"code":-1,"message":"user declined"}}',
      '{"jsonrpc":"2.0","id":5,"method":"tools/list","params":{}}',
      '{"jsonrpc":"2.0","id":6,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}',
    ]) {
      expectForwarded(await post(host, body), body);
    }
  });

  it("passes requests without a body that are not POSTs (SSE GET, session DELETE)", async () => {
    const host = await startGuard(SEED_CONFIG);
    const { exchange } = await import("../src/host/index.ts");
    for (const method of ["GET", "DELETE"]) {
      const result = await exchange(host, { headers: [[":method", method], [":path", "/mcp"], [":authority", "x"]] }, () => ({ headers: [[":status", "200"]], body: "" }));
      expect(result.upstreamCalled).toBe(true);
      expect(result.status).toBe(200);
    }
  });
});

describe("allowlists", () => {
  it("matches glob patterns", async () => {
    const host = await startGuard({ tool_allowlist: ["get_*", "search_cod?"] });
    expectForwarded(await post(host, toolCall(1, "get_pull_request")), toolCall(1, "get_pull_request"));
    expectForwarded(await post(host, toolCall(2, "search_code")), toolCall(2, "search_code"));
    expectRefused(await post(host, toolCall(3, "delete_repo")), 200, rpcError(3, -32602, "Unknown tool: delete_repo"));
    expectRefused(await post(host, toolCall(4, "xget_thing")), 200, rpcError(4, -32602, "Unknown tool: xget_thing"));
  });

  it("allows no tool with an empty or absent allowlist", async () => {
    for (const config of [{ tool_allowlist: [] }, {}, undefined]) {
      const host = await startGuard(config);
      expect(host.configured).toBe(true);
      expectRefused(await post(host, toolCall(1, "search_code")), 200, rpcError(1, -32602, "Unknown tool: search_code"));
    }
  });

  it("decodes escapes before matching, so an escaped name cannot slip past", async () => {
    const host = await startGuard({ tool_allowlist: ["search_code"] });
    const body = '{"jsonrpc":"2.0","id":1,"method":"tools\\/call","params":{"name":"system\\u005fexec"}}';
    expectRefused(await post(host, body), 200, rpcError(1, -32602, "Unknown tool: system_exec"));
    const allowed = '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"search\\u005fcode"}}';
    expectForwarded(await post(host, allowed), allowed);
  });

  it("uses deny_status 403 when configured", async () => {
    const host = await startGuard({ tool_allowlist: [], deny_status: 403 });
    expectRefused(await post(host, toolCall(9, "x")), 403, rpcError(9, -32602, "Unknown tool: x"));
  });
});

describe("audit mode", () => {
  it("forwards what enforce mode would refuse and logs it", async () => {
    const host = await startGuard({ mode: "audit", tool_allowlist: ["search_code"] });
    const body = toolCall(1, "system_exec");
    expectForwarded(await post(host, body), body);
    const line = host.logs.map((l) => l.message).find((m) => m.includes("would_deny"));
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ event: "mcp_guard.decision", mode: "audit", decision: "would_deny", reason: "tool_not_allowed", tool: "system_exec" });
  });
});

describe("method policy", () => {
  it("refuses methods no MCP version defines, with -32601", async () => {
    const host = await startGuard(SEED_CONFIG);
    expectRefused(await post(host, '{"jsonrpc":"2.0","id":1,"method":"admin/shutdown"}'), 200, rpcError(1, -32601, "Method not found: admin/shutdown"));
  });

  it("allows extra methods and denies standard ones on request", async () => {
    const host = await startGuard({ ...SEED_CONFIG, methods: { allow: ["acme/*"], deny: ["completion/complete"] } });
    const custom = '{"jsonrpc":"2.0","id":1,"method":"acme/report"}';
    expectForwarded(await post(host, custom), custom);
    expectRefused(await post(host, '{"jsonrpc":"2.0","id":2,"method":"completion/complete","params":{}}'), 200, rpcError(2, -32601, "Method not found: completion/complete"));
  });

  it("checks a tools/call sent as a notification too", async () => {
    const host = await startGuard(SEED_CONFIG);
    expectRefused(await post(host, '{"jsonrpc":"2.0","method":"tools/call","params":{"name":"system_exec"}}'), 200, rpcError(undefined, -32602, "Unknown tool: system_exec"));
  });
});

describe("bad input is answered, never forwarded", () => {
  let host: ProxyWasmHost;
  const setup = async () => (host ??= await startGuard(SEED_CONFIG));

  it("invalid JSON: 400 -32700", async () => {
    await setup();
    for (const body of ['{"jsonrpc":"2.0",', "{'a':1}", '{"a":1} x', "\uFEFF{}", '{"a":NaN}', '{"a":"\\x"}']) {
      const result = await post(host, body);
      expect(result.status, body).toBe(400);
      expect((result.json as { error: { code: number } }).error.code, body).toBe(-32700);
      expect(result.upstreamCalled).toBe(false);
      for (const version of ["2025-11-25", "2026-07-28"] as const) expect(errorResponseProblems(version, result.json)).toBe("");
    }
  });

  it("invalid UTF-8 inside a string: 400 -32700", async () => {
    await setup();
    // BRIEF §1: decoding before parsing would let \xC3 swallow the quote and change the structure.
    const raw = Buffer.from('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","a":"\xC3","b":1}}', "latin1");
    const result = await post(host, new Uint8Array(raw));
    expect(result.status).toBe(400);
    expect((result.json as { error: { code: number } }).error.code).toBe(-32700);
    expect(result.upstreamCalled).toBe(false);
  });

  it("not JSON-RPC 2.0: 400 -32600", async () => {
    await setup();
    const cases: Array<[string, unknown]> = [
      ['{"jsonrpc":"1.0","id":1,"method":"ping"}', rpcError(1, -32600, 'Invalid Request: jsonrpc must be "2.0"')],
      ['{"id":1,"method":"ping"}', rpcError(1, -32600, 'Invalid Request: jsonrpc must be "2.0"')],
      ['{"jsonrpc":"2.0","id":1,"method":7}', rpcError(1, -32600, "Invalid Request: method must be a string")],
      ['{"jsonrpc":"2.0","id":null,"method":"ping"}', rpcError(undefined, -32600, "Invalid Request: id must be a string or an integer")],
      ['{"jsonrpc":"2.0","id":1.5,"method":"ping"}', rpcError(undefined, -32600, "Invalid Request: id must be a string or an integer")],
      ['"hello"', rpcError(undefined, -32600, "Invalid Request: a JSON-RPC message must be an object")],
      ['{"jsonrpc":"2.0"}', rpcError(undefined, -32600, "Invalid Request: a message needs a method, or an id with result or error")],
      ['{"jsonrpc":"2.0","id":1,"result":{},"error":{"code":1,"message":"x"}}', rpcError(1, -32600, "Invalid Request: a response carries exactly one of result and error")],
    ];
    for (const [body, reply] of cases) expectRefused(await post(host, body), 400, reply);
  });

  it("array params and non-string tool names: 400 -32600", async () => {
    await setup();
    expectRefused(await post(host, '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":["system_exec"]}'), 400, rpcError(1, -32600, "Invalid Request: params must be an object"));
    for (const name of ["7", "null", '["search_code"]', '{"x":1}', "true"]) {
      expectRefused(
        await post(host, `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":${name}}}`),
        400,
        rpcError(1, -32600, "Invalid Request: tools/call needs params.name as a string"),
      );
    }
    expectRefused(await post(host, '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{}}'), 400, rpcError(1, -32600, "Invalid Request: tools/call needs params.name as a string"));
  });

  it("duplicate keys at any depth, escaped or not: 400 -32600", async () => {
    await setup();
    for (const body of [
      // the parser differential: a guard reading the first name while the server runs the last
      '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"search_code","name":"system_exec"}}',
      '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"search_code","n\\u0061me":"system_exec"}}',
      '{"jsonrpc":"2.0","id":1,"method":"tools/call","method":"ping","params":{"name":"search_code"}}',
      '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"search_code","arguments":{"a":{"b":[{"c":1,"c":2}]}}}}',
    ]) {
      const result = await post(host, body);
      expect(result.status, body).toBe(400);
      expect((result.json as { error: { code: number; message: string } }).error.code, body).toBe(-32600);
      expect((result.json as { error: { message: string } }).error.message).toMatch(/^Invalid Request: duplicate object key at byte \d+$/);
      expect(result.upstreamCalled).toBe(false);
    }
  });

  it("nesting deeper than the limit: 400 -32600", async () => {
    const deep = await startGuard({ ...SEED_CONFIG, limits: { max_json_depth: 8 } });
    const args = "[".repeat(10) + "]".repeat(10);
    expectRefused(await post(deep, `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"search_code","arguments":{"a":${args}}}}`), 400, rpcError(undefined, -32600, "Invalid Request: nesting deeper than 8 levels"));
  });

  it("a body over the limit: 413, by content-length or by bytes received", async () => {
    const small = await startGuard({ ...SEED_CONFIG, limits: { max_body_bytes: 100 } });
    const big = toolCall(1, "search_code", { q: "x".repeat(200) });
    const reply = rpcError(undefined, -32600, "Request body exceeds the 100 byte limit");
    expectRefused(await post(small, big), 413, reply);
    expectRefused(await post(small, big, { chunks: [big.slice(0, 60), big.slice(60, 120), big.slice(120)] }), 413, reply);
  });

  it("a compressed body or a body that is not JSON: 415", async () => {
    await setup();
    const body = toolCall(1, "search_code");
    expectRefused(await post(host, body, { headers: [["content-encoding", "gzip"]] }), 415, rpcError(undefined, -32600, "Unsupported Media Type: the request body must not be compressed (content-encoding identity)"));
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1", ""]) {
      expectRefused(await post(host, body, { headers: [["content-type", type]] }), 415, rpcError(undefined, -32600, "Unsupported Media Type: Content-Type must be application/json"));
    }
    expectForwarded(await post(host, body, { headers: [["content-type", "Application/JSON; charset=UTF-8"]] }), body);
  });

  it("an empty POST: 400 -32700", async () => {
    await setup();
    const { exchange } = await import("../src/host/index.ts");
    const result = await exchange(host, { headers: [[":method", "POST"], [":path", "/mcp"], ["content-type", "application/json"]] }, () => ({ headers: [[":status", "200"]] }));
    expect(result.status).toBe(400);
    expect(JSON.parse(result.body)).toEqual(rpcError(undefined, -32700, "Parse error: the request body is empty"));
    expect(result.upstreamCalled).toBe(false);
  });
});

describe("bodies split across chunks and ended by trailers", () => {
  it("decides on the whole body, however it is split", async () => {
    const host = await startGuard(SEED_CONFIG);
    const denied = toolCall(1, "system_exec", { pad: "y".repeat(3000) });
    for (const size of [1, 7, 64, 1000]) {
      const chunks: string[] = [];
      for (let i = 0; i < denied.length; i += size) chunks.push(denied.slice(i, i + size));
      expectRefused(await post(host, denied, { chunks }), 200, rpcError(1, -32602, "Unknown tool: system_exec"));
    }
    const allowed = toolCall(2, "get_pull_request", { n: 1 });
    expectForwarded(await post(host, allowed, { chunks: [allowed.slice(0, 10), allowed.slice(10)] }), allowed);
  });

  it("inspects a body that ends with HTTP/2 trailers instead of end_of_stream", async () => {
    const host = await startGuard(SEED_CONFIG);
    const denied = toolCall(1, "system_exec");
    expectRefused(await post(host, denied, { chunks: [denied.slice(0, 20), denied.slice(20)], trailers: [["x-checksum", "abc"]] }), 200, rpcError(1, -32602, "Unknown tool: system_exec"));
    const allowed = toolCall(2, "search_code");
    expectForwarded(await post(host, allowed, { chunks: [allowed], trailers: [["x-checksum", "abc"]] }), allowed);
  });
});

describe("batches", () => {
  const okBatch = JSON.stringify([
    { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "search_code" } },
    { jsonrpc: "2.0", method: "notifications/progress", params: { progressToken: 1, progress: 1 } },
    { jsonrpc: "2.0", id: 2, method: "tools/list" },
  ]);

  it("are allowed with protocol 2025-03-26 or no MCP-Protocol-Version header", async () => {
    const host = await startGuard(SEED_CONFIG);
    expectForwarded(await post(host, okBatch), okBatch);
    expectForwarded(await post(host, okBatch, { headers: [["mcp-protocol-version", "2025-03-26"]] }), okBatch);
  });

  it("are refused in protocol versions without batches", async () => {
    const host = await startGuard(SEED_CONFIG);
    for (const version of ["2025-06-18", "2025-11-25", "2026-07-28"]) {
      expectRefused(await post(host, okBatch, { headers: [["mcp-protocol-version", version]] }), 400, rpcError(undefined, -32600, `Invalid Request: JSON-RPC batches are not allowed in MCP protocol version ${version}`));
    }
  });

  it("are rejected whole when one element is denied", async () => {
    const host = await startGuard(SEED_CONFIG);
    const batch = JSON.stringify([
      { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "search_code" } },
      { jsonrpc: "2.0", method: "notifications/initialized" },
      { jsonrpc: "2.0", id: "b", method: "tools/call", params: { name: "system_exec" } },
    ]);
    expectRefused(await post(host, batch), 200, [
      rpcError(1, -32600, "Invalid Request: batch refused because message 2 was refused"),
      rpcError("b", -32602, "Unknown tool: system_exec"),
    ]);
  });

  it("refuses an empty batch and one over the size limit", async () => {
    const host = await startGuard({ ...SEED_CONFIG, limits: { max_batch_size: 2 } });
    expectRefused(await post(host, "[]"), 400, rpcError(undefined, -32600, "Invalid Request: empty batch"));
    expectRefused(await post(host, okBatch), 400, rpcError(undefined, -32600, "Invalid Request: batch of 3 messages exceeds the limit of 2"));
  });
});

describe("metrics", () => {
  it("counts allowed and denied requests by method class and decision", async () => {
    const host = await startGuard(SEED_CONFIG);
    await post(host, toolCall(1, "search_code"));
    await post(host, toolCall(2, "system_exec"));
    await post(host, toolCall(3, "system_exec"));
    expect(host.metric("method_class=.=tools;.;decision=.=allow;.;mcp_guard_requests_total")?.value).toBe(1n);
    expect(host.metric("method_class=.=tools;.;decision=.=deny;.;mcp_guard_requests_total")?.value).toBe(2n);
  });
});
