// Checkpoints never move backwards (spec §2): a write at or behind the held lease's checkpoint is a
// no-op success, whatever order queued writes run in (an auto checkpoint riding a renewal, a manual one).
import { describe, expect, test } from "bun:test";
import { ShardCheckpointer } from "../../src/checkpoint/checkpointer.ts";
import { resolveConfig } from "../../src/config/resolve.ts";
import { EventBus, type EventOf } from "../../src/core/events.ts";
import { seededRandom } from "../../src/core/random.ts";
import { createLeaseCoordinator } from "../../src/leases/coordinator.ts";
import type { Lease } from "../../src/leases/lease.ts";
import type { CheckpointUpdate, Outcome } from "../../src/leases/store.ts";
import { FakeClock } from "../../src/testing/fake-clock.ts";
import { newLease } from "../../src/testing/lease-sim.ts";
import { MemoryLeaseStore } from "../../src/testing/memory-lease-store.ts";

const at = (sequenceNumber: string) => ({ sequenceNumber, subSequenceNumber: 0 });
const cp = (sequenceNumber: string): CheckpointUpdate => ({
  checkpoint: at(sequenceNumber),
  pendingCheckpoint: null,
});

class CountingStore extends MemoryLeaseStore {
  checkpointWrites: string[] = [];
  override updateCheckpoint(lease: Lease, update: CheckpointUpdate): Promise<Outcome<Lease>> {
    this.checkpointWrites.push(update.checkpoint.sequenceNumber);
    return super.updateCheckpoint(lease, update);
  }
}

async function held() {
  const store = new CountingStore();
  store.put(newLease("s0"));
  const clock = new FakeClock();
  const events = new EventBus("w1", () => clock.now());
  const c = createLeaseCoordinator({
    store,
    workerId: "w1",
    config: resolveConfig({ app: "unit", stream: "unit" }),
    clock,
    random: seededRandom(3),
    events,
  });
  await c.takerTick();
  return { store, c, events };
}

describe("checkpoints never move backwards", () => {
  test("a manual checkpoint queued behind a renewal that carries a newer auto checkpoint is a no-op", async () => {
    const { store, c } = await held();
    const offered = c.offerCheckpoint("s0", cp("300"));
    const renewal = c.renewerTick(); // carries 300
    const manual = c.checkpoint("s0", cp("200")); // queued behind it
    await renewal;
    expect(await offered).toMatchObject({ ok: true });
    expect(await manual).toMatchObject({ ok: true, value: { checkpoint: at("300") } });
    expect(store.peek("s0")!.checkpoint).toEqual(at("300"));
    expect(store.checkpointWrites).toEqual(["300"]); // 200 was never sent
  });

  test("a checkpoint equal to the held one writes nothing; one that clears a pending checkpoint still writes", async () => {
    const { store, c } = await held();
    expect((await c.checkpoint("s0", cp("100"))).ok).toBe(true);
    expect((await c.checkpoint("s0", cp("100"))).ok).toBe(true);
    expect((await c.checkpoint("s0", { checkpoint: at("100") })).ok).toBe(true);
    expect(store.checkpointWrites).toEqual(["100"]);
    expect((await c.checkpoint("s0", { checkpoint: at("100"), pendingCheckpoint: at("150") })).ok).toBe(true);
    expect((await c.checkpoint("s0", cp("100"))).ok).toBe(true); // clears the prepared 150
    expect(store.checkpointWrites).toEqual(["100", "100", "100"]);
    expect(store.peek("s0")!.pendingCheckpoint).toBeUndefined();
  });

  test("the shard checkpointer keeps the newer position in memory and reports no backwards write", async () => {
    const { store, c, events } = await held();
    const written: EventOf<"checkpoint-written">[] = [];
    events.on("checkpoint-written", (e) => written.push(e));
    const checkpointer = new ShardCheckpointer({
      shardId: "s0",
      leaseKey: "s0",
      initial: at("TRIM_HORIZON"),
      events,
      write: (position) => c.checkpoint("s0", { checkpoint: position, pendingCheckpoint: null }),
      offer: (position) => c.offerCheckpoint("s0", { checkpoint: position, pendingCheckpoint: null }),
    });
    checkpointer.markDelivered(at("300"));
    const offered = checkpointer.offer(at("300"));
    const renewal = c.renewerTick();
    const manual = checkpointer.checkpointer.checkpoint("200");
    await Promise.all([renewal, manual]);
    expect(await offered).toBe(true);
    expect(checkpointer.lastCheckpoint).toEqual(at("300"));
    expect(store.peek("s0")!.checkpoint).toEqual(at("300"));
    expect(written.map((e) => e.sequenceNumber)).toEqual(["300"]);
  });
});
