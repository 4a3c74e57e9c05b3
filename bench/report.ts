// Formats one run: Markdown tables (stdout and bench/REPORT.md) and the SVG chart of time per request against
// body size for the module and each baseline (hand-written SVG, log-log axes, one panel per body shape).
import { formatSoak } from "./soak.ts";
import type { BenchResults } from "./suite.ts";
import type { Stats } from "./measure.ts";
import type { BodyShape, ToolCallRow } from "./sections/tool-call.ts";
import type { ReaderLimitRow } from "./sections/reader-limit.ts";

const us = (s: Stats | undefined) => (s === undefined ? "–" : s.micros < 10 ? s.micros.toFixed(2) : s.micros < 1000 ? s.micros.toFixed(1) : Math.round(s.micros).toLocaleString("en-US"));
const x = (ratio: number) => `${ratio.toFixed(2)}×`;
const gb = (v: number | undefined) => (v === undefined ? "–" : v.toFixed(2));
const int = (n: number) => n.toLocaleString("en-US");

function table(header: string[], align: string[], rows: string[][]): string {
  return [`| ${header.join(" | ")} |`, `|${align.join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

export function toolCallTable(rows: ToolCallRow[]): string {
  const simd = rows.some((r) => r.moduleSimd);
  const jsonAs = rows.some((r) => r.jsonAsTyped);
  const header = ["shape", "body", "bytes", "module µs", "Node µs", "Node/module", "module GB/s"];
  if (simd) header.push("SIMD build µs", "SIMD GB/s");
  if (jsonAs) header.push("json-as typed µs", "json-as JSON.Obj µs");
  return table(header, header.map((_, i) => (i === 0 ? ":--" : "--:")), rows.map((r) => {
    const cells = [r.shape, `${r.sizeKB} KB`, int(r.bytes), us(r.module), us(r.node), x(r.ratio), gb(r.gbps)];
    if (simd) cells.push(us(r.moduleSimd), gb(r.simdGbps));
    if (jsonAs) cells.push(us(r.jsonAsTyped), us(r.jsonAsDynamic));
    return cells;
  }));
}

/** The reader against the structural-index probe, and what 1.5 GB/s would leave per token. */
function readerLimitSection(rows: ReaderLimitRow[]): string {
  const structured = rows.find((r) => r.shape === "structured");
  const note = structured === undefined ? "" : `\n\nAt 1.5 GB/s the ${int(structured.bytes)}-byte structured body has ${structured.budgetMicros.toFixed(0)} µs. ` +
    `Computing its structural index alone, with SIMD, takes ${us(structured.stage1)} µs; ` +
    (structured.leftNanosPerEntry > 0
      ? `that leaves ${structured.leftNanosPerEntry.toFixed(2)} ns for each of its ${int(structured.entries)} tokens`
      : `more than the whole budget, with nothing left for any of its ${int(structured.entries)} tokens`) +
    ` to validate strings, numbers and nesting and to check duplicate keys, where the one-pass reader now spends ` +
    `${structured.readerNanosPerEntry.toFixed(2)} ns on all of it. ` +
    "See docs/performance.md, \"The reader on large bodies\".";
  return "### The reader alone vs a structural index (why structured bodies stay under 1.5 GB/s)\n\n" + table(
    ["shape", "bytes", "index entries (per KB)", "reader µs", "reader GB/s", "reader ns per entry", "SIMD stage-1 probe µs", "probe GB/s", "1.5 GB/s budget µs", "left per entry ns"],
    [":--", "--:", "--:", "--:", "--:", "--:", "--:", "--:", "--:", "--:"],
    rows.map((r) => [r.shape, int(r.bytes), `${int(r.entries)} (${((r.entries * 1024) / r.bytes).toFixed(0)})`, us(r.reader), gb(r.readerGbps),
      r.readerNanosPerEntry.toFixed(2), us(r.stage1), gb(r.stage1Gbps), r.budgetMicros.toFixed(0), r.leftNanosPerEntry.toFixed(2)]),
  ) + note;
}

export function formatResults(r: BenchResults): string {
  const parts: string[] = [];
  const env = r.environment;
  parts.push(`mcp-guard benchmark${r.quick ? " (quick)" : ""} — ${r.date}\nNode ${env.node} (V8 ${env.v8}), ${env.platform}, ${env.cpus} × ${env.cpu}, load average ${env.loadAverage.join(" ")}\nTimes: ${r.clock}; µs per operation.`);
  if (r.toolCall.length > 0) {
    parts.push("### tools/call decision: module (copy into linear memory + strict parse + decision) vs Node (TextDecoder + JSON.parse + decision)\n\n" + toolCallTable(r.toolCall));
  }
  if (r.readerLimit && r.readerLimit.length > 0) parts.push(readerLimitSection(r.readerLimit));
  const list = r.toolsList;
  if (list) {
    const header = ["framing", "bytes", "module µs", "Node µs", "Node/module"];
    const simd = list.json.moduleSimd !== undefined;
    if (simd) header.push("SIMD build µs");
    header.push("json-as JSON.Obj µs");
    const row = (name: string, bytes: number, v: { module: Stats; node: Stats; moduleSimd?: Stats; jsonAs?: Stats; ratio: number }) => {
      const cells = [name, int(bytes), us(v.module), us(v.node), x(v.ratio)];
      if (simd) cells.push(us(v.moduleSimd));
      cells.push(us(v.jsonAs));
      return cells;
    };
    parts.push(`### tools/list rewrite: ${list.tools} tools (${list.kept} kept), module vs Node (JSON.parse + filter + JSON.stringify)\n\n` + table(header, header.map((_, i) => (i === 0 ? ":--" : "--:")), [
      row("JSON body", list.jsonBytes, list.json),
      row(`SSE, ${list.sseChunkBytes / 1024} KB chunks`, list.sseBytes, list.sse),
    ]));
  }
  if (r.host) {
    parts.push("### Host cost vs filter cost: whole exchanges through src/host (request, upstream answer, stream end)\n\n" + table(
      ["exchange", "host + no-op module µs", "host + guard µs", "guard − no-op µs", "inside the guard's wasm µs (sampled)"],
      [":--", "--:", "--:", "--:", "--:"],
      r.host.map((h) => [h.exchange, us(h.noop), us(h.guard), h.filterMicros.toFixed(1), `${h.wasmMicros.toFixed(1)} (${(h.wasmFraction * 100).toFixed(0)}%)`]),
    ) + "\n\n\"guard − no-op\" includes the host's JavaScript serving the guard's calls (header maps, body buffering and copies); the last column is the filter's own code.");
  }
  const s = r.startup;
  if (s) {
    parts.push("### Size and start\n\n" + table(
      ["build/mcp-guard.wasm", "compile (once per module)", `VM start + configure, ${int(s.allowlistEntries)} names (${(s.configBytes / 1024).toFixed(0)} KB config)`, "VM start + configure, 2 names"],
      ["--:", "--:", "--:", "--:"],
      [[`${int(s.wasmBytes)} bytes (${(s.wasmBytes / 1024).toFixed(1)} KB)`, `${s.compileMs.toFixed(2)} ms`, `${s.startConfigureMs.toFixed(2)} ms wall (${s.startConfigureCpuMs.toFixed(2)} ms CPU)`, `${s.startConfigureSmallMs.toFixed(2)} ms`]],
    ) + `\n\nMedians of ${s.repeats} starts of a precompiled module.`);
  }
  if (r.size) {
    const total = r.size.areas.reduce((n, a) => n + a.bytes, 0);
    parts.push(`### Where the bytes go (release target rebuilt with names: ${int(r.size.namedBytes)} bytes; shipped: ${int(r.size.releaseBytes)})\n\n` + table(
      ["part", "bytes", "share", "functions"],
      [":--", "--:", "--:", "--:"],
      r.size.areas.map((a) => [a.area, int(a.bytes), `${((a.bytes / total) * 100).toFixed(1)}%`, a.functions > 0 ? int(a.functions) : ""]),
    ));
  }
  if (r.allowlist) {
    parts.push("### Allowlist matching against the list's size (exact names)\n\n" + table(
      ["entries", "one match ns", "0.4 KB tools/call decision µs"],
      ["--:", "--:", "--:"],
      r.allowlist.map((a) => [int(a.entries), a.matchNanos.toFixed(1), us(a.decision)]),
    ));
  }
  if (r.soak) parts.push("### Memory over mixed exchanges through the host (64 KiB pages)\n\n" + formatSoak(r.soak));
  if (r.runtimes) {
    parts.push(`### AssemblyScript runtime: one mixed round of 4 decisions (0.4 KB allowed and denied, 16 KB structured and text)\n\n` + table(
      ["runtime", "garbage collection", "allowlist", "µs per round", `pages after ${int(r.runtimes[0]?.decisions ?? 0)} decisions`, "whole filter .wasm bytes"],
      [":--", ":--", "--:", "--:", "--:", "--:"],
      r.runtimes.map((v) => [v.runtime, v.collection, int(v.allowlistEntries), us(v.round), int(v.pagesAfter), int(v.filterBytes)]),
    ));
  }
  parts.push("### Targets\n\n" + table(
    ["target", "goal", "measured", "met", "CI requires", "CI"],
    [":--", "--:", "--:", ":-:", "--:", ":-:"],
    r.targets.map((t) => [t.description, t.target, t.measured, t.met ? "yes" : "**no**", t.ciFloor ?? "(reported only)", t.ciFailure ? "**FAIL**" : "ok"]),
  ));
  return parts.join("\n\n");
}

// ---- SVG chart ----------------------------------------------------------------------------------------------

const SERIES: Array<{ key: keyof ToolCallRow; label: string; color: string; dash?: string }> = [
  { key: "module", label: "mcp-guard module", color: "#1f6feb" },
  { key: "moduleSimd", label: "module, SIMD build", color: "#1f6feb", dash: "6 4" },
  { key: "node", label: "Node: TextDecoder + JSON.parse", color: "#d1242f" },
  { key: "jsonAsTyped", label: "json-as, typed (arguments raw)", color: "#8250df" },
  { key: "jsonAsDynamic", label: "json-as, JSON.Obj", color: "#bf8700" },
];

const PANEL_W = 420;
const PANEL_H = 300;
const MARGIN = { left: 62, right: 16, top: 40, bottom: 46 };

function log10(v: number): number {
  return Math.log(v) / Math.LN10;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function panel(rows: ToolCallRow[], shape: BodyShape, x0: number, yRange: [number, number]): string {
  const data = rows.filter((r) => r.shape === shape);
  if (data.length === 0) return "";
  const xs = data.map((r) => r.bytes);
  const [xMin, xMax] = [log10(Math.min(...xs)), log10(Math.max(...xs))];
  const [yMin, yMax] = yRange;
  const plotW = PANEL_W - MARGIN.left - MARGIN.right;
  const plotH = PANEL_H - MARGIN.top - MARGIN.bottom;
  const px = (bytes: number) => x0 + MARGIN.left + ((log10(bytes) - xMin) / (xMax - xMin || 1)) * plotW;
  const py = (micros: number) => MARGIN.top + plotH - ((log10(micros) - yMin) / (yMax - yMin || 1)) * plotH;
  const out: string[] = [];
  out.push(`<text x="${x0 + MARGIN.left + plotW / 2}" y="22" text-anchor="middle" font-weight="bold">tools/call, ${shape} body</text>`);
  out.push(`<rect x="${x0 + MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`);
  for (let e = Math.ceil(yMin); e <= Math.floor(yMax); e++) {
    const y = py(10 ** e);
    out.push(`<line x1="${x0 + MARGIN.left}" x2="${x0 + MARGIN.left + plotW}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${x0 + MARGIN.left - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end">${10 ** e >= 1 ? int(10 ** e) : (10 ** e).toString()}</text>`);
  }
  for (const r of data) {
    const xv = px(r.bytes);
    out.push(`<line x1="${xv.toFixed(1)}" x2="${xv.toFixed(1)}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#f0f0f0"/>`);
    out.push(`<text x="${xv.toFixed(1)}" y="${MARGIN.top + plotH + 16}" text-anchor="middle">${r.sizeKB}</text>`);
  }
  out.push(`<text x="${x0 + MARGIN.left + plotW / 2}" y="${PANEL_H - 8}" text-anchor="middle">body size, KB</text>`);
  out.push(`<text transform="translate(${x0 + 14},${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">µs per request (CPU)</text>`);
  for (const s of SERIES) {
    const points = data.filter((r) => r[s.key] !== undefined).map((r) => `${px(r.bytes).toFixed(1)},${py((r[s.key] as Stats).micros).toFixed(1)}`);
    if (points.length === 0) continue;
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""} points="${points.join(" ")}"/>`);
    for (const p of points) {
      const [cx, cy] = p.split(",");
      out.push(`<circle cx="${cx}" cy="${cy}" r="3" fill="${s.color}"/>`);
    }
  }
  return out.join("\n");
}

export function chartSvg(rows: ToolCallRow[]): string {
  const shapes = (["structured", "text"] as const).filter((shape) => rows.some((r) => r.shape === shape));
  const values = rows.flatMap((r) => SERIES.map((s) => r[s.key] as Stats | undefined)).filter((v): v is Stats => v !== undefined).map((v) => v.micros);
  const yRange: [number, number] = [Math.floor(log10(Math.min(...values))), Math.ceil(log10(Math.max(...values)))];
  const present = SERIES.filter((s) => rows.some((r) => r[s.key] !== undefined));
  const width = PANEL_W * Math.max(1, shapes.length);
  const legendH = 20 * present.length + 10;
  const height = PANEL_H + legendH;
  const legend = present.map((s, i) => {
    const y = PANEL_H + 14 + i * 20;
    return `<line x1="${MARGIN.left}" x2="${MARGIN.left + 30}" y1="${y}" y2="${y}" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""}/><text x="${MARGIN.left + 38}" y="${y + 4}">${escapeXml(s.label)}</text>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    ...shapes.map((shape, i) => panel(rows, shape, i * PANEL_W, yRange)),
    ...legend,
    "</svg>",
    "",
  ].join("\n");
}

export function reportMarkdown(r: BenchResults, chartFile: string): string {
  return [
    "# mcp-guard benchmark report",
    "",
    "Generated by `npm run bench` (bench/run.ts); the raw numbers are in `bench/results.json`. How to read them, and where",
    "the time goes: [docs/performance.md](../docs/performance.md).",
    "",
    `![time per request against body size](${chartFile})`,
    "",
    formatResults(r),
    "",
  ].join("\n");
}
