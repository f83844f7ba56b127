// Auto checkpoints offered to the lease thread in batches: every processed batch of every shard offers
// its position for the lease's next renewal, which at 100 shards was a message each way per batch, the
// main thread's largest lease-thread cost. Offers wait here up to OFFER_BATCH_MS and cross the boundary
// together, one message per batch of offers and one reply; a renewal carries a position at most once per
// renew interval anyway, and a newer offer for the same lease replaces the waiting one, as it would on
// the thread (the replaced offer settles with undefined: not written by a renewal).
import type { Clock } from "../../core/clock.ts";
import type { Lease } from "../lease.ts";
import type { CheckpointUpdate, Outcome } from "../store.ts";

/** How long an offer may wait for others: small against the renew interval (failover/3). */
export const OFFER_BATCH_MS = 250;

export type OfferOutcome = Outcome<Lease> | undefined;
export type Offers = [leaseKey: string, update: CheckpointUpdate][];

interface Waiting {
  update: CheckpointUpdate;
  settle(outcome: OfferOutcome): void;
  fail(error: unknown): void;
}

export class OfferBatch {
  private waiting = new Map<string, Waiting>();
  private scheduled = false;

  constructor(
    /** Sends the offers in one message; resolves with their outcomes, in order. */
    private readonly send: (offers: Offers) => Promise<OfferOutcome[]>,
    private readonly clock: Clock,
    private readonly delayMs = OFFER_BATCH_MS,
  ) {}

  offer(leaseKey: string, update: CheckpointUpdate): Promise<OfferOutcome> {
    this.waiting.get(leaseKey)?.settle(undefined);
    return new Promise<OfferOutcome>((settle, fail) => {
      this.waiting.set(leaseKey, { update, settle, fail });
      if (this.scheduled) return;
      this.scheduled = true;
      void this.clock.sleep(this.delayMs).then(() => this.flush());
    });
  }

  /** Sends what waits now: before any other call to the thread, so the thread sees them in order. */
  flush(): void {
    this.scheduled = false;
    if (this.waiting.size === 0) return;
    const batch = [...this.waiting];
    this.waiting.clear();
    this.send(batch.map(([leaseKey, w]) => [leaseKey, w.update])).then(
      (outcomes) => batch.forEach(([, w], i) => w.settle(outcomes[i])),
      (error) => {
        for (const [, w] of batch) w.fail(error);
      },
    );
  }
}
