// What a worker runs once start-up succeeded: the lease coordinator (on the lease thread or here), one
// shard consumer per held lease, shard sync, cleanup of finished leases and the drain watch; returns
// the graceful stop (graceful-stop.ts) that ends them in order.
import type { ResolvedConfig } from "../config/options.ts";
import type { Clock } from "../core/clock.ts";
import type { EventBus } from "../core/events.ts";
import type { Random } from "../core/random.ts";
import type { ProcessorPlugin } from "../plugin.ts";
import { shardConsumerFactory } from "./consumers.ts";
import { watchForDrain } from "./drain.ts";
import { gracefulStop } from "./graceful-stop.ts";
import { leaseCoordinatorFor } from "./lease-coordination.ts";
import { cleanupFinishedLeases } from "./lease-cleanup.ts";
import { runPeriodically } from "./loops.ts";
import type { WorkerParts } from "./parts.ts";
import { ShardScheduler } from "./scheduler.ts";
import type { WorkerDeps } from "./types.ts";

export interface LaunchContext {
  config: ResolvedConfig;
  workerId: string;
  processor: ProcessorPlugin;
  deps: WorkerDeps;
  clock: Clock;
  random: Random;
  events: EventBus;
  /** The worker cannot go on (a crashed loop, a failed lease thread, on-error exit). */
  onFatal(error: unknown): void;
}

/** What runs once start-up succeeded. */
export interface Running {
  parts: WorkerParts;
  stop: () => Promise<boolean>;
}

export function launchWorker(parts: WorkerParts, o: LaunchContext): Running {
  const { config, clock, random, events, workerId, deps } = o;
  const leasing = new AbortController();
  const duties = new AbortController();
  const logger = deps.logger;
  const coordinator = leaseCoordinatorFor({
    owner: parts.owner,
    workerId,
    config,
    clock,
    random,
    events,
    logger,
    onThreadFailure: o.onFatal,
  });
  deps.onCoordinator?.(coordinator);
  const onFatal = o.onFatal;
  let releaseFailures = 0;
  // Each lease is let go the moment its own consumer is done (graceful stop: released; handoff:
  // transferred to the next owner), not after every consumer has finished.
  const letGo = async (leaseKey: string) => {
    if (!coordinator.getHeld(leaseKey)) return;
    const outcome = await coordinator.release(leaseKey).catch(() => ({ ok: false }));
    if (!outcome.ok) releaseFailures += 1;
  };
  const scheduler = new ShardScheduler(
    shardConsumerFactory({
      config,
      workerId,
      processor: o.processor,
      parts,
      coordinator,
      clock,
      random,
      events,
      onFatal,
    }),
    async (leaseKey, consumer) => {
      if (consumer.stopReason !== "requested") return;
      await letGo(leaseKey);
      consumer.leaseGone();
    },
  );
  coordinator.onAcquired((lease) => scheduler.acquired(lease));
  coordinator.onLost((leaseKey) => scheduler.lost(leaseKey));
  coordinator.onHandoff((leaseKey) => {
    if (!scheduler.handoff(leaseKey)) void letGo(leaseKey);
  });
  const signal = duties.signal;
  const background = [
    coordinator.run(leasing.signal).catch(onFatal),
    // Assigner mode: shard sync (like lease cleanup, which works from the assigner's scan) runs on the
    // elected assigner only; taker mode: on every worker.
    runPeriodically(
      { name: "shard sync", intervalMs: config.shardSyncMs, clock, events, signal },
      async () => {
        if (coordinator.isAssigner?.() !== false) await parts.sync.syncShards();
      },
    ),
    runPeriodically(
      { name: "lease cleanup", intervalMs: Math.max(1000, config.failoverMs), clock, events, signal },
      () =>
        cleanupFinishedLeases({
          coordinator,
          store: parts.store,
          workerId,
          events,
          busy: (key) => scheduler.get(key) !== undefined,
        }),
    ),
    ...(parts.operator
      ? [
          watchForDrain({
            operator: parts.operator,
            workerId,
            coordinator,
            scheduler,
            events,
            clock,
            intervalMs: config.takerIntervalMs,
            shutdownTimeoutMs: config.shutdownTimeoutMs,
            signal,
          }),
        ]
      : []),
  ];
  return {
    parts,
    stop: () =>
      gracefulStop({
        coordinator,
        scheduler,
        clock,
        shutdownTimeoutMs: config.shutdownTimeoutMs,
        stopDuties: () => duties.abort(),
        stopLeasing: () => leasing.abort(),
        releaseFailures: () => releaseFailures,
        background,
      }),
  };
}
