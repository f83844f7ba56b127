// The KinesisPort contract: one suite, run against FakeKinesis and, via the AWS adapter, against
// kinesalite and kinesis-mock (which, like Kinesis, sends ChildShards and lag), so simulations on the
// fake mean something about the real thing.
import { describe, expect, test } from "bun:test";
import { DependencyError, InvalidCheckpointError } from "../../src/core/errors.ts";
import { effectiveHashKey, inHashKeyRange, partitionKeyHash } from "../../src/kinesis/hash-key.ts";
import type { KinesisPort, Shard } from "../../src/kinesis/port.ts";
import { coversHashSpace, puts, readAll, text } from "./support/reading.ts";

export interface Put {
  partitionKey: string;
  data: string;
  explicitHashKey?: string;
}

/** What each implementation provides to the suite. */
export interface KinesisHarness {
  kinesis: KinesisPort;
  createStream(stream: string, shards: number): Promise<void>;
  put(stream: string, records: Put[]): Promise<{ shardId: string; sequenceNumber: string }[]>;
  split(stream: string, shardId: string): Promise<void>;
  merge(stream: string, shardId: string, adjacentShardId: string): Promise<void>;
  /** Lets wall-clock time pass (the fake advances its clock; kinesalite really waits). */
  pass(ms: number): Promise<void>;
  /** Wall-clock ms as the implementation stamps arrival times. */
  now(): number;
  /** Whether the shard-end GetRecords carries ChildShards (Kinesis, kinesis-mock: yes; kinesalite: no). */
  sendsChildShards: boolean;
  /** Whether GetRecords reports millisBehindLatest, > 0 with a backlog (Kinesis, kinesis-mock: yes). */
  reportsLag: boolean;
  /**
   * The error for a starting sequence number of another shard. Kinesis answers InvalidArgumentException
   * (→ InvalidCheckpointError); kinesis-mock answers ResourceNotFoundException (→ DependencyError).
   */
  foreignSequenceError?: typeof InvalidCheckpointError | typeof DependencyError;
  uniqueName(prefix: string): string;
}

export function kinesisContract(name: string, harness: () => KinesisHarness): void {
  describe(`KinesisPort contract: ${name}`, () => {
    test("describeStream and listShards describe a new stream covering the whole hash space", async () => {
      const h = harness();
      const stream = h.uniqueName("c-describe");
      await h.createStream(stream, 3);
      const summary = await h.kinesis.describeStream(stream);
      expect(summary).toMatchObject({ status: "ACTIVE", shardCount: 3 });
      // What multi-stream lease keys are built from: the account (ARN) and the creation time.
      expect(summary.arn?.split(":")[4]).toMatch(/^[0-9]{12}$/);
      expect(summary.arn?.endsWith(`:stream/${stream}`)).toBe(true);
      expect(summary.createdAt).toBeInstanceOf(Date);
      const shards = await h.kinesis.listShards(stream);
      expect(shards.map((s) => s.shardId)).toEqual([
        "shardId-000000000000",
        "shardId-000000000001",
        "shardId-000000000002",
      ]);
      expect(
        shards.every(
          (s) => !s.parentShardId && !s.endingSequenceNumber && /^\d+$/.test(s.startingSequenceNumber),
        ),
      ).toBe(true);
      expect(coversHashSpace(shards)).toBe(true);
    });

    test("a missing stream or shard is DependencyError(missing) naming it", async () => {
      const h = harness();
      for (const call of [
        () => h.kinesis.describeStream("c-nope"),
        () => h.kinesis.listShards("c-nope"),
        () => h.kinesis.getShardIterator("c-nope", "shardId-000000000000", { type: "TRIM_HORIZON" }),
      ]) {
        const err = await call().catch((e) => e);
        expect(err).toBeInstanceOf(DependencyError);
        expect(err.code).toBe("KCL_DEPENDENCY_MISSING");
        expect(err.message).toContain("c-nope");
      }
      const stream = h.uniqueName("c-missing-shard");
      await h.createStream(stream, 1);
      const err = await h.kinesis
        .getShardIterator(stream, "shardId-000000000007", { type: "TRIM_HORIZON" })
        .catch((e) => e);
      expect(err).toBeInstanceOf(DependencyError);
      expect(err.context.shardId).toBe("shardId-000000000007");
    });

    test("records land on the shard whose hash range holds MD5(partition key) or the explicit hash key", async () => {
      const h = harness();
      const stream = h.uniqueName("c-route");
      await h.createStream(stream, 4);
      const shards = await h.kinesis.listShards(stream);
      const input: Put[] = [...puts(40), { partitionKey: "ehk", data: "explicit", explicitHashKey: "5" }];
      const results = await h.put(stream, input);
      results.forEach((r, i) => {
        const key = effectiveHashKey(input[i]!.partitionKey, input[i]!.explicitHashKey);
        const owner = shards.find((s) => inHashKeyRange(key, s.hashKeyRange))!;
        expect(r.shardId).toBe(owner.shardId);
      });
      expect(results[40]!.shardId).toBe("shardId-000000000000");
      expect(new Set(results.map((r) => r.shardId)).size).toBe(4);
    });

    test("TRIM_HORIZON reads a shard in put order, page by page, with matching sequence numbers", async () => {
      const h = harness();
      const stream = h.uniqueName("c-order");
      await h.createStream(stream, 1);
      const putAt = h.now();
      const put = await h.put(stream, puts(25));
      const putDone = h.now();
      const shardId = "shardId-000000000000";
      const { records } = await readAll(h.kinesis, stream, shardId, { type: "TRIM_HORIZON" }, 7);
      expect(records.map(text)).toEqual(puts(25).map((p) => p.data));
      expect(records.map((r) => r.sequenceNumber)).toEqual(put.map((p) => p.sequenceNumber));
      expect(records.map((r) => r.partitionKey)).toEqual(puts(25).map((p) => p.partitionKey));
      const seqs = records.map((r) => BigInt(r.sequenceNumber));
      expect(seqs.every((s, i) => i === 0 || s > seqs[i - 1]!)).toBe(true);
      expect(records.every((r) => r.approximateArrivalTimestamp instanceof Date)).toBe(true);
      // Arrival times are the put's wall-clock time (the service stamps whole or fractional seconds).
      for (const r of records) {
        expect(r.approximateArrivalTimestamp.getTime()).toBeGreaterThanOrEqual(putAt - 1000);
        expect(r.approximateArrivalTimestamp.getTime()).toBeLessThanOrEqual(putDone + 1000);
      }
      const it = await h.kinesis.getShardIterator(stream, shardId, { type: "TRIM_HORIZON" });
      const page = await h.kinesis.getRecords(it, 7);
      expect(page.records.length).toBe(7);
      expect(page.nextShardIterator).toBeDefined();
    });

    test("AT_SEQUENCE_NUMBER includes the record, AFTER_SEQUENCE_NUMBER starts after it", async () => {
      const h = harness();
      const stream = h.uniqueName("c-seq");
      await h.createStream(stream, 1);
      const put = await h.put(stream, puts(10));
      const shardId = "shardId-000000000000";
      const at = await readAll(h.kinesis, stream, shardId, {
        type: "AT_SEQUENCE_NUMBER",
        sequenceNumber: put[4]!.sequenceNumber,
      });
      expect(at.records.map(text)).toEqual(["r4", "r5", "r6", "r7", "r8", "r9"]);
      const after = await readAll(h.kinesis, stream, shardId, {
        type: "AFTER_SEQUENCE_NUMBER",
        sequenceNumber: put[4]!.sequenceNumber,
      });
      expect(after.records.map(text)).toEqual(["r5", "r6", "r7", "r8", "r9"]);
    });

    test("a starting sequence number of another shard is rejected (InvalidCheckpointError on Kinesis)", async () => {
      const h = harness();
      const stream = h.uniqueName("c-foreign");
      await h.createStream(stream, 2);
      const put = await h.put(stream, puts(20));
      const foreign = put.find((p) => p.shardId === "shardId-000000000001")!;
      const err = await h.kinesis
        .getShardIterator(stream, "shardId-000000000000", {
          type: "AT_SEQUENCE_NUMBER",
          sequenceNumber: foreign.sequenceNumber,
        })
        .catch((e) => e);
      expect(err).toBeInstanceOf(h.foreignSequenceError ?? InvalidCheckpointError);
    });

    test("LATEST sees only records put after the iterator; an idle open shard returns an empty page", async () => {
      const h = harness();
      const stream = h.uniqueName("c-latest");
      await h.createStream(stream, 1);
      await h.put(stream, puts(5, "old"));
      const shardId = "shardId-000000000000";
      const it = await h.kinesis.getShardIterator(stream, shardId, { type: "LATEST" });
      const empty = await h.kinesis.getRecords(it, 100);
      expect(empty.records).toEqual([]);
      expect(empty.nextShardIterator).toBeDefined();
      if (h.reportsLag) expect(empty.millisBehindLatest).toBe(0);
      else if (empty.millisBehindLatest !== undefined) expect(empty.millisBehindLatest).toBe(0);
      await h.put(stream, puts(3, "new"));
      const page = await h.kinesis.getRecords(empty.nextShardIterator!, 100);
      expect(page.records.map(text)).toEqual(["new0", "new1", "new2"]);
    });

    test("millisBehindLatest: > 0 while older records wait behind a page, 0 once caught up", async () => {
      const h = harness();
      if (!h.reportsLag) return; // kinesalite: checked by the kinesis-mock and fake runs
      const stream = h.uniqueName("c-lag");
      await h.createStream(stream, 1);
      await h.put(stream, puts(6, "old"));
      await h.pass(250);
      await h.put(stream, puts(2, "new"));
      const it = await h.kinesis.getShardIterator(stream, "shardId-000000000000", { type: "TRIM_HORIZON" });
      const behind = await h.kinesis.getRecords(it, 3);
      expect(behind.records.map(text)).toEqual(["old0", "old1", "old2"]);
      expect(behind.millisBehindLatest).toBeGreaterThan(0);
      let page = behind;
      for (let i = 0; i < 10 && page.nextShardIterator && page.millisBehindLatest !== 0; i++) {
        page = await h.kinesis.getRecords(page.nextShardIterator, 100);
      }
      expect(page.millisBehindLatest).toBe(0);
    });

    test("AT_TIMESTAMP starts at the first record that arrived at or after the timestamp", async () => {
      const h = harness();
      const stream = h.uniqueName("c-ts");
      await h.createStream(stream, 1);
      await h.put(stream, puts(3, "before"));
      await h.pass(20);
      const t = new Date(h.now());
      await h.pass(20);
      await h.put(stream, puts(3, "after"));
      const { records } = await readAll(h.kinesis, stream, "shardId-000000000000", {
        type: "AT_TIMESTAMP",
        timestamp: t,
      });
      expect(records.map(text)).toEqual(["after0", "after1", "after2"]);
    });

    test("split: the parent closes after its last record; children inherit its range and new records", async () => {
      const h = harness();
      const stream = h.uniqueName("c-split");
      await h.createStream(stream, 1);
      await h.put(stream, puts(10, "pre"));
      await h.split(stream, "shardId-000000000000");
      const shards = await h.kinesis.listShards(stream);
      expect(shards.length).toBe(3);
      const [parent, a, b] = shards as [Shard, Shard, Shard];
      expect(parent.endingSequenceNumber).toMatch(/^\d+$/);
      expect([a.parentShardId, b.parentShardId]).toEqual([parent.shardId, parent.shardId]);
      expect(a.adjacentParentShardId).toBeUndefined();
      expect(coversHashSpace([a, b])).toBe(true);
      expect((await h.kinesis.describeStream(stream)).shardCount).toBe(2);
      const post = await h.put(stream, puts(10, "post"));
      expect(post.every((p) => p.shardId === a.shardId || p.shardId === b.shardId)).toBe(true);
      const read = await readAll(h.kinesis, stream, parent.shardId, { type: "TRIM_HORIZON" });
      expect(read.records.map(text)).toEqual(puts(10, "pre").map((p) => p.data));
      expect(read.ended).toBe(true);
      if (h.sendsChildShards) {
        // The adapter's ChildShards mapping: ids, parents and hash ranges, as ListShards has them.
        expect(read.children).toEqual(
          [a, b].map((c) => ({
            shardId: c.shardId,
            parentShards: [parent.shardId],
            hashKeyRange: c.hashKeyRange,
          })),
        );
      } else expect(read.childShards).toBeUndefined();
      for (const child of [a, b]) {
        const got = await readAll(h.kinesis, stream, child.shardId, { type: "TRIM_HORIZON" });
        const keys = got.records.map((r) => partitionKeyHash(r.partitionKey));
        expect(keys.every((k) => inHashKeyRange(k, child.hashKeyRange))).toBe(true);
        expect(got.ended).toBe(false);
      }
    });

    test("merge: the child names both parents, covers both ranges; both parents end", async () => {
      const h = harness();
      const stream = h.uniqueName("c-merge");
      await h.createStream(stream, 2);
      await h.put(stream, puts(10, "pre"));
      await h.merge(stream, "shardId-000000000000", "shardId-000000000001");
      const shards = await h.kinesis.listShards(stream);
      const child = shards.find((s) => s.shardId === "shardId-000000000002")!;
      expect(child.parentShardId).toBe("shardId-000000000000");
      expect(child.adjacentParentShardId).toBe("shardId-000000000001");
      expect(coversHashSpace([child])).toBe(true);
      for (const p of ["shardId-000000000000", "shardId-000000000001"]) {
        const read = await readAll(h.kinesis, stream, p, { type: "TRIM_HORIZON" });
        expect(read.ended).toBe(true);
        if (h.sendsChildShards) {
          expect(read.children).toEqual([
            {
              shardId: child.shardId,
              parentShards: ["shardId-000000000000", "shardId-000000000001"],
              hashKeyRange: child.hashKeyRange,
            },
          ]);
        } else expect(read.childShards).toBeUndefined();
      }
      const post = await h.put(stream, puts(4, "post"));
      expect(post.every((p) => p.shardId === child.shardId)).toBe(true);
    });
  });
}
