// The rest of the seed scenarios with --retrieval efo (worker processes reading kinesis-mock through
// SubscribeToShard, leases on dynalite, a producer writing): a merge whose parents are on two workers
// (the child starts only after both parents' last records; per-key order kept) and a SIGTERM handoff
// (the other worker resumes from the final checkpoints: zero duplicates, zero missing).
import { rmSync, writeFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { createStream, listShards, mergeShards, type TestAws, waitFor } from "../support/aws.ts";
import { startEfoTestAws } from "../support/kinesis-mock.ts";
import { killAll, type Proc } from "../support/processes.ts";
import {
  checkDelivered,
  checkDuplicatesOnlyOnMovedShards,
  checkStartsFromLastCheckpoint,
  deliveriesFile,
  eventsOf,
  leaseRows,
  readDeliveries,
  startProducer,
  startWorker,
  uniqueName,
  waitOwners as waitOwnersIn,
  waitStable as waitStableIn,
} from "./support.ts";

/** dynalite for leases, kinesis-mock for the stream (SubscribeToShard through the relay). */
let aws: TestAws;
beforeAll(async () => {
  aws = await startEfoTestAws();
}, 90_000);
const producers: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(producers.splice(0).map((p) => p.stop()));
});
afterAll(async () => {
  await killAll();
  await aws?.stop();
});

/** kinesis-mock pushes about once a second per shard and both emulators share two busy cores. */
const WAIT = 60_000;
const EFO = { retrieval: "efo" as const, shardSyncMs: 2000 };

const waitOwners = (app: string, what: string, ok: (counts: Record<string, number>) => boolean) =>
  waitOwnersIn(aws, app, what, ok, { timeoutMs: WAIT });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const distinct = (out: string) => new Set(readDeliveries(out).map((d) => d.d)).size;

/** Liveness bound for the whole backlog; on a timeout, says which records are missing or out of order. */
async function waitAllDelivered(out: string, put: readonly string[]): Promise<void> {
  await waitFor("every record delivered", () => distinct(out) >= put.length, 2 * WAIT, 250).catch((e) => {
    checkDelivered(put, readDeliveries(out));
    throw e;
  });
}

/** It really was fan-out: the consumer was registered and no worker fell back to polling. */
function expectNoFallback(procs: Proc[]): void {
  const messages = procs.flatMap(eventsOf).map((e) => String(e.message ?? ""));
  expect(messages.filter((m) => m.includes("Registered enhanced fan-out consumer")).length).toBeGreaterThan(
    0,
  );
  expect(messages.filter((m) => m.includes("FALLING BACK"))).toEqual([]);
}

describe("seed scenarios with --retrieval efo, continued (worker processes, kinesis-mock)", () => {
  test("merge with the parents on two workers: the child starts after both parents' last record, per-key order kept", async () => {
    const stream = uniqueName("efo-merge");
    const app = uniqueName("efo-merge-app");
    await createStream(aws.kinesis, stream, 4);
    const out = deliveriesFile();
    const producer = startProducer(aws.kinesis, stream, 16, 10, 100);
    producers.push(producer);
    // One parent is made to lag (each of its batches takes 8 s while the file names it), so that it still
    // has records to deliver when the other parent ends and the child lease appears; it stays slow until
    // the child delivers (without the wait-for-parents rule the child would deliver first).
    const slowFile = `${out}.slow`;
    const behaviour = { slowShardsFile: slowFile, slowMs: 8000 };
    const a = startWorker({ aws, name: "A", app, stream, out, options: EFO, behaviour });
    const b = startWorker({ aws, name: "B", app, stream, out, options: EFO, behaviour });
    const procs = [a, b];
    await waitOwners(app, "2/2", (c) => c.A === 2 && c.B === 2);
    await waitStableIn(aws, app, 2500, WAIT);

    // An adjacent pair of open shards with different owners: the child waits for parents on two workers.
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
    writeFileSync(slowFile, m2);
    await sleep(3000);
    const after = await mergeShards(aws.kinesis, stream, m1, m2);
    const merged = after.find((s) => s.ParentShardId === m1 || s.AdjacentParentShardId === m1)!.ShardId!;
    await waitFor(
      "records from the merged shard",
      () => readDeliveries(out).some((d) => d.s === merged),
      WAIT,
      250,
    );
    rmSync(slowFile);
    await producer.stop();
    await waitAllDelivered(out, producer.put);
    const deliveries = readDeliveries(out);
    // Nothing missing; per partition key, first deliveries in put order (keys moved from parent to child).
    checkDelivered(producer.put, deliveries);
    // The file is appended by both workers: its order is the order of delivery. Every record of either
    // parent precedes the child's first.
    const lastParent = Math.max(
      deliveries.map((d) => d.s).lastIndexOf(m1),
      deliveries.map((d) => d.s).lastIndexOf(m2),
    );
    expect(lastParent).toBeGreaterThanOrEqual(0);
    expect(deliveries.findIndex((d) => d.s === merged)).toBeGreaterThan(lastParent);

    await waitFor(
      "both parents at SHARD_END (or cleaned up)",
      async () => {
        const rows = await leaseRows(aws, app);
        return [m1, m2].every(
          (p) => (rows.find((r) => r.leaseKey === p)?.checkpoint ?? "SHARD_END") === "SHARD_END",
        );
      },
      WAIT,
      250,
    );
    for (const p of procs) p.signal("SIGTERM");
    for (const p of procs) expect((await p.exited).code).toBe(0);
    checkDuplicatesOnlyOnMovedShards(procs, deliveries);
    checkStartsFromLastCheckpoint(procs);
    expectNoFallback(procs);
  }, 240_000);

  test("SIGTERM: the stopped worker's shards resume on the other with zero duplicates, zero missing", async () => {
    const stream = uniqueName("efo-term");
    const app = uniqueName("efo-term-app");
    await createStream(aws.kinesis, stream, 4);
    const out = deliveriesFile();
    const producer = startProducer(aws.kinesis, stream, 16, 10, 100);
    producers.push(producer);
    const a = startWorker({ aws, name: "A", app, stream, out, options: EFO });
    const b = startWorker({ aws, name: "B", app, stream, out, options: EFO });
    await waitOwners(app, "2/2", (c) => c.A === 2 && c.B === 2);
    // A steal's victim may deliver until its next renewal: let balancing settle, so that every repeat
    // from here on can only come from the SIGTERM handoff.
    await waitStableIn(aws, app, 2500, WAIT);
    const settled = readDeliveries(out).length;
    await waitFor(
      "A is processing",
      () => readDeliveries(out).filter((d, i) => i >= settled && d.w === "A").length > 20,
      WAIT,
      200,
    );
    // Signal A while it holds delivered records none of its checkpoints covers yet (auto checkpoints
    // ride on renewals), so only the shutdown checkpoint can keep B from repeating them.
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
    // A exited with every record it delivered checkpointed.
    expect(unwritten()).toBe(0);
    await waitOwners(app, "B owns all 4", (c) => c.B === 4);
    await waitFor(
      "B delivers from all 4 shards after the handoff",
      () =>
        new Set(
          readDeliveries(out)
            .filter((d, i) => i >= termAt && d.w === "B")
            .map((d) => d.s),
        ).size === 4,
      WAIT,
      250,
    );
    await producer.stop();
    await waitAllDelivered(out, producer.put);
    b.signal("SIGTERM");
    expect((await b.exited).code).toBe(0);

    const deliveries = readDeliveries(out);
    checkDelivered(producer.put, deliveries); // zero missing, per-key order
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
    expectNoFallback([a, b]);
  }, 240_000);
});
