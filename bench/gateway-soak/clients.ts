// The clients of the gateway soak: official SDK clients over Streamable HTTP or the legacy HTTP+SSE transport,
// each running sessions back to back (initialize, then rounds of tools/list, a call with progress and, over
// Streamable HTTP, a refused call; then DELETE or closing the GET stream) until told to stop. Every answer is
// checked as a user would notice it; anything else counts as an error.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { LoggingMessageNotificationSchema, McpError } from "@modelcontextprotocol/sdk/types.js";
import { LISTED_TOOLS, REFUSED_TOOL, STREAMING_TOOL } from "./upstream.ts";

export interface LoadCounts {
  sessions: number;
  rounds: number;
  /** Rounds over Streamable HTTP: the ones that include a refused call. */
  streamableRounds: number;
  /** JSON-RPC messages the clients received: responses, progress and logging notifications. */
  messages: number;
  /** Progress notifications handled by the call's onprogress. */
  progress: number;
  /** Progress notifications that reached the client but after their call's result: they arrived in the same read
   * as the result, and the SDK client, which handles notifications a microtask late, had finished the request
   * (it reports "unknown token"). Delivered, in order, but too late for the SDK's callback. */
  progressLate: number;
  logging: number;
  /** Calls of the refused tool answered with the filter's -32602 Unknown tool (Streamable HTTP rounds). */
  refusedSeen: number;
  /** Calls of the refused tool that returned a result (must stay 0). */
  refusedReturned: number;
  /** tools/list answers that showed another set of tools than the allowed ones (must stay 0). */
  listsWrong: number;
  /** Notifications the filter should have removed that reached a client (must stay 0). */
  unexpectedNotifications: number;
  errors: number;
  /** The first few errors, to say what went wrong. */
  errorSamples: string[];
}

export function emptyCounts(): LoadCounts {
  return { sessions: 0, rounds: 0, streamableRounds: 0, messages: 0, progress: 0, progressLate: 0, logging: 0, refusedSeen: 0, refusedReturned: 0, listsWrong: 0, unexpectedNotifications: 0, errors: 0, errorSamples: [] };
}

/** Streamable HTTP (each POST answered with its own event stream, plus the session's GET stream), the legacy
 * HTTP+SSE transport (one GET stream per session carries every answer), or every other client on each. */
export type SoakTransport = "streamable" | "sse" | "mixed";

export interface LoadOptions {
  /** The gateway's Streamable HTTP endpoint and legacy SSE endpoint. */
  url: string;
  sseUrl: string;
  transport: SoakTransport;
  concurrency: number;
  /** Rounds before a client ends its session and starts a new one. */
  roundsPerSession: number;
  /** Per-request timeout: a stalled stream is an error, not a hang. */
  requestTimeoutMs: number;
  stopped: () => boolean;
}

const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

function fail(counts: LoadCounts, message: string): void {
  counts.errors++;
  if (counts.errorSamples.length < 10) counts.errorSamples.push(message);
}

async function round(client: Client, legacy: boolean, counts: LoadCounts, n: number, timeout: number): Promise<void> {
  const list = await client.listTools(undefined, { timeout });
  counts.messages++;
  const names = list.tools.map((t) => t.name);
  if (!same(names, LISTED_TOOLS)) {
    counts.listsWrong++;
    fail(counts, `tools/list showed ${names.length} tools: ${names.slice(0, 8).join(", ")}…`);
  }

  let progress = 0;
  const query = `q${n}`;
  const result = await client.callTool({ name: STREAMING_TOOL, arguments: { query } }, undefined, {
    timeout,
    onprogress: () => {
      progress++;
    },
  });
  counts.messages += 1 + progress;
  counts.progress += progress;
  const text = (result.content as { type: string; text?: string }[])[0]?.text;
  if (text !== `found "${query}"`) fail(counts, `${STREAMING_TOOL} answered ${JSON.stringify(result).slice(0, 200)}`);
  // Whether all PROGRESS_STEPS arrived is checked over the run (progress + progressLate): a late one is counted
  // only after this call returned.

  // Known limitation (README): on the legacy transport the filter answers a refused call on the POST, which the
  // SDK's SSE client discards, so the call would only time out. Refusals are soaked over Streamable HTTP.
  if (legacy) return;
  try {
    await client.callTool({ name: REFUSED_TOOL, arguments: { cmd: "id" } }, undefined, { timeout });
    counts.refusedReturned++;
    fail(counts, `${REFUSED_TOOL} returned a result`);
  } catch (error) {
    counts.messages++;
    if (error instanceof McpError && error.code === -32602 && error.message.includes(`Unknown tool: ${REFUSED_TOOL}`)) counts.refusedSeen++;
    else throw error;
  }
}

async function session(options: LoadOptions, legacy: boolean, counts: LoadCounts): Promise<void> {
  const client = new Client({ name: "soak-client", version: "1.0.0" });
  client.setNotificationHandler(LoggingMessageNotificationSchema, () => {
    counts.logging++;
    counts.messages++;
  });
  client.fallbackNotificationHandler = async (notification) => {
    counts.unexpectedNotifications++;
    fail(counts, `a client received ${notification.method}`);
  };
  client.onerror = (error) => {
    if (error.message.startsWith("Received a progress notification for an unknown token")) {
      counts.progressLate++;
      counts.messages++;
    } else fail(counts, `client transport: ${error.message}`);
  };
  const transport = legacy ? new SSEClientTransport(new URL(options.sseUrl)) : new StreamableHTTPClientTransport(new URL(options.url));
  await client.connect(transport, { timeout: options.requestTimeoutMs });
  counts.messages++;
  try {
    for (let r = 0; r < options.roundsPerSession && !options.stopped(); r++) {
      await round(client, legacy, counts, counts.rounds, options.requestTimeoutMs);
      counts.rounds++;
      if (!legacy) counts.streamableRounds++;
    }
    // Streamable HTTP ends the session with DELETE; the legacy transport by closing its GET stream.
    if (transport instanceof StreamableHTTPClientTransport) await transport.terminateSession();
  } finally {
    // Closing aborts the GET stream the client holds; that abort is not an error.
    client.onerror = () => undefined;
    await client.close();
  }
  counts.sessions++;
}

/** Runs `concurrency` clients until stopped() holds; each finishes its round and session first. */
export async function runClients(options: LoadOptions, counts: LoadCounts): Promise<void> {
  const worker = async (index: number) => {
    const legacy = options.transport === "sse" || (options.transport === "mixed" && index % 2 === 1);
    while (!options.stopped()) {
      try {
        await session(options, legacy, counts);
      } catch (error) {
        fail(counts, (error as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, i) => worker(i)));
}
