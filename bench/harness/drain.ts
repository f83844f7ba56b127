// Measures one consumer process draining a pre-loaded stream: from its spawn ("from a CLI start")
// to its last delivery, CPU at that moment, peak RSS — after checking that nothing is missing.
import type { BenchProcess } from "./processes.ts";
import { DeliveryTracker, range } from "./deliveries.ts";
import { loadAverageNow, type MachineLoad, machineLoad, machineTicks } from "./machine.ts";
import { type ThreadCpu, threadCpu, threadCpuDelta } from "./threads.ts";
import { sleep } from "./time.ts";

export interface DrainResult {
  records: number;
  missing: number;
  missingSample: number[];
  duplicates: number;
  /** Spawn → last record delivered. */
  elapsedMs: number;
  /** Spawn → first record delivered. */
  firstRecordMs: number;
  /** Records ÷ (spawn → last record): start-up (modules, lease table, first GetRecords) included. */
  recordsPerSecond: number;
  /**
   * The steady rate: records after the first delivered batch ÷ (first delivery → last), without the
   * consumer's start-up, as CPU per record is measured after the first delivery.
   */
  steadyRecordsPerSecond?: number;
  cpuSeconds: number;
  cpuSecondsPer100k: number;
  /**
   * CPU from the first delivery seen to the last, per 100k records delivered in between: the cost per
   * record without start-up (module loading, table creation), which the total above includes.
   */
  steadyCpuSecondsPer100k?: number;
  /** The same steady CPU per 100k split by OS thread group (main, worker = lease thread, jit, gc, ...). */
  steadyCpuByThread?: ThreadCpu;
  /**
   * CPU per 100k records over the second half of the records only (from the sample that saw half of them
   * delivered to the last): what a record costs once the JIT has compiled the hot paths.
   */
  warmCpuSecondsPer100k?: number;
  warmCpuByThread?: ThreadCpu;
  peakRssMB: number;
  /** How busy the whole machine was from the first delivery to the last (other sessions included). */
  machine?: MachineLoad;
}

/** Waits until ids 0..expected-1 have all been delivered by `proc` (or timeoutMs passed). */
export async function measureDrain(
  proc: BenchProcess,
  deliveriesDir: string,
  expected: number,
  timeoutMs: number,
): Promise<DrainResult> {
  const tracker = new DeliveryTracker(deliveriesDir);
  const deadline = Date.now() + timeoutMs;
  let cpuSeconds = Number.NaN;
  let threads: ThreadCpu | undefined;
  type Seen = { cpuSeconds: number; unique: number; threads?: ThreadCpu };
  let firstSeen: Seen | undefined;
  let halfSeen: Seen | undefined;
  let machineAtFirst: { ticks: ReturnType<typeof machineTicks>; loadAverage: number } | undefined;
  for (;;) {
    tracker.poll();
    const sample = proc.sample();
    if (sample) {
      cpuSeconds = sample.cpuSeconds;
      threads = threadCpu(proc.pid) ?? threads;
    }
    if (!firstSeen && sample && tracker.unique > 0) {
      firstSeen = { cpuSeconds, unique: tracker.unique, ...(threads ? { threads } : {}) };
      machineAtFirst = { ticks: machineTicks(), loadAverage: loadAverageNow() };
    }
    if (!halfSeen && sample && tracker.unique >= expected / 2 && tracker.unique < expected) {
      halfSeen = { cpuSeconds, unique: tracker.unique, ...(threads ? { threads } : {}) };
    }
    if (tracker.unique >= expected) break;
    if (!proc.isRunning()) {
      throw new Error(`${proc.name} exited before delivering every record:\n${proc.stderrTail()}`);
    }
    if (Date.now() > deadline) break;
    await sleep(50);
  }
  const machine = machineAtFirst
    ? machineLoad(machineAtFirst.ticks, machineTicks(), machineAtFirst.loadAverage)
    : undefined;
  const p = tracker.process(proc.pid);
  const missing = tracker.missing(range(0, expected));
  const elapsedMs = (p.lastBatchAt ?? Date.now()) - proc.startedAt;
  return {
    records: tracker.total,
    missing: missing.count,
    missingSample: missing.sample,
    duplicates: tracker.duplicates(),
    elapsedMs,
    firstRecordMs: (p.firstBatchAt ?? Number.NaN) - proc.startedAt,
    recordsPerSecond: Math.round((expected * 1000) / elapsedMs),
    steadyRecordsPerSecond: steadyRate(p, expected),
    cpuSeconds,
    cpuSecondsPer100k: Math.round((cpuSeconds * 100_000 * 1000) / expected) / 1000,
    steadyCpuSecondsPer100k:
      firstSeen && expected > firstSeen.unique
        ? Math.round(((cpuSeconds - firstSeen.cpuSeconds) * 100_000 * 1000) / (expected - firstSeen.unique)) /
          1000
        : Number.NaN,
    ...(firstSeen?.threads && threads && expected > firstSeen.unique
      ? {
          steadyCpuByThread: threadCpuDelta(
            firstSeen.threads,
            threads,
            100_000 / (expected - firstSeen.unique),
          ),
        }
      : {}),
    ...(halfSeen
      ? {
          warmCpuSecondsPer100k:
            Math.round(((cpuSeconds - halfSeen.cpuSeconds) * 100_000 * 1000) / (expected - halfSeen.unique)) /
            1000,
          ...(halfSeen.threads && threads
            ? {
                warmCpuByThread: threadCpuDelta(
                  halfSeen.threads,
                  threads,
                  100_000 / (expected - halfSeen.unique),
                ),
              }
            : {}),
        }
      : {}),
    peakRssMB: Math.round(proc.peakRssBytes() / 2 ** 20),
    ...(machine ? { machine } : {}),
  };
}

/** Records delivered after the first batch, per second from that batch to the last one. */
function steadyRate(p: { frames: { kind: string; count: number; at: number }[] }, expected: number): number {
  const batches = p.frames.filter((f) => f.kind === "batch");
  const first = batches[0];
  const last = batches.at(-1);
  if (!first || !last || last.at <= first.at) return Number.NaN;
  return Math.round(((expected - first.count) * 1000) / (last.at - first.at));
}
