// The response path: what a server says about its tools reaches the client only after filtering, in JSON and
// in event-stream framing, whatever the chunking, line endings or tricks in the stream. The client side of the
// event stream is parsed with eventsource-parser, the parser the official MCP SDK client uses.
import { createParser } from "eventsource-parser";
import { describe, expect, it } from "vitest";
import { exchange, type HeaderList, type ProxyWasmHost } from "../src/host/index.ts";
import { SEED_CONFIG, postHeaders, startGuard } from "./helpers/guard.ts";

const TOOLS = [
  { name: "search_code", description: "Search code", inputSchema: { type: "object" } },
  { name: "system_exec", description: "Run a shell command", inputSchema: { type: "object", properties: { cmd: { type: "string" } } } },
  { name: "get_pull_request", description: "Get a PR", inputSchema: { type: "object" } },
  { name: "delete_repo", description: "Delete a repository", annotations: { destructiveHint: true }, inputSchema: { type: "object" } },
];

const listResult = (extra: object = {}, tools: unknown[] = TOOLS) => ({ jsonrpc: "2.0", id: 2, result: { tools, nextCursor: "page-2", ...extra } });
const LIST_REQUEST = JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list", params: { cursor: "page-1" } });

async function respond(host: ProxyWasmHost, contentType: string, chunks: Array<string | Uint8Array>, options: { request?: string; headers?: HeaderList; method?: string } = {}) {
  const request = options.request ?? LIST_REQUEST;
  const method = options.method ?? "POST";
  const headers = method === "POST" ? postHeaders(options.headers ?? [], request) : ([[":method", method], [":path", "/sse"], [":authority", "x"]] as HeaderList);
  const result = await exchange(host, method === "POST" ? { headers, body: request } : { headers }, () => ({
    headers: [[":status", "200"], ["content-type", contentType], ["content-length", "999"]],
    chunks,
  }));
  return result;
}

function toolNames(message: unknown): string[] {
  return ((message as { result: { tools: Array<{ name: string }> } }).result.tools ?? []).map((t) => t.name);
}

/** Parses an event stream the way the MCP SDK client does. */
function clientEvents(text: string): Array<{ event?: string; data: string; id?: string }> {
  const events: Array<{ event?: string; data: string; id?: string }> = [];
  const parser = createParser({ onEvent: (e) => events.push({ ...(e.event ? { event: e.event } : {}), data: e.data, ...(e.id ? { id: e.id } : {}) }) });
  parser.feed(text);
  return events;
}

describe("tools/list results in application/json", () => {
  it("removes tools outside the allowlist and leaves every other byte as the server wrote it", async () => {
    const host = await startGuard(SEED_CONFIG);
    const body = JSON.stringify(listResult(), null, 2);
    const result = await respond(host, "application/json", [body.slice(0, 100), body.slice(100)]);
    expect(result.status).toBe(200);
    expect(result.headers.find(([k]) => k === "content-length")).toBeUndefined();
    const message = JSON.parse(result.body);
    expect(toolNames(message)).toEqual(["search_code", "get_pull_request"]);
    expect(message.result.nextCursor).toBe("page-2");
    // Kept entries are the server's bytes; only the array itself was rebuilt.
    const keptSearch = JSON.stringify(TOOLS[0], null, 2).replace(/\n/g, "\n      ");
    expect(body).toContain(keptSearch);
    expect(result.body).toContain(keptSearch);
    expect(result.body.startsWith(body.slice(0, body.indexOf('"tools"')))).toBe(true);
    expect(result.body.endsWith(body.slice(body.indexOf('"nextCursor"') - 4))).toBe(true);
    expect(host.metric("list=.=tools;.;mcp_guard_list_entries_removed_total")?.value).toBe(2n);
    const line = host.logs.map((l) => l.message).find((m) => m.includes("mcp_guard.server_message_filtered"));
    expect(JSON.parse(line!)).toEqual({ event: "mcp_guard.server_message_filtered", framing: "json", decision: "filtered", removed_tools: ["system_exec", "delete_repo"], kept_tools: 2 });
  });

  it("passes a list with only allowed tools byte for byte", async () => {
    const host = await startGuard(SEED_CONFIG);
    const body = JSON.stringify(listResult({}, [TOOLS[0]!, TOOLS[2]!]));
    expect((await respond(host, "application/json", [body])).body).toBe(body);
  });

  it("removes tools whose name is missing or not a string, and entries that are not objects", async () => {
    const host = await startGuard({ tool_allowlist: ["*"] });
    const body = JSON.stringify(listResult({}, [{ name: "ok" }, { title: "no name" }, { name: 7 }, "system_exec", null]));
    expect(toolNames(JSON.parse((await respond(host, "application/json", [body])).body))).toEqual(["ok"]);
  });

  it("decides on a tool's decoded name whatever its spelling, length or script", async () => {
    // Exact entries of 16 bytes (the lookup table holds names up to 16 bytes inline) and 17 bytes (held apart),
    // non-ASCII ones (2- and 3-byte UTF-8) and a pattern; each listed name is unescaped, escaped or a near miss.
    const allowlist = ["search_code", "sixteen_bytes_ab", "seventeen_bytes_a", "héllo_wörld", "日本語ツール", "get_*"];
    const host = await startGuard({ tool_allowlist: allowlist });
    const listed = [
      "search\\u005fcode", "system\\u005fexec", "sixteen_bytes_ab", "sixteen_bytes_ac", "sixteen_bytes_a",
      "seventeen_bytes_a", "seventeen_bytes_b", "seventeen_bytes_", "seventeen\\u005fbytes_a", "seventeen_bytes_ab",
      "héllo_wörld", "h\\u00e9llo_w\\u00f6rld", "hello_world", "日本語ツール", "日本語ツーノ", "\\u65e5本語ツール",
      "get_x", "get\\u005fy", "get", "GET_x",
    ];
    // Written by hand: JSON.stringify would not keep the escapes.
    const body = `{"jsonrpc":"2.0","id":2,"result":{"tools":[${listed.map((n) => `{"name":"${n}"}`).join(",")}]}}`;
    const result = await respond(host, "application/json", [body]);
    expect(toolNames(JSON.parse(result.body))).toEqual([
      "search_code", "sixteen_bytes_ab", "seventeen_bytes_a", "seventeen_bytes_a", "héllo_wörld", "héllo_wörld", "日本語ツール", "日本語ツール", "get_x", "get_y",
    ]);
    const line = host.logs.map((l) => l.message).find((m) => m.includes("mcp_guard.server_message_filtered"));
    expect(JSON.parse(line!)).toMatchObject({
      removed_tools: ["system_exec", "sixteen_bytes_ac", "sixteen_bytes_a", "seventeen_bytes_b", "seventeen_bytes_", "seventeen_bytes_ab", "hello_world", "日本語ツーノ", "get", "GET_x"],
      kept_tools: 10,
    });
  });

  // Sends a list of `tools` of which only search_code is allowed; returns its server_message_filtered log line,
  // checked to be shorter than `maxLength`.
  async function filteredLine(host: Awaited<ReturnType<typeof startGuard>>, tools: Array<{ name: string }>, maxLength: number) {
    const result = await respond(host, "application/json", [JSON.stringify(listResult({}, tools))]);
    expect(toolNames(JSON.parse(result.body))).toEqual(["search_code"]);
    const line = host.logs.map((l) => l.message).find((m) => m.includes("mcp_guard.server_message_filtered"))!;
    expect(line.length).toBeLessThan(maxLength);
    return JSON.parse(line) as { removed_tools: string[]; removed_tools_omitted: number; kept_tools: number };
  }

  it("lists at most 256 removed tools in the log line, each once, and counts the rest", async () => {
    const host = await startGuard(SEED_CONFIG);
    const many = Array.from({ length: 600 }, (_, i) => ({ name: `removed_tool_with_a_rather_long_name_${i}` }));
    const tools = [{ name: "search_code" }, { name: "system_exec" }, { name: "system_exec" }, ...many];
    const logged = await filteredLine(host, tools, 16 * 1024);
    expect(logged.removed_tools).toHaveLength(256);
    expect(logged.removed_tools.slice(0, 2)).toEqual(["system_exec", "removed_tool_with_a_rather_long_name_0"]);
    expect(logged.removed_tools_omitted).toBe(601 - 256);
    expect(logged.kept_tools).toBe(1);
    // The metric still counts every entry removed.
    expect(host.metric("list=.=tools;.;mcp_guard_list_entries_removed_total")?.value).toBe(602n);
  });

  it("cuts each listed name to 128 characters, so 256 names of 2 KB still make a short log line", async () => {
    const host = await startGuard(SEED_CONFIG);
    const long = (i: number) => `${i}_`.padEnd(2048, "x"); // 600 KB in all, under the 1 MiB body limit
    const tools = [{ name: "search_code" }, ...Array.from({ length: 300 }, (_, i) => ({ name: long(i) }))];
    const logged = await filteredLine(host, tools, 40 * 1024);
    expect(logged.removed_tools).toHaveLength(256);
    expect(logged.removed_tools[7]).toBe(long(7).slice(0, 128) + "…");
    expect(logged.removed_tools_omitted).toBe(300 - 256);
  });

  it("filters every response of a batch (2025-03-26)", async () => {
    const host = await startGuard(SEED_CONFIG);
    const body = JSON.stringify([listResult(), { jsonrpc: "2.0", id: 3, result: {} }, { ...listResult(), id: 4 }]);
    const out = JSON.parse((await respond(host, "application/json", [body])).body) as unknown[];
    expect(out.map((m, i) => (i === 1 ? m : toolNames(m)))).toEqual([["search_code", "get_pull_request"], { jsonrpc: "2.0", id: 3, result: {} }, ["search_code", "get_pull_request"]]);
  });

  it("marks a filtered 2026-07-28 result cacheScope private, and adds it where it was absent", async () => {
    const host = await startGuard(SEED_CONFIG);
    const withScope = JSON.parse((await respond(host, "application/json", [JSON.stringify(listResult({ ttlMs: 60000, cacheScope: "public", resultType: "complete" }))])).body);
    expect(withScope.result).toMatchObject({ cacheScope: "private", ttlMs: 60000, nextCursor: "page-2" });
    const without = JSON.parse((await respond(host, "application/json", [JSON.stringify(listResult({ ttlMs: 60000 }))])).body);
    expect(without.result.cacheScope).toBe("private");
    const unfiltered = JSON.parse((await respond(host, "application/json", [JSON.stringify(listResult({ ttlMs: 1, cacheScope: "public" }, [TOOLS[0]!]))])).body);
    expect(unfiltered.result.cacheScope).toBe("public");
  });

  it("withholds a response it cannot parse (enforce) and passes it in audit mode", async () => {
    const duplicate = '{"jsonrpc":"2.0","id":2,"result":{"tools":[{"name":"search_code","name":"system_exec"}]}}';
    const enforce = await startGuard(SEED_CONFIG);
    for (const body of ["{not json", duplicate, '{"jsonrpc":"2.0","id":2,"result":{"tools":[]}} trailing']) {
      const result = await respond(enforce, "application/json", [body]);
      const reply = JSON.parse(result.body);
      expect(reply).toMatchObject({ jsonrpc: "2.0", error: { code: -32603 } });
      expect(reply.error.message).toMatch(/^mcp-guard withheld a server message: the response is not valid JSON/);
      expect(result.body).not.toContain("system_exec");
    }
    const audit = await startGuard({ ...SEED_CONFIG, mode: "audit" });
    expect((await respond(audit, "application/json", [duplicate])).body).toBe(duplicate);
  });

  it("withholds a response larger than the limit, including what arrives after it", async () => {
    const host = await startGuard({ ...SEED_CONFIG, limits: { max_body_bytes: 300 } });
    const body = JSON.stringify(listResult({ pad: "x".repeat(400) }));
    const result = await respond(host, "application/json", [body.slice(0, 200), body.slice(200, 350), body.slice(350)]);
    expect(JSON.parse(result.body)).toMatchObject({ error: { code: -32603, message: "mcp-guard withheld a server message: the response exceeds the 300 byte limit" } });
  });

  it("does not touch the filter's own refusals", async () => {
    const host = await startGuard(SEED_CONFIG);
    const result = await respond(host, "application/json", ["{}"], { request: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "system_exec" } }) });
    expect(JSON.parse(result.body)).toEqual({ jsonrpc: "2.0", id: 1, error: { code: -32602, message: "Unknown tool: system_exec" } });
  });
});

describe("tools/list results in text/event-stream", () => {
  const progress = JSON.stringify({ jsonrpc: "2.0", method: "notifications/progress", params: { progressToken: 1, progress: 50 } });
  const list = JSON.stringify(listResult());

  // Ends with a comment line: eventsource-parser holds a stream-final lone CR (it might start a CRLF), so the
  // last blank line must be followed by something for CR-only streams to show their last event.
  function stream(lineEnd: string): string {
    return [`: keep-alive comment`, "", `id: 1`, `event: message`, `data: ${progress}`, "", `id: 2`, `data: ${list}`, "", `event: other`, `data: ${list}`, "", ": end", ""].join(lineEnd);
  }

  function checkClientView(text: string): void {
    const events = clientEvents(text);
    expect(events).toHaveLength(3);
    expect(events[0]).toEqual({ event: "message", data: progress, id: "1" });
    expect(events[1]!.id).toBe("2");
    expect(toolNames(JSON.parse(events[1]!.data))).toEqual(["search_code", "get_pull_request"]);
    // An event type the MCP client ignores is passed as it came.
    expect(events[2]).toEqual({ event: "other", data: list });
  }

  for (const [name, lineEnd] of [["LF", "\n"], ["CRLF", "\r\n"], ["CR", "\r"]] as const) {
    it(`rewrites the list event and passes the others (${name} line endings)`, async () => {
      const host = await startGuard(SEED_CONFIG);
      const result = await respond(host, "text/event-stream", [stream(lineEnd)]);
      checkClientView(result.body);
      expect(result.body.startsWith(`: keep-alive comment${lineEnd}${lineEnd}id: 1${lineEnd}`)).toBe(true);
    });
  }

  it("gives the client the same events when the stream is split at every possible byte boundary", async () => {
    const host = await startGuard(SEED_CONFIG);
    for (const lineEnd of ["\n", "\r\n", "\r"]) {
      const bytes = Buffer.from(stream(lineEnd));
      for (let cut = 1; cut < bytes.length; cut += 1) {
        const result = await respond(host, "text/event-stream", [bytes.subarray(0, cut), bytes.subarray(cut)]);
        checkClientView(result.body);
      }
      const bytewise = Array.from(bytes, (b) => Uint8Array.of(b));
      checkClientView((await respond(host, "text/event-stream", bytewise)).body);
    }
    expect(host.failed).toBe(false);
  }, 120_000);

  // A one-line event's data is filtered where it lies in the carried bytes, a multi-line one is joined first;
  // the line ends the splitter found while an event was arriving are reused to parse and rewrite it (up to 16
  // lines: an event of more is scanned again). Cuts at every chunk size and exactly around each `data:` field.
  it("gives the same events for one-line, multi-line and many-line events whatever the chunking", async () => {
    const host = await startGuard(SEED_CONFIG);
    const half = list.indexOf('"result"');
    const pretty = JSON.stringify(listResult(), null, 2).split("\n").map((l) => `data: ${l}`);
    const comments = Array.from({ length: 20 }, (_, i) => `: comment ${i}`);
    const tabbed = JSON.stringify(listResult({ note: "é\t" }), null, "\t").replace(/\n/g, "");
    const events = [
      ["id: 1", `data: ${list}`],
      ["event: message", `data: ${list.slice(0, half)}`, `data: ${list.slice(half)}`],
      ["id: 3", ...pretty],
      [...comments, `data: ${list}`],
      ["event: message", `data: ${list}`, "id: 5"],
      // Tabs and other bytes below 0x0e that end no line, where the line-end search looks closer at them.
      ["id: 6", `data: ${tabbed}\t\t`],
      ["event: other", `data: \t\x0b\x0c\x00é\t`],
    ];
    for (const lineEnd of ["\n", "\r\n", "\r"]) {
      const text = events.map((lines) => lines.join(lineEnd) + lineEnd + lineEnd).join("") + ": end" + lineEnd;
      const bytes = Buffer.from(text);
      const check = (body: string) => {
        const seen = clientEvents(body);
        expect(seen.map((e) => e.id)).toEqual(["1", undefined, "3", undefined, "5", "6", undefined]);
        for (const event of seen.slice(0, 6)) expect(toolNames(JSON.parse(event.data))).toEqual(["search_code", "get_pull_request"]);
        expect(seen[6]).toEqual({ event: "other", data: "\t\x0b\x0c\x00é\t" });
      };
      const chunkings: Uint8Array[][] = [[bytes]];
      for (const size of [1, 2, 3, 5, 8, 13, 64, 333]) {
        const chunks: Uint8Array[] = [];
        for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
        chunkings.push(chunks);
      }
      const cuts: number[] = [];
      for (let at = text.indexOf("data:"); at >= 0; at = text.indexOf("data:", at + 1)) cuts.push(at, at + 6);
      chunkings.push([0, ...cuts].map((at, i, all) => bytes.subarray(at, i + 1 < all.length ? all[i + 1] : bytes.length)));
      for (const chunks of chunkings) check((await respond(host, "text/event-stream", chunks)).body);
    }
    expect(host.failed).toBe(false);
  }, 120_000);

  // A chunk that starts with no partial event carried over is read where it lies (its complete events are never
  // copied into the carry), a chunk that continues a carried event is appended to it: the client must not see
  // the difference. Chunks of several whole events then a partial one, events ending exactly at a chunk end,
  // a carried partial ending in a CR whose LF comes with the next chunk, a byte order mark at the start (also
  // cut after two of its bytes). Every chunking must give the bytes the whole stream in one chunk gives.
  it("gives the same bytes whether a chunk's events are read in the chunk or after a carried partial event", async () => {
    const host = await startGuard(SEED_CONFIG);
    const event = (id: number, lineEnd = "\n") => `id: ${id}${lineEnd}data: ${list}${lineEnd}${lineEnd}`;
    const other = `event: other\ndata: ${list}\n\n`;
    const half = event(4).length >> 1;
    const crlf = event(8, "\r\n");
    const chunks = [
      event(1) + other + event(3) + event(4).slice(0, half), // whole events, then a partial one
      event(4).slice(half) + event(5), // completes the carried event; the next one ends with the chunk
      event(6) + ": comment\n\n" + event(7), // read in place, ends with the chunk
      crlf.slice(0, -1), // a partial event whose last byte is the CR of its final CRLF
      crlf.slice(-1) + event(9, "\r") + event(10).slice(0, 5),
      event(10).slice(5) + ": end\n",
    ];
    const ids = ["1", undefined, "3", "4", "5", "6", "7", "8", "9", "10"];
    for (const bom of ["", "\ufeff"]) {
      const whole = await respond(host, "text/event-stream", [bom + chunks.join("")]);
      const seen = clientEvents(whole.body);
      expect(seen.map((e) => e.id)).toEqual(ids);
      for (const e of seen) expect(toolNames(JSON.parse(e.data))).toEqual(e.event === "other" ? TOOLS.map((t) => t.name) : ["search_code", "get_pull_request"]);
      const withBom = [bom + chunks[0]!, ...chunks.slice(1)];
      expect((await respond(host, "text/event-stream", withBom)).body).toBe(whole.body);
      if (bom !== "") {
        const bytes = Buffer.from(withBom[0]!);
        expect((await respond(host, "text/event-stream", [bytes.subarray(0, 2), bytes.subarray(2), ...chunks.slice(1)])).body).toBe(whole.body);
      }
      // Each chunk cut once more at every event boundary inside it. A piece that ends in a whole event starts the
      // next one fresh (the in-chunk path); one that ends in "\r\r" cannot know yet whether an "\n" follows, so its
      // last event is carried and the next piece takes the carry path: both paths, and the switch between them.
      const atBoundaries = withBom.flatMap((c) => c.split(/(?<=\n\n|\r\r)/));
      expect((await respond(host, "text/event-stream", atBoundaries)).body).toBe(whole.body);
    }
    expect(host.failed).toBe(false);
  }, 120_000);

  it("joins multi-line data as the client does (pretty-printed JSON over several data: lines)", async () => {
    const host = await startGuard(SEED_CONFIG);
    const pretty = JSON.stringify(listResult(), null, 2).split("\n").map((l) => `data: ${l}`).join("\n");
    const result = await respond(host, "text/event-stream", [`event: message\n${pretty}\n\n`]);
    const [event] = clientEvents(result.body);
    expect(toolNames(JSON.parse(event!.data))).toEqual(["search_code", "get_pull_request"]);
  });

  it("is not fooled by a CR at a chunk's end whose LF comes in the next chunk", async () => {
    const host = await startGuard(SEED_CONFIG);
    // The client sees ONE event whose data is both halves joined by LF; a filter that took the lone CR for an
    // event boundary would see two unparseable halves.
    const half = list.indexOf('"result"'); // between two members, where a line break is valid JSON
    const chunks = [`data: ${list.slice(0, half)}\r`, `\ndata: ${list.slice(half)}\r\n\r\n`];
    const events = clientEvents((await respond(host, "text/event-stream", chunks)).body);
    expect(events).toHaveLength(1);
    expect(toolNames(JSON.parse(events[0]!.data))).toEqual(["search_code", "get_pull_request"]);
  });

  it("strips a leading byte order mark so a data field cannot hide behind it", async () => {
    const host = await startGuard(SEED_CONFIG);
    const events = clientEvents((await respond(host, "text/event-stream", [`\uFEFFdata: ${list}\n\n`])).body);
    expect(toolNames(JSON.parse(events[0]!.data))).toEqual(["search_code", "get_pull_request"]);
  });

  it("replaces an event whose data is not JSON with a JSON-RPC error event (enforce)", async () => {
    const host = await startGuard(SEED_CONFIG);
    const events = clientEvents((await respond(host, "text/event-stream", [`id: 9\ndata: {"tools":[{"name":"system_exec"}\n\n`, `data: ${progress}\n\n`])).body);
    expect(events).toHaveLength(2);
    expect(events[0]!.id).toBe("9");
    expect(JSON.parse(events[0]!.data)).toMatchObject({ jsonrpc: "2.0", error: { code: -32603 } });
    expect(events[1]!.data).toBe(progress);
  });

  it("withholds a complete event larger than the limit and goes on with the next", async () => {
    const host = await startGuard({ ...SEED_CONFIG, limits: { max_body_bytes: 400 } });
    const big = `data: ${JSON.stringify(listResult({ pad: "y".repeat(500) }))}\n\n`;
    const events = clientEvents((await respond(host, "text/event-stream", [big + `data: ${progress}\n\n`])).body);
    expect(events).toHaveLength(2);
    expect(JSON.parse(events[0]!.data)).toMatchObject({ error: { code: -32603 } });
    expect(events[1]!.data).toBe(progress);
  });

  it("ends an event stream whose partial event exceeds the limit with an error event (enforce)", async () => {
    const host = await startGuard({ ...SEED_CONFIG, limits: { max_body_bytes: 400 } });
    const big = `data: ${JSON.stringify(listResult({ pad: "y".repeat(500) }))}\n\n`;
    // The first 450 bytes of the big event already exceed the limit before the event is complete.
    const events = clientEvents((await respond(host, "text/event-stream", [`data: ${progress}\n\n`, big.slice(0, 450), big.slice(450), `data: ${list}\n\n`])).body);
    expect(events.map((e) => JSON.parse(e.data))).toEqual([
      JSON.parse(progress),
      { jsonrpc: "2.0", error: { code: -32603, message: "mcp-guard withheld a server message: an event exceeds the 400 byte limit" } },
    ]);
  });

  it("filters the legacy HTTP+SSE GET stream: endpoint event untouched, results filtered", async () => {
    const host = await startGuard(SEED_CONFIG);
    const body = `event: endpoint\ndata: /messages?sessionId=abc\n\nevent: message\ndata: ${list}\n\n`;
    const events = clientEvents((await respond(host, "text/event-stream", [body.slice(0, 30), body.slice(30)], { method: "GET" })).body);
    expect(events[0]).toEqual({ event: "endpoint", data: "/messages?sessionId=abc" });
    expect(toolNames(JSON.parse(events[1]!.data))).toEqual(["search_code", "get_pull_request"]);
  });
});
