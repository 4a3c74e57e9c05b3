// tools/list rewrite of a 1000-tool result, as one JSON body and as one SSE event arriving in 16 KB chunks: the
// module's response-path filter against JSON.parse + filter + JSON.stringify in Node (eventsource-parser cutting
// the events for SSE), and json-as inside wasm for the JSON body. Outputs are checked to agree first.
import { createParser } from "eventsource-parser";
import { chunksOf, sseEvent, toolsListResult } from "../bodies.ts";
import { compare, type Contender, type MeasureOptions, type Stats } from "../measure.ts";
import type { BenchModules } from "../modules.ts";
import { NodeAllowlist, NodeListFilter } from "../node-baseline.ts";
import { BENCH_ALLOWLIST, BENCH_POLICY } from "../policy.ts";
import { FilterOutcome, JsonAsWasm, ListFilterWasm } from "../wasm-entries.ts";

export const LIST_TOOLS = 1000;
export const SSE_CHUNK_BYTES = 16 * 1024;

export interface ToolsListResult {
  tools: number;
  kept: number;
  jsonBytes: number;
  sseBytes: number;
  sseChunkBytes: number;
  json: { module: Stats; node: Stats; moduleSimd?: Stats; jsonAs?: Stats; ratio: number };
  sse: { module: Stats; node: Stats; moduleSimd?: Stats; ratio: number };
}

const decoder = new TextDecoder();

function toolNames(json: string): string[] {
  const message = JSON.parse(json) as { result: { tools: Array<{ name: string }> } };
  return message.result.tools.map((t) => t.name);
}

/** The tool names a client sees in an event stream (each message event's data parsed as JSON). */
export function sseToolNames(bytes: Uint8Array): string[] {
  const names: string[] = [];
  const parser = createParser({ onEvent: (event) => names.push(...toolNames(event.data)) });
  parser.feed(decoder.decode(bytes));
  return names;
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(chunks));
}

export async function benchToolsList(modules: BenchModules, options: MeasureOptions): Promise<ToolsListResult> {
  const body = toolsListResult(LIST_TOOLS);
  const stream = new TextEncoder().encode(sseEvent(body, "\n", "1"));
  const chunks = chunksOf(stream, SSE_CHUNK_BYTES);
  const allowlist = new NodeAllowlist(BENCH_ALLOWLIST);
  const expected = toolNames(decoder.decode(body)).filter((n) => allowlist.allows(n));

  const filter = ListFilterWasm.load(modules.listFilter);
  filter.configure(BENCH_POLICY);
  const simd = modules.listFilterSimd ? ListFilterWasm.load(modules.listFilterSimd) : undefined;
  simd?.configure(BENCH_POLICY);
  const node = new NodeListFilter(BENCH_ALLOWLIST);
  const jsonAs = modules.jsonAs ? JsonAsWasm.load(modules.jsonAs) : undefined;
  jsonAs?.configure(expected);

  // Everyone must produce the same list before anyone is timed.
  const agree = (what: string, names: string[]) => {
    if (names.join() !== expected.join()) throw new Error(`${what} kept ${names.length} tools, expected ${expected.length}`);
  };
  if (filter.filterJson(body) !== FilterOutcome.Rewritten) throw new Error("module did not rewrite the tools/list body");
  agree("module (JSON)", toolNames(decoder.decode(filter.output())));
  agree("node (JSON)", toolNames(decoder.decode(node.filterJson(body))));
  if (jsonAs) agree("json-as", toolNames(decoder.decode(jsonAs.output(jsonAs.filterTools(body)))));
  const moduleSse = ListFilterWasm.load(modules.listFilter);
  moduleSse.configure(BENCH_POLICY);
  const sseOut: Uint8Array[] = [];
  moduleSse.filterSse(chunks, (out) => sseOut.push(out));
  agree("module (SSE)", sseToolNames(concat(sseOut)));
  agree("node (SSE)", sseToolNames(concat(node.filterSse(chunks))));

  const jsonContenders: Contender[] = [
    { name: "module", run: () => (filter.filterJson(body), filter.output()) },
    { name: "node", run: () => node.filterJson(body) },
  ];
  if (simd) jsonContenders.push({ name: "moduleSimd", run: () => (simd.filterJson(body), simd.output()) });
  if (jsonAs) jsonContenders.push({ name: "jsonAs", run: () => jsonAs.output(jsonAs.filterTools(body)) });
  const j = await compare(jsonContenders, options);

  const sseContenders: Contender[] = [
    { name: "module", run: () => filter.filterSse(chunks) },
    { name: "node", run: () => node.filterSse(chunks) },
  ];
  if (simd) sseContenders.push({ name: "moduleSimd", run: () => simd.filterSse(chunks) });
  const s = await compare(sseContenders, options);

  const json: ToolsListResult["json"] = { module: j.get("module")!, node: j.get("node")!, ratio: j.get("node")!.micros / j.get("module")!.micros };
  if (j.get("moduleSimd")) json.moduleSimd = j.get("moduleSimd")!;
  if (j.get("jsonAs")) json.jsonAs = j.get("jsonAs")!;
  const sse: ToolsListResult["sse"] = { module: s.get("module")!, node: s.get("node")!, ratio: s.get("node")!.micros / s.get("module")!.micros };
  if (s.get("moduleSimd")) sse.moduleSimd = s.get("moduleSimd")!;
  return {
    tools: LIST_TOOLS,
    kept: expected.length,
    jsonBytes: body.byteLength,
    sseBytes: stream.byteLength,
    sseChunkBytes: SSE_CHUNK_BYTES,
    json,
    sse,
  };
}
