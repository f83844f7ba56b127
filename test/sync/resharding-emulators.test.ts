// A real split and merge on kinesalite with leases in dynalite: sync, read each parent to its end,
// discover the children through ListShards (kinesalite sends no ChildShards), create their leases.
import { beforeAll, describe, expect, test } from "bun:test";
import { systemClock } from "../../src/core/clock.ts";
import { EventBus } from "../../src/core/events.ts";
import { seededRandom } from "../../src/core/random.ts";
import { createAwsKinesis } from "../../src/kinesis/aws-kinesis.ts";
import type { KinesisPort } from "../../src/kinesis/port.ts";
import { createDynamoLeaseStore } from "../../src/leases/dynamodb-store.ts";
import type { LeaseStore } from "../../src/leases/store.ts";
import { createShardReader } from "../../src/retrieval/shard-reader.ts";
import { createChildLeases, discoverChildShards } from "../../src/sync/children.ts";
import { syncShards } from "../../src/sync/sync.ts";
import {
  createStream,
  createTable,
  mergeShards,
  putRecords,
  scanTable,
  splitShard,
  uniqueName,
} from "../support/aws.ts";
import { awsForSuite } from "../support/aws-for-suite.ts";

const aws = awsForSuite();
let kinesis: KinesisPort;
const events = new EventBus("w1", () => systemClock.now());
const id = (n: number) => `shardId-${String(n).padStart(12, "0")}`;

beforeAll(async () => {
  kinesis = createAwsKinesis(aws.kinesis, { region: aws.region, endpoint: aws.kinesisEndpoint });
});

async function leaseStore(): Promise<{ store: LeaseStore; table: string }> {
  const table = uniqueName("leases");
  await createTable(aws.dynamodb, table);
  const store = createDynamoLeaseStore({
    client: aws.leaseTable,
    table,
    target: { region: aws.region, endpoint: aws.dynamodbEndpoint },
    clock: systemClock,
    random: seededRandom(1),
    consistentScan: true,
  });
  return { store, table };
}

/** Reads a shard from TRIM_HORIZON to its end; returns the record payloads. */
async function drain(stream: string, shardId: string): Promise<string[]> {
  const reader = createShardReader({
    kinesis,
    stream,
    shardId,
    start: { sequenceNumber: "TRIM_HORIZON", subSequenceNumber: 0 },
    maxRecords: 100,
    idleTimeMs: 10,
    clock: systemClock,
    random: seededRandom(2),
    events,
  });
  const out: string[] = [];
  try {
    for (let i = 0; i < 100; i++) {
      const batch = await reader.next();
      out.push(...batch.records.map((r) => new TextDecoder().decode(r.data)));
      if (batch.isAtShardEnd) return out;
    }
    throw new Error(`${shardId} never reached its end`);
  } finally {
    reader.close();
  }
}

describe("resharding on kinesalite + dynalite", () => {
  test("split then merge: children leases come from the parents' shard ends, never from the sync", async () => {
    const stream = uniqueName("reshard");
    await createStream(aws.kinesis, stream, 2);
    const { store, table } = await leaseStore();
    const sync = (initialPosition: "LATEST" | "TRIM_HORIZON" = "LATEST") =>
      syncShards({ kinesis, store, stream, initialPosition, events, clock: systemClock });
    expect((await sync()).created).toEqual([id(0), id(1)]);

    const before = await putRecords(
      aws.kinesis,
      stream,
      Array.from({ length: 40 }, (_, i) => ({ partitionKey: `k${i}`, data: `pre${i}` })),
    );
    await splitShard(aws.kinesis, stream, id(0)); // 0 -> 2, 3
    expect((await sync()).created).toEqual([]);

    const fromParent = await drain(stream, id(0));
    expect(fromParent).toEqual(
      before.filter((p) => p.shardId === id(0)).map((p) => `pre${before.indexOf(p)}`),
    );
    const children = await discoverChildShards(kinesis, stream, id(0));
    expect(children.map((c) => c.shardId)).toEqual([id(2), id(3)]);
    expect((await createChildLeases(store, id(0), children)).created).toEqual([id(2), id(3)]);

    await mergeShards(aws.kinesis, stream, id(2), id(3)); // 2 + 3 -> 4
    expect((await sync()).created).toEqual([]);
    expect(await drain(stream, id(3))).toEqual([]);
    const merged = await discoverChildShards(kinesis, stream, id(3));
    expect(merged.map((c) => [c.shardId, c.parentShards])).toEqual([[id(4), [id(2), id(3)]]]);
    expect(BigInt(merged[0]!.hashKeyRange.startingHashKey)).toBe(
      BigInt(children[0]!.hashKeyRange.startingHashKey),
    );
    expect(BigInt(merged[0]!.hashKeyRange.endingHashKey)).toBe(
      BigInt(children[1]!.hashKeyRange.endingHashKey),
    );
    const res = await createChildLeases(store, id(3), merged, { kinesis, stream });
    expect(res).toEqual({ created: [id(4)], existing: [], createdCoParents: [], blocked: [] });
    expect((await createChildLeases(store, id(2), merged, { kinesis, stream })).existing).toEqual([id(4)]);

    const items = await scanTable(aws.dynamodb, table);
    const child = items.find((i) => i.leaseKey?.S === id(4))!;
    expect(child.parentShardId?.SS?.sort()).toEqual([id(2), id(3)]);
    expect(child.checkpoint?.S).toBe("TRIM_HORIZON");
    expect(child.leaseCounter?.N).toBe("0");
    expect(child.leaseOwner).toBeUndefined();
    expect(child.startingHashKey?.S).toBe(merged[0]!.hashKeyRange.startingHashKey);

    // A fresh application on the resharded stream: TRIM_HORIZON starts at the oldest shards only.
    const { store: fresh } = await leaseStore();
    const all = await syncShards({
      kinesis,
      store: fresh,
      stream,
      initialPosition: "TRIM_HORIZON",
      events,
      clock: systemClock,
    });
    expect(all.created).toEqual([id(0), id(1)]);
    const { store: latest } = await leaseStore();
    const open = await syncShards({
      kinesis,
      store: latest,
      stream,
      initialPosition: "LATEST",
      events,
      clock: systemClock,
    });
    expect(open.created.sort()).toEqual([id(1), id(4)]);
  });
});
