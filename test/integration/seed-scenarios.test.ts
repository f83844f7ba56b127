// The seed scenarios of spec §1, end to end with worker processes on kinesalite + dynalite while a
// producer keeps writing: 1 worker / 4 shards → a 2nd worker → 2/2 → split 4→5 (3/2) → merge →
// SIGKILL one worker → the survivor processes everything. Then SIGTERM: zero duplicates.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import {
  createStream,
  listShards,
  mergeShards,
  splitShard,
  type TestAws,
  startTestAws,
  waitFor,
} from "../support/aws.ts";
import { killAll, type Proc } from "../support/processes.ts";
import {
  checkDelivered,
  checkDuplicatesOnlyOnMovedShards,
  checkStartsFromLastCheckpoint,
  deliveriesFile,
  eventsOf,
  leaseRows,
  ownerCounts,
  readDeliveries,
  startProducer,
  startWorker,
  uniqueName,
  waitOwners as waitOwnersIn,
  waitStable as waitStableIn,
} from "./support.ts";

let aws: TestAws;
beforeAll(async () => {
  aws = await startTestAws();
});
/** Producers still running when a test fails early: stopped before the emulators go away. */
const producers: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(producers.splice(0).map((p) => p.stop()));
});
afterAll(async () => {
  await killAll();
  await aws.stop();
});

/** Generous: two busy cores, several bun processes and both emulators share them. */
const WAIT = 30_000;

const distinct = (out: string) => new Set(readDeliveries(out).map((d) => d.d)).size;

const waitOwners = (app: string, what: string, ok: (counts: Record<string, number>) => boolean) =>
  waitOwnersIn(aws, app, what, ok, { timeoutMs: WAIT });
const waitStable = (app: string, ms: number) => waitStableIn(aws, app, ms, WAIT);

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

    // Merges likewise: two adjacent open shards become one. The open shards tile the hash space and
    // both workers own some, so an adjacent pair with different owners exists: merge that one, so the
    // child waits for parents on two workers (not by chance).
    const open = (await listShards(aws.kinesis, stream)).filter(
      (s) => !s.SequenceNumberRange?.EndingSequenceNumber,
    );
    open.sort((x, y) =>
      BigInt(x.HashKeyRange!.StartingHashKey!) < BigInt(y.HashKeyRange!.StartingHashKey!) ? -1 : 1,
    );
    const ownerOf = new Map((await leaseRows(aws, app)).map((r) => [r.leaseKey, r.leaseOwner]));
    const i = open.findIndex(
      (s, k) =>
        k + 1 < open.length &&
        BigInt(s.HashKeyRange!.EndingHashKey!) + 1n === BigInt(open[k + 1]!.HashKeyRange!.StartingHashKey!) &&
        ownerOf.get(s.ShardId!) !== ownerOf.get(open[k + 1]!.ShardId!),
    );
    expect(i).toBeGreaterThanOrEqual(0);
    const [m1, m2] = [open[i]!.ShardId!, open[i + 1]!.ShardId!];
    expect(new Set([ownerOf.get(m1), ownerOf.get(m2)])).toEqual(new Set(["A", "B"]));
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
    const stream = uniqueName("term");
    const app = uniqueName("term-app");
    await createStream(aws.kinesis, stream, 4);
    const out = deliveriesFile();
    const producer = startProducer(aws.kinesis, stream);
    producers.push(producer);
    const a = startWorker({ aws, name: "A", app, stream, out });
    const b = startWorker({ aws, name: "B", app, stream, out });
    await waitOwners(app, "2/2", (c) => c.A === 2 && c.B === 2);
    // A steal's victim may deliver until its next renewal (Java does too): let balancing settle first, so
    // that every repeat from here on can only come from the SIGTERM handoff.
    await waitStable(app, 2500);
    const settled = readDeliveries(out).length;
    await waitFor(
      "A is processing",
      () => readDeliveries(out).filter((d, i) => i >= settled && d.w === "A").length > 50,
      WAIT,
      200,
    );

    // Auto checkpoints ride on renewals (every 900 ms here): signal A while it holds delivered records
    // none of its checkpoints covers yet, so only the shutdown checkpoint can keep B from repeating them.
    // Since balancing settled, A delivers only on the shards it holds (a steal's victim cannot checkpoint).
    const lastDelivered = () => {
      const last = new Map<string, bigint>();
      readDeliveries(out).forEach((d, i) => {
        if (i >= settled && d.w === "A") last.set(d.s, BigInt(d.q));
      });
      return last;
    };
    const lastWritten = () => {
      const last = new Map<string, bigint>();
      for (const e of eventsOf(a)) {
        if (e.type !== "checkpoint-written" || !/^\d+$/.test(String(e.sequenceNumber))) continue;
        const seq = BigInt(e.sequenceNumber as string);
        if (seq > (last.get(e.shardId as string) ?? -1n)) last.set(e.shardId as string, seq);
      }
      return last;
    };
    const unwritten = () =>
      [...lastDelivered()].filter(([shard, seq]) => seq > (lastWritten().get(shard) ?? -1n)).length;
    await waitFor("A holds delivered records no checkpoint covers", () => unwritten() > 0, WAIT, 20);
    const termAt = readDeliveries(out).length;
    a.signal("SIGTERM");
    expect((await a.exited).code).toBe(0);
    expect(a.lines.some((l) => l.includes('"type":"worker-stopped"') && l.includes('"clean":true'))).toBe(
      true,
    );
    // Whatever wrote it (its shutdown checkpoint, or a renewal during the shutdown), A exited with every
    // record it delivered checkpointed. Mutation run: without the shutdown checkpoint this goes red.
    expect(unwritten()).toBe(0);
    await waitOwners(app, "B owns all 4", (c) => c.B === 4);
    // Released leases are taken as released on B's next taker round, not as expired after a failover.
    // The table shows a take before B has its response (and prints the event): wait for B's events.
    const takes = () =>
      eventsOf(b).filter((e) => e.type === "lease-acquired" && (e.how === "released" || e.how === "expired"));
    await waitFor("B reports both takes", () => takes().length >= 2, WAIT, 100);
    expect(takes().map((e) => e.how)).toEqual(["released", "released"]);
    await waitFor(
      "B delivers from all 4 shards after the handoff",
      () =>
        new Set(
          readDeliveries(out)
            .filter((d, i) => i >= termAt && d.w === "B")
            .map((d) => d.s),
        ).size === 4,
      WAIT,
      200,
    );
    await producer.stop();
    await waitFor("every record delivered", () => distinct(out) >= producer.put.length, WAIT, 200);
    const deliveries = readDeliveries(out);
    checkDelivered(producer.put, deliveries);
    // Every delivery since balancing settled, including any A made after the snapshot at SIGTERM: a
    // record delivered twice from there on is a repeat the handoff caused.
    const seen = new Set<string>();
    const repeated = deliveries.filter((d, i) => {
      const again = seen.has(d.d);
      seen.add(d.d);
      return again && i >= settled;
    });
    expect(repeated).toEqual([]);
    checkStartsFromLastCheckpoint([a, b]);

    b.signal("SIGTERM");
    expect((await b.exited).code).toBe(0);
  }, 90_000);
});
