// Auto checkpointing: after each processed batch, flushed unconditionally at shutdown, handoff and
// shard end. Between those, when the lease coordinator offers it, the position rides on the lease's
// next renewal (a write that happens anyway): no checkpoint write of its own, and checkpointIntervalMs
// only bounds how long a processed position may stay unwritten if renewals fall behind. Without
// offers, writes are coalesced to at most one per shard per checkpointIntervalMs.
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
  /** When the oldest position not yet written was processed (offer mode's staleness clock). */
  private dirtySince = Number.POSITIVE_INFINITY;
  private lastWriteAt = Number.NEGATIVE_INFINITY;
  private scheduled = false;

  constructor(private readonly o: AutoCheckpointOptions) {}

  /**
   * A batch ending at `position` was processed. With offers: hands it to the next renewal and arms the
   * fallback write for when it will have waited an interval. Without: writes now when the interval has
   * passed (so a fast shard pays one write per interval), otherwise schedules one for when it will have
   * passed (so an idle shard's last batch is still written in time).
   */
  async processed(position: ExtendedSequenceNumber): Promise<void> {
    if (this.o.mode !== "auto") return;
    if (!this.dirty) this.dirtySince = this.o.clock.monotonic();
    if (!this.dirty || compareCheckpoints(position, this.dirty) > 0) this.dirty = { ...position };
    if (this.o.checkpointer.canOffer) {
      this.offer(this.dirty);
      this.schedule(Math.max(1, this.untilDue()));
      return;
    }
    const wait = this.untilDue();
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
    this.dirtySince = Number.POSITIVE_INFINITY;
    this.lastWriteAt = this.o.clock.monotonic();
    try {
      await this.o.checkpointer.commit(position, by);
    } catch (error) {
      // Keep it for the next attempt unless something newer arrived meanwhile.
      if (!this.dirty || compareCheckpoints(position, this.dirty) > 0) {
        this.dirty = position;
        this.dirtySince = Math.min(this.dirtySince, this.lastWriteAt);
      }
      throw error;
    }
  }

  /** Ms until the pending position must be written by us (≤ 0: now). */
  private untilDue(): number {
    const now = this.o.clock.monotonic();
    const from = this.o.checkpointer.canOffer ? this.dirtySince : this.lastWriteAt;
    return from + this.o.intervalMs - now;
  }

  /** Hands the position to the next renewal; once written, it is no longer ours to write. */
  private offer(position: ExtendedSequenceNumber): void {
    this.o.checkpointer.offer(position).then(
      (written) => {
        if (!written) return;
        if (this.dirty && compareCheckpoints(this.dirty, position) <= 0) {
          this.dirty = undefined;
          this.dirtySince = Number.POSITIVE_INFINITY;
        }
      },
      // Never thrown for faults (the renewal retries them); a loss reaches the consumer via onLost.
      () => undefined,
    );
  }

  private schedule(wait: number): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.o.clock
      .sleep(wait, this.o.signal)
      // Not due yet (the renewal carried the older position; a newer one arrived since): wait on.
      .then(() => (this.untilDue() > 0 ? undefined : this.flush("auto")))
      .catch((error) => {
        // Lease loss reaches the consumer through the checkpointer; a throttled write is retried later.
        if (!(error instanceof LeaseLostError) && !this.o.signal.aborted) this.warn(error);
      })
      .finally(() => {
        this.scheduled = false;
        if (this.dirty && !this.o.signal.aborted && !this.o.checkpointer.lost)
          this.schedule(Math.max(1, this.untilDue()));
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
