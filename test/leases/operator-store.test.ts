// The LeaseOperatorStore contract (reset, drain requests), run against the memory implementation and
// against DynamoDB (dynalite, real SDK v3 client); plus the DynamoDB-only rule that other attributes survive.
import { describe, expect, test } from "bun:test";
import { GetItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { systemClock } from "../../src/core/clock.ts";
import { seededRandom } from "../../src/core/random.ts";
import { createDynamoLeaseStore } from "../../src/leases/dynamodb-store.ts";
import { createDynamoOperatorStore } from "../../src/leases/dynamodb-operator-store.ts";
import type { LeaseOperatorStore } from "../../src/leases/operator-store.ts";
import type { LeaseStore, Outcome } from "../../src/leases/store.ts";
import { newLease } from "../../src/testing/lease-sim.ts";
import { MemoryLeaseStore } from "../../src/testing/memory-lease-store.ts";
import { MemoryOperatorStore } from "../../src/testing/memory-operator-store.ts";
import { uniqueName } from "../support/aws.ts";
import { awsForSuite } from "../support/aws-for-suite.ts";

const aws = awsForSuite();

type Pair = { leases: LeaseStore; operator: LeaseOperatorStore; table: string };

function value<T>(o: Outcome<T>): T {
  if (!o.ok) throw new Error(`expected ok, got ${o.reason}`);
  return o.value;
}

function dynamo(): Pair {
  const table = uniqueName("ops");
  const target = { region: aws.region, endpoint: aws.dynamodbEndpoint };
  const common = { client: aws.leaseTable, table, target, clock: systemClock };
  return {
    table,
    leases: createDynamoLeaseStore({ ...common, random: seededRandom(1) }),
    operator: createDynamoOperatorStore(common),
  };
}

function memory(): Pair {
  const leases = new MemoryLeaseStore();
  return { table: "memory", leases, operator: new MemoryOperatorStore(leases) };
}

const KEY = "shardId-000000000001";

for (const [name, make] of [
  ["memory", memory],
  ["dynamodb (dynalite)", dynamo],
] as const) {
  describe(`LeaseOperatorStore contract: ${name}`, () => {
    async function ownedWithProgress(p: Pair) {
      await p.leases.ensureTable();
      value(
        await p.leases.createLeaseIfNotExists(newLease(KEY, { parentShardIds: ["shardId-000000000000"] })),
      );
      const taken = value(await p.leases.takeLease((await p.leases.getLease(KEY))!, "w1"));
      return value(
        await p.leases.updateCheckpoint(taken, {
          checkpoint: { sequenceNumber: "200", subSequenceNumber: 3 },
          pendingCheckpoint: { sequenceNumber: "300", subSequenceNumber: 0 },
        }),
      );
    }

    test("reset fences the owner: counter+1, owner removed, checkpoint set, pending and switches cleared", async () => {
      const p = make();
      const held = await ownedWithProgress(p);
      const reset = value(
        await p.operator.resetLease(held, {
          checkpoint: { sequenceNumber: "AT_TIMESTAMP", subSequenceNumber: 0 },
          resolvedStart: 1_700_000_000_123,
        }),
      );
      expect(reset).toEqual({
        leaseKey: KEY,
        leaseCounter: held.leaseCounter + 1,
        checkpoint: { sequenceNumber: "AT_TIMESTAMP", subSequenceNumber: 0 },
        ownerSwitchesSinceCheckpoint: 0,
        parentShardIds: ["shardId-000000000000"],
        childShardIds: [],
        resolvedStart: 1_700_000_000_123,
      });
      expect(await p.leases.getLease(KEY)).toEqual(reset);
      // The former owner is fenced: its renewal and its checkpoint no longer apply.
      expect((await p.leases.renewLease(held)).ok).toBe(false);
      expect(
        (
          await p.leases.updateCheckpoint(held, {
            checkpoint: { sequenceNumber: "400", subSequenceNumber: 0 },
          })
        ).ok,
      ).toBe(false);
      // A later reset to a sequence number drops the timestamp.
      const again = value(
        await p.operator.resetLease(reset, { checkpoint: { sequenceNumber: "150", subSequenceNumber: 0 } }),
      );
      expect(again.resolvedStart).toBeUndefined();
      expect(again.checkpoint).toEqual({ sequenceNumber: "150", subSequenceNumber: 0 });
    });

    test("reset is conditioned on the counter the operator saw; a missing lease is reported, not created", async () => {
      const p = make();
      const held = await ownedWithProgress(p);
      const renewed = value(await p.leases.renewLease(held));
      const stale = await p.operator.resetLease(held, {
        checkpoint: { sequenceNumber: "TRIM_HORIZON", subSequenceNumber: 0 },
      });
      expect(stale.ok).toBe(false);
      if (!stale.ok) {
        expect(stale.reason).toBe("counter-mismatch");
        expect(stale.current?.leaseCounter).toBe(renewed.leaseCounter);
      }
      expect(await p.leases.getLease(KEY)).toEqual(renewed);
      const missing = await p.operator.resetLease(newLease("shardId-000000000009"), {
        checkpoint: { sequenceNumber: "LATEST", subSequenceNumber: 0 },
      });
      expect(missing).toEqual({ ok: false, reason: "missing" });
      expect(await p.leases.getLease("shardId-000000000009")).toBeUndefined();
    });

    test("drain requests: written, seen, listed, cleared; never listed as leases", async () => {
      const p = make();
      await p.leases.ensureTable();
      value(await p.leases.createLeaseIfNotExists(newLease(KEY)));
      expect(await p.operator.drainRequested("w1")).toBe(false);
      await p.operator.requestDrain("w1", "2026-11-27T10:00:00.000Z");
      await p.operator.requestDrain("w2", "2026-11-27T10:00:00.000Z");
      expect(await p.operator.drainRequested("w1")).toBe(true);
      expect(await p.operator.listDrains()).toEqual(["w1", "w2"]);
      expect((await p.leases.listLeases()).map((l) => l.leaseKey)).toEqual([KEY]);
      await p.operator.clearDrain("w1");
      await p.operator.clearDrain("w1");
      expect(await p.operator.drainRequested("w1")).toBe(false);
      expect(await p.operator.listDrains()).toEqual(["w2"]);
    });
  });
}

describe("DynamoDB operator store specifics", () => {
  test("a reset touches only its attributes: unknown ones and entityType survive", async () => {
    const p = dynamo();
    await p.leases.ensureTable();
    value(await p.leases.createLeaseIfNotExists(newLease(KEY)));
    await aws.dynamodb.send(
      new UpdateItemCommand({
        TableName: p.table,
        Key: { leaseKey: { S: KEY } },
        UpdateExpression: "SET otherTool = :v",
        ExpressionAttributeValues: { ":v": { S: "kept" } },
      }),
    );
    value(
      await p.operator.resetLease((await p.leases.getLease(KEY))!, {
        checkpoint: { sequenceNumber: "LATEST", subSequenceNumber: 0 },
      }),
    );
    const item = (
      await aws.dynamodb.send(new GetItemCommand({ TableName: p.table, Key: { leaseKey: { S: KEY } } }))
    ).Item!;
    expect(item.otherTool).toEqual({ S: "kept" });
    expect(item.entityType).toEqual({ S: "LEASE" });
    expect(item.checkpoint).toEqual({ S: "LATEST" });
    expect(item.leaseCounter).toEqual({ N: "1" });
  });

  test("clearDrain never deletes a lease row", async () => {
    const p = dynamo();
    await p.leases.ensureTable();
    value(await p.leases.createLeaseIfNotExists(newLease("kcl-ts:drain:w1")));
    await p.operator.clearDrain("w1");
    expect(await p.leases.getLease("kcl-ts:drain:w1")).toBeDefined();
    expect(await p.operator.drainRequested("w1")).toBe(false);
  });
});
