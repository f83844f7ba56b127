// Seed-scenario steps shared by the polling and the enhanced fan-out runs: picking a merge pair whose
// parents are on two workers, and the whole SIGTERM handoff (zero duplicates, zero missing).
import { expect } from "bun:test";
import type { KclOptions } from "../../src/config/options.ts";
import { createStream, listShards, type TestAws, waitFor } from "../support/aws.ts";
import type { Proc } from "../support/processes.ts";
import {
  checkDelivered,
  checkStartsFromLastCheckpoint,
  deliveriesFile,
  eventsOf,
  leaseRows,
  readDeliveries,
  startProducer,
  startWorker,
  uniqueName,
  waitOwners,
  waitStable,
} from "./support.ts";

const distinct = (out: string) => new Set(readDeliveries(out).map((d) => d.d)).size;

/** Liveness bound for the whole backlog; on a timeout, says which records are missing or out of order. */
export async function waitAllDelivered(
  out: string,
  put: readonly string[],
  timeoutMs: number,
): Promise<void> {
  await waitFor("every record delivered", () => distinct(out) >= put.length, timeoutMs, 250).catch((e) => {
    checkDelivered(put, readDeliveries(out));
    throw e;
  });
}

/**
 * Two adjacent open shards owned by different workers. The open shards tile the hash space and both
 * workers own some, so such a pair exists: merging it makes the child wait for parents on two workers.
 */
export async function adjacentPairOnTwoOwners(
  aws: TestAws,
  stream: string,
  app: string,
): Promise<[string, string]> {
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
  const pair: [string, string] = [open[i]!.ShardId!, open[i + 1]!.ShardId!];
  expect(new Set(pair.map((s) => ownerOf.get(s)))).toEqual(new Set(["A", "B"]));
  return pair;
}

export interface SigtermHandoff {
  aws: TestAws;
  /** Prefix of the stream and application names. */
  name: string;
  /** Worker options on top of the integration defaults (e.g. `--retrieval efo`). */
  options?: Partial<KclOptions>;
  /** Producer batch size (records per 100 ms, 16 keys). */
  perBatch: number;
  /** Deliveries by A after balancing settled before the signal. */
  minDeliveredByA: number;
  /** Liveness bound of each wait. */
  waitMs: number;
  /** Registers the producer so that a failing test still stops it. */
  track(producer: { stop(): Promise<void> }): void;
}

/**
 * Two workers on 4 shards under a producer; A gets SIGTERM while it holds delivered records none of its
 * checkpoints covers yet, so only its shutdown checkpoint can keep B from repeating them. B takes A's
 * leases as released (not as expired after a failover), delivers from all 4 shards, and nothing delivered
 * since balancing settled is delivered twice. Returns both (stopped) workers for mode-specific checks.
 */
export async function sigtermHandoff(s: SigtermHandoff): Promise<Proc[]> {
  const { aws, waitMs } = s;
  const stream = uniqueName(s.name);
  const app = uniqueName(`${s.name}-app`);
  await createStream(aws.kinesis, stream, 4);
  const out = deliveriesFile();
  const producer = startProducer(aws.kinesis, stream, 16, s.perBatch, 100);
  s.track(producer);
  const a = startWorker({ aws, name: "A", app, stream, out, options: s.options });
  const b = startWorker({ aws, name: "B", app, stream, out, options: s.options });
  await waitOwners(aws, app, "2/2", (c) => c.A === 2 && c.B === 2, { timeoutMs: waitMs });
  // A steal's victim may deliver until its next renewal (Java does too): let balancing settle first, so
  // that every repeat from here on can only come from the SIGTERM handoff.
  await waitStable(aws, app, 2500, waitMs);
  const settled = readDeliveries(out).length;
  await waitFor(
    "A is processing",
    () => readDeliveries(out).filter((d, i) => i >= settled && d.w === "A").length > s.minDeliveredByA,
    waitMs,
    200,
  );

  // Auto checkpoints ride on renewals. Since balancing settled, A delivers only on the shards it holds
  // (a steal's victim cannot checkpoint).
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
  await waitFor("A holds delivered records no checkpoint covers", () => unwritten() > 0, waitMs, 20);
  const termAt = readDeliveries(out).length;
  a.signal("SIGTERM");
  expect((await a.exited).code).toBe(0);
  expect(a.lines.some((l) => l.includes('"type":"worker-stopped"') && l.includes('"clean":true'))).toBe(true);
  // Whatever wrote it (its shutdown checkpoint, or a renewal during the shutdown), A exited with every
  // record it delivered checkpointed. Mutation run: without the shutdown checkpoint this goes red.
  expect(unwritten()).toBe(0);
  await waitOwners(aws, app, "B owns all 4", (c) => c.B === 4, { timeoutMs: waitMs });
  // The table shows a take before B has its response (and prints the event): wait for B's events.
  const takes = () =>
    eventsOf(b).filter((e) => e.type === "lease-acquired" && (e.how === "released" || e.how === "expired"));
  await waitFor("B reports both takes", () => takes().length >= 2, waitMs, 100);
  expect(takes().map((e) => e.how)).toEqual(["released", "released"]);
  await waitFor(
    "B delivers from all 4 shards after the handoff",
    () =>
      new Set(
        readDeliveries(out)
          .filter((d, i) => i >= termAt && d.w === "B")
          .map((d) => d.s),
      ).size === 4,
    waitMs,
    200,
  );
  await producer.stop();
  await waitAllDelivered(out, producer.put, 2 * waitMs);
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
  return [a, b];
}
