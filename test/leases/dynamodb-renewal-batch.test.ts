// Batched renewals against dynalite with the embedded emulator's BatchExecuteStatement (real SDK v3
// client over HTTP): the LeaseStore contract holds, a round shares calls, each statement is fenced on
// its own, the lease computed locally equals the item DynamoDB holds, and batching switches itself off
// (once, with a warning) where the endpoint has no PartiQL.
import { describe, expect, test } from "bun:test";
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { startEmulators } from "../../cli/local/emulators.ts";
import { systemClock } from "../../src/core/clock.ts";
import { seededRandom } from "../../src/core/random.ts";
import { itemToLease } from "../../src/leases/dynamodb-codec.ts";
import { createDynamoLeaseStore } from "../../src/leases/dynamodb-store.ts";
import type { Lease } from "../../src/leases/lease.ts";
import type { LeaseStore, Outcome } from "../../src/leases/store.ts";
import { newLease } from "../../src/testing/lease-sim.ts";
import { uniqueName } from "../support/aws.ts";
import { awsForSuite } from "../support/aws-for-suite.ts";
import { interceptCalls, leaseTableClientFor } from "../support/lease-table-client.ts";
import { leaseStoreContract } from "./store-contract.ts";

const aws = awsForSuite();

/** A batching store on its own client, and the commands that client sent. */
function batchedStore(table: string, endpoint = aws.dynamodbEndpoint) {
  const { client } = leaseTableClientFor(endpoint, { region: aws.region });
  const commands: string[] = [];
  interceptCalls(client, (command, next) => {
    commands.push(`${command.operation}Command`);
    return next();
  });
  const unavailable: string[] = [];
  const store = createDynamoLeaseStore({
    client,
    table,
    target: { region: aws.region, endpoint },
    clock: systemClock,
    random: seededRandom(1),
    batchRenewals: true,
    onBatchingUnavailable: (reason) => unavailable.push(reason),
  });
  return { store, commands, unavailable, close: () => client.destroy() };
}

function plainStore(table: string): LeaseStore {
  return createDynamoLeaseStore({
    client: aws.leaseTable,
    table,
    target: { region: aws.region, endpoint: aws.dynamodbEndpoint },
    clock: systemClock,
    random: seededRandom(1),
  });
}

function value<T>(o: Outcome<T>): T {
  if (!o.ok) throw new Error(`expected ok, got ${o.reason}`);
  return o.value;
}

async function heldLeases(store: LeaseStore, count: number, owner = "w1"): Promise<Lease[]> {
  await store.ensureTable();
  const out: Lease[] = [];
  for (let i = 0; i < count; i++) {
    const key = `shardId-${String(i).padStart(12, "0")}`;
    value(await store.createLeaseIfNotExists(newLease(key)));
    out.push(value(await store.takeLease((await store.getLease(key))!, owner)));
  }
  return out;
}

async function rawLease(table: string, leaseKey: string): Promise<Lease | undefined> {
  const out = await aws.dynamodb.send(
    new GetItemCommand({ TableName: table, Key: { leaseKey: { S: leaseKey } } }),
  );
  return itemToLease(out.Item);
}

leaseStoreContract("dynamodb with batched renewals (dynalite + BatchExecuteStatement)", async () => {
  const b = batchedStore(uniqueName("leases"));
  return b.store;
});

describe("batched renewals", () => {
  test("a round of 60 renewals is 3 BatchExecuteStatement calls and no UpdateItem; each lease is what DynamoDB holds", async () => {
    const table = uniqueName("leases");
    const b = batchedStore(table);
    const leases = await heldLeases(b.store, 60);
    b.commands.length = 0;
    const renewed = (await Promise.all(leases.map((l) => b.store.renewLease(l)))).map(value);
    expect(b.commands).toEqual([
      "BatchExecuteStatementCommand",
      "BatchExecuteStatementCommand",
      "BatchExecuteStatementCommand",
    ]);
    for (const lease of renewed) {
      expect(lease.leaseCounter).toBe(2);
      expect(lease).toEqual((await rawLease(table, lease.leaseKey))!);
    }
    expect(b.unavailable).toEqual([]);
    b.close();
  });

  test("carried checkpoints (with a pending checkpoint set, then cleared) leave the same items as single writes", async () => {
    const tables = [uniqueName("leases"), uniqueName("leases")];
    const b = batchedStore(tables[0]!);
    const stores = [b.store, plainStore(tables[1]!)];
    const results: Lease[][] = [];
    for (const store of stores) {
      const [first, second] = await heldLeases(store, 2);
      if (store === b.store) b.commands.length = 0;
      const prepared = value(
        await store.updateCheckpoint(first!, {
          checkpoint: { sequenceNumber: "100", subSequenceNumber: 0 },
          pendingCheckpoint: { sequenceNumber: "200", subSequenceNumber: 3 },
        }),
      );
      const [cleared, moved] = await Promise.all([
        store.updateCheckpoint(prepared, {
          checkpoint: { sequenceNumber: "200", subSequenceNumber: 3 },
          pendingCheckpoint: null,
        }),
        store.updateCheckpoint(second!, { checkpoint: { sequenceNumber: "300", subSequenceNumber: 1 } }),
      ]);
      results.push([prepared, value(cleared), value(moved)]);
    }
    expect(results[0]).toEqual(results[1]!);
    for (const lease of results[0]!.slice(1))
      expect(lease).toEqual((await rawLease(tables[0]!, lease.leaseKey))!);
    // The plain store's writes ran last; the batched store's three checkpoints went in batches only.
    expect(b.commands).toEqual(["BatchExecuteStatementCommand", "BatchExecuteStatementCommand"]);
    b.close();
  });

  test("each statement is fenced on its own: a lease taken meanwhile is reported lost with its new owner, the others renew", async () => {
    const table = uniqueName("leases");
    const b = batchedStore(table);
    const leases = await heldLeases(b.store, 3);
    value(await plainStore(table).takeLease(leases[1]!, "w2"));
    const outcomes = await Promise.all(leases.map((l) => b.store.renewLease(l)));
    expect(outcomes[0]!.ok && outcomes[2]!.ok).toBe(true);
    expect(outcomes[1]).toMatchObject({ ok: false, reason: "owner-mismatch", current: { leaseOwner: "w2" } });
    expect((await rawLease(table, leases[1]!.leaseKey))!).toMatchObject({
      leaseOwner: "w2",
      leaseCounter: 2,
    });
    b.close();
  });
});

describe("where the endpoint has no PartiQL", () => {
  test("batching switches itself off once, with the reason, and every write goes on as a single UpdateItem", async () => {
    const plain = await startEmulators({ partiql: false });
    try {
      const table = uniqueName("leases");
      const b = batchedStore(table, plain.dynamodbEndpoint);
      const leases = await heldLeases(b.store, 30);
      const first = await Promise.all(leases.map((l) => b.store.renewLease(l)));
      const second = await Promise.all(first.map((o) => b.store.renewLease(value(o))));
      expect(second.map((o) => value(o).leaseCounter)).toEqual(leases.map(() => 3));
      expect(b.unavailable).toHaveLength(1);
      expect(b.unavailable[0]).toContain("UnknownOperationException");
      // The first round tried two batches (30 = 25 + 5); nothing after the switch.
      expect(b.commands.filter((c) => c === "BatchExecuteStatementCommand").length).toBeLessThanOrEqual(2);
      b.close();
    } finally {
      await plain.stop();
    }
  });
});
