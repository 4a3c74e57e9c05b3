// Fuzz cases: MCP requests for the request path and server answers for the response path, generated from a
// seeded PRNG. Each case is built from valid messages, then bent: duplicate and escaped keys, escaped method
// and tool names, batches, deep nesting, ids and params of the wrong type, invalid UTF-8, byte-level mutations,
// odd headers, bodies split into chunks, requests that end with trailers; answers as JSON or as event streams
// with every line ending, comments, multi-line data, split at any byte.
import { concatBytes } from "../../src/host/bytes.ts";
import type { ExchangeRequest, HeaderList, UpstreamAnswer } from "../../src/host/index.ts";
import { int, nested, obj, pick, toText, type JsonText, type Rng } from "./json-text.ts";

export const FUZZ_ALLOWLIST = ["search_code", "get_pull_request"] as const;
export const FUZZ_POLICY = { tool_allowlist: [...FUZZ_ALLOWLIST] };

export interface FuzzCase {
  kind: "request" | "response";
  /** What the generator did, e.g. "request batch dup-key mutate:insert". */
  label: string;
  request: ExchangeRequest;
  /** The upstream's answer (response cases; request cases answer with a small result). */
  answer: UpstreamAnswer;
}

const encoder = new TextEncoder();

// Tool names: allowed ones, and ones a guard must not confuse with them.
const ALLOWED_NAMES = ["search_code", "get_pull_request"];
const TOOL_NAMES = [
  ...ALLOWED_NAMES, ...ALLOWED_NAMES, ...ALLOWED_NAMES, ...ALLOWED_NAMES, ...ALLOWED_NAMES,
  "system_exec", "get_secret", "delete_repository", "search_code_v2", "search_cod", "Search_code", "SEARCH_CODE",
  "search_code ", " search_code", "search_code\n", "search_code\u0000", "search\u200bcode", "\u0455earch_code",
  "search_codе", "get_pull_request/../system_exec", "*", "get_*", "", "search_code\ud800", "\ud83d\ude00",
  "get_pull_requests", "get_pull_reques", "search\\_code", "search_code\u00a0",
];

const METHODS = [
  "tools/call", "tools/call", "tools/call", "tools/call", "tools/list", "resources/read", "resources/subscribe",
  "initialize", "ping", "notifications/initialized", "prompts/get", "Tools/call", "tools/call ", "tools/Call",
  "tools\\/call", "tools/call\u0000", "sampling/createMessage", "acme/custom",
];

const RESOURCE_URIS = [
  "file:///repo/README.md", "file:///repo/src/a.ts", "file:///repo/../etc/passwd", "file:///repo/%2e%2e/etc/passwd",
  "file:///repo/%252e%252e/etc/passwd", "file:///repo/.%2E/x", "file:///repo/..%2fetc", "file:///repo/a/..", "..",
  "../x", "repo://x/%2E%2E%2Fsecret", "file:///repo/a\\..\\b", "file:///repo/%zz", "file:///repo/%00", "https://example.com/a/./b",
];

const PROTOCOL_VERSIONS = [undefined, undefined, "2025-03-26", "2025-06-18", "2025-11-25", "2024-11-05", "2026-07-28", " 2025-03-26", "garbage"];

const GOOD_CONTENT_TYPES = ["application/json", "application/json; charset=utf-8", "Application/JSON", "application/json;charset=UTF-8"];
const BAD_CONTENT_TYPES = ["text/plain", "application/json-seq", "application/x-www-form-urlencoded", undefined];

function idValue(rng: Rng): JsonText {
  if (rng() < 0.8) return pick<JsonText>(rng, [1, 2, 42, "req-1", "", 0, -7, "🙂", 4.0e2]);
  return pick<JsonText>(rng, [1.5, null, true, obj(["x", 1]), [1], 9007199254740993, { raw: "1.0" }, { raw: "-0" }, { raw: "1e2" }]);
}

function toolArguments(rng: Rng): JsonText {
  const roll = rng();
  if (roll < 0.5) return obj(["query", pick(rng, ["TODO", "owner:platform", "ünïcödé ✓", "a\"b\\c", "\u2028\u2029"])], ["limit", int(rng, 0, 100)]);
  if (roll < 0.65) return nested(rng, int(rng, 1, 90), "deep");
  if (roll < 0.75) return obj(["content", "x".repeat(int(rng, 0, 20_000))]);
  if (roll < 0.85) return pick<JsonText>(rng, [null, [], "text", 7, obj()]);
  return obj(["name", pick(rng, TOOL_NAMES)], ["method", "tools/call"], ["params", obj(["name", "system_exec"])]);
}

// What the first message of a body asks for, so headers can mirror it (MCP 2026-07-28 Mcp-Method / Mcp-Name).
interface Mirror {
  method?: string;
  name?: string;
}

/** One JSON-RPC message as a list of members, usually a request, sometimes bent out of shape. */
function message(rng: Rng, labels: string[], mirror: Mirror = {}): JsonText {
  const method = pick(rng, METHODS);
  mirror.method ??= method;
  const members: Array<[string, JsonText]> = [];
  if (rng() > 0.03) members.push(["jsonrpc", rng() < 0.97 ? "2.0" : pick<JsonText>(rng, ["1.0", 2, null, "2.0 "])]);
  if (rng() > 0.15) members.push(["id", idValue(rng)]);
  members.push(["method", rng() < 0.97 ? method : pick<JsonText>(rng, [7, null, obj(), ["tools/call"]])]);
  let params: Array<[string, JsonText]> = [];
  if (method.startsWith("resources/")) {
    const uri = pick(rng, RESOURCE_URIS);
    mirror.name ??= uri;
    params.push(["uri", uri]);
  } else {
    const name: JsonText = rng() < 0.95 ? pick(rng, TOOL_NAMES) : pick<JsonText>(rng, [1, null, obj(["name", "search_code"]), ["search_code"], true]);
    if (typeof name === "string") mirror.name ??= name;
    params.push(["name", name]);
  }
  if (rng() < 0.8) params.push(["arguments", toolArguments(rng)]);
  if (rng() < 0.1) params.push(["_meta", obj(["progressToken", 1])]);
  if (rng() < 0.5) params = params.reverse();
  const paramsValue: JsonText = rng() < 0.96 ? { members: params } : pick<JsonText>(rng, [null, [], "params", 3]);
  if (rng() > 0.05) members.push(["params", paramsValue]);
  if (rng() < 0.03) members.push([pick(rng, ["result", "error"]), obj()]);

  // Duplicate keys: the same member again with a different value, before or after the first.
  if (rng() < 0.25) {
    const key = pick(rng, ["name", "method", "params", "jsonrpc", "id", "arguments", "uri"]);
    labels.push(`dup:${key}`);
    const dupValue: JsonText = key === "name" ? pick(rng, TOOL_NAMES) : key === "method" ? pick(rng, METHODS)
      : key === "params" ? obj(["name", pick(rng, TOOL_NAMES)]) : key === "uri" ? pick(rng, RESOURCE_URIS) : idValue(rng);
    const target = key === "name" || key === "arguments" || key === "uri" ? params : members;
    const at = int(rng, 0, target.length);
    target.splice(at, 0, [key, dupValue]);
    if (target === params && rng() > 0.05 && members.every(([k]) => k !== "params")) members.push(["params", { members: params }]);
  }
  return { members };
}

function requestBody(rng: Rng, labels: string[], mirror: Mirror): Uint8Array {
  let value: JsonText;
  const shape = rng();
  if (shape < 0.78) {
    value = message(rng, labels, mirror);
  } else if (shape < 0.93) {
    labels.push("batch");
    value = Array.from({ length: int(rng, 0, 5) }, () => message(rng, labels, mirror));
  } else {
    labels.push("nested-batch");
    value = [[message(rng, labels, mirror)], message(rng, labels, mirror)];
  }
  const escapeRate = rng() < 0.3 ? pick(rng, [0.05, 0.3, 1]) : 0;
  if (escapeRate > 0) labels.push(`escape:${escapeRate}`);
  const text = toText(rng, value, { escapeRate, spaceRate: rng() < 0.2 ? 0.3 : 0 });
  let bytes: Uint8Array = encoder.encode(text);
  if (rng() < 0.2) {
    const [mutated, what] = mutate(rng, bytes);
    bytes = mutated;
    labels.push(`mutate:${what}`);
  }
  return bytes;
}

// Byte sequences that are not well-formed UTF-8, or that a lenient decoder turns into something else.
const BAD_UTF8 = [[0xff], [0x80], [0xc0, 0xa2], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc2]];
const FRAGMENTS = ['"name"', '"method"', '"tools/call"', '"system_exec"', ":", ",", "{", "}", "[", "]", "\\u0000", "\\", '"', "null", "\u00a0", "\f", "\v", "/*x*/", "NaN", "1e999", "-0", "01"];

/** One random byte-level change; returns the new bytes and its name. */
export function mutate(rng: Rng, bytes: Uint8Array): [Uint8Array, string] {
  const at = int(rng, 0, bytes.length);
  const splice = (insert: ArrayLike<number>, remove = 0) => {
    remove = Math.min(remove, bytes.length - at);
    const out = new Uint8Array(bytes.length + insert.length - remove);
    out.set(bytes.subarray(0, at));
    out.set(Array.from(insert), at);
    out.set(bytes.subarray(Math.min(bytes.length, at + remove)), at + insert.length);
    return out;
  };
  switch (int(rng, 0, 9)) {
    case 0: return [splice([int(rng, 0, 255)]), "insert"];
    case 1: return [splice([], int(rng, 1, 4)), "delete"];
    case 2: return [splice([int(rng, 0, 255)], 1), "replace"];
    case 3: return [bytes.subarray(0, at), "truncate"];
    case 4: return [splice(pick(rng, BAD_UTF8)), "bad-utf8"];
    case 5: return [splice(encoder.encode(pick(rng, FRAGMENTS))), "fragment"];
    case 6: return [new Uint8Array([...bytes, ...encoder.encode(pick(rng, [" ", "\n", "x", "}", "{}", "\u0000", "[]", "\ufeff"]))]), "trailing"];
    case 7: return [new Uint8Array([0xef, 0xbb, 0xbf, ...bytes]), "bom"];
    case 8: {
      // Swap the tool name for a look-alike inside the raw text (keeps the JSON valid).
      const text = new TextDecoder().decode(bytes);
      return [encoder.encode(text.replace("search_code", pick(rng, ["system_exec", "search_code\\u0000", "search\\u005fcode", "s\\u0065arch_code"]))), "rename"];
    }
    default: {
      const from = int(rng, 0, bytes.length);
      const to = Math.min(bytes.length, from + int(rng, 1, 40));
      return [splice(bytes.subarray(from, to)), "repeat"];
    }
  }
}

/** Cuts bytes at random places into 1 to `max` chunks (empty chunks included now and then). */
export function randomChunks(rng: Rng, bytes: Uint8Array, max: number): Uint8Array[] {
  const count = int(rng, 1, max);
  const cuts = Array.from({ length: count - 1 }, () => int(rng, 0, bytes.length)).sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let prev = 0;
  for (const cut of [...cuts, bytes.length]) {
    chunks.push(bytes.subarray(prev, cut));
    prev = cut;
  }
  return chunks;
}

function requestHeaders(rng: Rng, labels: string[], mirror: Mirror): HeaderList {
  const headers: HeaderList = [[":method", "POST"], [":path", "/mcp"], [":authority", "mcp.example"], [":scheme", "http"]];
  const type = rng() < 0.92 ? pick(rng, GOOD_CONTENT_TYPES) : pick(rng, BAD_CONTENT_TYPES);
  if (type !== undefined) headers.push(["content-type", type]);
  headers.push(["accept", "application/json, text/event-stream"]);
  const version = pick(rng, PROTOCOL_VERSIONS);
  if (version !== undefined) headers.push(["mcp-protocol-version", version]);
  // Mirrored headers: required from 2026-07-28 on, checked whenever sent; usually right, sometimes not.
  if (version === "2026-07-28" || rng() < 0.05) {
    if (mirror.method !== undefined && rng() < 0.9) headers.push(["mcp-method", rng() < 0.9 ? mirror.method : pick(rng, METHODS)]);
    if (mirror.name !== undefined && rng() < 0.9) headers.push(["mcp-name", rng() < 0.9 ? mirror.name : pick(rng, TOOL_NAMES)]);
    labels.push("mirrored");
  }
  if (rng() < 0.03) {
    headers.push(["content-encoding", pick(rng, ["gzip", "identity", "br"])]);
    labels.push("encoding");
  }
  return headers;
}

const SMALL_RESULT = '{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"ok"}]}}';

export function requestCase(rng: Rng): FuzzCase {
  const labels: string[] = ["request"];
  const mirror: Mirror = {};
  const body = requestBody(rng, labels, mirror);
  const headers = requestHeaders(rng, labels, mirror);
  const request: ExchangeRequest = { headers };
  if (rng() < 0.4) {
    request.chunks = randomChunks(rng, body, 6);
    labels.push("chunks");
  } else {
    request.body = body;
    if (rng() < 0.7) headers.push(["content-length", String(body.byteLength)]);
  }
  if (rng() < 0.1) {
    request.trailers = [["x-trailer", "1"]];
    if (!request.chunks) request.chunks = [body];
    labels.push("trailers");
  }
  return { kind: "request", label: labels.join(" "), request, answer: { headers: [[":status", "200"], ["content-type", "application/json"]], body: SMALL_RESULT } };
}

// ---- response path ----------------------------------------------------------------------------------------

function tool(rng: Rng, labels: string[]): JsonText {
  const roll = rng();
  if (roll < 0.04) return pick<JsonText>(rng, [null, "search_code", 7, ["search_code"]]);
  const members: Array<[string, JsonText]> = [];
  if (roll > 0.08) members.push(["name", rng() < 0.96 ? pick(rng, TOOL_NAMES) : pick<JsonText>(rng, [1, null, obj()])]);
  if (rng() < 0.7) members.push(["description", pick(rng, ["Searches code", "Runs a command — carefully", "ünïcödé"])]);
  if (rng() < 0.6) members.push(["inputSchema", obj(["type", "object"], ["properties", obj(["q", obj(["type", "string"])])])]);
  if (rng() < 0.15) {
    labels.push("dup:tool-name");
    members.splice(int(rng, 0, members.length), 0, ["name", pick(rng, TOOL_NAMES)]);
  }
  return { members };
}

function listResult(rng: Rng, labels: string[]): JsonText {
  const tools = Array.from({ length: int(rng, 0, 10) }, () => tool(rng, labels));
  const result: Array<[string, JsonText]> = [["tools", tools]];
  if (rng() < 0.3) result.push(["nextCursor", "c2"]);
  if (rng() < 0.1) result.push(pick<[string, JsonText]>(rng, [["cacheScope", "public"], ["ttlMs", 1000], ["resultType", "complete"]]));
  if (rng() < 0.1) {
    labels.push("dup:tools");
    result.splice(int(rng, 0, result.length), 0, ["tools", [obj(["name", pick(rng, TOOL_NAMES)])]]);
  }
  const members: Array<[string, JsonText]> = [["jsonrpc", "2.0"], ["id", idValue(rng)], ["result", { members: result }]];
  if (rng() < 0.05) {
    labels.push("dup:result");
    members.push(["result", obj(["tools", [obj(["name", pick(rng, TOOL_NAMES)])]])]);
  }
  return { members };
}

function serverMessage(rng: Rng, labels: string[]): JsonText {
  const roll = rng();
  if (roll < 0.75) return listResult(rng, labels);
  if (roll < 0.85) {
    labels.push("batch");
    return [listResult(rng, labels), listResult(rng, labels)];
  }
  if (roll < 0.95) return obj(["jsonrpc", "2.0"], ["method", pick(rng, ["notifications/progress", "sampling/createMessage", "notifications/tools/list_changed"])], ["params", obj()]);
  return obj(["jsonrpc", "2.0"], ["id", 1], ["error", obj(["code", -32000], ["message", "nope"])]);
}

function messageText(rng: Rng, labels: string[]): Uint8Array {
  const escapeRate = rng() < 0.25 ? pick(rng, [0.05, 0.5, 1]) : 0;
  if (escapeRate > 0) labels.push(`escape:${escapeRate}`);
  let bytes: Uint8Array = encoder.encode(toText(rng, serverMessage(rng, labels), { escapeRate, spaceRate: rng() < 0.2 ? 0.3 : 0 }));
  if (rng() < 0.15) {
    const [mutated, what] = mutate(rng, bytes);
    bytes = mutated;
    labels.push(`mutate:${what}`);
  }
  return bytes;
}

const LINE_ENDINGS = ["\n", "\r\n", "\r"];

/** An event stream: events with data (sometimes on several lines), ids, types, comments, retry fields. */
function eventStream(rng: Rng, labels: string[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const eol = () => encoder.encode(rng() < 0.8 ? LINE_ENDINGS[0]! : pick(rng, LINE_ENDINGS));
  const line = (text: string | Uint8Array) => {
    parts.push(typeof text === "string" ? encoder.encode(text) : text, eol());
  };
  if (rng() < 0.05) {
    parts.push(new Uint8Array([0xef, 0xbb, 0xbf]));
    labels.push("bom");
  }
  const events = int(rng, 1, 4);
  for (let e = 0; e < events; e++) {
    if (rng() < 0.15) line(": keep-alive");
    if (rng() < 0.3) line(`id: ${e}`);
    if (rng() < 0.4) line(`event: ${rng() < 0.85 ? "message" : pick(rng, ["endpoint", "ping", "Message", "message "])}`);
    if (rng() < 0.05) line("retry: 1000");
    const data = messageText(rng, labels);
    const prefix = rng() < 0.9 ? "data: " : "data:";
    if (rng() < 0.2) {
      // Data over several lines, cut at JSON-legal places (after commas) so the client rejoins it with LF.
      labels.push("multiline");
      const text = new TextDecoder().decode(data);
      for (const piece of text.split(/(?<=,)/)) line(prefix + piece);
    } else {
      parts.push(encoder.encode(prefix), data, eol());
    }
    if (e < events - 1 || rng() < 0.9) parts.push(eol());
    else labels.push("unterminated");
  }
  return concatBytes(parts);
}

export function responseCase(rng: Rng): FuzzCase {
  const labels: string[] = ["response"];
  const sse = rng() < 0.55;
  labels.push(sse ? "sse" : "json");
  const body = sse ? eventStream(rng, labels) : messageText(rng, labels);
  const contentType = sse ? pick(rng, ["text/event-stream", "text/event-stream; charset=utf-8", "Text/Event-Stream"]) : pick(rng, ["application/json", "application/json; charset=utf-8"]);
  const answer: UpstreamAnswer = { headers: [[":status", "200"], ["content-type", contentType]] };
  if (rng() < 0.6) {
    answer.chunks = randomChunks(rng, body, sse ? 12 : 4);
    labels.push("chunks");
  } else {
    answer.body = body;
  }
  if (rng() < 0.05) {
    answer.trailers = [["x-trailer", "1"]];
    answer.chunks ??= [body];
    labels.push("trailers");
  }
  const listRequest = encoder.encode('{"jsonrpc":"2.0","id":1,"method":"tools/list"}');
  const request: ExchangeRequest = {
    headers: [[":method", "POST"], [":path", "/mcp"], [":authority", "mcp.example"], [":scheme", "http"], ["content-type", "application/json"], ["accept", "application/json, text/event-stream"]],
    body: listRequest,
  };
  return { kind: "response", label: labels.join(" "), request, answer };
}

/** The next case: about 60% requests, 40% server answers. */
export function nextCase(rng: Rng): FuzzCase {
  return rng() < 0.6 ? requestCase(rng) : responseCase(rng);
}
