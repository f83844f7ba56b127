// What crosses the lease-thread boundary as changes (lease-changes.ts, outbox.ts): the main thread's
// mirror, rebuilt from the changes alone, equals the thread's list after every step (held leases and
// scans, order included); an idle list sends nothing; renewals travel in batches that never change the
// order of messages.
import { expect, test } from "bun:test";
import type { Lease } from "../../src/leases/lease.ts";
import { applyLeaseChanges, LeaseChangeTracker } from "../../src/leases/thread/lease-changes.ts";
import { RENEWAL_BATCH_MS, ThreadOutbox } from "../../src/leases/thread/outbox.ts";
import type { FromThread } from "../../src/leases/thread/protocol.ts";
import { FakeClock } from "../../src/testing/fake-clock.ts";

const lease = (n: number, over: Partial<Lease> = {}): Lease => ({
  leaseKey: `shardId-${String(n).padStart(12, "0")}`,
  leaseOwner: "w1",
  leaseCounter: 1,
  checkpoint: { sequenceNumber: "TRIM_HORIZON", subSequenceNumber: 0 },
  ownerSwitchesSinceCheckpoint: 0,
  parentShardIds: [],
  childShardIds: [],
  ...over,
});

/** A small deterministic generator (tests take no randomness from the platform). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** One step of a lease list's life: renewals, checkpoints, owner changes, children, leases come and go. */
function evolve(list: Lease[], rnd: () => number, next: { n: number }): Lease[] {
  const out: Lease[] = [];
  for (const l of list) {
    const r = rnd();
    if (r < 0.05) continue; // gone
    const c = structuredClone(l);
    if (r < 0.6) c.leaseCounter += 1;
    else if (r < 0.7)
      c.checkpoint = { sequenceNumber: String(Math.floor(rnd() * 1e9)), subSequenceNumber: 0 };
    else if (r < 0.75) c.leaseOwner = rnd() < 0.5 ? "w2" : undefined;
    else if (r < 0.78) c.childShardIds = [...c.childShardIds, `shardId-9${Math.floor(rnd() * 1e6)}`];
    else if (r < 0.8) c.checkpointOwner = "w1";
    else if (r < 0.83) delete c.checkpointOwner;
    out.push(c);
  }
  if (rnd() < 0.5) out.push(lease(next.n++));
  if (rnd() < 0.1 && out.length > 1) out.reverse();
  return out;
}

for (const keepOrder of [true, false]) {
  test(`the mirror rebuilt from changes equals the list after every step (${keepOrder ? "scan, in order" : "held leases"})`, () => {
    for (let seed = 1; seed <= 20; seed++) {
      const rnd = lcg(seed);
      const next = { n: 0 };
      let list = Array.from({ length: 20 }, () => lease(next.n++));
      const tracker = new LeaseChangeTracker(keepOrder);
      let mirror = new Map<string, Lease>();
      for (let step = 0; step < 60; step++) {
        const changes = tracker.diff(list);
        // Sent by structured clone: the mirror never shares objects with the thread's list.
        if (changes) mirror = applyLeaseChanges(mirror, structuredClone(changes));
        const got = [...mirror.values()];
        if (keepOrder) expect(got).toEqual(list);
        else
          expect(got.sort((a, b) => a.leaseKey.localeCompare(b.leaseKey))).toEqual(
            [...list].sort((a, b) => a.leaseKey.localeCompare(b.leaseKey)),
          );
        list = evolve(list, rnd, next);
      }
    }
  });
}

test("an idle list sends nothing; renewals send only keys and counters", () => {
  const tracker = new LeaseChangeTracker(true);
  const list = [lease(0), lease(1), lease(2)];
  expect(tracker.diff(list)?.changed).toHaveLength(3);
  expect(tracker.diff(structuredClone(list))).toBeUndefined();
  const renewed = list.map((l, i) => ({ ...l, leaseCounter: l.leaseCounter + (i === 1 ? 0 : 1) }));
  expect(tracker.diff(renewed)).toEqual({
    counterKeys: [list[0]!.leaseKey, list[2]!.leaseKey],
    counters: [2, 2],
  });
});

test("a checkpoint sends only the fields that changed; a removed field is sent as undefined", () => {
  const tracker = new LeaseChangeTracker(false);
  const a = lease(0, { checkpointOwner: "w0" });
  tracker.diff([a]);
  const { checkpointOwner: _, ...handedOver } = a;
  const next = { ...handedOver, leaseCounter: 2, checkpoint: { sequenceNumber: "42", subSequenceNumber: 0 } };
  const changes = tracker.diff([next]);
  expect(changes).toEqual({
    patched: [
      {
        leaseKey: a.leaseKey,
        leaseCounter: 2,
        checkpoint: { sequenceNumber: "42", subSequenceNumber: 0 },
        checkpointOwner: undefined,
      },
    ],
  });
  const mirror = applyLeaseChanges(new Map([[a.leaseKey, a]]), structuredClone(changes!));
  expect(mirror.get(a.leaseKey)).toEqual(next);
  expect("checkpointOwner" in mirror.get(a.leaseKey)!).toBe(false);
});

test("a counter the main thread learnt from a renewal batch is not sent again; a forgotten lease is sent whole", () => {
  const tracker = new LeaseChangeTracker(false);
  const a = lease(0);
  tracker.diff([a]);
  tracker.noteCounter(a.leaseKey, 5);
  expect(tracker.diff([{ ...a, leaseCounter: 5 }])).toBeUndefined();
  tracker.forget(a.leaseKey);
  expect(tracker.diff([{ ...a, leaseCounter: 5 }])).toEqual({ changed: [{ ...a, leaseCounter: 5 }] });
});

test("a lease the main thread got another way (acquired, a checkpoint's reply) is diffed against that version", () => {
  const tracker = new LeaseChangeTracker(false);
  const before = lease(0);
  tracker.diff([before]);
  // A prepared checkpoint's reply gave the main thread the lease with its pendingCheckpoint...
  const prepared = {
    ...before,
    leaseCounter: 2,
    pendingCheckpoint: { sequenceNumber: "7", subSequenceNumber: 0 },
  };
  tracker.note(prepared, true);
  // ...which a later write cleared: the heartbeat must say so, though the lease now equals `before` there.
  const after = { ...before, leaseCounter: 3 };
  const mirror = applyLeaseChanges(
    new Map([[before.leaseKey, prepared]]),
    structuredClone(tracker.diff([after])!),
  );
  expect(mirror.get(before.leaseKey)).toEqual(after);
  // onlyKnown: a lease never sent (or forgotten) is not noted, so it goes whole next time.
  tracker.forget(before.leaseKey);
  tracker.note(prepared, true);
  expect(tracker.diff([after])).toEqual({ changed: [after] });
});

test("renewals go in one batch per round; any other message but a reply sends the waiting batch first", async () => {
  const clock = new FakeClock();
  const posted: FromThread[] = [];
  const outbox = new ThreadOutbox((m) => posted.push(m), clock);
  outbox.renewed("a", 2);
  outbox.renewed("b", 7);
  expect(posted).toEqual([]);
  await clock.advance(RENEWAL_BATCH_MS);
  expect(posted).toEqual([{ type: "renewed", keys: ["a", "b"], counters: [2, 7] }]);
  posted.length = 0;
  outbox.renewed("a", 3);
  outbox.send({ type: "lost", leaseKey: "a", reason: "renew-failed" });
  outbox.renewed("b", 8);
  expect(posted).toEqual([
    { type: "renewed", keys: ["a"], counters: [3] },
    { type: "lost", leaseKey: "a", reason: "renew-failed" },
  ]);
  await clock.advance(RENEWAL_BATCH_MS);
  expect(posted.at(-1)).toEqual({ type: "renewed", keys: ["b"], counters: [8] });
  expect(posted).toHaveLength(3);
  // Replies (auto checkpoint offers, many a second) do not break a batch up.
  posted.length = 0;
  outbox.renewed("a", 4);
  outbox.send({ type: "reply", id: 1, ok: true, value: undefined });
  outbox.renewed("b", 9);
  expect(posted).toEqual([{ type: "reply", id: 1, ok: true, value: undefined }]);
  await clock.advance(RENEWAL_BATCH_MS);
  expect(posted.at(-1)).toEqual({ type: "renewed", keys: ["a", "b"], counters: [4, 9] });
});
