// The checkpoint offered to ride on a lease's next renewal (auto checkpoints): at most one per lease,
// a newer offer replaces the older. Every offer is settled exactly once: with the renewal that wrote
// it, or with undefined when nothing will (replaced, covered by a direct write, the lease left).
import { compareCheckpoints, type Lease } from "./lease.ts";
import type { CheckpointUpdate, Outcome } from "./store.ts";

export class OfferedCheckpoint {
  private pending:
    | { update: CheckpointUpdate; settle: (outcome: Outcome<Lease> | undefined) => void }
    | undefined;

  /** Replaces any earlier offer (settled undefined); resolves when this one is settled. */
  offer(update: CheckpointUpdate): Promise<Outcome<Lease> | undefined> {
    this.withdraw();
    return new Promise((settle) => {
      this.pending = { update, settle };
    });
  }

  /**
   * What a renewal of a lease whose checkpoint is `current` should carry: the offer if it is beyond
   * `current`; an offer at or behind it (a direct write went further) is settled undefined.
   */
  toCarry(current: Lease["checkpoint"]): CheckpointUpdate | undefined {
    const update = this.pending?.update;
    if (update && compareCheckpoints(update.checkpoint, current) > 0) return update;
    this.withdraw();
    return undefined;
  }

  /**
   * A write left the lease at `checkpoint`: an offer it reached is settled with `carriedBy` (the
   * renewal that wrote it) or undefined (a direct checkpoint covered it; that one reports itself).
   */
  reached(checkpoint: Lease["checkpoint"], carriedBy: Outcome<Lease> | undefined): void {
    const pending = this.pending;
    if (!pending || compareCheckpoints(pending.update.checkpoint, checkpoint) > 0) return;
    this.pending = undefined;
    pending.settle(carriedBy);
  }

  /** Nothing offered will be written (the lease left, or a newer offer came). */
  withdraw(): void {
    const pending = this.pending;
    this.pending = undefined;
    pending?.settle(undefined);
  }
}
