// The shard consumer: drives one lease acquisition through the lifecycle table, one task at a time, so
// the processor's callbacks for this shard never overlap. Different shards' consumers run concurrently.
import { ShardCheckpointer } from "../checkpoint/checkpointer.ts";
import { backoffDelay, KINESIS_THROTTLE_BACKOFF } from "../core/backoff.ts";
import {
  AbortedError,
  DependencyError,
  describeError,
  InvariantViolationError,
  LeaseLostError,
} from "../core/errors.ts";
import type { ShardStateName } from "../core/events.ts";
import type { ExtendedSequenceNumber } from "../leases/lease.ts";
import { AutoCheckpoint } from "./auto-checkpoint.ts";
import type { ConsumerRuntime } from "./runtime.ts";
import { displayState, type ShardState, type StopReason, type TaskOutcome, transition } from "./states.ts";
import { initializeShard } from "./tasks/initialize.ts";
import { dropRecordSource, processBatch } from "./tasks/process-batch.ts";
import { endShard } from "./tasks/shard-end.ts";
import { loseLease, requestShutdown } from "./tasks/shutdown.ts";
import { waitOnParents } from "./tasks/wait-parents.ts";
import type { ShardConsumerOptions } from "./types.ts";

const TASKS: Record<Exclude<ShardState, "shut-down">, (rt: ConsumerRuntime) => Promise<TaskOutcome>> = {
  "waiting-on-parents": waitOnParents,
  initializing: initializeShard,
  processing: processBatch,
  "shard-end": endShard,
  "lease-lost": loseLease,
  "shutdown-requested": requestShutdown,
};

export class ShardConsumer {
  readonly leaseKey: string;
  readonly shardId: string;
  private current: ShardState = "waiting-on-parents";
  private reason: StopReason | undefined;
  private finished = false;
  private shown: string | undefined;
  private readonly stopController = new AbortController();
  private readonly rt: ConsumerRuntime;
  private running: Promise<void> | undefined;

  constructor(private readonly o: ShardConsumerOptions) {
    this.leaseKey = o.lease.leaseKey;
    // Events and errors name the lease key (unique across streams); processors get the bare shard id.
    this.shardId = o.lease.leaseKey;
    const offerCheckpoint = o.leases.offerCheckpoint?.bind(o.leases);
    const checkpointer = new ShardCheckpointer({
      shardId: this.shardId,
      leaseKey: this.leaseKey,
      initial: o.lease.checkpoint,
      events: o.events,
      write: (position) =>
        o.leases.checkpoint(this.leaseKey, { checkpoint: position, pendingCheckpoint: null }),
      onLeaseLost: () => this.requestStop("lease-lost"),
      ...(offerCheckpoint
        ? {
            offer: (position: ExtendedSequenceNumber) =>
              offerCheckpoint(this.leaseKey, { checkpoint: position, pendingCheckpoint: null }),
          }
        : {}),
    });
    const signal = this.stopController.signal;
    const auto = new AutoCheckpoint({
      mode: o.config.checkpoint,
      intervalMs: o.config.checkpointIntervalMs,
      shardId: this.shardId,
      clock: o.clock,
      events: o.events,
      checkpointer,
      signal,
    });
    this.rt = {
      o,
      shardId: this.shardId,
      processorShardId: o.shardId ?? o.lease.leaseKey,
      leaseKey: this.leaseKey,
      signal,
      checkpointer,
      auto,
      attempt: 0,
      stopReason: () => this.reason,
      show: (state, detail) => this.show(state, detail),
      fatal: (error) => o.onFatal(error),
    };
  }

  get state(): ShardState {
    return this.current;
  }

  /** Why the consumer was told to stop (undefined: it was not; it ended by itself at shard end). */
  get stopReason(): StopReason | undefined {
    return this.reason;
  }

  /** True once the shard was finished here (SHARD_END written, children created). */
  get shardFinished(): boolean {
    return this.finished;
  }

  /** Starts the lifecycle; the promise settles when the consumer is shut down (never rejects). */
  start(): Promise<void> {
    this.running ??= this.run();
    return this.running;
  }

  /** The lease was released or handed over after this consumer finished: later checkpoints fail (LeaseLostError). */
  leaseGone(): void {
    this.rt.checkpointer.markLost();
  }

  /** Lease loss wins over a requested shutdown; both abort the processor's signal and the record source. */
  requestStop(reason: StopReason): void {
    if (reason === "lease-lost") {
      this.reason = "lease-lost";
      this.rt.checkpointer.markLost();
    } else {
      this.reason ??= "requested";
    }
    this.stopController.abort();
  }

  private async run(): Promise<void> {
    this.show(displayState(this.current));
    try {
      while (this.current !== "shut-down") {
        const outcome = this.preempt() ?? (await this.runTask(this.current));
        const next = transition(this.current, outcome);
        if (this.current === "shard-end" && next === "shut-down") this.finished = true;
        if (next !== this.current) {
          this.current = next;
          this.rt.attempt = 0;
          this.show(displayState(next));
        }
      }
    } catch (error) {
      // Only a broken transition table gets here: stop the worker rather than run a shard in an unknown state.
      this.o.onFatal(
        error instanceof InvariantViolationError
          ? error
          : new InvariantViolationError(`shard consumer ${this.shardId} crashed: ${describeError(error)}`, {
              shardId: this.shardId,
            }),
      );
      this.rt.checkpointer.markLost();
      this.current = "shut-down";
      this.show("shut-down");
    } finally {
      this.rt.records?.close();
    }
  }

  /** A pending stop ends the active states before their next task; shutdown tasks run to completion. */
  private preempt(): TaskOutcome | undefined {
    const reason = this.reason;
    if (!reason || this.current === "lease-lost") return undefined;
    // Finishing the shard is the best possible checkpoint: only lease loss interrupts it.
    if (reason === "requested" && (this.current === "shard-end" || this.current === "shutdown-requested")) {
      return undefined;
    }
    return { kind: "stop", reason };
  }

  private async runTask(state: Exclude<ShardState, "shut-down">): Promise<TaskOutcome> {
    try {
      return await TASKS[state](this.rt);
    } catch (error) {
      return this.onTaskError(state, error);
    }
  }

  /** Faults below the processor (Kinesis, DynamoDB): report, back off, and let the table decide. */
  private async onTaskError(state: ShardState, error: unknown): Promise<TaskOutcome> {
    if (error instanceof LeaseLostError || this.reason === "lease-lost")
      return { kind: "stop", reason: "lease-lost" };
    if (this.reason && (error instanceof AbortedError || this.stopController.signal.aborted)) {
      return { kind: "stop", reason: this.reason };
    }
    // A bug, or the stream itself gone / credentials refused: retrying this shard cannot help.
    if (error instanceof InvariantViolationError || (error instanceof DependencyError && !error.retriable)) {
      this.o.onFatal(error);
    }
    this.o.events.emit({
      type: "warning",
      shardId: this.shardId,
      leaseKey: this.leaseKey,
      message: `${state} of ${this.shardId} failed, will retry: ${describeError(error)}`,
    });
    if (state === "processing") dropRecordSource(this.rt);
    if (state === "lease-lost" || state === "shutdown-requested") return { kind: "failed" };
    this.rt.attempt += 1;
    try {
      await this.o.clock.sleep(
        backoffDelay(KINESIS_THROTTLE_BACKOFF, this.rt.attempt, this.o.random),
        this.rt.signal,
      );
    } catch {
      return { kind: "stop", reason: this.reason ?? "requested" };
    }
    return { kind: "failed" };
  }

  private show(state: ShardStateName, detail?: string): void {
    const key = `${state}\u0000${detail ?? ""}`;
    if (key === this.shown) return;
    this.shown = key;
    this.o.events.emit({ type: "shard-state", shardId: this.shardId, state, ...(detail ? { detail } : {}) });
  }
}
