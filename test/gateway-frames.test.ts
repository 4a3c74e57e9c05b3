// The host's streaming hook the gateway builds on (StreamOptions.onFrame / record): every frame that reaches the
// upstream or the client is reported at once and in order, resets included; record: false keeps no bytes.
import { describe, expect, it } from "vitest";
import { fromUtf8 } from "../src/host/bytes.ts";
import type { StreamFrame } from "../src/host/index.ts";
import { ProxyWasmHost } from "../src/host/index.ts";
import { SEED_CONFIG, guardModule, postHeaders, startGuard } from "./helpers/guard.ts";

const ALLOWED = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"search_code"}}';
const REFUSED = '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"system_exec"}}';

function summary(frames: StreamFrame[]): string[] {
  return frames.map((f) => {
    if (f.kind === "body") return `${f.target}.body ${f.body.length}${f.endOfStream ? " eos" : ""}`;
    if (f.kind === "headers") return `${f.target}.headers${f.endOfStream ? " eos" : ""}`;
    return `${f.target}.${f.kind}`;
  });
}

describe("host: onFrame streaming hook", () => {
  it("reports an allowed exchange frame by frame, as each frame is released", async () => {
    const host = await startGuard(SEED_CONFIG);
    const frames: StreamFrame[] = [];
    const stream = host.newStream({ onFrame: (f) => frames.push(f), record: false });
    stream.sendRequestHeaders(postHeaders([], ALLOWED), false);
    // The filter continues on headers (stock Istio): the upstream request starts at once.
    expect(summary(frames)).toEqual(["upstream.headers"]);
    stream.sendRequestBody(new TextEncoder().encode(ALLOWED.slice(0, 20)), false);
    expect(frames).toHaveLength(1); // buffered by the filter until the end of the body
    stream.sendRequestBody(new TextEncoder().encode(ALLOWED.slice(20)), true);
    expect(summary(frames)).toEqual(["upstream.headers", `upstream.body ${ALLOWED.length} eos`]);
    stream.sendResponseHeaders([[":status", "200"], ["content-type", "text/event-stream"]], false);
    const event = new TextEncoder().encode('data: {"jsonrpc":"2.0","method":"notifications/progress","params":{"progress":1}}\n\n');
    stream.sendResponseBody(event, false);
    expect(summary(frames).slice(2)).toEqual(["downstream.headers", `downstream.body ${event.length}`]);
    stream.sendResponseBody(new Uint8Array(0), true);
    expect(summary(frames).at(-1)).toBe("downstream.body 0 eos");
    // record: false: no timeline and no body copies, but the flags are kept.
    expect(stream.events).toEqual([]);
    expect(stream.downstream.body.length).toBe(0);
    expect(stream.downstream.endOfStream).toBe(true);
    stream.complete();
  });

  it("reports a refusal as an upstream reset followed by the local reply", async () => {
    const host = await startGuard(SEED_CONFIG);
    const frames: StreamFrame[] = [];
    const stream = host.newStream({ onFrame: (f) => frames.push(f) });
    stream.sendRequestHeaders(postHeaders([], REFUSED), false);
    stream.sendRequestBody(new TextEncoder().encode(REFUSED), true);
    expect(summary(frames)).toEqual(["upstream.headers", "upstream.reset", "downstream.headers", expect.stringMatching(/^downstream\.body \d+ eos$/)]);
    const reply = frames[3] as Extract<StreamFrame, { kind: "body" }>;
    expect(fromUtf8(reply.body)).toBe('{"jsonrpc":"2.0","id":2,"error":{"code":-32602,"message":"Unknown tool: system_exec"}}');
    // With recording on (the default) the same bytes are in the records.
    expect(fromUtf8(stream.downstream.body)).toBe(fromUtf8(reply.body));
    expect(stream.events.some((e) => e.kind === "upstream.reset")).toBe(true);
    stream.complete();
  });

  it("keepLogs: false passes log entries to onLog only", async () => {
    const seen: string[] = [];
    const host = await ProxyWasmHost.start({ module: guardModule(), pluginConfig: JSON.stringify(SEED_CONFIG), keepLogs: false, onLog: (e) => void seen.push(e.message) });
    expect(host.configured).toBe(true);
    expect(host.logs).toEqual([]);
    expect(seen.some((m) => m.includes("configured root"))).toBe(true);
  });
});
