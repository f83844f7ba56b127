// createWorker(): wires config, AWS ports, the lease coordinator, shard sync, the scheduler and one
// shard consumer per held lease; start() checks dependencies first, stop() is graceful and bounded.
import { resolveConfig } from "../config/resolve.ts";
import { systemClock } from "../core/clock.ts";
import {
  ConfigurationError,
  DependencyError,
  describeError,
  InvariantViolationError,
  isKclError,
  type KclError,
} from "../core/errors.ts";
import { EventBus } from "../core/events.ts";
import { systemRandom } from "../core/random.ts";
import { createLeaseCoordinator, type LeaseCoordinator } from "../leases/coordinator.ts";
import type { Lease } from "../leases/lease.ts";
import { ShardConsumer } from "../lifecycle/consumer.ts";
import { createShardReader } from "../retrieval/shard-reader.ts";
import { cleanupFinishedLeases } from "./lease-cleanup.ts";
import { runPeriodically } from "./loops.ts";
import { buildParts, type WorkerParts } from "./parts.ts";
import { ShardScheduler } from "./scheduler.ts";
import { checkStream, ensureLeaseTable, withDeadline } from "./startup.ts";
import { defaultShardSync } from "./sync-adapter.ts";
import type { StopResult, Worker, WorkerDeps, WorkerOptions } from "./types.ts";
import { defaultWorkerId } from "./worker-id.ts";

/** Releasing leases after a timed-out shutdown still gets this long (a release is one conditional write). */
const RELEASE_GRACE_MS = 2000;

export function createWorker(options: WorkerOptions, deps: WorkerDeps = {}): Worker {
  const processor = options?.processor as unknown;
  const shaped =
    typeof processor === "function" ||
    (typeof processor === "object" &&
      processor !== null &&
      typeof (processor as { processRecords?: unknown }).processRecords === "function");
  if (!shaped) {
    throw new ConfigurationError(
      "createWorker: `processor` must be a RecordProcessor object with processRecords(), or a factory returning one. Pass { processor: { async processRecords(input) { ... } } }.",
      { option: "processor" },
    );
  }
  const random = deps.random ?? systemRandom;
  const workerId = options.workerId || defaultWorkerId(random);
  const config = resolveConfig({ ...options, workerId });
  return new KclWorker(options, config, workerId, deps);
}

type Phase = "new" | "starting" | "running" | "stopping" | "stopped";

class KclWorker implements Worker {
  readonly events: EventBus;
  readonly done: Promise<StopResult>;
  private settle!: { resolve: (r: StopResult) => void; reject: (e: unknown) => void };
  private phase: Phase = "new";
  private starting: Promise<void> | undefined;
  private stopping: Promise<StopResult> | undefined;
  private failure: KclError | undefined;
  private parts: WorkerParts | undefined;
  private coordinator: LeaseCoordinator | undefined;
  private scheduler: ShardScheduler | undefined;
  private readonly leasing = new AbortController();
  private readonly duties = new AbortController();
  private readonly background: Promise<unknown>[] = [];
  private readonly clock;
  private readonly random;

  constructor(
    private readonly options: WorkerOptions,
    readonly config: ReturnType<typeof resolveConfig>,
    readonly workerId: string,
    private readonly deps: WorkerDeps,
  ) {
    this.clock = deps.clock ?? systemClock;
    this.random = deps.random ?? systemRandom;
    this.events = new EventBus(workerId, () => this.clock.now());
    this.done = new Promise<StopResult>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    // `done` may be ignored by callers that await stop(): never an unhandled rejection.
    this.done.catch(() => {});
  }

  start(): Promise<void> {
    if (this.phase === "stopping" || this.phase === "stopped") {
      return Promise.reject(
        new ConfigurationError("worker.start(): this worker was stopped; create a new one."),
      );
    }
    this.starting ??= this.run();
    return this.starting;
  }

  stop(reason = "stop requested"): Promise<StopResult> {
    this.stopping ??= this.shutdown(reason);
    return this.stopping;
  }

  private async run(): Promise<void> {
    this.phase = "starting";
    const { config, clock, random, events } = this;
    try {
      const parts = buildParts({
        config,
        options: this.options,
        deps: this.deps,
        clock,
        random,
        events,
        makeSync: (kinesis, store) =>
          (this.deps.shardSync ?? defaultShardSync)(kinesis, store, { config, events, clock }),
      });
      this.parts = parts;
      await checkStream(parts.kinesis, config, parts.kinesisTarget, clock);
      await ensureLeaseTable(
        parts.store,
        config,
        parts.dynamoTarget,
        clock,
        this.deps.createTableIfMissing ?? true,
      );
      events.emit({
        type: "worker-started",
        app: config.app,
        stream: config.stream,
        table: config.table,
        ...(parts.kinesisTarget.region ? { region: parts.kinesisTarget.region } : {}),
        ...(parts.kinesisTarget.endpoint ? { endpoint: parts.kinesisTarget.endpoint } : {}),
      });
      await parts.sync.syncShards();
      if (this.stopping) return;
      this.launch(parts);
      this.phase = "running";
    } catch (error) {
      const failure = isKclError(error)
        ? error
        : new DependencyError(
            `worker start failed: ${describeError(error)}`,
            "unreachable",
            {},
            { cause: error },
          );
      this.failure ??= failure;
      this.phase = "stopped";
      this.parts?.close();
      events.emit({ type: "worker-stopped", clean: false });
      this.settle.reject(this.failure);
      throw failure;
    }
  }

  private launch(parts: WorkerParts): void {
    const { config, clock, random, events, workerId } = this;
    const coordinator = createLeaseCoordinator({
      store: parts.store,
      workerId,
      config,
      clock,
      random,
      events,
      logger: this.deps.logger,
    });
    const scheduler = new ShardScheduler((lease) => this.consumerFor(lease, parts, coordinator));
    this.coordinator = coordinator;
    this.scheduler = scheduler;
    coordinator.onAcquired((lease) => scheduler.acquired(lease));
    coordinator.onLost((leaseKey) => scheduler.lost(leaseKey));
    this.background.push(
      coordinator.run(this.leasing.signal).catch((error) => this.fatal(error)),
      runPeriodically(
        { name: "shard sync", intervalMs: config.shardSyncMs, clock, events, signal: this.duties.signal },
        () => parts.sync.syncShards(),
      ),
      runPeriodically(
        {
          name: "lease cleanup",
          intervalMs: Math.max(1000, config.failoverMs),
          clock,
          events,
          signal: this.duties.signal,
        },
        () =>
          cleanupFinishedLeases({
            coordinator,
            store: parts.store,
            workerId,
            events,
            busy: (key) => scheduler.get(key) !== undefined,
          }),
      ),
    );
  }

  private consumerFor(lease: Lease, parts: WorkerParts, coordinator: LeaseCoordinator): ShardConsumer {
    const { config, clock, random, events } = this;
    return new ShardConsumer({
      lease,
      config,
      workerId: this.workerId,
      processor: this.options.processor,
      leases: coordinator,
      parents: parts.store,
      shardEnd: parts.sync,
      clock,
      random,
      events,
      onFatal: (error) => this.fatal(error),
      openRecords: ({ lease: l, start, signal }) =>
        createShardReader({
          kinesis: parts.kinesis,
          stream: config.stream,
          shardId: l.leaseKey,
          start,
          timestamp: config.timestamp,
          maxRecords: config.maxRecords,
          idleTimeMs: config.idleTimeMs,
          hashKeyRange: l.hashKeyRange,
          clock,
          random,
          events,
          signal,
        }),
    });
  }

  /** The worker cannot go on (on-error exit, a crashed loop): stop gracefully, then reject `done`. */
  private fatal(error: unknown): void {
    const failure = isKclError(error)
      ? error
      : new InvariantViolationError(
          `worker loop crashed: ${describeError(error)}. This is a bug in kcl-ts.`,
          {
            workerId: this.workerId,
          },
        );
    this.failure ??= failure;
    void this.stop(`${failure.name}: ${failure.message}`);
  }

  private async shutdown(reason: string): Promise<StopResult> {
    if (this.starting) await this.starting.catch(() => undefined);
    if (this.phase === "stopped") return { clean: false };
    if (this.phase === "new") {
      this.phase = "stopped";
      this.settle.resolve({ clean: true });
      return { clean: true };
    }
    this.phase = "stopping";
    const { events, clock } = this;
    events.emit({ type: "worker-stopping", reason });
    const coordinator = this.coordinator!;
    const scheduler = this.scheduler!;
    coordinator.stopTaking();
    this.duties.abort();
    const started = clock.monotonic();
    const inTime = await finishes(scheduler.shutdown(), this.config.shutdownTimeoutMs, clock);
    if (!inTime) scheduler.abandon();
    const remaining = this.config.shutdownTimeoutMs - (clock.monotonic() - started);
    const released = await withDeadline(
      this.releaseAll(coordinator),
      Math.max(RELEASE_GRACE_MS, remaining),
      clock,
      () => new Error("release timed out"),
    ).catch(() => false);
    this.leasing.abort();
    await finishes(Promise.allSettled(this.background), RELEASE_GRACE_MS, clock);
    this.parts?.close();
    const clean = inTime && released === true && this.failure === undefined;
    this.phase = "stopped";
    events.emit({ type: "worker-stopped", clean });
    if (this.failure) this.settle.reject(this.failure);
    else this.settle.resolve({ clean });
    return { clean };
  }

  /** Graceful hand-back: every held lease (finished ones too) is released so others take it at once. */
  private async releaseAll(coordinator: LeaseCoordinator): Promise<boolean> {
    const outcomes = await Promise.all(
      coordinator.heldLeases().map((l) => coordinator.release(l.leaseKey).catch(() => ({ ok: false }))),
    );
    return outcomes.every((o) => o.ok);
  }
}

/** True when `work` settles within `ms` on `clock`; false on timeout (or when it rejects). */
async function finishes(work: Promise<unknown>, ms: number, clock: typeof systemClock): Promise<boolean> {
  try {
    await withDeadline(work, ms, clock, () => new Error("timeout"));
    return true;
  } catch {
    return false;
  }
}
