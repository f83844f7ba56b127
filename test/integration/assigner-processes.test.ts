// Assigner mode end to end (--lease-assignment assigner): worker processes (real SDK v3 clients, the
// lease thread) on kinesalite + dynalite while a producer writes. Join → 2/2 by handoffs, a split
// handled by the assigner's shard sync, a SIGTERM with zero duplicates, then the assigner itself is
// SIGKILLed: its shards and the assigner role move to the survivor, and every record is delivered.
import { describe, expect, test } from "bun:test";
import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { createStream, scanTable, splitShard, waitFor } from "../support/aws.ts";
import { awsForSuite } from "../support/aws-for-suite.ts";
import {
  checkDelivered,
  deliveriesFile,
  duplicateDeliveries,
  eventsOf,
  leaseRows,
  ownerCounts,
  readDeliveries,
  startProducer,
  startWorker,
  uniqueName,
  waitOwners as waitOwnersIn,
} from "./support.ts";

const aws = awsForSuite();

/** Generous: two busy cores, several bun processes and both emulators share them. */
const WAIT = 60_000;
const ASSIGNER = { leaseAssignment: "assigner" as const };

const waitOwners = (app: string, what: string, ok: (c: Record<string, number>) => boolean) =>
  waitOwnersIn(aws, app, what, ok, { timeoutMs: WAIT, settled: true });

async function leaderOf(table: string): Promise<string | undefined> {
  const items = await scanTable(aws.dynamodb, table).catch(() => []);
  return items.find((i) => i.entityType?.S === "LEADER")?.ownerName?.S;
}

describe("assigner mode (worker processes)", () => {
  test("join 2/2, split, SIGTERM (no duplicates), SIGKILL the assigner → role and shards move, nothing missing", async () => {
    const stream = uniqueName("assign");
    const app = uniqueName("assign-app");
    await createStream(aws.kinesis, stream, 4);
    const out = deliveriesFile();
    const producer = startProducer(aws.kinesis, stream);

    // One worker: it is the assigner, creates the table with the 3.x owner index, owns all four.
    const a = startWorker({ aws, name: "A", app, stream, out, options: ASSIGNER });
    await waitOwners(app, "A owns 4", (c) => c.A === 4);
    expect(await leaderOf(app)).toBe("A");
    const table = await aws.dynamodb.send(new DescribeTableCommand({ TableName: app }));
    expect(table.Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName)).toEqual([
      "LeaseOwnerToLeaseKeyIndex",
    ]);

    // A second worker joins: the assigner hands two leases over (graceful handoffs).
    const b = startWorker({ aws, name: "B", app, stream, out, options: ASSIGNER });
    await waitOwners(app, "2/2", (c) => c.A === 2 && c.B === 2);
    await waitFor("B delivers", () => readDeliveries(out).some((d) => d.w === "B"), WAIT, 200);

    // A split: the children are created and assigned; the parent reaches SHARD_END.
    const parent = "shardId-000000000000";
    await splitShard(aws.kinesis, stream, parent);
    await waitFor(
      "parent at SHARD_END, 5 open leases all owned",
      async () => {
        const rows = await leaseRows(aws, app);
        const counts = ownerCounts(rows);
        const open = Object.entries(counts).reduce((n, [, k]) => n + k, 0);
        return (
          rows.find((r) => r.leaseKey === parent)?.checkpoint === "SHARD_END" && !counts["-"] && open === 5
        );
      },
      WAIT,
      200,
    );

    // SIGTERM B (not the assigner): its leases are released with their checkpoints; no duplicates.
    b.signal("SIGTERM");
    expect((await b.exited).code).toBe(0);
    // Shard sync (every 2 s here) ran on the assigner A only: B synced once, at its start-up.
    const syncs = (p: typeof a) => eventsOf(p).filter((e) => e.type === "shard-sync").length;
    expect(syncs(b)).toBe(1);
    expect(syncs(a)).toBeGreaterThan(2);
    await waitOwners(app, "A owns all 5 open", (c) => c.A === 5 && c.B === undefined);
    await waitFor(
      "A delivers from every open shard",
      async () => {
        const open = (await leaseRows(aws, app))
          .filter((r) => r.checkpoint !== "SHARD_END")
          .map((r) => r.leaseKey);
        const byA = new Set(
          readDeliveries(out)
            .filter((d) => d.w === "A")
            .map((d) => d.s),
        );
        return open.every((s) => byA.has(s));
      },
      WAIT,
      200,
    );
    expect(duplicateDeliveries(readDeliveries(out))).toEqual([]);

    // C joins, then the assigner A is SIGKILLed: C takes the role (the lock expires) and A's leases.
    const c = startWorker({ aws, name: "C", app, stream, out, options: ASSIGNER });
    await waitOwners(app, "C holds some", (n) => (n.C ?? 0) >= 2 && n.A !== undefined);
    await a.kill();
    await waitOwners(app, "C owns every open lease", (n) => n.C === 5 && n.A === undefined);
    await waitFor("C is the assigner", async () => (await leaderOf(app)) === "C", WAIT, 200);
    // Each worker says when it becomes the assigner: A at start, C replacing the silent A; never B.
    const roles = (p: typeof a) =>
      eventsOf(p)
        .filter((e) => e.type === "assigner-role")
        .map((e) => ({ assigner: e.assigner, replaced: e.replaced }));
    await waitFor("C reports the role", () => roles(c).length > 0, WAIT, 200);
    expect(roles(a)[0]).toEqual({ assigner: true, replaced: undefined });
    expect(roles(b)).toEqual([]);
    expect(roles(c)[0]).toEqual({ assigner: true, replaced: "A" });

    await producer.stop();
    await waitFor(
      "every record delivered",
      () => new Set(readDeliveries(out).map((d) => d.d)).size >= producer.put.length,
      WAIT,
      200,
    );
    checkDelivered(producer.put, readDeliveries(out));
    c.signal("SIGTERM");
    expect((await c.exited).code).toBe(0);
  }, 240_000);
});
