// Before/after comparison of two builds of the reader-heavy entries, measured interleaved in one process:
// the tools/call decision (engine entry), the reader alone (JSON test entry, the engine's limits) and the
// tools/list rewrite (list-filter entry, JSON and SSE in 16 KB chunks). Absolute times on a shared machine move
// with the load; the ratio between the two builds in the same rounds is what to read.
//
//   npx tsx bench/ab.ts --base DIR [--new DIR] [--quick] [--only call,reader,list]
//
// DIR holds engine.wasm, list_filter.wasm and json.wasm compiled from assembly/testing/ (see --build). Without
// --new the current sources are compiled into build/ab/new first. `--build DIR` only compiles the current
// sources into DIR (to keep a baseline: run it on the old commit).
import { argValue } from "./args.ts";
import { chunksOf, progressStream, sseEvent, textToolCallBody, toolCallBody, toolsListResult } from "./bodies.ts";
import { compare, FULL, QUICK, type Contender } from "./measure.ts";
import { BENCH_POLICY } from "./policy.ts";
import { WasmEngine } from "./wasm-engine.ts";
import { instantiateEntry, type JsonEntryExports, ListFilterWasm, writeInput } from "./wasm-entries.ts";
import { compileAssemblyScript } from "../src/build/assemblyscript.ts";

async function build(dir: string): Promise<void> {
  await Promise.all([
    compileAssemblyScript("assembly/testing/engine.ts", `${dir}/engine.wasm`),
    compileAssemblyScript("assembly/testing/list_filter.ts", `${dir}/list_filter.wasm`),
    compileAssemblyScript("assembly/testing/json.ts", `${dir}/json.wasm`),
  ]);
}

function reader(dir: string, recordDepth: number): (body: Uint8Array) => number {
  const x = instantiateEntry<JsonEntryExports>(`${dir}/json.wasm`);
  x.setLimits(4 << 20, 64, 4 << 20, recordDepth, 1);
  return (body) => {
    writeInput(x, body);
    const error = x.parse(body.byteLength);
    if (error !== 0) throw new Error(`parse error ${error}`);
    return error;
  };
}

async function main(): Promise<void> {
  const buildOnly = argValue("--build");
  if (buildOnly !== undefined) {
    await build(buildOnly);
    return;
  }
  const base = argValue("--base");
  if (base === undefined) throw new Error("--base DIR is required");
  let next = argValue("--new");
  if (next === undefined) {
    next = "build/ab/new";
    await build(next);
  }
  const options = process.argv.includes("--quick") ? QUICK : { ...FULL, budgetMs: 800 };
  const only = argValue("--only")?.split(",") ?? ["call", "reader", "list"];
  const builds = { base, new: next };
  const rows: string[] = ["| what | bytes | base µs | new µs | new/base | base GB/s | new GB/s |", "|:--|--:|--:|--:|--:|--:|--:|"];
  const row = (what: string, bytes: number, m: Map<string, { micros: number }>) => {
    const b = m.get("base")!.micros;
    const n = m.get("new")!.micros;
    const line = `| ${what} | ${bytes.toLocaleString("en")} | ${b.toFixed(1)} | ${n.toFixed(1)} | ${(n / b).toFixed(3)} | ${(bytes / b / 1000).toFixed(2)} | ${(bytes / n / 1000).toFixed(2)} |`;
    rows.push(line);
    process.stderr.write(line + "\n");
  };

  const callBodies: Array<[string, Uint8Array]> = [
    ["call structured 16 KB", toolCallBody(16 * 1024)],
    ["call structured 256 KB", toolCallBody(256 * 1024)],
    ["call text 16 KB", textToolCallBody(16 * 1024)],
    ["call structured 0.4 KB", toolCallBody(0.4 * 1024)],
  ];
  if (only.includes("call")) {
    const engines = Object.entries(builds).map(([name, dir]) => {
      const e = WasmEngine.load(`${dir}/engine.wasm`);
      e.configure(BENCH_POLICY);
      return [name, e] as const;
    });
    for (const [what, body] of callBodies) {
      const contenders: Contender[] = engines.map(([name, e]) => ({
        name,
        run: () => {
          if (!e.decide(body)) throw new Error(`${name} refused ${what}: ${e.lastReason()}`);
          return true;
        },
      }));
      row(what, body.byteLength, await compare(contenders, options));
    }
  }
  if (only.includes("reader")) {
    for (const [what, body, depth] of [
      ["reader structured 16 KB, recordDepth 3", callBodies[0]![1], 3],
      ["reader structured 256 KB, recordDepth 3", callBodies[1]![1], 3],
      ["reader tools/list, recordDepth 4", toolsListResult(1000), 4],
    ] as Array<[string, Uint8Array, number]>) {
      const contenders: Contender[] = Object.entries(builds).map(([name, dir]) => {
        const parse = reader(dir, depth);
        return { name, run: () => parse(body) };
      });
      row(what, body.byteLength, await compare(contenders, options));
    }
  }
  if (only.includes("list")) {
    const body = toolsListResult(1000);
    const chunks = chunksOf(new TextEncoder().encode(sseEvent(body, "\n", "1")), 16 * 1024);
    const filters = Object.entries(builds).map(([name, dir]) => {
      const f = ListFilterWasm.load(`${dir}/list_filter.wasm`);
      f.configure(BENCH_POLICY);
      return [name, f] as const;
    });
    const outputs = filters.map(([, f]) => (f.filterJson(body), Buffer.from(f.output()).toString("hex")));
    if (outputs[0] !== outputs[1]) throw new Error("the two builds rewrite the tools/list body differently");
    row("tools/list JSON", body.byteLength, await compare(filters.map(([name, f]) => ({ name, run: () => (f.filterJson(body), f.output()) })), options));
    row("tools/list SSE 16 KB chunks", body.byteLength, await compare(filters.map(([name, f]) => ({ name, run: () => f.filterSse(chunks) })), options));
    // A stream of many small events (a long tool call reporting progress, then its result): here each chunk
    // holds whole events, unlike the one large event above, which every chunk only continues.
    const progress = progressStream(200);
    const progressChunks = chunksOf(progress, 16 * 1024);
    row("SSE 200 progress events, 16 KB chunks", progress.byteLength, await compare(filters.map(([name, f]) => ({ name, run: () => f.filterSse(progressChunks) })), options));
    // The same events one per chunk, as a server that flushes each event usually delivers them.
    const text = new TextDecoder().decode(progress);
    const perEvent = text.split(/(?<=\n\n)/).map((e) => new TextEncoder().encode(e));
    row("SSE 200 progress events, one per chunk", progress.byteLength, await compare(filters.map(([name, f]) => ({ name, run: () => f.filterSse(perEvent) })), options));
  }
  console.log(rows.join("\n"));
}

await main();
