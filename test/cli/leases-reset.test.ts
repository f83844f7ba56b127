// `leases reset` against dynalite + kinesalite with in-process workers (real SDK clients): a dry run
// writes nothing, --execute replays exactly from the chosen point, a live owner is refused unless
// --force fences it (leaseLost) and bad inputs exit 2 naming them with nothing written.
import { beforeAll, describe, expect, test } from "bun:test";
import { runLeasesReset } from "../../cli/commands/leases-reset.ts";
import type { LeasesResetArgs } from "../../cli/commands/leases-reset.ts";
import { createStream, putRecords, scanTable, uniqueName, waitFor } from "../support/aws.ts";
import { awsForSuite } from "../support/aws-for-suite.ts";
import { type Delivery, startRecordingWorker, textSink } from "./support/recording-worker.ts";

const aws = awsForSuite();

const WAIT = 30_000;
/** Runs a worker until `count` records arrived and are checkpointed, then stops it (leases released). */
async function consume(app: string, stream: string, count: number): Promise<Delivery[]> {
  const w = startRecordingWorker(aws, { app, stream });
  await w.worker.start();
  await waitFor(`${count} deliveries`, () => w.delivered.length >= count, WAIT);
  await w.worker.stop();
  return w.delivered;
}

async function reset(args: LeasesResetArgs) {
  const stdout = textSink();
  const stderr = textSink();
  const code = await runLeasesReset(
    {
      dynamodbEndpoint: aws.dynamodbEndpoint,
      kinesisEndpoint: aws.kinesisEndpoint,
      liveWaitMs: 2500,
      ...args,
    },
    { stdout, stderr, env: aws.env },
  );
  return { code, out: stdout.text(), err: stderr.text() };
}

/** A 2-shard stream with 40 records: 20 in a first burst, 20 more at least a second later. */
async function fixture() {
  const stream = uniqueName("reset");
  await createStream(aws.kinesis, stream, 2);
  const put = (from: number) =>
    putRecords(
      aws.kinesis,
      stream,
      Array.from({ length: 20 }, (_, i) => ({ partitionKey: `pk${(from + i) % 7}`, data: `r${from + i}` })),
    );
  const first = await put(0);
  await new Promise((r) => setTimeout(r, 1100));
  const second = await put(20);
  const app = uniqueName("app");
  const all = await consume(app, stream, 40);
  return { stream, app, all, written: [...first, ...second] };
}

const byShardThenSeq = (a: Delivery, b: Delivery) =>
  a.shardId.localeCompare(b.shardId) || (BigInt(a.sequenceNumber) < BigInt(b.sequenceNumber) ? -1 : 1);

describe("leases reset", () => {
  let f: Awaited<ReturnType<typeof fixture>>;
  beforeAll(async () => {
    f = await fixture();
  }, 60_000);

  test(
    "dry run: prints the plan (lease, owner, live, checkpoint, new one) and writes nothing",
    async () => {
      expect(f.all).toHaveLength(40);
      const before = await scanTable(aws.dynamodb, f.app);
      const { code, out, err } = await reset({ app: f.app, all: true, to: "TRIM_HORIZON" });
      expect(err).toBe("");
      expect(code).toBe(0);
      expect(out).toMatch(/LEASE KEY\s+OWNER\s+LIVE\s+CHECKPOINT\s+NEW CHECKPOINT\s+ACTION/);
      expect(out).toMatch(/shardId-000000000000\s+-\s+-\s+\d+\s+TRIM_HORIZON\s+reset/);
      expect(out).toContain("dry run: nothing was written");
      expect(await scanTable(aws.dynamodb, f.app)).toEqual(before);
      const json = await reset({ app: f.app, all: true, to: "2026-01-01T00:00:00Z", json: true });
      expect(JSON.parse(json.out)).toMatchObject({
        table: f.app,
        execute: false,
        to: "AT_TIMESTAMP 2026-01-01T00:00:00.000Z",
        leases: [
          {
            leaseKey: "shardId-000000000000",
            leaseOwner: null,
            newCheckpoint: "AT_TIMESTAMP",
            action: "reset",
          },
          {
            leaseKey: "shardId-000000000001",
            leaseOwner: null,
            newCheckpoint: "AT_TIMESTAMP",
            action: "reset",
          },
        ],
      });
      expect(await scanTable(aws.dynamodb, f.app)).toEqual(before);
    },
    WAIT,
  );

  test("--execute to a sequence number: that shard alone is re-delivered, exactly from after it", async () => {
    const shard0 = f.all.filter((d) => d.shardId === "shardId-000000000000").sort(byShardThenSeq);
    expect(shard0.length).toBeGreaterThan(3);
    const from = shard0[2] as Delivery;
    const { code, out, err } = await reset({
      app: f.app,
      shard: ["shardId-000000000000"],
      stream: f.stream,
      to: from.sequenceNumber,
      execute: true,
    });
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toContain("1 lease reset");
    const expected = shard0.slice(3);
    const again = await consume(f.app, f.stream, expected.length);
    expect(again.map((d) => d.data)).toEqual(expected.map((d) => d.data));
  }, 60_000);

  test("--execute to an ISO time: every shard replays exactly the records that arrived from then on", async () => {
    const second = f.all.filter((d) => Number(d.data.slice(1)) >= 20);
    const at = Math.min(...second.map((d) => d.arrival));
    expect(Math.max(...f.all.filter((d) => Number(d.data.slice(1)) < 20).map((d) => d.arrival))).toBeLessThan(
      at,
    );
    const { code, err } = await reset({
      app: f.app,
      all: true,
      to: new Date(at).toISOString(),
      execute: true,
    });
    expect(err).toBe("");
    expect(code).toBe(0);
    const rows = await scanTable(aws.dynamodb, f.app);
    for (const row of rows) {
      expect(row.checkpoint).toEqual({ S: "AT_TIMESTAMP" });
      expect(row.resolvedStartMillis).toEqual({ N: String(at) });
      expect(row.leaseOwner).toBeUndefined();
    }
    const again = await consume(f.app, f.stream, second.length);
    expect(again.sort(byShardThenSeq).map((d) => d.data)).toEqual(
      second.sort(byShardThenSeq).map((d) => d.data),
    );
  }, 60_000);

  test(
    "bad inputs exit 2 naming them and write nothing",
    async () => {
      const before = await scanTable(aws.dynamodb, f.app);
      const shard1Seq = f.all.find((d) => d.shardId === "shardId-000000000001")!.sequenceNumber;
      const cases: [LeasesResetArgs, RegExp][] = [
        [{ shard: ["shardId-000000000042"], to: "LATEST" }, /no lease for shard shardId-000000000042/],
        [{ all: true, to: "2026-13-45T99:00:00Z" }, /--to "2026-13-45T99:00:00Z" is neither/],
        [{ all: true, to: "yesterday" }, /--to "yesterday" is neither/],
        [{ shard: ["shardId-000000000000"], stream: f.stream, to: "12ab34" }, /--to "12ab34" is neither/],
        [
          { shard: ["shardId-000000000000"], stream: f.stream, to: shard1Seq },
          new RegExp(`--to ${shard1Seq} is not a sequence number of shard shardId-000000000000`),
        ],
        [{ all: true, stream: f.stream, to: shard1Seq }, /name exactly one --shard/],
        [{ shard: ["shardId-000000000000"], to: shard1Seq }, /needs --stream/],
        [{ to: "LATEST" }, /--shard <id> \(repeatable\), --all, or --stream/],
        [{ all: true }, /needs --to/],
      ];
      for (const [args, message] of cases) {
        const { code, err, out } = await reset({ app: f.app, execute: true, ...args });
        expect({ args, code, err }).toEqual({ args, code: 2, err: expect.stringMatching(message) });
        expect(out).toBe("");
      }
      expect(await scanTable(aws.dynamodb, f.app)).toEqual(before);
    },
    WAIT,
  );
});

describe("leases reset against a live owner", () => {
  test("refused (exit 2, nothing written); with --force the owner gets leaseLost and the new position is honoured", async () => {
    const stream = uniqueName("reset-live");
    await createStream(aws.kinesis, stream, 1);
    await putRecords(
      aws.kinesis,
      stream,
      Array.from({ length: 10 }, (_, i) => ({ partitionKey: `pk${i}`, data: `r${i}` })),
    );
    const app = uniqueName("app");
    const w = startRecordingWorker(aws, { app, stream });
    await w.worker.start();
    try {
      await waitFor("10 deliveries", () => w.delivered.length >= 10, WAIT);
      await waitFor(
        "checkpoint at the last record",
        async () => (await scanTable(aws.dynamodb, app))[0]?.checkpoint?.S === w.delivered[9]!.sequenceNumber,
        WAIT,
      );
      const before = await scanTable(aws.dynamodb, app);
      const refused = await reset({ app, all: true, to: "TRIM_HORIZON", execute: true });
      expect(refused.code).toBe(2);
      expect(refused.out).toMatch(
        /shardId-000000000000\s+\S+\s+yes\s+\d+\s+TRIM_HORIZON\s+REFUSED: owner is live/,
      );
      expect(refused.err).toContain("refusing to reset: shardId-000000000000 (owner");
      expect(refused.err).toContain("Nothing was written");
      const after = await scanTable(aws.dynamodb, app);
      expect(after[0]?.checkpoint).toEqual(before[0]?.checkpoint);
      expect(after[0]?.leaseOwner).toEqual(before[0]?.leaseOwner);

      const forced = await reset({ app, all: true, to: "TRIM_HORIZON", execute: true, force: true });
      expect(forced.err).toBe("");
      expect(forced.code).toBe(0);
      expect(forced.out).toMatch(/shardId-000000000000\s+\S+\s+yes\s+\d+\s+TRIM_HORIZON\s+written/);
      await waitFor("leaseLost", () => w.lost.includes("shardId-000000000000"), WAIT);
      // The fenced owner learns it by a failed renewal (lease-lost event) or, when its own taker re-takes the
      // now-unowned lease first, by the scheduler replacing its consumer: either way its processor got leaseLost.
      const fencedAt = w.events.findIndex(
        (e) =>
          (e.type === "lease-lost" || e.type === "lease-acquired") &&
          e.leaseKey === "shardId-000000000000" &&
          e.leaseCounter! > 1,
      );
      expect(fencedAt).toBeGreaterThan(-1);
      // The worker takes the unowned lease again and starts at TRIM_HORIZON: all 10 once more.
      await waitFor("replay from TRIM_HORIZON", () => w.delivered.length >= 20, WAIT);
      expect(w.delivered.slice(10).map((d) => d.data)).toEqual(w.delivered.slice(0, 10).map((d) => d.data));
    } finally {
      await w.worker.stop();
    }
  }, 60_000);
});
