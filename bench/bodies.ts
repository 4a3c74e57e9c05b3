// The bodies the benchmark, the soak and the fuzzer send. Deterministic: the same call gives the same bytes.

const encoder = new TextEncoder();

// Realistic tools/call bodies of given sizes: code-search style arguments with nested objects, numbers,
// escapes and non-ASCII text, so that the parser does the work a real agent's request costs. This is the
// "structured" shape: a value every ~11 bytes, the hardest kind of body for a byte-level reader.
export function toolCallBody(targetBytes: number, tool = "search_code", id = 1): Uint8Array {
  const records: string[] = [];
  const frame = (context: string) => `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":${JSON.stringify(tool)},"arguments":{"query":"TODO owner:platform","context":[${context}]}}}`;
  let size = Buffer.byteLength(frame(""));
  for (let i = 0; size < targetBytes; i++) {
    const record = JSON.stringify({
      path: `src/module_${i}/file_${i % 17}.ts`,
      line: (i * 7919) % 10000,
      score: ((i * 31) % 1000) / 1000,
      snippet: `const x${i} = "tab\there \"quoted\" — ünïcödé ✓";`,
      tags: ["ts", i % 2 === 0 ? "core" : "util"],
    });
    records.push(record);
    size += Buffer.byteLength(record) + (records.length > 1 ? 1 : 0);
  }
  return encoder.encode(frame(records.join(",")));
}

// The "text" shape: a tools/call that writes a file, the usual way a request gets big. One long string of
// source code (escaped newlines, quotes and tabs, a little non-ASCII), next to a few small arguments.
export function textToolCallBody(targetBytes: number, tool = "search_code", id = 1): Uint8Array {
  const frame = (content: string) => JSON.stringify({
    jsonrpc: "2.0",
    id,
    method: "tools/call",
    params: { name: tool, arguments: { path: "src/generated/report.ts", mode: "overwrite", content } },
  });
  const lines: string[] = [];
  let size = Buffer.byteLength(frame(""));
  for (let i = 0; size < targetBytes; i++) {
    const line = i % 12 === 0
      ? `// Section ${i}: totals per région — generated, do not edit`
      : `\texport const value${i} = compute("metric_${i % 97}", ${i * 31 % 1000}, { strict: true });`;
    lines.push(line);
    size += Buffer.byteLength(JSON.stringify(line)); // the escaped line, less its quotes, plus "\\n"
  }
  return encoder.encode(frame(lines.join("\n") + "\n"));
}

export const BODY_SIZES_KB = [0.4, 1.2, 16, 256, 1024] as const;

const VERBS = ["get", "list", "create", "update", "delete", "run"] as const;
const NOUNS = ["issue", "pull_request", "branch", "release", "workflow", "secret", "file", "query"] as const;

// Name of the i-th tool of toolsListResult: search_code and get_pull_request first, then verb_noun_i.
export function toolName(i: number): string {
  if (i === 0) return "search_code";
  if (i === 1) return "get_pull_request";
  return `${VERBS[i % VERBS.length]}_${NOUNS[(i >> 1) % NOUNS.length]}_${i}`;
}

// A tools/list result with `count` tools, each with a title, a description and a small input schema (~400 bytes
// a tool, like a real server's), as one JSON-RPC response.
export function toolsListResult(count: number, id = 2): Uint8Array {
  const tools = [];
  for (let i = 0; i < count; i++) {
    const name = toolName(i);
    tools.push({
      name,
      title: name.replace(/_/g, " "),
      description: `${name.replace(/_/g, " ")}: works on one repository of the organisation; results are paginated, ` +
        `at most 100 per page — see the “limits” section.`,
      inputSchema: {
        type: "object",
        properties: {
          owner: { type: "string", description: "Repository owner" },
          repo: { type: "string", description: "Repository name" },
          number: { type: "integer", minimum: 1 },
          page: { type: "integer", minimum: 1, default: 1 },
        },
        required: ["owner", "repo"],
      },
    });
  }
  return encoder.encode(JSON.stringify({ jsonrpc: "2.0", id, result: { tools, nextCursor: "page-2" } }));
}

// One JSON-RPC message as a Server-Sent Events `message` event, with the given line ending.
export function sseEvent(message: Uint8Array | string, lineEnding = "\n", id?: string): string {
  const text = typeof message === "string" ? message : Buffer.from(message).toString("utf8");
  const head = id !== undefined ? `id: ${id}${lineEnding}` : "";
  return `${head}event: message${lineEnding}data: ${text}${lineEnding}${lineEnding}`;
}

// Cuts bytes into chunks of `size` bytes (the last one shorter).
export function chunksOf(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.byteLength; at += size) out.push(bytes.subarray(at, Math.min(bytes.byteLength, at + size)));
  return out;
}

// An event stream of `count` progress notifications for one tools/call, each with a short status message, then
// the call's result: many small events (~200 bytes each), as a long-running tool streams them.
export function progressStream(count: number, id = 3): Uint8Array {
  let text = "";
  for (let i = 1; i <= count; i++) {
    const message = { jsonrpc: "2.0", method: "notifications/progress", params: { progressToken: `call-${id}`, progress: i, total: count, message: `indexed ${i * 37} of ${count * 37} files in src/` } };
    text += sseEvent(JSON.stringify(message), "\n", `${id}-${i}`);
  }
  const result = { jsonrpc: "2.0", id, result: { content: [{ type: "text", text: `indexed ${count * 37} files` }], isError: false } };
  text += sseEvent(JSON.stringify(result), "\n", `${id}-${count + 1}`);
  return encoder.encode(text);
}
