// createWorker(): a worker's life cycle. start() builds the AWS ports and the lease thread (parts.ts),
// checks the stream and lease table through a flaky AWS, then hands over to launch.ts (coordinator,
// shard consumers, duties); stop() is graceful and bounded; a fatal error stops it and rejects `done`.
import type { ResolvedConfig } from "../config/options.ts";
import { resolveConfig } from "../config/resolve.ts";
import { type Clock, systemClock } from "../core/clock.ts";
import {
  AbortedError,
  ConfigurationError,
  DependencyError,
  describeError,
  InvariantViolationError,
  isKclError,
  type KclError,
} from "../core/errors.ts";
import { EventBus } from "../core/events.ts";
import { type Random, systemRandom } from "../core/random.ts";
import type { KinesisPort } from "../kinesis/port.ts";
import type { WorkerTableStore } from "../leases/store.ts";
import type { LeaseThreadHandle } from "../leases/thread/threaded-coordinator.ts";
import { launchWorker, type Running } from "./launch.ts";
import { startLeaseThread } from "./lease-coordination.ts";
import { addLeaseTable, buildStreamParts, type StreamParts } from "./parts.ts";
import { setUpFanOut } from "./fan-out-parts.ts";
import { checkStream, ensureLeaseTable } from "./startup.ts";
import { retryStartupStep } from "./startup-retry.ts";
import { defaultShardSync } from "./sync-adapter.ts";
import type { StopResult, Worker, WorkerDeps, WorkerOptions } from "./types.ts";
import { defaultWorkerId } from "./worker-id.ts";

export function createWorker(options: WorkerOptions, deps: WorkerDeps = {}): Worker {
  const processor = options?.processor as { processRecords?: unknown } | undefined;
  if (typeof processor !== "function" && typeof processor?.processRecords !== "function") {
    throw new ConfigurationError(
      "createWorker: `processor` must be a RecordProcessor object with processRecords(), or a factory returning one. Pass { processor: { async processRecords(input) { ... } } }.",
      { option: "processor" },
    );
  }
  const random = deps.random ?? systemRandom;
  const workerId = options.workerId || defaultWorkerId(random);
  return new KclWorker(options, resolveConfig({ ...options, workerId }), workerId, deps);
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
  private parts: StreamParts | undefined;
  private running: Running | undefined;
  private readonly clock: Clock;
  private readonly random: Random;
  /** Aborts start-up retries when stop() is called while a flaky AWS is still being retried. */
  private readonly booting = new AbortController();

  constructor(
    private readonly options: WorkerOptions,
    readonly config: ResolvedConfig,
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
    this.starting ??= this.boot();
    return this.starting;
  }

  stop(reason = "stop requested"): Promise<StopResult> {
    this.stopping ??= this.shutdown(reason);
    return this.stopping;
  }

  private async boot(): Promise<void> {
    this.phase = "starting";
    const { config, clock, random, events } = this;
    let threadStarting: Promise<LeaseThreadHandle | undefined> | undefined;
    try {
      const ctx = {
        config,
        workerId: this.workerId,
        options: this.options,
        deps: this.deps,
        clock,
        random,
        events,
        makeSync: (kinesis: KinesisPort, store: WorkerTableStore) =>
          (this.deps.shardSync ?? defaultShardSync)(kinesis, store, { config, events, clock }),
      };
      const stream = buildStreamParts(ctx);
      this.parts = stream;
      // The lease thread loads its modules while the stream checks wait for AWS (it calls nothing
      // before it is told to), instead of after them.
      threadStarting = startLeaseThread({
        config,
        workerId: this.workerId,
        credentials: this.options.credentials,
        storeInjected: this.deps.leaseStore !== undefined,
        faultInjection: this.deps.onLeaseThread !== undefined,
        clock,
        events,
      });
      const retry = { clock, random, events, signal: this.booting.signal };
      for (const name of config.streams) {
        await retryStartupStep(
          "stream check",
          () => checkStream(stream.kinesis, { stream: name }, stream.kinesisTarget, clock),
          retry,
        );
      }
      await setUpFanOut(stream, config, clock, events);
      // The lease table's calls go through the thread when it runs: it must be up first.
      const thread = await threadStarting;
      if (thread) this.deps.onLeaseThread?.(thread);
      const parts = await addLeaseTable(stream, thread, ctx);
      await retryStartupStep(
        "lease table check",
        () =>
          ensureLeaseTable(
            parts.store,
            config,
            parts.dynamoTarget,
            clock,
            this.deps.createTableIfMissing ?? true,
          ),
        retry,
      );
      const { region, endpoint } = parts.kinesisTarget;
      events.emit({
        type: "worker-started",
        app: config.app,
        stream: config.stream,
        ...(config.streams.length > 1 ? { streams: [...config.streams] } : {}),
        table: config.table,
        ...(region ? { region } : {}),
        ...(endpoint ? { endpoint } : {}),
      });
      await retryStartupStep("initial shard sync", () => parts.sync.syncShards(), retry);
      // stop() during start-up: nothing runs yet, shutdown() only closes the clients.
      if (this.stopping) {
        await thread?.terminate();
        return;
      }
      this.running = launchWorker(parts, {
        config,
        workerId: this.workerId,
        processor: this.options.processor,
        deps: this.deps,
        clock,
        random,
        events,
        onFatal: (error) => this.fatal(error),
      });
      this.phase = "running";
    } catch (error) {
      void threadStarting?.then((thread) => thread?.terminate());
      if (error instanceof AbortedError && this.booting.signal.aborted) {
        // stop() while start-up was still retrying a flaky AWS: a stop, not a failure.
        this.phase = "stopped";
        this.parts?.close();
        events.emit({ type: "worker-stopped", clean: false });
        this.settle.resolve({ clean: false });
        return;
      }
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
    this.booting.abort();
    if (this.starting) await this.starting.catch(() => undefined);
    if (this.phase === "stopped") return { clean: false };
    this.phase = "stopping";
    if (this.running) this.events.emit({ type: "worker-stopping", reason });
    const stoppedInTime = this.running ? await this.running.stop() : true;
    this.parts?.close();
    const clean = stoppedInTime && this.failure === undefined;
    this.phase = "stopped";
    if (this.running || this.parts) this.events.emit({ type: "worker-stopped", clean });
    if (this.failure) this.settle.reject(this.failure);
    else this.settle.resolve({ clean });
    return { clean };
  }
}
