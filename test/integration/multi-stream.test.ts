// Multi-stream mode end to end: worker processes (real SDK v3 clients) on kinesalite + dynalite consume
// two streams (4 + 2 shards) from one lease table while a producer writes to both. One worker takes all
// 6 leases; a second joins → 3/3; a split in one stream keeps parent-before-child; every record of both
// streams is delivered once, per-key order kept. Lease rows are keyed and attributed as the Java KCL writes them.
import { describe, expect, test } from "bun:test";
import { DescribeStreamSummaryCommand } from "@aws-sdk/client-kinesis";
import { createStream, scanTable, splitShard, waitFor } from "../support/aws.ts";
import { awsForSuite } from "../support/aws-for-suite.ts";
import type { Proc } from "../support/processes.ts";
import type { DeliveryLine } from "../support/worker-process.ts";
import {
  checkDelivered,
  deliveriesFile,
  duplicateDeliveries,
  readDeliveries,
  startProducer,
  startWorker,
  uniqueName,
  waitOwners as waitOwnersIn,
} from "./support.ts";

const aws = awsForSuite();

/** Generous: two busy cores, several bun processes and both emulators share them. */
const WAIT = 45_000;

interface Row {
  leaseKey: string;
  owner?: string;
  checkpoint: string;
  streamName?: string;
  shardId?: string;
  parents: string[];
}

async function rows(app: string): Promise<Row[]> {
  const items = await scanTable(aws.dynamodb, app).catch(() => []);
  return items.map((i) => ({
    leaseKey: i.leaseKey!.S!,
    owner: i.leaseOwner?.S,
    checkpoint: i.checkpoint?.S ?? "",
    streamName: i.streamName?.S,
    shardId: i.shardId?.S,
    parents: i.parentShardId?.SS ?? [],
  }));
}

const waitOwners = (app: string, what: string, ok: (c: Record<string, number>) => boolean) =>
  waitOwnersIn(aws, app, what, ok, { timeoutMs: WAIT, settled: true });

/** `account:stream:epoch` as DescribeStreamSummary gives it (what the Java KCL serializes). */
async function streamId(stream: string): Promise<string> {
  const out = await aws.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
  const s = out.StreamDescriptionSummary!;
  const account = s.StreamARN!.split(":")[4];
  return `${account}:${stream}:${Math.floor(s.StreamCreationTimestamp!.getTime() / 1000)}`;
}

const shardsDelivering = (out: string) => new Set(readDeliveries(out).map((d) => `${d.st}/${d.s}`)).size;

async function stopAll(procs: Proc[]) {
  for (const p of procs) p.signal("SIGTERM");
  for (const p of procs) expect((await p.exited).code).toBe(0);
}

describe("multi-stream (worker processes)", () => {
  test("2 streams (4 + 2 shards): one worker → 6; a second joins → 3/3; a split keeps parent-before-child; every record of both delivered once, in key order", async () => {
    const big = uniqueName("ms-orders");
    const small = uniqueName("ms-payments");
    const app = uniqueName("ms-app");
    await createStream(aws.kinesis, big, 4);
    await createStream(aws.kinesis, small, 2);
    const ids = { [big]: await streamId(big), [small]: await streamId(small) };
    const out = deliveriesFile();
    const producers = { [big]: startProducer(aws.kinesis, big), [small]: startProducer(aws.kinesis, small) };
    const options = { streams: [big, small] };

    // 1. One worker, two streams: all six leases, Java multi-stream keys and attributes.
    const a = startWorker({ aws, name: "A", app, stream: big, out, options });
    await waitOwners(app, "A owns 6 leases", (c) => c.A === 6);
    const table = await rows(app);
    expect(table.map((r) => r.leaseKey).sort()).toEqual(
      [
        ...[0, 1, 2, 3].map((n) => `${ids[big]}:shardId-00000000000${n}`),
        ...[0, 1].map((n) => `${ids[small]}:shardId-00000000000${n}`),
      ].sort(),
    );
    for (const r of table) {
      expect(r.leaseKey).toBe(`${r.streamName}:${r.shardId}`);
      expect(r.leaseKey).toMatch(/^[0-9]+:ms-(orders|payments)-[0-9]+-[0-9]+:[0-9]+:shardId-[0-9]{12}$/);
    }
    await waitFor("records from all 6 shards", () => shardsDelivering(out) === 6, WAIT, 200);

    // 2. A second worker with the same app: balanced over both streams' leases.
    const b = startWorker({ aws, name: "B", app, stream: big, out, options });
    await waitOwners(app, "3/3", (c) => c.A === 3 && c.B === 3);

    // 3. Split a shard of the small stream: its children wait for the parent, in that stream only.
    const parent = "shardId-000000000000";
    await splitShard(aws.kinesis, small, parent);
    await waitOwners(app, "7 open leases, 4/3", (c) => [c.A, c.B].sort().join() === "3,4");
    const afterSplit = await rows(app);
    const parentRow = afterSplit.find((r) => r.leaseKey === `${ids[small]}:${parent}`);
    expect(parentRow?.checkpoint).toBe("SHARD_END");
    const children = afterSplit.filter((r) => r.parents.includes(parent));
    expect(children.map((r) => r.streamName)).toEqual([ids[small], ids[small]]);
    await waitFor(
      "records from both children",
      () => children.every((c) => readDeliveries(out).some((d) => d.st === small && d.s === c.shardId)),
      WAIT,
      200,
    );

    await new Promise((r) => setTimeout(r, 1000));
    for (const p of Object.values(producers)) await p.stop();
    const total = () => new Set(readDeliveries(out).map((d) => `${d.st}/${d.d}`)).size;
    const expected = producers[big]!.put.length + producers[small]!.put.length;
    await waitFor("every record of both streams delivered", () => total() >= expected, WAIT, 200);
    const deliveries = readDeliveries(out);
    const of = (stream: string) => deliveries.filter((d: DeliveryLine) => d.st === stream);
    checkDelivered(producers[big]!.put, of(big));
    checkDelivered(producers[small]!.put, of(small));
    // The join moved leases by handoff (exact) and nothing crashed: no record twice, in either stream.
    expect(duplicateDeliveries(of(big))).toEqual([]);
    expect(duplicateDeliveries(of(small))).toEqual([]);
    // Parent before child: no child record was delivered before the parent's last one.
    const parentLast = Math.max(
      ...of(small)
        .filter((d) => d.s === parent)
        .map((d) => d.t),
    );
    const childFirst = Math.min(
      ...of(small)
        .filter((d) => children.some((c) => c.shardId === d.s))
        .map((d) => d.t),
    );
    expect(childFirst).toBeGreaterThanOrEqual(parentLast);
    // Each worker read from both streams' shards it held: B delivered something.
    expect(deliveries.some((d) => d.w === "B")).toBe(true);
    await stopAll([a, b]);
  }, 240_000);
});
