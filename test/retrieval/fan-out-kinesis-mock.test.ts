// The enhanced fan-out record source against kinesis-mock over the real AWS SDK v3 HTTP/2 handler:
// consumer registration, subscribe from a checkpoint, resubscribe after a break, shard end with
// ChildShards, lease loss cancelling at once, and the loud fall back to polling when HTTP/2 fails.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createKinesisClient } from "../../src/aws/clients.ts";
import { createKinesisHttp2Client } from "../../src/aws/http2-client.ts";
import { systemClock } from "../../src/core/clock.ts";
import { AbortedError } from "../../src/core/errors.ts";
import { EventBus, type KclEvent } from "../../src/core/events.ts";
import { seededRandom } from "../../src/core/random.ts";
import { createAwsFanOut } from "../../src/kinesis/aws-fan-out.ts";
import { createAwsKinesis } from "../../src/kinesis/aws-kinesis.ts";
import type { FanOutPort } from "../../src/kinesis/fan-out-port.ts";
import type { ExtendedSequenceNumber } from "../../src/leases/lease.ts";
import type { KinesisRecord } from "../../src/plugin.ts";
import { FanOutHealth } from "../../src/retrieval/fan-out-health.ts";
import { createFanOutReader } from "../../src/retrieval/fan-out-reader.ts";
import { ShardEndProbe } from "../../src/retrieval/shard-end-probe.ts";
import { createShardReader } from "../../src/retrieval/shard-reader.ts";
import { ensureStreamConsumer } from "../../src/retrieval/stream-consumer.ts";
import type { ShardReader } from "../../src/retrieval/types.ts";
import { createStream, putRecords, splitShard, uniqueName, waitFor } from "../support/aws.ts";
import { type KinesisMock, startKinesisMock } from "../support/kinesis-mock.ts";

let mock: KinesisMock;
let fanOut: { port: FanOutPort; destroy(): void };
const S0 = "shardId-000000000000";
const TRIM: ExtendedSequenceNumber = { sequenceNumber: "TRIM_HORIZON", subSequenceNumber: 0 };
const text = (r: KinesisRecord) => new TextDecoder().decode(r.data);

beforeAll(async () => {
  mock = await startKinesisMock();
  fanOut = mock.fanOut();
}, 90_000);
afterAll(async () => {
  fanOut?.destroy();
  await mock?.stop();
});

function bus(seen: KclEvent[]) {
  const events = new EventBus("w1", () => systemClock.now());
  events.onAny((e) => seen.push(e));
  return events;
}

async function streamWithConsumer(shards: number, records: number, seen: KclEvent[] = []) {
  const stream = uniqueName("efo");
  await createStream(mock.kinesis, stream, shards);
  const puts = await putRecords(
    mock.kinesis,
    stream,
    Array.from({ length: records }, (_, i) => ({ partitionKey: `k${i}`, data: `r${i}` })),
  );
  const consumerArn = await ensureStreamConsumer({
    fanOut: fanOut.port,
    stream,
    consumerName: "app",
    clock: systemClock,
    events: bus(seen),
    pollMs: 100,
  });
  return { stream, consumerArn, puts };
}

function open(consumerArn: string, start: ExtendedSequenceNumber, seen: KclEvent[], more = {}) {
  return createFanOutReader({
    fanOut: fanOut.port,
    consumerArn,
    stream: "unused",
    shardId: S0,
    start,
    clock: systemClock,
    random: seededRandom(5),
    events: bus(seen),
    ...more,
  });
}

async function readUntil(reader: ShardReader, count: number, timeoutMs = 30_000) {
  const out: KinesisRecord[] = [];
  const deadline = performance.now() + timeoutMs;
  let ended = false;
  while (out.length < count && !ended) {
    if (performance.now() > deadline) throw new Error(`only ${out.length} of ${count} records arrived`);
    const b = await reader.next();
    out.push(...b.records);
    ended = b.isAtShardEnd;
  }
  return out;
}

describe("stream consumer", () => {
  test("registered once, ACTIVE, found again by name (no second registration)", async () => {
    const seen: KclEvent[] = [];
    const { stream, consumerArn } = await streamWithConsumer(1, 0, seen);
    expect(consumerArn).toMatch(/consumer\/app:/);
    const again = await ensureStreamConsumer({
      fanOut: fanOut.port,
      stream,
      consumerName: "app",
      clock: systemClock,
      events: bus(seen),
    });
    expect(again).toBe(consumerArn);
    expect(seen.filter((e) => e.type === "warning" && e.message.includes("Registered"))).toHaveLength(1);
    const listed = await fanOut.port.listConsumers(await fanOut.port.streamArn(stream));
    expect(listed.map((c) => [c.consumerName, c.status])).toEqual([["app", "ACTIVE"]]);
  }, 30_000);
});

describe("subscription", () => {
  test("from TRIM_HORIZON and from a checkpoint: every record after it, in order, once", async () => {
    const { consumerArn, puts } = await streamWithConsumer(1, 20);
    const seen: KclEvent[] = [];
    const all = open(consumerArn, TRIM, seen);
    expect((await readUntil(all, 20)).map(text)).toEqual(puts.map((_, i) => `r${i}`));
    all.close();
    const from = { sequenceNumber: puts[14]!.sequenceNumber, subSequenceNumber: 0 };
    // The first subscription may still be open on the mock: ResourceInUse is retried with backoff.
    const after = open(consumerArn, from, seen);
    expect((await readUntil(after, 5)).map(text)).toEqual(["r15", "r16", "r17", "r18", "r19"]);
    after.close();
  }, 60_000);

  test("a subscription cut mid-stream resumes from the continuation: nothing lost, nothing twice", async () => {
    const { stream, consumerArn } = await streamWithConsumer(1, 10);
    const seen: KclEvent[] = [];
    const reader = open(consumerArn, TRIM, seen);
    const first = await readUntil(reader, 10);
    mock.relay.cutAll();
    await putRecords(
      mock.kinesis,
      stream,
      Array.from({ length: 10 }, (_, i) => ({ partitionKey: `k${i}`, data: `s${i}` })),
    );
    const rest = await readUntil(reader, 10);
    expect([...first, ...rest].map(text)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => `r${i}`),
      ...Array.from({ length: 10 }, (_, i) => `s${i}`),
    ]);
    const resubscribed = seen.filter(
      (e) => (e.type === "warning" && e.message.includes("resubscribing")) || e.type === "throttled",
    );
    expect(resubscribed.length).toBeGreaterThan(0);
    reader.close();
  }, 60_000);

  test("shard end: the final event (or, on kinesis-mock, the probe) ends the shard with its ChildShards", async () => {
    const { stream, consumerArn } = await streamWithConsumer(1, 5);
    await splitShard(mock.kinesis, stream, S0);
    const seen: KclEvent[] = [];
    const kinesis = createAwsKinesis(mock.kinesis, { region: "us-east-1", endpoint: mock.endpoint });
    const shardEndProbe = new ShardEndProbe({
      kinesis,
      stream,
      shardId: S0,
      clock: systemClock,
      events: bus(seen),
      intervalMs: 1000,
    });
    const reader = open(consumerArn, TRIM, seen, { shardEndProbe });
    let batch = await reader.next();
    const records = [...batch.records];
    while (!batch.isAtShardEnd) {
      batch = await reader.next();
      records.push(...batch.records);
    }
    expect(records.map(text)).toEqual(["r0", "r1", "r2", "r3", "r4"]);
    expect(batch.childShards?.map((c) => c.shardId).sort()).toEqual([
      "shardId-000000000001",
      "shardId-000000000002",
    ]);
    expect(batch.childShards?.every((c) => c.parentShards.includes(S0))).toBe(true);
    expect((await reader.next()).isAtShardEnd).toBe(true);
    reader.close();
  }, 60_000);

  test("lease loss cancels at once: a pending next() rejects, and a new owner's subscription starts", async () => {
    const { consumerArn } = await streamWithConsumer(1, 3);
    const lost = new AbortController();
    // The real port, with a count of open subscriptions (close() cancels the HTTP/2 stream).
    let live = 0;
    const spy: FanOutPort = {
      ...fanOut.port,
      async subscribe(...args) {
        const sub = await fanOut.port.subscribe(...args);
        live += 1;
        let closed = false;
        return {
          next: () => sub.next(),
          close() {
            if (!closed) live -= 1;
            closed = true;
            sub.close();
          },
        };
      },
    };
    const reader = open(consumerArn, TRIM, [], { signal: lost.signal, fanOut: spy });
    expect((await readUntil(reader, 3)).length).toBe(3);
    const pending = reader.next(); // caught up: waits for the next event
    expect(live).toBe(1);
    lost.abort();
    expect(live).toBe(0); // cancelled synchronously with the lease loss, not at the next event
    expect(
      await pending.then(
        () => "resolved",
        (e) => e,
      ),
    ).toBeInstanceOf(AbortedError);
    expect(
      await reader.next().then(
        () => "resolved",
        (e) => e,
      ),
    ).toBeInstanceOf(AbortedError);
    const seen: KclEvent[] = [];
    const next = open(consumerArn, TRIM, seen);
    expect((await readUntil(next, 3)).map(text)).toEqual(["r0", "r1", "r2"]);
    next.close();
  }, 60_000);
});

test("HTTP/2 that cannot carry the stream: a loud warning, then polling delivers everything", async () => {
  const { stream, consumerArn } = await streamWithConsumer(1, 6);
  // Straight to kinesis-mock, without the relay: every subscription dies with ERR_HTTP2_ERROR.
  const common = { region: "us-east-1", credentials: { accessKeyId: "t", secretAccessKey: "t" }, env: {} };
  const admin = createKinesisClient({ ...common, kinesisEndpoint: mock.endpoint });
  const direct = createKinesisHttp2Client({ ...common, kinesisEndpoint: mock.endpoint });
  const seen: KclEvent[] = [];
  const events = bus(seen);
  const polling = (start: ExtendedSequenceNumber) =>
    createShardReader({
      kinesis: createAwsKinesis(admin.client, admin.target),
      stream,
      shardId: S0,
      start,
      maxRecords: 100,
      idleTimeMs: 100,
      clock: systemClock,
      random: seededRandom(1),
      events,
    });
  const reader = createFanOutReader({
    fanOut: createAwsFanOut(admin.client, direct.client, admin.target),
    consumerArn,
    health: new FanOutHealth(events),
    fallback: polling,
    stream,
    shardId: S0,
    start: TRIM,
    clock: systemClock,
    random: seededRandom(5),
    events,
  });
  expect((await readUntil(reader, 6)).map(text)).toEqual(["r0", "r1", "r2", "r3", "r4", "r5"]);
  const warning = seen.find((e) => e.type === "warning" && e.message.includes("FALLING BACK TO POLLING"));
  expect(warning).toBeDefined();
  reader.close();
  admin.client.destroy();
  direct.client.destroy();
  await waitFor("nothing", () => true);
}, 60_000);
