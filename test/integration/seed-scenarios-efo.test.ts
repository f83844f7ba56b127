// Seed scenarios with --retrieval efo, end to end: worker processes read kinesis-mock through
// SubscribeToShard (real SDK, HTTP/2 via the relay) and lease on dynalite while a producer writes:
// 1 worker / 4 shards → a 2nd worker → 2/2 → split (parent before children) → SIGKILL one → the
// survivor has all → SIGTERM.
import { describe, expect, test } from "bun:test";
import { splitShard, waitFor } from "../support/aws.ts";
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
} from "./support.ts";
import { createStream } from "../support/aws.ts";

/** dynalite for leases, kinesis-mock for the stream (SubscribeToShard through the relay). */
const aws = awsForSuite({ efo: true });

const WAIT = 60_000;
const EFO = { retrieval: "efo" as const, shardSyncMs: 2000 };

const waitOwners = (app: string, what: string, ok: (counts: Record<string, number>) => boolean) =>
  waitOwnersIn(aws, app, what, ok, { timeoutMs: WAIT });

describe("seed scenarios with --retrieval efo (worker processes, kinesis-mock)", () => {
  test("1 worker/4 shards → 2/2 → split with parent before children → SIGKILL → survivor has all: nothing missing, order kept", async () => {
    const stream = uniqueName("efo-seed");
    const app = uniqueName("efo-app");
    await createStream(aws.kinesis, stream, 4);
    const out = deliveriesFile();
    const procs: Proc[] = [];
    const producer = startProducer(aws.kinesis, stream, 16, 10, 200);

    const a = startWorker({ aws, name: "A", app, stream, out, options: EFO });
    procs.push(a);
    await waitOwners(app, "A owns 4 leases", (c) => c.A === 4);
    await waitFor(
      "records from all 4 shards",
      () => new Set(readDeliveries(out).map((d) => d.s)).size === 4,
      WAIT,
      250,
    );

    const b = startWorker({ aws, name: "B", app, stream, out, options: EFO });
    procs.push(b);
    await waitOwners(app, "2/2", (c) => c.A === 2 && c.B === 2);

    const parent = "shardId-000000000000";
    await splitShard(aws.kinesis, stream, parent);
    await waitFor(
      "parent at SHARD_END and a child delivering",
      async () => {
        const rows = await leaseRows(aws, app);
        const children = rows.filter((r) => r.parents.includes(parent)).map((r) => r.leaseKey);
        const done = rows.find((r) => r.leaseKey === parent)?.checkpoint === "SHARD_END";
        return done && children.length === 2 && readDeliveries(out).some((d) => children.includes(d.s));
      },
      WAIT,
      250,
    );

    // A worker dies: the survivor takes its leases (ResourceInUse until the dead subscriptions close).
    await b.kill();
    await waitOwners(app, "A owns every open lease", (c) => c.A === 5 && c.B === undefined);
    await producer.stop();
    const put = producer.put;
    await waitFor(
      "every record delivered",
      () => new Set(readDeliveries(out).map((d) => d.d)).size >= put.length,
      WAIT,
      250,
    );
    a.signal("SIGTERM");
    expect((await a.exited).code).toBe(0);

    const deliveries = readDeliveries(out);
    checkDelivered(put, deliveries); // nothing missing; per-key order (parent's records before children's)
    checkDuplicatesOnlyOnMovedShards(procs, deliveries);
    expect(checkStartsFromLastCheckpoint(procs)).toBeGreaterThanOrEqual(4);
    // Every parent record was delivered before the first record of either child.
    const children = (await leaseRows(aws, app))
      .filter((r) => r.parents.includes(parent))
      .map((r) => r.leaseKey);
    const lastParent = Math.max(...deliveries.filter((d) => d.s === parent).map((d) => d.t));
    const firstChild = Math.min(...deliveries.filter((d) => children.includes(d.s)).map((d) => d.t));
    expect(lastParent).toBeLessThanOrEqual(firstChild);
    // It really was fan-out: the consumer was registered once, and no worker fell back to polling.
    const registered = procs
      .flatMap(eventsOf)
      .filter((e) => String(e.message ?? "").includes("Registered enhanced fan-out consumer"));
    expect(registered).toHaveLength(1);
    const fellBack = procs.flatMap(eventsOf).filter((e) => String(e.message ?? "").includes("FALLING BACK"));
    expect(fellBack).toEqual([]);
  }, 240_000);
});
