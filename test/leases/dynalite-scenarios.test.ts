// The join / crash / leave scenarios against dynalite: real lease-table clients (one per worker), the real
// system clock, short lease timings. Only generous liveness bounds (CI machines are shared and slow);
// how fast takeovers are is measured by bench/ (failover, rebalance).
import { describe, expect, test } from "bun:test";
import type { LeaseTableClient } from "../../src/aws/lease-table-client.ts";
import { resolveConfig } from "../../src/config/resolve.ts";
import { systemClock } from "../../src/core/clock.ts";
import { EventBus, type KclEvent } from "../../src/core/events.ts";
import { seededRandom } from "../../src/core/random.ts";
import { createLeaseCoordinator, type LeaseCoordinator } from "../../src/leases/coordinator.ts";
import { createDynamoLeaseStore } from "../../src/leases/dynamodb-store.ts";
import type { LeaseStore } from "../../src/leases/store.ts";
import { newLease, shardId } from "../../src/testing/lease-sim.ts";
import { uniqueName, waitFor } from "../support/aws.ts";
import { awsForSuite } from "../support/aws-for-suite.ts";
import { leaseTableClientFor } from "../support/lease-table-client.ts";

// failover 3000 ms → renew every 900 ms, taker every 600 ms.
const config = resolveConfig({ app: "scenario", stream: "scenario", failoverMs: 3000 });

const clients: LeaseTableClient[] = [];
const running: { abort: AbortController; done: Promise<void> }[] = [];
const aws = awsForSuite({
  // The coordinators still talk to dynalite: stopped (and their clients closed) before it goes.
  beforeStop: async () => {
    for (const r of running) r.abort.abort();
    await Promise.all(running.map((r) => r.done));
    for (const c of clients) c.destroy();
  },
});

interface Worker {
  id: string;
  coordinator: LeaseCoordinator;
  log: KclEvent[];
  abort: AbortController;
  done: Promise<void>;
}

function storeFor(table: string, seed: number): LeaseStore {
  const { client, target } = leaseTableClientFor(aws.dynamodbEndpoint, { region: aws.region });
  clients.push(client);
  return createDynamoLeaseStore({ client, table, target, clock: systemClock, random: seededRandom(seed) });
}

function start(table: string, id: string, seed: number): Worker {
  const events = new EventBus(id, () => systemClock.now());
  const log: KclEvent[] = [];
  events.onAny((e) => log.push(e));
  const store = storeFor(table, seed);
  const coordinator = createLeaseCoordinator({
    store,
    workerId: id,
    config,
    clock: systemClock,
    random: seededRandom(seed),
    events,
  });
  const abort = new AbortController();
  const done = coordinator.run(abort.signal);
  running.push({ abort, done });
  return { id, coordinator, log, abort, done };
}

async function table(leases: number): Promise<{ name: string; store: LeaseStore }> {
  const name = uniqueName("scenario");
  const store = storeFor(name, 0);
  await store.ensureTable();
  for (let i = 0; i < leases; i++) await store.createLeaseIfNotExists(newLease(shardId(i)));
  return { name, store };
}

async function owners(store: LeaseStore): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const l of await store.listLeases()) out[l.leaseOwner ?? "-"] = (out[l.leaseOwner ?? "-"] ?? 0) + 1;
  return out;
}

/** Waits until the table shows exactly these lease counts for these owners. */
async function untilOwners(store: LeaseStore, want: Record<string, number>, maxMs: number): Promise<void> {
  const what = Object.entries(want)
    .map(([owner, n]) => `${owner} owns ${n}`)
    .join(", ");
  await waitFor(
    what,
    async () => {
      const o = await owners(store);
      return Object.entries(want).every(([owner, n]) => o[owner] === n);
    },
    maxMs,
  );
}

/**
 * The table shows a take as soon as DynamoDB applied it; the taker adopts it (lease-acquired,
 * lease-stolen) only when the response arrives. Wait for that before reading a worker's events.
 */
const untilHolds = (w: Worker, n: number) =>
  waitFor(`${w.id} holds ${n}`, () => w.coordinator.heldLeases().length === n, 10_000);

const count = (w: Worker, type: KclEvent["type"]) => w.log.filter((e) => e.type === type).length;

describe("lease scenarios against dynalite", () => {
  test("join: a second worker gets 4 of 8 leases by stealing", async () => {
    const { name, store } = await table(8);
    const w1 = start(name, "w1", 1);
    await untilOwners(store, { w1: 8 }, 20_000);
    const w2 = start(name, "w2", 2);
    await untilOwners(store, { w1: 4, w2: 4 }, 30_000);
    await untilHolds(w2, 4);
    expect(count(w2, "lease-stolen")).toBe(4);
    await waitFor("w1 noticed", () => w1.coordinator.heldLeases().length === 4, 10_000);
    expect(
      w1.log
        .filter((e) => e.type === "lease-lost")
        .every((e) => e.type === "lease-lost" && e.reason === "stolen"),
    ).toBe(true);
    w1.abort.abort();
    w2.abort.abort();
    await Promise.all([w1.done, w2.done]);
  }, 60_000);

  test("crash: a worker stops renewing → the survivor owns everything after failover + a round", async () => {
    const { name, store } = await table(6);
    const w1 = start(name, "w1", 3);
    const w2 = start(name, "w2", 4);
    await untilOwners(store, { w1: 3, w2: 3 }, 30_000);
    w2.abort.abort(); // dies: no release, no more renewals
    await w2.done;
    const crashed = performance.now();
    await untilOwners(store, { w1: 6 }, 30_000);
    const took = performance.now() - crashed;
    await untilHolds(w1, 6);
    // Not before expiry (a lower bound: a loaded machine only makes it later). How soon after: the
    // failover bench scenario measures it (bench/scenarios/failover.ts); here 30 s is a liveness bound.
    expect(took).toBeGreaterThan(config.failoverMs - config.renewIntervalMs);
    expect(w1.log.filter((e) => e.type === "lease-acquired" && e.how === "expired")).toHaveLength(3);
    expect(count(w1, "lease-expired-observed")).toBeGreaterThanOrEqual(3);
    w1.abort.abort();
    await w1.done;
  }, 60_000);

  test("graceful leave: released leases are taken on the next round, without waiting for expiry", async () => {
    const { name, store } = await table(6);
    const w1 = start(name, "w1", 5);
    const w2 = start(name, "w2", 6);
    await untilOwners(store, { w1: 3, w2: 3 }, 30_000);
    await waitFor("w1 settled", () => w1.coordinator.heldLeases().length === 3, 10_000);
    w2.coordinator.stopTaking();
    const released = await Promise.all(
      w2.coordinator.heldLeases().map((l) => w2.coordinator.release(l.leaseKey)),
    );
    expect(released.every((r) => r.ok)).toBe(true);
    w2.abort.abort();
    await w2.done;
    expect((await owners(store))["-"]).toBe(3);
    await untilOwners(store, { w1: 6 }, 20_000);
    await untilHolds(w1, 6);
    // Taken as released leases, none as expired ones: the taker did not wait for a failover.
    expect(w1.log.filter((e) => e.type === "lease-acquired" && e.how === "released")).toHaveLength(3);
    expect(w1.log.filter((e) => e.type === "lease-acquired" && e.how === "expired")).toHaveLength(0);
    expect(count(w2, "lease-released")).toBe(3);
    w1.abort.abort();
    await w1.done;
  }, 60_000);
});
