// The Java KCL fixture table (test/fixtures/java-kcl): items exactly as KCL 2.x and 3.x write them
// are read correctly, non-lease rows are ignored, and kcl-ts writes keep every attribute it does not own.
import { beforeAll, describe, expect, test } from "bun:test";
import {
  type AttributeValue,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { resolveConfig } from "../../src/config/resolve.ts";
import { systemClock } from "../../src/core/clock.ts";
import { EventBus, type KclEvent } from "../../src/core/events.ts";
import { seededRandom } from "../../src/core/random.ts";
import { createLeaseCoordinator } from "../../src/leases/coordinator.ts";
import { itemToLease } from "../../src/leases/dynamodb-codec.ts";
import { createDynamoLeaseStore } from "../../src/leases/dynamodb-store.ts";
import { FakeClock } from "../../src/testing/fake-clock.ts";
import type { Lease } from "../../src/leases/lease.ts";
import type { LeaseStore } from "../../src/leases/store.ts";
import { uniqueName } from "../support/aws.ts";
import { awsForSuite } from "../support/aws-for-suite.ts";

type Item = Record<string, AttributeValue>;
interface Entry {
  note: string;
  item: Item;
  lease: Lease | null;
}

/** DynamoDB JSON -> SDK AttributeValues (B is base64 in the files, Uint8Array in the SDK). */
function revive(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revive);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = k === "B" && typeof v === "string" ? new Uint8Array(Buffer.from(v, "base64")) : revive(v);
    }
    return out;
  }
  return value;
}

async function load(name: string): Promise<Entry[]> {
  const file = new URL(`../fixtures/java-kcl/${name}`, import.meta.url);
  return (revive(JSON.parse(await Bun.file(file).text())) as Entry[]).map((e) => e);
}

const fixtures: Record<string, Entry[]> = {};
const aws = awsForSuite();
beforeAll(async () => {
  fixtures["2.x"] = await load("kcl-2x.json");
  fixtures["3.x"] = await load("kcl-3x.json");
  fixtures["multi-stream"] = await load("kcl-multistream.json");
});

async function javaTable(
  ...versions: string[]
): Promise<{ name: string; store: LeaseStore; entries: Entry[] }> {
  const name = uniqueName("java");
  const store = createDynamoLeaseStore({
    client: aws.leaseTable,
    table: name,
    target: { region: aws.region, endpoint: aws.dynamodbEndpoint },
    clock: systemClock,
    random: seededRandom(1),
  });
  await store.ensureTable();
  const entries = versions.flatMap((v) => fixtures[v]!);
  for (const e of entries) await aws.dynamodb.send(new PutItemCommand({ TableName: name, Item: e.item }));
  return { name, store, entries };
}

async function raw(table: string, leaseKey: string): Promise<Item> {
  const out = await aws.dynamodb.send(
    new GetItemCommand({ TableName: table, Key: { leaseKey: { S: leaseKey } }, ConsistentRead: true }),
  );
  return out.Item!;
}

describe("Java KCL fixture table", () => {
  for (const version of ["2.x", "3.x", "multi-stream"]) {
    test(`KCL ${version} items read as the Java KCL means them; non-lease rows are not leases`, () => {
      const entries = fixtures[version]!;
      expect(entries.length).toBeGreaterThan(3);
      for (const e of entries) {
        expect({ note: e.note, lease: itemToLease(e.item) ?? null }).toEqual({
          note: e.note,
          lease: e.lease,
        });
      }
    });
  }

  test("listLeases on a table written by Java KCL 2.x and 3.x returns exactly the lease rows", async () => {
    const { store, entries } = await javaTable("2.x", "3.x");
    const byKey = new Map<string, Lease>();
    for (const e of entries) if (e.lease) byKey.set(e.lease.leaseKey, e.lease); // 3.x rows share keys with 2.x
    const listed = await store.listLeases();
    expect(listed.map((l) => l.leaseKey).sort()).toEqual([...byKey.keys()].sort());
    expect(listed.map((l) => l.leaseKey)).not.toContain("Leader");
    expect(await store.getLease("worker-a")).toBeUndefined();
    expect(await store.getLease("Migration3.0")).toBeUndefined();
  });

  test("take, renew, checkpoint, release keep every attribute kcl-ts does not own", async () => {
    for (const version of ["2.x", "3.x", "multi-stream"]) {
      const { name, store, entries } = await javaTable(version);
      for (const e of entries.filter((x) => x.lease && x.lease.checkpoint.sequenceNumber !== "SHARD_END")) {
        let lease = (await store.getLease(e.lease!.leaseKey))!;
        const steps = [
          () => store.takeLease(lease, "kcl-ts-worker"),
          () => store.renewLease(lease),
          () =>
            store.updateCheckpoint(lease, {
              checkpoint: {
                sequenceNumber: "49646227838932541592931745498223245834418349713425099999",
                subSequenceNumber: 0,
              },
            }),
          () => store.releaseLease(lease),
        ];
        for (const step of steps) {
          const out = await step();
          if (!out.ok) throw new Error(`${e.note}: ${out.reason}`);
          lease = out.value;
        }
        const after = await raw(name, e.lease!.leaseKey);
        // What kcl-ts owns in these operations; everything else must be byte-for-byte what Java wrote.
        const owned = [
          "leaseOwner",
          "leaseCounter",
          "checkpointOwner",
          "ownerSwitchesSinceCheckpoint",
          "checkpoint",
          "checkpointSubSequenceNumber",
        ];
        const keep = (item: Item) =>
          Object.fromEntries(Object.entries(item).filter(([k]) => !owned.includes(k)));
        expect({ note: e.note, item: keep(after) }).toEqual({ note: e.note, item: keep(e.item) });
        expect(after.leaseOwner).toBeUndefined();
        expect(after.leaseCounter).toEqual({ N: String(e.lease!.leaseCounter + 4) });
        expect(after.checkpointOwner).toBeUndefined(); // a take ends any 3.x handoff, as Java's take does
      }
    }
  }, 30_000);

  test("a kcl-ts worker on a Java table: takes unowned leases, never SHARD_END or a live handoff, ignores other rows", async () => {
    const { name, store } = await javaTable("2.x", "3.x");
    // The 3.x fleet stopped cleanly (its Leader row deleted): a Leader row is judged first (next test).
    await aws.dynamodb.send(new DeleteItemCommand({ TableName: name, Key: { leaseKey: { S: "Leader" } } }));
    const events = new EventBus("kcl-ts-1", () => systemClock.now());
    const log: KclEvent[] = [];
    events.onAny((e) => log.push(e));
    const coordinator = createLeaseCoordinator({
      store,
      workerId: "kcl-ts-1",
      config: resolveConfig({ app: "java-table", stream: "s" }),
      clock: systemClock,
      random: seededRandom(3),
      events,
    });
    await coordinator.takerTick();
    await coordinator.takerTick();
    // 8 active leases (3.x rows replaced the 2.x rows with the same key), 4 live workers: target 2,
    // taken from the 3 unowned rows; the finished parent and the handoff in progress are left alone.
    const taken = coordinator.heldLeases().map((l) => l.leaseKey);
    expect(taken).toHaveLength(2);
    for (const key of taken)
      expect(["shardId-000000000003", "shardId-000000000006", "shardId-000000000008"]).toContain(key);
    expect(log.filter((e) => e.type === "lease-stolen")).toEqual([]);
    const scanned = log.find((e) => e.type === "lease-table-scanned");
    expect(scanned?.type === "lease-table-scanned" && scanned.liveWorkers).toEqual([
      "a0d7e1f4-0c55-4b8e-bb1f-5e8f0c7a9d63",
      "kcl-ts-1",
      "worker-a",
      "worker-b",
    ]);
    const first = await raw(name, taken[0]!);
    expect(first.leaseOwner).toEqual({ S: "kcl-ts-1" });
    expect((await raw(name, "shardId-000000000001")).checkpointOwner).toEqual({ S: "worker-a" });
  }, 30_000);

  test("a taker-mode worker on a 3.x table with its Leader row: nothing taken until the row is judged", async () => {
    const taker = async () => {
      const { name, store, entries } = await javaTable("3.x");
      // The row is judged on the coordinator's clock (fake: the lock's leaseDuration is 120 s).
      const clock = new FakeClock(0, Date.UTC(2026, 0, 1));
      const events = new EventBus("kcl-ts-1", () => clock.now());
      const log: KclEvent[] = [];
      events.onAny((e) => log.push(e));
      const config = resolveConfig({ app: "java-table", stream: "s" });
      const coordinator = createLeaseCoordinator({
        store,
        workerId: "kcl-ts-1",
        config,
        clock,
        random: seededRandom(3),
        events,
      });
      return { name, entries, clock, log, coordinator };
    };
    const warnings = (log: KclEvent[], text: string) =>
      log.filter((e) => e.type === "warning" && e.message.includes(text));

    // Abandoned (unchanged for its leaseDuration): reported, deleted, then the taker takes.
    const stale = await taker();
    await stale.coordinator.takerTick();
    await stale.clock.advance(119_000);
    await stale.coordinator.takerTick();
    expect(stale.coordinator.heldLeases()).toEqual([]);
    await stale.clock.advance(1001);
    await stale.coordinator.takerTick();
    expect(stale.coordinator.heldLeases().length).toBeGreaterThan(0);
    expect(warnings(stale.log, "stale Leader row")).toHaveLength(1);
    const leader = await aws.dynamodb.send(
      new GetItemCommand({ TableName: stale.name, Key: { leaseKey: { S: "Leader" } }, ConsistentRead: true }),
    );
    expect(leader.Item).toBeUndefined();
    // The 3.x worker metrics row is left exactly as Java wrote it.
    const metrics = stale.entries.find((e) => e.item.entityType?.S === "WORKER_METRIC_STATS")!;
    expect(await raw(stale.name, metrics.item.leaseKey!.S!)).toEqual(metrics.item);

    // Heartbeated by a live Java 3.x leader (a new recordVersionNumber): refused, nothing taken.
    const live = await taker();
    await live.coordinator.takerTick();
    await aws.dynamodb.send(
      new UpdateItemCommand({
        TableName: live.name,
        Key: { leaseKey: { S: "Leader" } },
        UpdateExpression: "SET recordVersionNumber = :v",
        ExpressionAttributeValues: { ":v": { S: "a-new-heartbeat" } },
      }),
    );
    await live.clock.advance(30_000);
    await live.coordinator.takerTick();
    expect(live.coordinator.heldLeases()).toEqual([]);
    expect(
      warnings(live.log, "is coordinated by a live lease assigner (its Leader row, held by worker-a"),
    ).toHaveLength(1);
    expect((await raw(live.name, "Leader")).ownerName).toEqual({ S: "worker-a" });
  }, 30_000);
});
