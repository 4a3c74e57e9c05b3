// Node heap in use after a full garbage collection, also where node runs without --expose-gc (vitest): V8's
// flag can be set at run time, and a fresh context then sees `gc`.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let collect: (() => void) | undefined = (globalThis as { gc?: () => void }).gc;

export function heapAfterGcMB(): number {
  if (!collect) {
    setFlagsFromString("--expose-gc");
    collect = runInNewContext("gc") as () => void;
  }
  collect();
  return process.memoryUsage().heapUsed / (1 << 20);
}
