// mcp-guard pin (--upstream URL | --from FILE): the tool_pins of a server someone trusts, ready to paste into a
// policy. Each pin is toolDigest (src/pins/canonical.ts) of the tool exactly as the server sent it; the filter
// computes the same digest from every tools/list it sees (docs/tool-pinning.md).
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { z } from "zod";
import { toolDigest } from "../../pins/canonical.ts";
import { EXIT, UsageError, type ExitCode } from "../exit.ts";
import { serverTarget, withMcpClient, type ServerFlags, type ServerTarget } from "../mcp-client.ts";
import { collectHeader, printJson } from "../options.ts";

interface PinFlags extends ServerFlags {
  upstream?: string;
  from?: string;
  tools?: string;
  json?: boolean;
}

/** A tool that cannot be pinned, or a name asked for that the server does not list. */
interface PinProblem {
  tool: string;
  message: string;
}

/** Pages of tools/list before we stop believing the server's cursors. */
const MAX_PAGES = 1000;

export function registerPin(program: Command, run: (action: () => Promise<ExitCode>) => Promise<void>): void {
  program
    .command("pin")
    .summary("print the tool_pins of a trusted MCP server (digests of its tool descriptions)")
    .description(
      "Lists the tools of a server you trust — live with the official MCP SDK client (every tools/list page), or\n" +
        "from a saved tools/list answer — and prints one pin per tool: the SHA-256 of the RFC 8785 canonical JSON\n" +
        "of its description and inputSchema, the digest the filter recomputes from every tools/list it sees. A\n" +
        "pinned tool whose description or schema later changes is removed from the list and its calls refused.\n" +
        "--from takes a tools/list result ({\"tools\": [...]}), a whole JSON-RPC response ({\"result\": {\"tools\":\n" +
        "[...]}}) or a bare array of tools. Output: a YAML snippet for the policy, sorted by name (--json:\n" +
        '{"tool_pins": {...}}). Exit 0; 1 when a --tools name is not listed or a tool has no canonical form (a\n' +
        "number beyond the double range, a lone surrogate, a nameless tool); 2 on usage errors or an unreadable\n" +
        "--from file; 3 when the server cannot be reached or does not answer tools/list.",
    )
    .option("-u, --upstream <url>", "MCP endpoint of the trusted server, e.g. http://127.0.0.1:3000/mcp (legacy transport: the /sse URL)")
    .option("--from <file>", "a saved tools/list answer (JSON); - for standard input")
    .option("--transport <kind>", "with --upstream: streamable (Streamable HTTP, default) or sse (legacy HTTP+SSE)")
    .option("-H, --header <header>", "with --upstream: extra request header, repeatable, e.g. 'authorization: Bearer …'", collectHeader)
    .option("--tools <names>", "pin only these tools (comma-separated exact names)")
    .option("--timeout <ms>", "with --upstream: give up on each request after this many milliseconds", "10000")
    .option("--json", 'print {"tool_pins": {...}} instead of YAML')
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  npx mcp-guard pin --upstream http://127.0.0.1:3000/mcp >> policy.yaml\n" +
        "  npx mcp-guard pin --upstream https://mcp.example/mcp -H 'authorization: Bearer TOKEN' --tools search_code,get_pull_request\n" +
        "  npx mcp-guard pin --from tools-list.json --json",
    )
    .action((flags: PinFlags) => run(() => pin(flags)));
}

async function pin(flags: PinFlags): Promise<ExitCode> {
  const wanted = flags.tools === undefined ? undefined : parseToolNames(flags.tools);
  let tools: unknown[];
  if (flags.from !== undefined) {
    if (flags.upstream !== undefined) throw new UsageError("give either --upstream or --from, not both");
    if (flags.transport !== undefined || flags.header !== undefined) throw new UsageError("--transport and --header apply to --upstream only");
    tools = readToolsFile(flags.from);
  } else if (flags.upstream !== undefined) {
    tools = await listUpstreamTools(serverTarget("--upstream", flags.upstream, flags));
  } else {
    throw new UsageError("say where the tools come from: --upstream URL (a live server) or --from FILE (a saved tools/list answer)");
  }

  const { pins, problems } = pinTools(tools, wanted);
  if (problems.length > 0) {
    if (flags.json) printJson({ errors: problems });
    for (const p of problems) console.error(`mcp-guard: tool ${JSON.stringify(p.tool)}: ${p.message}`);
    return EXIT.REFUSED;
  }
  if (pins.size === 0) console.error("warning: the server lists no tools, so there is nothing to pin");
  if (flags.json) printJson({ tool_pins: Object.fromEntries(pins) });
  else process.stdout.write(pinsYaml(pins));
  return EXIT.OK;
}

function parseToolNames(value: string): string[] {
  const names = value.split(",").map((n) => n.trim()).filter((n) => n !== "");
  if (names.length === 0) throw new UsageError(`--tools needs at least one tool name, e.g. --tools search_code,get_pull_request`);
  return [...new Set(names)];
}

// ---- where the tools come from ----

/** The tools array of a saved answer: {"tools": [...]}, {"result": {"tools": [...]}} or [...]. */
function readToolsFile(file: string): unknown[] {
  const where = file === "-" ? "standard input" : file;
  let text: string;
  try {
    text = readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read ${where}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${where} is not JSON: ${(error as Error).message}`);
  }
  if (Array.isArray(value)) return value;
  const record = isRecord(value) ? value : {};
  if (Array.isArray(record.tools)) return record.tools;
  const result = isRecord(record.result) ? record.result : {};
  if (Array.isArray(result.tools)) return result.tools;
  if (record.error !== undefined) throw new UsageError(`${where} holds a JSON-RPC error, not a tools/list result: ${JSON.stringify(record.error)}`);
  throw new UsageError(`${where} is not a tools/list answer: expected {"tools": [...]}, {"result": {"tools": [...]}} or an array of tools`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The result of tools/list is taken as the transport parsed it (JSON.parse), not through the SDK's Tool schema:
 * that schema rebuilds every tool object and refuses some a server may send (a null description), and a pin
 * must be the digest of exactly what the filter will see on the wire.
 */
const RawPage = z.custom<Record<string, unknown>>(isRecord, { message: "a tools/list result must be a JSON object" });

/** Every page of the server's tools/list; what went wrong is thrown (exit 3). */
function listUpstreamTools(target: ServerTarget): Promise<unknown[]> {
  const url = target.text;
  return withMcpClient(target, "mcp-guard-pin", async (client) => {
    const tools: unknown[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let page = 1; page <= MAX_PAGES; page++) {
      let result: Record<string, unknown>;
      try {
        result = await client.request({ method: "tools/list", params: cursor === undefined ? {} : { cursor } }, RawPage, { timeout: target.timeoutMs });
      } catch (error) {
        throw new Error(`tools/list on ${url} failed: ${(error as Error).message}`);
      }
      if (!Array.isArray(result.tools)) throw new Error(`${url} answered tools/list without a tools array (page ${page})`);
      tools.push(...result.tools);
      const next = result.nextCursor;
      if (next === undefined) return tools;
      if (typeof next !== "string") throw new Error(`${url} sent a nextCursor that is not a string (page ${page})`);
      if (seen.has(next)) throw new Error(`${url} sent the cursor ${JSON.stringify(next)} twice: its tools/list pages go round in a circle`);
      seen.add(next);
      cursor = next;
    }
    throw new Error(`${url} still had more tools/list pages after ${MAX_PAGES}: giving up`);
  });
}

// ---- digests ----

const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** name → pin of every (wanted) tool, and every reason a tool cannot be pinned. */
function pinTools(tools: readonly unknown[], wanted: readonly string[] | undefined): { pins: Map<string, string>; problems: PinProblem[] } {
  const pins = new Map<string, string>();
  const problems: PinProblem[] = [];
  const listed = new Set<string>();
  tools.forEach((tool, index) => {
    const name = isRecord(tool) ? tool.name : undefined;
    if (typeof name !== "string" || name === "") {
      if (!wanted) problems.push({ tool: `tools[${index}]`, message: "has no name (a tool is a JSON object with a non-empty string name)" });
      return;
    }
    listed.add(name);
    if (wanted && !wanted.includes(name)) return;
    if (LONE_SURROGATE.test(name)) {
      problems.push({ tool: name, message: "its name holds a lone surrogate, which no JSON reader accepts" });
      return;
    }
    let digest: string;
    try {
      digest = toolDigest(tool as object);
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      problems.push({ tool: name, message: `cannot be pinned: ${error.message.replace(/^(canonicalJson|toolDigest): /, "")}` });
      return;
    }
    const earlier = pins.get(name);
    if (earlier !== undefined && earlier !== digest) problems.push({ tool: name, message: "is listed twice with different definitions: pin one server's list at a time" });
    pins.set(name, digest);
  });
  const missing = (wanted ?? []).filter((name) => !listed.has(name));
  if (missing.length > 0) {
    const known = [...listed].sort();
    problems.push(...missing.map((tool) => ({ tool, message: `not listed by the server (it lists: ${known.length > 0 ? known.join(", ") : "no tools"})` })));
  }
  return { pins: new Map([...pins].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), problems };
}

// ---- YAML ----

/** `tool_pins:` with one `name: "sha256:…"` line per tool; names quoted unless plainly safe in YAML 1.1 and 1.2. */
function pinsYaml(pins: ReadonlyMap<string, string>): string {
  if (pins.size === 0) return "tool_pins: {}\n";
  return `tool_pins:\n${[...pins].map(([name, digest]) => `  ${yamlKey(name)}: "${digest}"\n`).join("")}`;
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_./-]*$/;
const YAML11_WORDS = /^(y|yes|n|no|true|false|on|off|null)$/i; // booleans and null to a YAML 1.1 reader (Kubernetes)

function yamlKey(name: string): string {
  if (PLAIN_KEY.test(name) && !YAML11_WORDS.test(name)) return name;
  // A JSON string is a YAML double-quoted scalar; characters YAML does not allow raw become \u escapes.
  return JSON.stringify(name).replace(/[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
