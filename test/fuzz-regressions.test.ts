// Cases the fuzzer (bench/fuzz, npm run fuzz) found, reduced by hand and kept as regression tests.
import { describe, expect, it } from "vitest";
import { startFuzzHost, judgeCase } from "../bench/fuzz/run.ts";
import type { HeaderList } from "../src/host/index.ts";

const LIST_REQUEST = {
  headers: [[":method", "POST"], [":path", "/mcp"], [":authority", "mcp.example"], [":scheme", "http"], ["content-type", "application/json"], ["accept", "text/event-stream"]] as HeaderList,
  body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}',
};

function sseAnswer(stream: string) {
  return { headers: [[":status", "200"], ["content-type", "text/event-stream"]] as HeaderList, body: stream };
}

describe("fuzz findings", () => {
  // Found by `npm run fuzz` (seed 1, case 289 and about one case in a thousand): an event whose last non-data
  // line ends with a lone CR is rewritten as `…\r` + data lines + `\n`; the `\r\n` reads as ONE line end, the
  // blank line that ends the event is gone, and the client merges it with the next event (whose data then is
  // not JSON, so both are lost). Not a bypass — each part was filtered — but messages were dropped. Fixed in
  // mcp/sse.ts writeSseEventWithData: kept lines are written with LF endings of our own.
  it("keeps a rewritten event apart from the next one when its last kept line ends with CR", async () => {
    const host = await startFuzzHost("build/mcp-guard.wasm");
    const stream =
      'data: {"jsonrpc":"2.0","id":1,"result":{"tools":[{"name":"search_code"},{"name":"system_exec"}]}}\n' +
      "id: 7\r\r" +
      'data: {"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":1,"progress":1}}\n\n';
    const { result, finding } = await judgeCase(host, { request: LIST_REQUEST, answer: sseAnswer(stream) });
    expect(host.failed).toBe(false);
    expect(result.body).not.toContain("system_exec");
    expect(finding).toBeUndefined();
  });
});
