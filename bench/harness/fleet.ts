// Waits on a fleet of consumer processes through their delivery frames: who owns which shards,
// when a shard was processed again after an event, when every produced id has arrived.
import type { DeliveryTracker } from "./deliveries.ts";
import type { BenchProcess } from "./processes.ts";
import { sleep } from "./time.ts";

function checkAlive(procs: readonly BenchProcess[]): void {
  for (const p of procs) {
    if (!p.isRunning()) throw new Error(`${p.name} exited unexpectedly:\n${p.stderrTail()}`);
  }
}

/**
 * Resolves (wall ms) once every process owns exactly `counts[i]` shards, no shard is owned twice,
 * and, given `activeSince`, each owned shard has delivered a batch since then (really processed).
 */
export async function waitForOwnership(
  tracker: DeliveryTracker,
  procs: readonly BenchProcess[],
  counts: readonly number[],
  timeoutMs: number,
  activeSince?: number,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    tracker.poll();
    const owned = procs.map((p) => tracker.process(p.pid).owned);
    const all = owned.flatMap((s) => [...s]);
    const exact = owned.every((s, i) => s.size === counts[i]) && new Set(all).size === all.length;
    const active =
      exact &&
      (activeSince === undefined ||
        procs.every((p, i) =>
          [...owned[i]!].every((shard) => tracker.firstBatchAfter(p.pid, shard, activeSince)),
        ));
    if (active) return Date.now();
    checkAlive(procs);
    if (Date.now() > deadline) {
      const view = procs
        .map((p, i) => `${p.name}: [${[...owned[i]!].sort((a, b) => a - b).join(",")}]`)
        .join("; ");
      throw new Error(`ownership did not reach ${counts.join("/")} within ${timeoutMs} ms (${view})`);
    }
    await sleep(50);
  }
}

/** Per shard, the first batch `proc` delivered at or after `since`; resolves when all have one. */
export async function waitForShardsProcessed(
  tracker: DeliveryTracker,
  proc: BenchProcess,
  shards: readonly number[],
  since: number,
  timeoutMs: number,
): Promise<Map<number, number>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    tracker.poll();
    const firsts = new Map<number, number>();
    for (const shard of shards) {
      const at = tracker.firstBatchAfter(proc.pid, shard, since);
      if (at !== undefined) firsts.set(shard, at);
    }
    if (firsts.size === shards.length) return firsts;
    checkAlive([proc]);
    if (Date.now() > deadline) {
      throw new Error(
        `${proc.name} processed only shards [${[...firsts.keys()].join(",")}] of [${shards.join(",")}] within ${timeoutMs} ms`,
      );
    }
    await sleep(25);
  }
}

/** Waits until every id in `expected` was delivered (or the timeout); returns what is missing. */
export async function waitForAll(tracker: DeliveryTracker, expected: readonly number[], timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const missing = tracker.poll().missing(expected);
    if (missing.count === 0 || Date.now() > deadline) return missing;
    await sleep(100);
  }
}
