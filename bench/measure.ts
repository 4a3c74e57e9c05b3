// Timing for the benchmark. Contenders of one comparison run interleaved (a batch of each in turn, round after
// round), so a load that comes and goes slows them alike and their ratio stays meaningful on a busy CI machine.
// The clock is the process's CPU time (user + system, all threads): a batch that was descheduled is not charged
// for the wait, and the Node baselines are charged for the garbage collection their allocations cause, even when
// V8 runs it on helper threads. Wall time is recorded beside it.

export interface Stats {
  /** Median CPU time per operation over the rounds, in microseconds. */
  micros: number;
  /** Fastest and slowest round, CPU µs per operation. */
  minMicros: number;
  maxMicros: number;
  /** Median wall-clock time per operation, µs. */
  wallMicros: number;
  rounds: number;
  opsPerRound: number;
}

export interface Contender {
  name: string;
  /** One operation. Its result is kept so the work cannot be optimised away. */
  run: () => unknown;
}

export interface AsyncContender {
  name: string;
  run: () => Promise<unknown>;
}

export interface MeasureOptions {
  /** CPU time each contender runs before it is measured, in milliseconds. */
  warmupMs: number;
  /** CPU time one batch should take, in milliseconds. */
  batchMs: number;
  /** Stop after this much CPU time for the whole comparison (once minRounds are done), in milliseconds. */
  budgetMs: number;
  minRounds: number;
  maxRounds?: number;
}

export const QUICK: MeasureOptions = { warmupMs: 30, batchMs: 2, budgetMs: 150, minRounds: 5, maxRounds: 60 };
export const FULL: MeasureOptions = { warmupMs: 150, batchMs: 5, budgetMs: 1500, minRounds: 15, maxRounds: 400 };

/** CPU time of this process in nanoseconds. */
export function cpuNs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) * 1000;
}

function wallNs(): number {
  return Number(process.hrtime.bigint());
}

let sink: unknown;

/** Keeps a value observable (and tells the caller whether anything ran). */
export function consume(value: unknown): void {
  sink = value;
}

export function sinkValue(): unknown {
  return sink;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function stats(cpu: number[], wall: number[], ops: number): Stats {
  return {
    micros: median(cpu) / 1000,
    minMicros: Math.min(...cpu) / 1000,
    maxMicros: Math.max(...cpu) / 1000,
    wallMicros: median(wall) / 1000,
    rounds: cpu.length,
    opsPerRound: ops,
  };
}

/** Runs `n` operations; synchronous contenders run their batch without awaiting each operation. */
type Batch = (n: number) => void | Promise<void>;

async function timeBatch(batch: Batch, n: number): Promise<number> {
  const t0 = cpuNs();
  await batch(n);
  return cpuNs() - t0;
}

/**
 * Warms a contender up (V8 tiers wasm and JavaScript up while it runs) for `warmupMs` of CPU time, then finds
 * how many operations make a batch of about `batchMs`.
 */
async function calibrate(batch: Batch, options: MeasureOptions): Promise<number> {
  let ops = 1;
  let spent = 0;
  while (true) {
    const took = await timeBatch(batch, ops);
    spent += took;
    if (spent >= options.warmupMs * 1e6 && took >= options.batchMs * 1e6 / 4) {
      return Math.max(1, Math.round(ops * (options.batchMs * 1e6) / Math.max(took, 1)));
    }
    if (took < options.batchMs * 1e6 / 4 && ops < 1 << 22) ops *= 2;
  }
}

async function measureBatches(contenders: Array<{ name: string; batch: Batch }>, options: MeasureOptions): Promise<Map<string, Stats>> {
  const ops: number[] = [];
  for (const c of contenders) ops.push(await calibrate(c.batch, options));
  const cpu = contenders.map(() => [] as number[]);
  const wall = contenders.map(() => [] as number[]);
  const start = cpuNs();
  for (let round = 0; ; round++) {
    for (const [k, c] of contenders.entries()) {
      const n = ops[k]!;
      const w0 = wallNs();
      cpu[k]!.push((await timeBatch(c.batch, n)) / n);
      wall[k]!.push((wallNs() - w0) / n);
    }
    const spent = (cpuNs() - start) / 1e6;
    if (round + 1 >= options.minRounds && (spent >= options.budgetMs || round + 1 >= (options.maxRounds ?? Infinity))) break;
  }
  return new Map(contenders.map((c, k) => [c.name, stats(cpu[k]!, wall[k]!, ops[k]!)]));
}

/** Measures several synchronous contenders interleaved. */
export function compare(contenders: Contender[], options: MeasureOptions): Promise<Map<string, Stats>> {
  return measureBatches(contenders.map((c) => ({
    name: c.name,
    batch: (n: number) => {
      for (let i = 0; i < n; i++) consume(c.run());
    },
  })), options);
}

/** The same for asynchronous operations (exchanges through the host). */
export function compareAsync(contenders: AsyncContender[], options: MeasureOptions): Promise<Map<string, Stats>> {
  return measureBatches(contenders.map((c) => ({
    name: c.name,
    batch: async (n: number) => {
      for (let i = 0; i < n; i++) consume(await c.run());
    },
  })), options);
}

/** Median of a few timed runs of a one-off operation (VM start), in milliseconds of wall time and CPU time. */
export async function timeOnce(run: () => Promise<unknown>, repeats: number): Promise<{ wallMs: number; cpuMs: number; minWallMs: number }> {
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < repeats; i++) {
    // Collect Node's garbage first (bench runs with --expose-gc): a VM start allocates a new linear memory and
    // the host's objects, and a major collection of the previous starts' (or the previous sections') garbage
    // inside the timed region is the harness's cost, not the module's; Envoy has no JavaScript heap to collect.
    (globalThis as { gc?: () => void }).gc?.();
    const w0 = wallNs();
    const t0 = cpuNs();
    consume(await run());
    cpus.push((cpuNs() - t0) / 1e6);
    walls.push((wallNs() - w0) / 1e6);
  }
  return { wallMs: median(walls), cpuMs: median(cpus), minWallMs: Math.min(...walls) };
}
