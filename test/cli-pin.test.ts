// `mcp-guard pin`, run as a user runs it (node bin/mcp-guard.js, one child process per command). The property
// that matters: the pins the CLI prints are the digests the module computes, so a policy built from them keeps
// every pinned tool in tools/list until its description changes. Checked on generated tool sets (unicode-heavy
// descriptions, schemas with 1e21, 0.1, -0 and friends, keys in random order, varied JSON spelling), on the
// SDK demo server through the gateway, and on a raw server that pages its tools/list.
import { mkdtempSync, writeFileSync } from "node:fs";
import type http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { startDemoMcpServer, type DemoServer } from "../src/demo/mcp-server.ts";
import { ProxyWasmHost, exchange, type HeaderList } from "../src/host/index.ts";
import { toolDigest, type PinnedTool } from "../src/pins/canonical.ts";
import { gatewayFor, startUpstream, type Upstream } from "./gateway-harness.ts";
import { runCli, type CliRun } from "./helpers/cli.ts";
import { guardModule, postHeaders } from "./helpers/guard.ts";
import { freePort } from "./helpers/registry.ts";
import { prng } from "./json-harness.ts";

const DEMO_TOOLS = ["search_code", "get_pull_request", "delete_repo", "update_issue", "execute_command", "system_exec"];
const SEED = Number(process.env.PIN_SEED ?? Date.now() % 2 ** 31);
const scratch = mkdtempSync(join(tmpdir(), "mcp-guard-pin-"));

const pin = (args: string[]) => runCli(["pin", ...args]);

/** The pins of a successful run, from its YAML (human) or JSON output. */
function pinsOf(run: CliRun, json: boolean): Record<string, string> {
  expect(run.stderr, run.stderr).toBe("");
  expect(run.code).toBe(0);
  return ((json ? JSON.parse(run.stdout) : parseYaml(run.stdout)) as { tool_pins: Record<string, string> }).tool_pins;
}

// ---- generated tools, written as varied but valid JSON text ----

/** A JSON object as an ordered member list, so "__proto__" stays an ordinary member name. */
interface Members {
  members: Array<[string, Json]>;
}
type Json = null | boolean | number | string | Json[] | Members;

const CHARS = ['"', "\\", "/", "\n", "\t", "\u0000", "\u001f", "\u007f", "é", "€", "\u2028", "\u2029", "\ufeff", "\uffff", "😀", "\u{10ffff}", "名", "a", " "];
const text = fc.oneof(fc.string({ unit: "binary", maxLength: 24 }), fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 12 }));
const NUMBERS = [1e21, 0.1, -0, 0, 1e-7, 1e-6, 5e-324, 1.7976931348623157e308, 2 ** 53, 9007199254740993, -1, 123.456, 1 / 3, 1e300, 999999999999999900000];
const number = fc.oneof(fc.constantFrom(...NUMBERS), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer());
const key = fc.oneof(text, fc.constantFrom("type", "properties", "required", "__proto__", "constructor", "", "10", "2", "$schema"));

const { value: json } = fc.letrec<{ value: Json; object: Members }>((tie) => ({
  value: fc.oneof({ depthSize: "small" }, fc.constantFrom(null, true, false), number, text, fc.array(tie("value"), { maxLength: 4 }), tie("object")),
  object: fc.uniqueArray(fc.tuple(key, tie("value")), { maxLength: 5, selector: ([k]) => k }).map((members) => ({ members })),
}));

/** JSON-Schema-like input schemas: type object, properties with numeric bounds, nested objects, anything else. */
const schema: fc.Arbitrary<Members> = fc
  .tuple(
    fc.uniqueArray(fc.tuple(key, fc.record({ type: fc.constantFrom("string", "number", "object"), bound: number, extra: json })), { maxLength: 4, selector: ([k]) => k }),
    fc.array(fc.tuple(fc.constantFrom("minimum", "default", "examples", "x-meta"), json), { maxLength: 2 }),
  )
  .map(([props, extras]) => ({
    members: [
      ["type", "object"],
      ["properties", { members: props.map(([k, p]): [string, Json] => [k, { members: [["type", p.type], ["maximum", p.bound], ["x", p.extra]] }]) }],
      ...extras.filter(([k], i) => extras.findIndex(([other]) => other === k) === i),
    ],
  }));

/** Names are exact (no * or ?) and include ones YAML must quote. */
const NAMES = ["search_code", "get.pr", "x-y", "yes", "on", "#hash", "a: b", "with space", "é", "名前", "__proto__", "1"];
const toolSet = fc.uniqueArray(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 6 }).chain((names) =>
  fc.tuple(...names.map((name) =>
    fc.record({ description: fc.option(text, { nil: undefined }), inputSchema: fc.option(schema, { nil: undefined }), title: text })
      .map((t): Members => ({ members: [["name", name], ["title", t.title], ...(t.description !== undefined ? [["description", t.description] as [string, Json]] : []), ...(t.inputSchema !== undefined ? [["inputSchema", t.inputSchema] as [string, Json]] : [])] })),
  )),
);

function numberText(n: number, r: () => number): string {
  if (Object.is(n, -0)) return ["-0", "-0.0", "-0e3"][Math.floor(r() * 3)]!;
  if (n === 9007199254740993) return "9007199254740993"; // one more than the double it denotes
  if (n === 0 && r() < 0.3) return "1e-400"; // underflows to 0 on both sides
  const plain = String(n);
  const pick = r();
  if (pick < 0.25) return n.toExponential().replace("e+", "E");
  if (pick < 0.4 && Number.isInteger(n) && !plain.includes("e")) return `${plain}.000`;
  return plain;
}

function stringText(s: string, r: () => number): string {
  let out = '"';
  for (const ch of s) {
    const raw = JSON.stringify(ch).slice(1, -1);
    out += raw.length === ch.length && r() < 0.6 ? ch : Array.from({ length: ch.length }, (_, i) => `\\u${ch.charCodeAt(i).toString(16).padStart(4, "0")}`).join("").replace(/[a-f]/g, (x) => (r() < 0.5 ? x : x.toUpperCase()));
  }
  return `${out}"`;
}

/** The value as JSON text with random whitespace, escapes, number spellings and member order. */
function write(value: Json, r: () => number): string {
  const ws = () => [" ", "", "\n  ", "\t"][Math.floor(r() * 4)]!;
  if (value === null || typeof value === "boolean") return String(value);
  if (typeof value === "number") return numberText(value, r);
  if (typeof value === "string") return stringText(value, r);
  if (Array.isArray(value)) return `[${value.map((v) => ws() + write(v, r)).join(",")}${ws()}]`;
  const members = [...value.members].sort(() => r() - 0.5);
  return `{${members.map(([k, v]) => `${ws()}${stringText(k, r)}${ws()}:${write(v, r)}`).join(",")}${ws()}}`;
}

const SHAPES: Array<(tools: Json[]) => Json> = [
  (tools) => tools,
  (tools) => ({ members: [["tools", tools]] }),
  (tools) => ({ members: [["jsonrpc", "2.0"], ["id", 1], ["result", { members: [["tools", tools]] }]] }),
];

/** tools/list through the module (as guard-pins.test.ts does): the names that reach the client. */
async function listed(host: ProxyWasmHost, body: string): Promise<string[]> {
  const request = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" });
  const result = await exchange(host, { headers: postHeaders([], request), body: request }, () => ({ headers: [[":status", "200"], ["content-type", "application/json"]] as HeaderList, body }));
  return (JSON.parse(result.body) as { result: { tools: Array<{ name: string }> } }).result.tools.map((t) => t.name);
}

function withMember(tool: Members, name: string, value: Json): Members {
  return { members: [...tool.members.filter(([k]) => k !== name), [name, value]] };
}

describe("mcp-guard pin --from: the CLI's pins are the module's digests", () => {
  it(`generated tool sets: printed pins = toolDigest, and the module keeps exactly the unchanged tools (seed ${SEED})`, { timeout: 60_000 }, async () => {
    const sets = fc.sample(toolSet, { seed: SEED, numRuns: 6 });
    const files = sets.map((tools, i) => {
      const path = join(scratch, `tools-${i}.json`);
      writeFileSync(path, write(SHAPES[i % SHAPES.length]!(tools), prng(SEED + i)));
      return path;
    });
    const runs = await Promise.all(files.map((file, i) => pin(i % 2 === 0 ? ["--from", file, "--json"] : ["--from", file])));

    for (const [i, tools] of sets.entries()) {
      const where = `seed ${SEED}, set ${i}: ${files[i]}`;
      const names = tools.map((t) => t.members[0]![1] as string);
      const pins = pinsOf(runs[i]!, i % 2 === 0);
      const parsed = JSON.parse(write({ members: [["tools", tools]] }, prng(SEED + i))) as { tools: object[] };
      const expected = Object.fromEntries(parsed.tools.map((t, k) => [names[k]!, toolDigest(t)]));
      expect(pins, where).toEqual(expected);
      if (i % 2 === 1) expect(runs[i]!.stdout.split("\n").slice(1, -1).map((l) => parseYaml(l) as object).map((o) => Object.keys(o)[0]), where).toEqual([...names].sort());

      const host = await ProxyWasmHost.start({ module: guardModule(), pluginConfig: JSON.stringify({ tool_allowlist: names, tool_pins: pins }) });
      expect(host.configured, where).toBe(true);
      const wire = (list: Members[], seed: number) => write(SHAPES[2]!(list), prng(seed));
      expect(await listed(host, wire(tools, SEED + 100 + i)), where).toEqual(names);
      // A changed description removes that tool (and only it); so does a changed schema.
      const victim = i % tools.length;
      const described = tools.map((t, k) => (k === victim ? withMember(t, "description", `${String(t.members.find(([m]) => m === "description")?.[1] ?? "")} `) : t));
      expect(await listed(host, wire(described, SEED + 200 + i)), where).toEqual(names.filter((_, k) => k !== victim));
      const widened = tools.map((t, k) => (k === victim ? withMember(t, "inputSchema", { members: [["type", "object"], ["additionalProperties", true]] }) : t));
      expect(await listed(host, wire(widened, SEED + 300 + i)), where).toEqual(names.filter((_, k) => k !== victim));
      // Unchanged again: listed again.
      expect(await listed(host, wire(tools, SEED + 400 + i)), where).toEqual(names);
    }
  });

  it("a tool without a canonical form, or without a name, exits 1 naming it and the reason", async () => {
    const file = join(scratch, "bad.json");
    writeFileSync(file, '{"tools":[{"name":"ok","description":"fine"},{"name":"huge","inputSchema":{"type":"object","maximum":1e400}},{"name":"lone","description":"\\ud800"},{"description":"no name"}]}');
    const [all, one] = await Promise.all([pin(["--from", file]), pin(["--from", file, "--tools", "ok", "--json"])]);
    expect(all.code).toBe(1);
    expect(all.stdout).toBe("");
    expect(all.stderr).toContain('tool "huge": cannot be pinned: Infinity at $.inputSchema.maximum has no JSON form');
    expect(all.stderr).toContain('tool "lone": cannot be pinned: lone surrogate in the string at $.description');
    expect(all.stderr).toContain('tool "tools[3]": has no name');
    expect(all.stderr).not.toContain('"ok"');
    // --tools pins only what it names, so the broken neighbours do not matter.
    expect(pinsOf(one, true)).toEqual({ ok: toolDigest({ description: "fine" }) });
  });
});

describe("mcp-guard pin --upstream", () => {
  let demo: DemoServer;
  let paged: Upstream;
  beforeAll(async () => {
    demo = await startDemoMcpServer();
    paged = await pagedServer();
  });
  afterAll(async () => {
    await demo?.close();
    await paged?.close();
  });

  it("pins every tool of the SDK demo server; a policy with those pins lets tools/list through the gateway whole", { timeout: 40_000 }, async () => {
    const [json, yaml, sse] = await Promise.all([
      pin(["--upstream", demo.url, "--json"]),
      pin(["--upstream", demo.url, "--tools", "search_code,get_pull_request"]),
      pin(["-u", demo.sseUrl, "--transport", "sse", "--json"]),
    ]);
    const pins = pinsOf(json, true);
    expect(Object.keys(pins).sort()).toEqual([...DEMO_TOOLS].sort());
    expect(pinsOf(sse, true)).toEqual(pins);
    expect(yaml.stdout).toBe(`tool_pins:\n  get_pull_request: "${pins.get_pull_request}"\n  search_code: "${pins.search_code}"\n`);

    const names = async (pinned: Record<string, string>) => {
      const gateway = await gatewayFor(demo.url, { tool_allowlist: DEMO_TOOLS, tool_pins: pinned });
      const client = new Client({ name: "cli-pin-test", version: "1.0.0" });
      try {
        await client.connect(new StreamableHTTPClientTransport(new URL(gateway.url)));
        return (await client.listTools()).tools.map((t) => t.name);
      } finally {
        await client.close();
        await gateway.close();
      }
    };
    expect(await names(pins)).toEqual(DEMO_TOOLS);
    // The pins are what keeps them: swap two and both disappear.
    expect(await names({ ...pins, search_code: pins.system_exec!, system_exec: pins.search_code! })).toEqual(DEMO_TOOLS.filter((t) => t !== "search_code" && t !== "system_exec"));
  });

  it("follows nextCursor through every page and digests the tools as sent (a null description too)", async () => {
    const run = await pin(["--upstream", paged.url, "--json"]);
    expect(pinsOf(run, true)).toEqual(Object.fromEntries(PAGES.flatMap((p) => p.tools).map((t) => [t.name, toolDigest(t)])));
    expect(paged.requests.filter((r) => r.body.includes('"tools/list"')).map((r) => (JSON.parse(r.body) as { params?: { cursor?: string } }).params?.cursor)).toEqual([undefined, "1", "2"]);
  });

  it("--help exits 0; exit codes: 2 usage, 1 for a --tools name the server lacks, 3 when the server is unreachable or its pages loop", { timeout: 40_000 }, async () => {
    const closed = `http://127.0.0.1:${await freePort()}/mcp`;
    const [help, none, both, transport, emptyTools, notUrl, unknownTool, unreachable, looping] = await Promise.all([
      pin(["--help"]),
      pin([]),
      pin(["--upstream", demo.url, "--from", "x.json"]),
      pin(["--upstream", demo.url, "--transport", "websocket"]),
      pin(["--upstream", demo.url, "--tools", " , "]),
      pin(["--upstream", "not a url"]),
      pin(["--upstream", demo.url, "--tools", "search_code,rm_rf"]),
      pin(["--upstream", closed, "--timeout", "3000"]),
      pin(["--upstream", `${paged.origin}/loop`]),
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: mcp-guard pin [options]");
    expect(help.stdout).toContain("--json");
    for (const r of [none, both, transport, emptyTools, notUrl]) expect(r.code, r.stderr).toBe(2);
    expect(none.stderr).toContain("--upstream URL (a live server) or --from FILE");
    expect(both.stderr).toContain("either --upstream or --from, not both");
    expect(transport.stderr).toContain('--transport must be streamable or sse, got "websocket"');
    expect(unknownTool.code).toBe(1);
    expect(unknownTool.stdout).toBe("");
    expect(unknownTool.stderr).toContain(`tool "rm_rf": not listed by the server (it lists: ${[...DEMO_TOOLS].sort().join(", ")})`);
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toContain(`cannot connect to ${closed}`);
    expect(looping.code).toBe(3);
    expect(looping.stderr).toContain('sent the cursor "1" twice');
  });
});

// ---- a raw MCP server (Streamable HTTP, JSON answers) whose tools/list comes in pages ----

const PAGES: Array<{ tools: Array<PinnedTool & { name: string }>; nextCursor?: string }> = [
  { tools: [{ name: "a", description: "first page", inputSchema: { type: "object" } }], nextCursor: "1" },
  { tools: [{ name: "b", description: null, inputSchema: { type: "object", properties: { n: { type: "number", maximum: 1e21 } } } }], nextCursor: "2" },
  { tools: [{ name: "c", inputSchema: { type: "object", required: [] } }] },
];

/** POST /mcp pages through PAGES; POST /loop's second page points back at itself. */
function pagedServer(): Promise<Upstream> {
  return startUpstream((req: http.IncomingMessage, res: http.ServerResponse, recorded) => {
    if (req.method !== "POST") return void res.writeHead(405).end();
    const message = JSON.parse(recorded.body) as { id?: number; method: string; params?: { protocolVersion?: string; cursor?: string } };
    if (message.id === undefined) return void res.writeHead(202).end();
    const page = Number(message.params?.cursor ?? 0);
    const result = message.method === "initialize"
      ? { protocolVersion: message.params?.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: "paged", version: "1.0.0" } }
      : req.url === "/loop" ? { tools: [], nextCursor: "1" } : PAGES[page];
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id: message.id, result }));
  });
}
