// Offers to the lease thread go in batches (src/leases/thread/offer-batch.ts): one message per
// OFFER_BATCH_MS with every waiting lease's newest offer, outcomes handed back per offer, a replaced
// offer settled with undefined, flush() on demand (before any other call), and a failed send failing
// every offer it carried.
import { describe, expect, test } from "bun:test";
import type { Lease } from "../../src/leases/lease.ts";
import type { Outcome } from "../../src/leases/store.ts";
import { OFFER_BATCH_MS, OfferBatch, type Offers } from "../../src/leases/thread/offer-batch.ts";
import { FakeClock } from "../../src/testing/fake-clock.ts";
import { newLease } from "../../src/testing/lease-sim.ts";

const at = (seq: string) => ({
  checkpoint: { sequenceNumber: seq, subSequenceNumber: 0 },
  pendingCheckpoint: null,
});
const written = (key: string, seq: string): Outcome<Lease> => ({
  ok: true,
  value: newLease(key, { checkpoint: { sequenceNumber: seq, subSequenceNumber: 0 } }),
});

function batchOver(clock: FakeClock, answer: (offers: Offers) => Promise<(Outcome<Lease> | undefined)[]>) {
  const sent: Offers[] = [];
  const batch = new OfferBatch((offers) => {
    sent.push(offers);
    return answer(offers);
  }, clock);
  return { batch, sent };
}

const echo = (offers: Offers) =>
  Promise.resolve(offers.map(([k, u]) => written(k, u.checkpoint.sequenceNumber)));

describe("OfferBatch", () => {
  test("offers within the batch window cross in one message; each gets its own outcome", async () => {
    const clock = new FakeClock();
    const { batch, sent } = batchOver(clock, echo);
    const a = batch.offer("shard-a", at("1"));
    const b = batch.offer("shard-b", at("2"));
    await clock.advance(OFFER_BATCH_MS - 1);
    expect(sent).toEqual([]);
    await clock.advance(1);
    expect(sent).toEqual([
      [
        ["shard-a", at("1")],
        ["shard-b", at("2")],
      ],
    ]);
    expect(await a).toEqual(written("shard-a", "1"));
    expect(await b).toEqual(written("shard-b", "2"));
  });

  test("a newer offer for the same lease replaces the waiting one, which settles with undefined", async () => {
    const clock = new FakeClock();
    const { batch, sent } = batchOver(clock, echo);
    const older = batch.offer("shard-a", at("1"));
    const newer = batch.offer("shard-a", at("5"));
    expect(await older).toBeUndefined();
    await clock.advance(OFFER_BATCH_MS);
    expect(sent).toEqual([[["shard-a", at("5")]]]);
    expect(await newer).toEqual(written("shard-a", "5"));
  });

  test("flush() sends at once (the coordinator flushes before any other call); nothing is sent twice", async () => {
    const clock = new FakeClock();
    const { batch, sent } = batchOver(clock, echo);
    const a = batch.offer("shard-a", at("1"));
    batch.flush();
    expect(sent).toHaveLength(1);
    expect(await a).toEqual(written("shard-a", "1"));
    await clock.advance(OFFER_BATCH_MS);
    batch.flush();
    expect(sent).toHaveLength(1);
  });

  test("a send that fails fails every offer it carried", async () => {
    const clock = new FakeClock();
    const { batch } = batchOver(clock, () => Promise.reject(new Error("lease thread failed")));
    const a = batch.offer("shard-a", at("1"));
    const b = batch.offer("shard-b", at("2"));
    batch.flush();
    expect(await a.catch((e: Error) => e.message)).toBe("lease thread failed");
    expect(await b.catch((e: Error) => e.message)).toBe("lease thread failed");
  });
});
