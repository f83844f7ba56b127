// KPL de-aggregation against aggregates produced by awslabs' KPL-format aggregator (aws-kinesis-agg).
import { describe, expect, test } from "bun:test";
import { effectiveHashKey, MAX_HASH_KEY, md5, partitionKeyHash } from "../../src/kinesis/hash-key.ts";
import {
  aggregateBody,
  deaggregate,
  deaggregateAll,
  KPL_MAGIC,
  subRecordsOutsideRange,
} from "../../src/kinesis/kpl.ts";
import { plainRecord, type RawRecord } from "../../src/kinesis/port.ts";
import { aggregate, type UserRecord } from "./support/kpl-aggregate.ts";

const arrival = new Date(Date.UTC(2026, 0, 1));

function raw(data: Uint8Array, partitionKey = "pk"): RawRecord {
  return {
    sequenceNumber: "49600000000000000000000000000000000000000000000000000001",
    partitionKey,
    data,
    approximateArrivalTimestamp: arrival,
  };
}

const enc = new TextEncoder();

function users(n: number, withEhk = false): UserRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const u: UserRecord = {
      partitionKey: `key-${i % 7}-ü`,
      data: enc.encode(`payload ${i} ${"x".repeat(i % 300)}`),
    };
    if (withEhk && i % 3 === 0) u.explicitHashKey = String(BigInt(i) * 10n ** 30n);
    return u;
  });
}

describe("deaggregate", () => {
  test("records aggregated by aws-kinesis-agg come back exactly, with sub-sequence numbers", () => {
    for (const n of [1, 2, 50, 500]) {
      const input = users(n, true);
      const agg = aggregate(input);
      const out = deaggregate(raw(agg.data, agg.partitionKey));
      expect(out.length).toBe(n);
      out.forEach((r, i) => {
        expect(r.sequenceNumber).toBe(raw(agg.data).sequenceNumber);
        expect(r.subSequenceNumber).toBe(i);
        expect(r.aggregated).toBe(true);
        expect(r.partitionKey).toBe(input[i]!.partitionKey);
        expect(r.explicitHashKey).toBe(input[i]!.explicitHashKey);
        expect(new TextDecoder().decode(r.data)).toBe(new TextDecoder().decode(input[i]!.data));
        expect(r.approximateArrivalTimestamp).toBe(arrival);
      });
    }
  });

  test("a corrupted digest passes through as one plain record, bytes untouched", () => {
    const agg = aggregate(users(10));
    const data = Uint8Array.from(agg.data);
    data[data.length - 1]! ^= 0xff;
    const out = deaggregate(raw(data, "outer"));
    expect(out).toHaveLength(1);
    expect(out[0]!.aggregated).toBe(false);
    expect(out[0]!.subSequenceNumber).toBe(0);
    expect(out[0]!.partitionKey).toBe("outer");
    expect(out[0]!.data).toEqual(data);
  });

  test("a corrupted body (valid digest over garbage protobuf) passes through", () => {
    const garbage = Uint8Array.of(0x1a, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3);
    const data = new Uint8Array([...KPL_MAGIC, ...garbage, ...md5(garbage)]);
    expect(aggregateBody(data)).toBeDefined();
    const out = deaggregate(raw(data));
    expect(out).toHaveLength(1);
    expect(out[0]!.aggregated).toBe(false);
    expect(out[0]!.data).toEqual(data);
  });

  test("a partition key index beyond the table passes through", () => {
    // AggregatedRecord { partition_key_table: ["a"], records: [{ partition_key_index: 5, data: "x" }] }
    const body = Uint8Array.of(0x0a, 0x01, 0x61, 0x1a, 0x05, 0x08, 0x05, 0x1a, 0x01, 0x78);
    const data = new Uint8Array([...KPL_MAGIC, ...body, ...md5(body)]);
    expect(deaggregate(raw(data))[0]!.aggregated).toBe(false);
    const fixed = Uint8Array.of(0x0a, 0x01, 0x61, 0x1a, 0x05, 0x08, 0x00, 0x1a, 0x01, 0x78);
    const ok = deaggregate(raw(new Uint8Array([...KPL_MAGIC, ...fixed, ...md5(fixed)])));
    expect(ok.map((r) => [r.partitionKey, new TextDecoder().decode(r.data), r.aggregated])).toEqual([
      ["a", "x", true],
    ]);
  });

  test("non-KPL payloads pass through: plain data, magic only, magic without a full digest, empty", () => {
    for (const data of [
      enc.encode("hello"),
      KPL_MAGIC,
      new Uint8Array([...KPL_MAGIC, ...new Uint8Array(16)]),
      new Uint8Array(0),
    ]) {
      const out = deaggregate(raw(data));
      expect(out).toHaveLength(1);
      expect(out[0]!.aggregated).toBe(false);
      expect(out[0]!.data).toEqual(data);
    }
  });
});

describe("deaggregateAll over a GetRecords answer built by the adapter (plainRecord)", () => {
  const seq = (i: number) => `4960000000000000000000000000000000000000000000000000000${i}`;
  const text = (data: Uint8Array) => new TextDecoder().decode(data);

  test("a batch without aggregates is delivered as it came: same records, sub-sequence 0, not aggregated", () => {
    const batch = [0, 1, 2].map((i) => plainRecord(seq(i), `pk${i}`, enc.encode(`plain ${i}`), arrival));
    const out = deaggregateAll(batch);
    expect(out.map((r) => [r.sequenceNumber, r.subSequenceNumber, r.aggregated, text(r.data)])).toEqual([
      [seq(0), 0, false, "plain 0"],
      [seq(1), 0, false, "plain 1"],
      [seq(2), 0, false, "plain 2"],
    ]);
    for (const [i, r] of out.entries()) expect(r).toBe(batch[i]!);
  });

  test("an aggregate anywhere in the batch is still unpacked; plain records around it pass through", () => {
    const agg = aggregate(users(3));
    const corrupted = Uint8Array.from(aggregate(users(2)).data);
    corrupted[corrupted.length - 1]! ^= 0xff;
    const batch = [
      plainRecord(seq(0), "a", enc.encode("before"), arrival),
      plainRecord(seq(1), agg.partitionKey, agg.data, arrival),
      plainRecord(seq(2), "b", corrupted, arrival),
      plainRecord(seq(3), "c", enc.encode("after"), arrival),
    ];
    const out = deaggregateAll(batch);
    expect(out.map((r) => [r.sequenceNumber, r.subSequenceNumber, r.aggregated])).toEqual([
      [seq(0), 0, false],
      [seq(1), 0, true],
      [seq(1), 1, true],
      [seq(1), 2, true],
      [seq(2), 0, false],
      [seq(3), 0, false],
    ]);
    expect(out.slice(1, 4).map((r) => text(r.data))).toEqual(users(3).map((u) => text(u.data)));
    expect(out[4]!.data).toEqual(corrupted);
    // The input answer itself is left as it was.
    expect(batch.map((r) => r.aggregated)).toEqual([false, false, false, false]);
  });
});

describe("hash keys and the hash-range report", () => {
  test("partition key hash is the big-endian MD5 and explicit hash keys win", () => {
    expect(partitionKeyHash("")).toBe(BigInt("0xd41d8cd98f00b204e9800998ecf8427e"));
    expect(effectiveHashKey("ignored", "42")).toBe(42n);
    expect(partitionKeyHash("x") <= MAX_HASH_KEY).toBe(true);
  });

  test("subRecordsOutsideRange reports exactly the aggregated records outside the shard's range", () => {
    const input = users(40);
    const out = deaggregate(raw(aggregate(input).data));
    const lowerHalf = { startingHashKey: "0", endingHashKey: String(MAX_HASH_KEY / 2n) };
    const outside = subRecordsOutsideRange(out, lowerHalf);
    const expected = out.filter((r) => partitionKeyHash(r.partitionKey) > MAX_HASH_KEY / 2n);
    expect(outside).toEqual(expected);
    expect(outside.length).toBeGreaterThan(0);
    expect(outside.length).toBeLessThan(out.length);
    // Plain records are where Kinesis put them: never reported.
    expect(
      subRecordsOutsideRange(deaggregate(raw(enc.encode("p"), "zzz")), {
        startingHashKey: "0",
        endingHashKey: "0",
      }),
    ).toEqual([]);
  });
});
