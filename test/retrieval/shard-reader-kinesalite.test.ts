// ShardReader over the AWS adapter and kinesalite: KPL aggregates from aws-kinesis-agg, a checkpoint
// inside an aggregate, throttling and expired iterators injected on the wire, and a real shard end.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { PutRecordCommand } from "@aws-sdk/client-kinesis";
import { systemClock } from "../../src/core/clock.ts";
import { EventBus, type KclEvent } from "../../src/core/events.ts";
import { seededRandom } from "../../src/core/random.ts";
import { createAwsKinesis } from "../../src/kinesis/aws-kinesis.ts";
import type { ExtendedSequenceNumber } from "../../src/leases/lease.ts";
import type { KinesisRecord } from "../../src/plugin.ts";
import { createShardReader } from "../../src/retrieval/shard-reader.ts";
import { createStream, putRecords, splitShard, uniqueName } from "../support/aws.ts";
import { awsForSuite } from "../support/aws-for-suite.ts";
import { createFaultClient, type FaultClient } from "../kinesis/support/fault-client.ts";
import { aggregate } from "../kinesis/support/kpl-aggregate.ts";

const aws = awsForSuite();
let faulty: FaultClient;
const S0 = "shardId-000000000000";
const enc = new TextEncoder();
const text = (r: KinesisRecord) => new TextDecoder().decode(r.data);

beforeAll(async () => {
  faulty = createFaultClient(aws.kinesisEndpoint);
});
afterAll(async () => {
  faulty.client.destroy();
  faulty.getRecords.destroy();
});

function open(stream: string, start: ExtendedSequenceNumber, seen: KclEvent[] = []) {
  const events = new EventBus("w1", () => systemClock.now());
  events.onAny((e) => seen.push(e));
  return createShardReader({
    kinesis: createAwsKinesis(faulty.client, faulty.target, { getRecordsClient: faulty.getRecords }),
    stream,
    shardId: S0,
    start,
    maxRecords: 4,
    idleTimeMs: 20,
    clock: systemClock,
    random: seededRandom(3),
    events,
  });
}

async function readUntil(reader: ReturnType<typeof open>, count: number): Promise<KinesisRecord[]> {
  const out: KinesisRecord[] = [];
  for (let i = 0; i < 200 && out.length < count; i++) {
    const b = await reader.next();
    out.push(...b.records);
    if (b.isAtShardEnd) break;
  }
  return out;
}

async function putAggregate(stream: string, n: number, prefix: string): Promise<string> {
  const agg = aggregate(
    Array.from({ length: n }, (_, i) => ({ partitionKey: `p${i}`, data: enc.encode(`${prefix}${i}`) })),
  );
  const res = await aws.kinesis.send(
    new PutRecordCommand({ StreamName: stream, PartitionKey: agg.partitionKey, Data: agg.data }),
  );
  return res.SequenceNumber!;
}

describe("ShardReader on kinesalite", () => {
  test("KPL aggregates de-aggregate; a checkpoint inside one resumes at the next sub-record", async () => {
    const stream = uniqueName("kpl");
    await createStream(aws.kinesis, stream, 1);
    await putRecords(aws.kinesis, stream, [{ partitionKey: "x", data: "plain-before" }]);
    const seq = await putAggregate(stream, 6, "sub");
    await putRecords(aws.kinesis, stream, [{ partitionKey: "x", data: "plain-after" }]);

    const all = open(stream, { sequenceNumber: "TRIM_HORIZON", subSequenceNumber: 0 });
    const records = await readUntil(all, 8);
    all.close();
    expect(records.map(text)).toEqual([
      "plain-before",
      "sub0",
      "sub1",
      "sub2",
      "sub3",
      "sub4",
      "sub5",
      "plain-after",
    ]);
    expect(records.slice(1, 7).every((r) => r.aggregated && r.sequenceNumber === seq)).toBe(true);
    expect(records.slice(1, 7).map((r) => r.subSequenceNumber)).toEqual([0, 1, 2, 3, 4, 5]);

    const resumed = open(stream, { sequenceNumber: seq, subSequenceNumber: 3 });
    expect((await readUntil(resumed, 3)).map(text)).toEqual(["sub4", "sub5", "plain-after"]);
    resumed.close();
  });

  test("throttling and an expired iterator on the wire: nothing lost, nothing repeated", async () => {
    const stream = uniqueName("faults");
    await createStream(aws.kinesis, stream, 1);
    const put = Array.from({ length: 20 }, (_, i) => ({ partitionKey: "k", data: `m${i}` }));
    await putRecords(aws.kinesis, stream, put);
    const seen: KclEvent[] = [];
    const reader = open(stream, { sequenceNumber: "TRIM_HORIZON", subSequenceNumber: 0 }, seen);
    const first = await reader.next();
    faulty.failNext("GetRecords", "ProvisionedThroughputExceededException", { times: 2 });
    faulty.failNext("GetShardIterator", "LimitExceededException");
    await new Promise((r) => setTimeout(r, 10));
    faulty.failNext("GetRecords", "ExpiredIteratorException");
    const rest = await readUntil(reader, 20 - first.records.length);
    reader.close();
    expect([...first.records, ...rest].map(text)).toEqual(put.map((p) => p.data));
    expect(seen.filter((e) => e.type === "throttled").length).toBeGreaterThanOrEqual(2);
    expect(seen.some((e) => e.type === "iterator-expired")).toBe(true);
  });

  test("a split parent reaches its end without ChildShards (kinesalite)", async () => {
    const stream = uniqueName("end");
    await createStream(aws.kinesis, stream, 1);
    await putRecords(aws.kinesis, stream, [{ partitionKey: "k", data: "last" }]);
    await splitShard(aws.kinesis, stream, S0);
    const reader = open(stream, { sequenceNumber: "TRIM_HORIZON", subSequenceNumber: 0 });
    const got: string[] = [];
    let end = false;
    for (let i = 0; i < 20 && !end; i++) {
      const b = await reader.next();
      got.push(...b.records.map(text));
      end = b.isAtShardEnd;
      if (end) expect(b.childShards).toBeUndefined();
    }
    reader.close();
    expect(got).toEqual(["last"]);
    expect(end).toBe(true);
  });
});
