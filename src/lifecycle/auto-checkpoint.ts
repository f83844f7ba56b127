// Auto checkpointing: after each processed batch, coalesced to at most one write per shard per
// checkpointIntervalMs, flushed unconditionally at shutdown, handoff and shard end.
import type { ShardCheckpointer } from "../checkpoint/checkpointer.ts";
import type { CheckpointMode } from "../config/options.ts";
import type { Clock } from "../core/clock.ts";
import { describeError, LeaseLostError } from "../core/errors.ts";
import type { EventBus } from "../core/events.ts";
import { compareCheckpoints, type ExtendedSequenceNumber } from "../leases/lease.ts";

export interface AutoCheckpointOptions {
  mode: CheckpointMode;
  intervalMs: number;
  shardId: string;
  clock: Clock;
  events: EventBus;
  checkpointer: ShardCheckpointer;
  /** Aborted when the consumer stops: cancels a scheduled write (the shutdown path flushes instead). */
  signal: AbortSignal;
}

export class AutoCheckpoint {
  private dirty: ExtendedSequenceNumber | undefined;
  private lastWriteAt = Number.NEGATIVE_INFINITY;
  private scheduled = false;

  constructor(private readonly o: AutoCheckpointOptions) {}

  /** Position processed but not yet written (auto mode only). */
  get pending(): ExtendedSequenceNumber | undefined {
    return this.dirty;
  }

  /**
   * A batch ending at `position` was processed. Writes now when the interval has passed (so a fast shard
   * pays one write per interval), otherwise schedules one for when it will have passed (so an idle
   * shard's last batch is still written in time).
   */
  async processed(position: ExtendedSequenceNumber): Promise<void> {
    if (this.o.mode !== "auto") return;
    if (!this.dirty || compareCheckpoints(position, this.dirty) > 0) this.dirty = { ...position };
    const wait = this.lastWriteAt + this.o.intervalMs - this.o.clock.monotonic();
    if (wait > 0) {
      this.schedule(wait);
      return;
    }
    try {
      await this.flush("auto");
    } catch (error) {
      // A throttled write must not fail the batch that was processed: try again after an interval.
      if (error instanceof LeaseLostError) throw error;
      this.warn(error);
      this.schedule(this.o.intervalMs);
    }
  }

  /** Writes the pending position now (shutdown, handoff, shard end). LeaseLostError propagates. */
  async flush(by: "auto" | "shutdown" | "shard-end"): Promise<void> {
    const position = this.dirty;
    if (!position) return;
    this.dirty = undefined;
    this.lastWriteAt = this.o.clock.monotonic();
    try {
      await this.o.checkpointer.commit(position, by);
    } catch (error) {
      // Keep it for the next attempt unless something newer arrived meanwhile.
      if (!this.dirty || compareCheckpoints(position, this.dirty) > 0) this.dirty = position;
      throw error;
    }
  }

  private schedule(wait: number): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.o.clock
      .sleep(wait, this.o.signal)
      .then(() => this.flush("auto"))
      .catch((error) => {
        // Lease loss reaches the consumer through the checkpointer; a throttled write is retried later.
        if (!(error instanceof LeaseLostError) && !this.o.signal.aborted) this.warn(error);
      })
      .finally(() => {
        this.scheduled = false;
        if (this.dirty && !this.o.signal.aborted && !this.o.checkpointer.lost)
          this.schedule(this.o.intervalMs);
      });
  }

  private warn(error: unknown): void {
    this.o.events.emit({
      type: "warning",
      shardId: this.o.shardId,
      message: `auto checkpoint of ${this.o.shardId} failed (will retry): ${describeError(error)}`,
    });
  }
}
