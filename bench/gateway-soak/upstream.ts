// The MCP server behind the gateway in the gateway soak: the demo server (official SDK, Streamable HTTP answering
// every POST with an SSE stream) plus what makes each stream work the filter: a long tool list (most of it off
// the allowlist, so the list filter rewrites every tools/list answer), and a tool that streams progress, logging
// messages and a non-standard notification the filter must remove before it reaches the client, on the call's
// own stream and on the session's GET stream.
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { ServerNotification } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { startDemoMcpServer, type DemoServer } from "../../src/demo/mcp-server.ts";

/** Tools the server lists that the policy does not allow (besides the demo's four). */
export const EXTRA_TOOLS = 120;
/** Progress notifications per call of the streaming tool. */
export const PROGRESS_STEPS = 3;
export const STREAMING_TOOL = "stream_search";
/** A non-standard server notification: not in server_methods.allow, so the filter removes it from the stream. */
export const ROGUE_NOTIFICATION = "acme/debug_dump";
/** What tools/list must show through the gateway, in the server's order. */
export const LISTED_TOOLS = ["search_code", "get_pull_request", STREAMING_TOOL];
export const REFUSED_TOOL = "system_exec";

export const SOAK_POLICY = {
  tool_allowlist: [...LISTED_TOOLS],
};

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function extend(server: McpServer): void {
  for (let i = 0; i < EXTRA_TOOLS; i++) {
    const name = `admin_tool_${String(i).padStart(3, "0")}`;
    // No zod schema: the SDK would convert it to JSON Schema on every tools/list, and the load side, not the
    // gateway, would set the pace. The description is as long as a schema would have been.
    server.registerTool(name, { description: `Administrative operation number ${i}: changes settings of the organisation. Takes a target (string) and force (boolean, optional); irreversible.` }, () => ({
      content: [{ type: "text", text: `(demo) ${name} would have run` }],
    }));
  }
  server.registerTool(STREAMING_TOOL, { description: "Search with progress", inputSchema: { query: z.string() } }, async ({ query }, extra) => {
    const progressToken = extra._meta?.progressToken;
    for (let i = 1; i <= PROGRESS_STEPS; i++) {
      if (progressToken !== undefined) await extra.sendNotification({ method: "notifications/progress", params: { progressToken, progress: i, total: PROGRESS_STEPS } });
      await extra.sendNotification({ method: "notifications/message", params: { level: "info", data: `searched ${i}/${PROGRESS_STEPS}` } });
      await extra.sendNotification({ method: ROGUE_NOTIFICATION, params: { secrets: "the filter must remove this" } } as unknown as ServerNotification);
      // The SDK client handles notifications a microtask late and drops progress for a request that already
      // has its result, so the result must not share a chunk with the last notification (real work takes time).
      await sleep(15);
    }
    // Unrelated to the request, these two go on the session's GET stream (when the client has it open), so
    // the long-lived streams carry events through the filter too.
    await server.sendLoggingMessage({ level: "info", data: `search for "${query}" done` });
    await server.server.notification({ method: ROGUE_NOTIFICATION, params: { secrets: "the filter must remove this" } } as unknown as ServerNotification);
    return { content: [{ type: "text", text: `found "${query}"` }] };
  });
}

export function startSoakUpstream(onToolCall: (name: string) => void): Promise<DemoServer> {
  return startDemoMcpServer({ extend, onToolCall });
}
