// The load side of the gateway soak, run as a child process (forked by bench/soak-gateway.ts) so that the
// gateway's process holds only the gateway: its Node heap is the gateway's, not the clients' or the server's.
// It starts the MCP server, reports its URL, runs the clients against the gateway URL it is given, and reports
// counts every 250 ms and when stopped. Messages: see LoadMessage / ControlMessage.
import { emptyCounts, runClients, type LoadCounts, type SoakTransport } from "./clients.ts";
import { REFUSED_TOOL, startSoakUpstream } from "./upstream.ts";

export interface StartLoad {
  type: "start";
  /** The gateway's origin; the clients use the server's paths (/mcp, /sse) on it. */
  origin: string;
  transport: SoakTransport;
  concurrency: number;
  roundsPerSession: number;
  requestTimeoutMs: number;
}
export type ControlMessage = StartLoad | { type: "stop" } | { type: "exit" };

export interface LoadReport {
  counts: LoadCounts;
  /** Calls of the refused tool that reached the server (must stay 0). */
  refusedAtServer: number;
  /** Sessions the server still holds (after the clients stopped: 0, every DELETE went through). */
  serverSessions: number;
  /** CPU seconds this process (clients and server) used since "start", to tell which side set the pace. */
  cpuSeconds: number;
}
export type LoadMessage = { type: "upstream"; url: string } | ({ type: "counts" } & LoadReport) | ({ type: "done" } & LoadReport);

const send = (message: LoadMessage) => process.send?.(message);

let refusedAtServer = 0;
const server = await startSoakUpstream((name) => {
  if (name === REFUSED_TOOL) refusedAtServer++;
});
const counts = emptyCounts();
let stopped = false;
let cpuAtStart = 0;
const cpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};
const report = (): LoadReport => ({ counts, refusedAtServer, serverSessions: server.sessions, cpuSeconds: cpuSeconds() - cpuAtStart });

// A client's close reaches the server through the gateway a moment later (a legacy stream ends when its GET
// connection's close has travelled client → gateway → server); on a loaded machine that can take longer than
// the clients' own shutdown. Wait for it, up to a bound: a session still open after that is a leak.
async function sessionsClosed(): Promise<void> {
  for (let waited = 0; server.sessions > 0 && waited < 5000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
}

process.on("message", (message: ControlMessage) => {
  if (message.type === "start") {
    cpuAtStart = cpuSeconds();
    // Often enough for the gateway side to see when warm-up is over.
    const ticker = setInterval(() => send({ type: "counts", ...report() }), 250);
    const on = (serverUrl: string) => new URL(new URL(serverUrl).pathname, message.origin).href;
    void runClients({ ...message, url: on(server.url), sseUrl: on(server.sseUrl), stopped: () => stopped }, counts).then(async () => {
      clearInterval(ticker);
      await sessionsClosed();
      send({ type: "done", ...report() });
    });
  } else if (message.type === "stop") {
    stopped = true;
  } else {
    void server.close().then(() => process.exit(0));
  }
});
// The parent went away without saying so (killed, crashed): do not linger.
process.on("disconnect", () => process.exit(0));
send({ type: "upstream", url: server.url });
