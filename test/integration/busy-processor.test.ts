// Leases outlive a busy processor (spec §2, issue 14): two worker processes share 4 shards under load;
// one of them then blocks its event loop in processRecords (a synchronous busy loop) for more than three
// failover times. With the lease thread (the default) no lease moves, nothing is delivered twice and
// nothing is missed, and the slow callback is reported. The same run with renewals on the main thread
// (--no-lease-thread) loses the blocked worker's leases: that second test shows the first one can fail.
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createStream, waitFor } from "../support/aws.ts";
import { awsForSuite } from "../support/aws-for-suite.ts";
import { killAll, type Proc } from "../support/processes.ts";
import {
  checkDelivered,
  deliveriesFile,
  duplicateDeliveries,
  eventsOf,
  FAST,
  leaseRows,
  readDeliveries,
  startProducer,
  startWorker,
  uniqueName,
  waitOwners,
  waitStable,
} from "./support.ts";

const aws = awsForSuite();

const WAIT = 60_000;
const FAILOVER_MS = FAST.failoverMs ?? 3000;
/** More than three failover times: long enough for any other worker to see the leases expire twice. */
const BLOCK_MS = 10_000;

interface Run {
  /** Lease events that moved a lease, in either worker, after the block started. */
  moves: Record<string, unknown>[];
  /** Repeated deliveries made after the block started (the join's balancing before it is not this test's). */
  duplicates: number;
  slow: Record<string, unknown>[];
  ownersBefore: string;
  ownersAfter: string;
}

async function blockOneWorker(leaseThread: boolean): Promise<Run> {
  const stream = uniqueName("busy");
  const app = uniqueName("busy-app");
  await createStream(aws.kinesis, stream, 4);
  const out = deliveriesFile();
  const trigger = join(tmpdir(), `${uniqueName("busy-trigger")}`);
  const producer = startProducer(aws.kinesis, stream);
  const options = { leaseThread, processorWarnMs: 2000 };
  const procs: Proc[] = [
    startWorker({
      aws,
      name: "A",
      app,
      stream,
      out,
      options,
      behaviour: { busyWhenFile: trigger, busyMs: BLOCK_MS },
    }),
    startWorker({ aws, name: "B", app, stream, out, options }),
  ];
  const [a, b] = procs as [Proc, Proc];
  const owners = async () =>
    JSON.stringify((await leaseRows(aws, app)).map((r) => [r.leaseKey, r.leaseOwner ?? "-"]));
  await waitOwners(aws, app, "2/2", (c) => c.A === 2 && c.B === 2, { timeoutMs: WAIT, settled: true });
  // Stable for two failover times: no balancing move is still under way.
  await waitStable(aws, app, 2 * FAILOVER_MS, WAIT);
  const ownersBefore = await owners();
  const linesBefore = { A: a.lines.length, B: b.lines.length };
  const blockedAt = Date.now();
  writeFileSync(trigger, "");
  await waitFor("A's busy loop ran", () => eventsOf(a).some((e) => e.type === "busy-end"), WAIT, 200);
  // Give both workers' takers several rounds after the block, as a lease loss would be seen by now.
  await new Promise((r) => setTimeout(r, 2 * FAILOVER_MS));
  const ownersAfter = await owners();
  await producer.stop();
  await waitFor(
    "every produced record delivered",
    () => {
      const seen = new Set(readDeliveries(out).map((d) => d.d));
      return producer.put.every((p) => seen.has(p));
    },
    WAIT,
    200,
  );
  const deliveries = readDeliveries(out);
  checkDelivered(producer.put, deliveries);
  const isMove = (e: Record<string, unknown>) => e.type === "lease-lost" || e.type === "lease-acquired";
  const moves = [
    ...a.lines.slice(linesBefore.A).flatMap(parse).filter(isMove),
    ...b.lines.slice(linesBefore.B).flatMap(parse).filter(isMove),
  ];
  const slow = eventsOf(a).filter((e) => e.type === "processor-slow");
  await killAll();
  const duplicates = duplicateDeliveries(deliveries).filter((d) => d.t >= blockedAt).length;
  return { moves, duplicates, slow, ownersBefore, ownersAfter };
}

function parse(line: string): Record<string, unknown>[] {
  try {
    return [JSON.parse(line)];
  } catch {
    return [];
  }
}

describe("a processor that blocks the event loop for 3+ failover times", () => {
  test("with the lease thread: no lease moves, zero duplicates, zero missing, the slow callback is reported", async () => {
    const run = await blockOneWorker(true);
    expect(run.moves).toEqual([]);
    expect(run.ownersAfter).toBe(run.ownersBefore);
    expect(run.duplicates).toBe(0);
    expect(run.slow).toHaveLength(1);
    expect(run.slow[0]).toMatchObject({ callback: "processRecords", stillRunning: false });
    expect(run.slow[0]!.durationMs as number).toBeGreaterThanOrEqual(BLOCK_MS);
  }, 180_000);

  test("renewing on the main thread (--no-lease-thread), the same block costs the worker its leases", async () => {
    const run = await blockOneWorker(false);
    // The check above would have caught this: leases moved while A was blocked.
    expect(run.moves.length).toBeGreaterThan(0);
    expect(run.moves.some((e) => e.type === "lease-acquired" && e.workerId === "B")).toBe(true);
  }, 180_000);
});
