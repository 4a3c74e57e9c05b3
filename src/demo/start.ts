// `npm start`: the demo MCP server behind the gateway, on loopback, until Ctrl-C. Port: $MCP_GUARD_PORT, else
// 8080, else any free port.
import type { LogEntry } from "../host/index.ts";
import { banner, startDemo, type Demo } from "./demo.ts";

function printDecision(entry: LogEntry): void {
  // The module's JSON event lines (decisions — allows at debug, refusals at info —, filtered lists, withheld
  // responses) and anything it warns about.
  if (entry.message.startsWith('{"event":"mcp_guard.') || entry.level >= 3) console.log(entry.message);
}

async function start(): Promise<Demo> {
  const requested = process.env.MCP_GUARD_PORT;
  const port = requested !== undefined && requested !== "" ? Number(requested) : 8080;
  try {
    return await startDemo({ port, onLog: printDecision });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || requested !== undefined) throw error;
    console.log(`port ${port} is in use; taking a free one (set MCP_GUARD_PORT to choose)`);
    return startDemo({ port: 0, onLog: printDecision });
  }
}

const demo = await start();
console.log(banner(demo));
const stop = async () => {
  await demo.close();
  process.exit(0);
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
