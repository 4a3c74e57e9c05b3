// Which share of an operation's CPU time runs inside WebAssembly. V8's sampling profiler (through node:inspector,
// in this process) records the innermost frame of each sample; frames of wasm code carry a wasm:// URL. For an
// exchange through the host this splits the filter's own code from the host's JavaScript that serves it (the
// header maps, buffer copies and callbacks Envoy would do in C++).
import { Session } from "node:inspector/promises";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
}

export interface WasmShare {
  /** Samples whose innermost frame is wasm code, over samples that were not idle. */
  fraction: number;
  samples: number;
}

/** Runs `operation` repeatedly for about `cpuMs` of CPU time under the sampling profiler. */
export async function wasmShare(operation: () => Promise<unknown>, cpuMs: number): Promise<WasmShare> {
  const session = new Session();
  session.connect();
  try {
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: 50 });
    await session.post("Profiler.start");
    const start = process.cpuUsage();
    while (true) {
      for (let i = 0; i < 20; i++) await operation();
      const used = process.cpuUsage(start);
      if ((used.user + used.system) / 1000 >= cpuMs) break;
    }
    const { profile } = (await session.post("Profiler.stop")) as { profile: Profile };
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    let busy = 0;
    let wasm = 0;
    for (const id of profile.samples) {
      const frame = byId.get(id)?.callFrame;
      if (!frame || frame.functionName === "(idle)") continue;
      busy++;
      if (frame.url.startsWith("wasm://")) wasm++;
    }
    return { fraction: busy > 0 ? wasm / busy : 0, samples: busy };
  } finally {
    await session.post("Profiler.disable").catch(() => undefined);
    session.disconnect();
  }
}
