// Prompts, resource URIs and server-initiated messages: the allowed and the refused case of each, on the way
// in (requests) and on the way out (list results, server requests on an event stream).
import { createParser } from "eventsource-parser";
import { describe, expect, it } from "vitest";
import { exchange, type HeaderList } from "../src/host/index.ts";
import { SEED_CONFIG, post, postHeaders, startGuard } from "./helpers/guard.ts";
import { PROTOCOL_VERSIONS, errorResponseProblems } from "./helpers/mcp-schema.ts";

const rpc = (id: number, method: string, params: object) => JSON.stringify({ jsonrpc: "2.0", id, method, params });

async function serverSays(config: object, contentType: string, body: string) {
  const host = await startGuard(config);
  const request = rpc(1, "tools/list", {});
  const result = await exchange(host, { headers: postHeaders([], request), body: request }, () => ({
    headers: [[":status", "200"], ["content-type", contentType]] as HeaderList,
    body,
  }));
  return { host, body: result.body };
}

function sseData(text: string): string[] {
  const data: string[] = [];
  const parser = createParser({ onEvent: (e) => data.push(e.data) });
  parser.feed(text);
  return data;
}

describe("prompts", () => {
  const config = { ...SEED_CONFIG, prompt_allowlist: ["code_review", "summarize_*"] };

  it("allows prompts/get of an allowed prompt and refuses others like an unknown prompt", async () => {
    const host = await startGuard(config);
    const ok = rpc(1, "prompts/get", { name: "summarize_pr" });
    expect((await post(host, ok)).upstreamBody).toBe(ok);
    const refused = await post(host, rpc(2, "prompts/get", { name: "jailbreak" }));
    expect(refused.upstreamCalled).toBe(false);
    expect(refused.json).toEqual({ jsonrpc: "2.0", id: 2, error: { code: -32602, message: "Unknown prompt: jailbreak" } });
    for (const v of PROTOCOL_VERSIONS) expect(errorResponseProblems(v, refused.json)).toBe("");
  });

  it("allows every prompt when no prompt_allowlist is configured", async () => {
    const host = await startGuard(SEED_CONFIG);
    const body = rpc(1, "prompts/get", { name: "anything" });
    expect((await post(host, body)).upstreamBody).toBe(body);
  });

  it("removes refused prompts from prompts/list results", async () => {
    const list = { jsonrpc: "2.0", id: 1, result: { prompts: [{ name: "code_review" }, { name: "jailbreak" }, { name: "summarize_pr" }] } };
    const { body } = await serverSays(config, "application/json", JSON.stringify(list));
    expect(JSON.parse(body).result.prompts.map((p: { name: string }) => p.name)).toEqual(["code_review", "summarize_pr"]);
  });

  it("decides on a listed prompt's decoded name whatever its spelling (escapes, exact entry, pattern)", async () => {
    // Written by hand: JSON.stringify would not keep the escapes.
    const list = '{"jsonrpc":"2.0","id":1,"result":{"prompts":[{"name":"code\\u005freview"},{"name":"code\\u005freviews"},' +
      '{"name":"summarize\\u005fpr"},{"name":"summarize"},{"name":"code_revie"}]}}';
    const { body, host } = await serverSays(config, "application/json", list);
    expect(JSON.parse(body).result.prompts.map((p: { name: string }) => p.name)).toEqual(["code_review", "summarize_pr"]);
    const line = host.logs.map((l) => l.message).find((m) => m.includes("mcp_guard.server_message_filtered"));
    expect(JSON.parse(line!).removed_entries).toEqual(["prompts:code_reviews", "prompts:summarize", "prompts:code_revie"]);
  });
});

describe("resource URIs", () => {
  const config = { ...SEED_CONFIG, resources: { allowed_prefixes: ["mcp://logs/", "file:///srv/data/"] } };

  it.each([
    "mcp://logs/../secrets",
    "mcp://logs/%2e%2e/secrets",
    "mcp://logs/%2E%2e/secrets",
    "mcp://logs/.%2E/secrets",
    "mcp://logs/%252e%252e/secrets",
    "mcp://logs/%25252e%25252e/secrets",
    "mcp://logs/..%2fsecrets",
    "mcp://logs/a%2F..%2Fsecrets",
    "mcp://logs/a%5c..%5csecrets",
    "mcp://logs\\..\\secrets",
    "file:///srv/data/x%00.txt",
    "file:///srv/data/%zz",
    "file:///srv/data/..",
    "file:///srv/data/..?x=1",
  ])("refuses %s on resources/read and resources/subscribe", async (uri) => {
    const host = await startGuard(config);
    for (const method of ["resources/read", "resources/subscribe"]) {
      const result = await post(host, rpc(3, method, { uri }));
      expect(result.upstreamCalled, `${method} ${uri}`).toBe(false);
      const reply = result.json as { id: number; error: { code: number; message: string } };
      expect(reply.id).toBe(3);
      expect(reply.error.code).toBe(-32602);
      expect(reply.error.message).toMatch(/^Invalid resource URI: it contains /);
    }
  });

  it("allows URIs under an allowed prefix, also after removing . segments", async () => {
    const host = await startGuard(config);
    for (const uri of ["mcp://logs/app.log", "file:///srv/data/./report..final.txt", "mcp://logs/a%20b"]) {
      const body = rpc(4, "resources/read", { uri });
      expect((await post(host, body)).upstreamBody, uri).toBe(body);
    }
  });

  it("answers a URI outside the prefixes like a resource that does not exist", async () => {
    const host = await startGuard(config);
    const result = await post(host, rpc(5, "resources/read", { uri: "file:///etc/shadow" }));
    expect(result.upstreamCalled).toBe(false);
    expect(result.json).toEqual({ jsonrpc: "2.0", id: 5, error: { code: -32002, message: "Resource not found: file:///etc/shadow" } });
  });

  it("refuses traversal even without prefixes configured", async () => {
    const host = await startGuard(SEED_CONFIG);
    expect((await post(host, rpc(6, "resources/read", { uri: "file:///app/%2e%2e/etc/shadow" }))).upstreamCalled).toBe(false);
    const ok = rpc(7, "resources/read", { uri: "file:///etc/hosts" });
    expect((await post(host, ok)).upstreamBody).toBe(ok);
  });

  it("filters resources/list and resources/templates/list results by the same prefixes", async () => {
    const list = { jsonrpc: "2.0", id: 1, result: { resources: [{ uri: "mcp://logs/app.log", name: "a" }, { uri: "file:///etc/shadow", name: "b" }, { uri: "mcp://logs/../x", name: "c" }] } };
    const { body } = await serverSays(config, "application/json", JSON.stringify(list));
    expect(JSON.parse(body).result.resources.map((r: { name: string }) => r.name)).toEqual(["a"]);
    const templates = { jsonrpc: "2.0", id: 1, result: { resourceTemplates: [{ uriTemplate: "mcp://logs/{file}", name: "t1" }, { uriTemplate: "file:///{path}", name: "t2" }] } };
    const t = await serverSays(config, "application/json", JSON.stringify(templates));
    expect(JSON.parse(t.body).result.resourceTemplates.map((r: { name: string }) => r.name)).toEqual(["t1"]);
  });

  it("rejects a configuration whose prefix contains a traversal", async () => {
    const host = await startGuard({ resources: { allowed_prefixes: ["mcp://logs/../"] } });
    expect(host.configured).toBe(false);
    expect(host.logs.find((l) => l.source === "module" && l.level >= 4)?.message).toMatch(/field "resources\.allowed_prefixes\[0\]": "mcp:\/\/logs\/\.\.\/" contains a "\.\." path segment/);
  });
});

describe("server-initiated messages", () => {
  const progress = { jsonrpc: "2.0", method: "notifications/progress", params: { progressToken: 1, progress: 1 } };
  const sampling = { jsonrpc: "2.0", id: "s1", method: "sampling/createMessage", params: { messages: [], maxTokens: 10 } };
  const custom = { jsonrpc: "2.0", id: "s2", method: "acme/exfiltrate", params: {} };
  const stream = [progress, sampling, custom].map((m) => `event: message\ndata: ${JSON.stringify(m)}\n\n`).join("");

  it("passes standard server requests and removes the others from the stream", async () => {
    const { host, body } = await serverSays(SEED_CONFIG, "text/event-stream", stream);
    expect(sseData(body).map((d) => JSON.parse(d))).toEqual([progress, sampling]);
    expect(host.metric("mcp_guard_server_methods_refused_total")?.value).toBe(1n);
  });

  it("applies server_methods allow and deny", async () => {
    const { body } = await serverSays({ ...SEED_CONFIG, server_methods: { allow: ["acme/*"], deny: ["sampling/createMessage"] } }, "text/event-stream", stream);
    expect(sseData(body).map((d) => JSON.parse(d))).toEqual([progress, custom]);
  });

  it("removes a refused message from a batch and keeps the rest", async () => {
    const { body } = await serverSays(SEED_CONFIG, "text/event-stream", `data: ${JSON.stringify([progress, custom, sampling])}\n\n`);
    expect(JSON.parse(sseData(body)[0]!)).toEqual([progress, sampling]);
  });

  it("keeps everything in audit mode and logs what it would have removed", async () => {
    const { host, body } = await serverSays({ ...SEED_CONFIG, mode: "audit" }, "text/event-stream", stream);
    expect(sseData(body)).toHaveLength(3);
    const line = host.logs.map((l) => l.message).find((m) => m.includes("refused_methods"));
    expect(JSON.parse(line!)).toMatchObject({ decision: "would_filter", refused_methods: ["acme/exfiltrate"] });
  });
});

describe("audit mode on lists", () => {
  it("passes the tool list unfiltered and logs would_filter", async () => {
    const list = JSON.stringify({ jsonrpc: "2.0", id: 1, result: { tools: [{ name: "search_code" }, { name: "system_exec" }] } });
    const { host, body } = await serverSays({ ...SEED_CONFIG, mode: "audit" }, "application/json", list);
    expect(body).toBe(list);
    expect(host.logs.some((l) => l.message.includes('"would_filter"') && l.message.includes("system_exec"))).toBe(true);
  });
});
