// The seed scenarios of spec §1, end to end with worker processes on kinesalite + dynalite while a
// producer keeps writing: 1 worker / 4 shards → a 2nd worker → 2/2 → split 4→5 (3/2) → merge →
// SIGKILL one worker → the survivor processes everything. Then SIGTERM: zero duplicates.
import { afterEach, describe, expect, test } from "bun:test";
import { createStream, mergeShards, splitShard, waitFor } from "../support/aws.ts";
import { awsForSuite } from "../support/aws-for-suite.ts";
import type { Proc } from "../support/processes.ts";
import {
  checkDelivered,
  checkDuplicatesOnlyOnMovedShards,
  checkStartsFromLastCheckpoint,
  deliveriesFile,
  leaseRows,
  ownerCounts,
  readDeliveries,
  startProducer,
  startWorker,
  uniqueName,
  waitOwners as waitOwnersIn,
} from "./support.ts";
import { adjacentPairOnTwoOwners, sigtermHandoff } from "./scenarios.ts";

const aws = awsForSuite();
/** Producers still running when a test fails early: stopped before the emulators go away. */
const producers: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(producers.splice(0).map((p) => p.stop()));
});

/** Generous: two busy cores, several bun processes and both emulators share them. */
const WAIT = 30_000;

const distinct = (out: string) => new Set(readDeliveries(out).map((d) => d.d)).size;

const waitOwners = (app: string, what: string, ok: (counts: Record<string, number>) => boolean) =>
  waitOwnersIn(aws, app, what, ok, { timeoutMs: WAIT });

function split(counts: Record<string, number>): number[] {
  return Object.entries(counts)
    .filter(([owner]) => owner !== "-")
    .map(([, n]) => n)
    .sort();
}

describe("seed scenarios (worker processes)", () => {
  test("1 worker/4 shards → 2 workers 2/2 → split 3/2 → merge → SIGKILL → survivor has all", async () => {
    const stream = uniqueName("seed");
    const app = uniqueName("seed-app");
    await createStream(aws.kinesis, stream, 4);
    const out = deliveriesFile();
    const procs: Proc[] = [];
    const producer = startProducer(aws.kinesis, stream);
    producers.push(producer);

    // 1. One worker, four shards: one processor per shard, all processed in parallel.
    const a = startWorker({ aws, name: "A", app, stream, out });
    procs.push(a);
    await waitOwners(app, "A owns 4 leases", (c) => c.A === 4);
    await waitFor(
      "records from all 4 shards",
      () => new Set(readDeliveries(out).map((d) => d.s)).size === 4,
      WAIT,
      200,
    );

    // 2. A second worker with the same application name: two shards each.
    const b = startWorker({ aws, name: "B", app, stream, out });
    procs.push(b);
    await waitOwners(app, "2/2", (c) => c.A === 2 && c.B === 2);

    // 3. Split one shard: five open shards, three on one worker and two on the other.
    const parent = "shardId-000000000000";
    await splitShard(aws.kinesis, stream, parent);
    // Until the parent is at SHARD_END and both children are owned, the open leases can also read 3/2
    // (the parent plus one owned child): wait for the finished state itself.
    await waitFor(
      "parent at SHARD_END, 5 open leases split 3/2, none unowned",
      async () => {
        const now = await leaseRows(aws, app);
        const counts = ownerCounts(now);
        const ended = now.find((r) => r.leaseKey === parent)?.checkpoint === "SHARD_END";
        return ended && counts["-"] === undefined && split(counts).join() === "2,3";
      },
      WAIT,
      200,
    );
    const rows = await leaseRows(aws, app);
    expect(rows.find((r) => r.leaseKey === parent)?.checkpoint).toBe("SHARD_END");
    const children = rows.filter((r) => r.parents.includes(parent));
    expect(children).toHaveLength(2);

    // Merges likewise: two adjacent open shards become one — a pair on two workers, so the child waits
    // for parents on two workers (not by chance).
    const [m1, m2] = await adjacentPairOnTwoOwners(aws, stream, app);
    const after = await mergeShards(aws.kinesis, stream, m1, m2);
    const merged = after.find((s) => s.ParentShardId === m1 || s.AdjacentParentShardId === m1)!.ShardId!;
    await waitFor(
      "records from the merged shard",
      () => readDeliveries(out).some((d) => d.s === merged),
      WAIT,
      200,
    );
    await waitOwners(app, "4 open leases 2/2", (c) => c.A === 2 && c.B === 2);

    // 4. A worker dies: the survivor processes all shards from the last checkpoints.
    await a.kill();
    await waitOwners(app, "B owns every open lease", (c) => c.B === 4 && c.A === undefined);
    await producer.stop();
    await waitFor("every record delivered", () => distinct(out) >= producer.put.length, WAIT, 200);

    const deliveries = readDeliveries(out);
    // At-least-once, and per partition key the first deliveries are in put order — across split and merge.
    checkDelivered(producer.put, deliveries);
    // 5. No child record before its parents' last record.
    const lastParent = deliveries.map((d) => d.s).lastIndexOf(parent);
    const firstChild = deliveries.findIndex((d) => children.some((c) => c.leaseKey === d.s));
    expect(firstChild).toBeGreaterThan(lastParent);
    const lastMergeParent = Math.max(
      deliveries.map((d) => d.s).lastIndexOf(m1),
      deliveries.map((d) => d.s).lastIndexOf(m2),
    );
    expect(deliveries.findIndex((d) => d.s === merged)).toBeGreaterThan(lastMergeParent);
    // Duplicates only after the last checkpoint of a shard that moved.
    expect(checkStartsFromLastCheckpoint(procs)).toBeGreaterThanOrEqual(4);
    checkDuplicatesOnlyOnMovedShards(procs, deliveries);

    b.signal("SIGTERM");
    expect((await b.exited).code).toBe(0);
  }, 120_000);

  test("SIGTERM: the stopped worker's shards resume on the other with zero duplicates", async () => {
    await sigtermHandoff({
      aws,
      name: "term",
      perBatch: 20,
      minDeliveredByA: 50,
      waitMs: WAIT,
      track: (p) => producers.push(p),
    });
  }, 90_000);
});
