// The rest of the seed scenarios with --retrieval efo (worker processes reading kinesis-mock through
// SubscribeToShard, leases on dynalite, a producer writing): a merge whose parents are on two workers
// (the child starts only after both parents' last records; per-key order kept) and a SIGTERM handoff
// (the other worker resumes from the final checkpoints: zero duplicates, zero missing).
import { rmSync, writeFileSync } from "node:fs";
import { afterEach, describe, expect, test } from "bun:test";
import { createStream, mergeShards, waitFor } from "../support/aws.ts";
import { awsForSuite } from "../support/aws-for-suite.ts";
import type { Proc } from "../support/processes.ts";
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
import { adjacentPairOnTwoOwners, sigtermHandoff, waitAllDelivered } from "./scenarios.ts";

/** dynalite for leases, kinesis-mock for the stream (SubscribeToShard through the relay). */
const aws = awsForSuite({ efo: true });
const producers: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(producers.splice(0).map((p) => p.stop()));
});

/** kinesis-mock pushes about once a second per shard and both emulators share two busy cores. */
const WAIT = 60_000;
const EFO = { retrieval: "efo" as const, shardSyncMs: 2000 };

const waitOwners = (app: string, what: string, ok: (counts: Record<string, number>) => boolean) =>
  waitOwnersIn(aws, app, what, ok, { timeoutMs: WAIT });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
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
    const [m1, m2] = await adjacentPairOnTwoOwners(aws, stream, app);
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
    await waitAllDelivered(out, producer.put, 2 * WAIT);
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
    const procs = await sigtermHandoff({
      aws,
      name: "efo-term",
      options: EFO,
      perBatch: 10,
      minDeliveredByA: 20,
      waitMs: WAIT,
      track: (p) => producers.push(p),
    });
    expectNoFallback(procs);
  }, 240_000);
});
