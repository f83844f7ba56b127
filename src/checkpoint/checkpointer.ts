// The per-shard checkpointer: validated against what was delivered and the last checkpoint, monotonic,
// serialized (one write in flight per shard) and fenced by the lease (a lost lease fails with LeaseLostError).
import { describeError, type ErrorContext, InvalidCheckpointError, LeaseLostError } from "../core/errors.ts";
import type { EventBus } from "../core/events.ts";
import { compareCheckpoints, type ExtendedSequenceNumber } from "../leases/lease.ts";
import type { Outcome } from "../leases/store.ts";
import type { Checkpointer, KinesisRecord } from "../plugin.ts";
import { formatPosition, isShardEnd, parseCheckpointTarget, SHARD_END } from "./position.ts";

export type CheckpointBy = "auto" | "manual" | "shutdown" | "shard-end";

export interface ShardCheckpointerOptions {
  shardId: string;
  leaseKey: string;
  /** The lease's checkpoint when it was acquired: nothing behind it may be written. */
  initial: ExtendedSequenceNumber;
  /** The fenced write (LeaseCoordinator.checkpoint); `ok: false` means the lease is gone. Throws on faults. */
  write: (position: ExtendedSequenceNumber) => Promise<Outcome<unknown>>;
  events: EventBus;
  /**
   * Hands a position to the lease's next renewal (LeaseCoordinator.offerCheckpoint): settles with
   * that write's outcome, or undefined when no renewal wrote it. Absent: only direct writes.
   */
  offer?: (position: ExtendedSequenceNumber) => Promise<Outcome<unknown> | undefined>;
  /** Told once when a write finds the lease gone, so the consumer stops at once. */
  onLeaseLost?: () => void;
}

export class ShardCheckpointer {
  private last: ExtendedSequenceNumber;
  private delivered: ExtendedSequenceNumber | undefined;
  private ended = false;
  private gone = false;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly context: ErrorContext;
  /** The object handed to plugins: only checkpoint(), bound to this shard. */
  readonly checkpointer: Checkpointer;

  constructor(private readonly options: ShardCheckpointerOptions) {
    this.last = { ...options.initial };
    this.context = { shardId: options.shardId, leaseKey: options.leaseKey };
    this.checkpointer = {
      checkpoint: (target?: string | KinesisRecord, sub?: number) => this.checkpoint(target, sub),
    };
  }

  /** The last checkpoint written (or the one the lease had when acquired). */
  get lastCheckpoint(): ExtendedSequenceNumber {
    return this.last;
  }

  /** The largest position delivered to the processor so far. */
  get largestDelivered(): ExtendedSequenceNumber | undefined {
    return this.delivered;
  }

  get lost(): boolean {
    return this.gone;
  }

  /** A batch is about to be handed to the processor: checkpoints up to its last record become valid. */
  markDelivered(position: ExtendedSequenceNumber): void {
    if (!this.delivered || compareCheckpoints(position, this.delivered) > 0) this.delivered = { ...position };
  }

  /** The shard's last record was delivered: checkpoint() and checkpoint(last record) now mean SHARD_END. */
  markShardEnded(): void {
    this.ended = true;
  }

  /** The lease is gone: every later checkpoint fails with LeaseLostError. */
  markLost(): void {
    this.gone = true;
  }

  /** The plugin's checkpoint(): validated, then written like any other. */
  async checkpoint(target?: string | KinesisRecord, subSequenceNumber?: number): Promise<void> {
    this.assertHeld();
    const requested = parseCheckpointTarget(target, subSequenceNumber, this.context);
    const position = this.resolve(requested);
    await this.commit(position, "manual");
  }

  /** Whether positions can ride on lease renewals (see offer()). */
  get canOffer(): boolean {
    return this.options.offer !== undefined;
  }

  /**
   * Auto mode: lets the lease's next renewal write `position` instead of a write of its own. Does not
   * queue behind (or hold up) direct writes. True once a renewal wrote it; false when it was not
   * written (superseded by a newer offer or a direct write, lease gone: losses arrive via onLeaseLost).
   */
  async offer(position: ExtendedSequenceNumber): Promise<boolean> {
    if (!this.options.offer || this.gone || compareCheckpoints(position, this.last) <= 0) return false;
    const outcome = await this.options.offer(position);
    if (!outcome?.ok) return false;
    // A direct write may have gone further meanwhile: the checkpoint never goes back, not even here.
    if (compareCheckpoints(position, this.last) > 0) this.recordWritten(position, "auto");
    return true;
  }

  /**
   * Writes `position` unless it is not beyond the last checkpoint (then nothing is written: false).
   * Writes are queued so two callers can never move the checkpoint backwards.
   */
  commit(position: ExtendedSequenceNumber, by: CheckpointBy): Promise<boolean> {
    const run = () => this.write(position, by);
    const result = this.chain.then(run, run);
    this.chain = result.catch(() => undefined);
    return result;
  }

  private async write(position: ExtendedSequenceNumber, by: CheckpointBy): Promise<boolean> {
    this.assertHeld();
    if (compareCheckpoints(position, this.last) <= 0) return false;
    let outcome: Outcome<unknown>;
    try {
      outcome = await this.options.write(position);
    } catch (error) {
      this.failed("error", describeError(error));
      throw error;
    }
    if (!outcome.ok) {
      this.failed("lease-lost", `lease ${this.options.leaseKey} ${outcome.reason}`);
      const first = !this.gone;
      this.gone = true;
      if (first) this.options.onLeaseLost?.();
      throw this.lostError(
        `the lease was taken over (${outcome.reason}) before checkpoint ${formatPosition(position)} was written`,
      );
    }
    this.recordWritten(position, by);
    return true;
  }

  private failed(reason: "lease-lost" | "error", error: string): void {
    this.options.events.emit({ type: "checkpoint-failed", shardId: this.options.shardId, reason, error });
  }

  private recordWritten(position: ExtendedSequenceNumber, by: CheckpointBy): void {
    // A queued write that the lease layer found already covered (an offer a renewal carried further
    // meanwhile) succeeded as a no-op: the checkpoint never moves back, not even in memory.
    if (compareCheckpoints(position, this.last) <= 0) return;
    this.last = { ...position };
    this.options.events.emit({
      type: "checkpoint-written",
      shardId: this.options.shardId,
      sequenceNumber: position.sequenceNumber,
      subSequenceNumber: position.subSequenceNumber,
      by,
    });
  }

  /** Validation of a requested value against [last checkpoint, largest delivered] (Java's rule). */
  private resolve(requested: ExtendedSequenceNumber | undefined): ExtendedSequenceNumber {
    const largest = this.ended ? SHARD_END : (this.delivered ?? this.last);
    if (requested === undefined) return largest;
    // Checkpointing the very last record of a finished shard finishes it (Java rewrites it the same way).
    if (this.ended && this.delivered && compareCheckpoints(requested, this.delivered) === 0) return SHARD_END;
    if (isShardEnd(requested) && !this.ended) {
      throw new InvalidCheckpointError(
        `checkpoint("SHARD_END") on ${this.options.shardId}: the shard has not ended. SHARD_END is only valid in shardEnded (kcl-ts writes it for you after shardEnded returns).`,
        this.context,
      );
    }
    if (compareCheckpoints(requested, this.last) < 0) {
      throw new InvalidCheckpointError(
        `checkpoint ${formatPosition(requested)} on ${this.options.shardId} is behind the last checkpoint ${formatPosition(this.last)}: checkpoints never go backwards. Checkpoint a later record (or nothing).`,
        this.context,
      );
    }
    if (compareCheckpoints(requested, largest) > 0) {
      throw new InvalidCheckpointError(
        `checkpoint ${formatPosition(requested)} on ${this.options.shardId} is beyond the last delivered record ${formatPosition(largest)}: only delivered records can be checkpointed. Pass a record you received.`,
        this.context,
      );
    }
    return requested;
  }

  private assertHeld(): void {
    if (this.gone) throw this.lostError("this worker no longer holds the lease");
  }

  private lostError(why: string): LeaseLostError {
    return new LeaseLostError(
      `cannot checkpoint ${this.options.shardId}: ${why}. Stop processing this shard; its new owner resumes from the last checkpoint ${formatPosition(this.last)}.`,
      this.context,
    );
  }
}
