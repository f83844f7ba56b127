// Stream identity: multi-stream lease keys as the Java KCL writes them (StreamIdentifier.serialize,
// MultiStreamLease.getLeaseKey), parsed back; identity from DescribeStreamSummary; sibling keys.
import { describe, expect, test } from "bun:test";
import {
  identityFromSummary,
  multiStreamLeaseKey,
  parseLeaseKey,
  parseStreamId,
  serializeStream,
  siblingLeaseKey,
  streamNameOf,
} from "../../src/streams/identity.ts";

const ORDERS = { account: "123456789012", name: "orders", creationEpoch: 1690000000 };

describe("stream identity", () => {
  test("formats account:stream:epoch and account:stream:epoch:shardId", () => {
    expect(serializeStream(ORDERS)).toBe("123456789012:orders:1690000000");
    expect(multiStreamLeaseKey(ORDERS, "shardId-000000000007")).toBe(
      "123456789012:orders:1690000000:shardId-000000000007",
    );
  });

  test("parses what it formats; stream names with . _ - survive", () => {
    for (const name of ["orders", "my.stream_v2-eu"]) {
      const id = { ...ORDERS, name };
      expect(parseLeaseKey(multiStreamLeaseKey(id, "shardId-000000000001"))).toEqual({
        stream: id,
        shardId: "shardId-000000000001",
      });
      expect(parseStreamId(serializeStream(id))).toEqual(id);
    }
  });

  test("single-stream keys and anything not digits:name:digits:shard are plain shard ids", () => {
    for (const key of [
      "shardId-000000000001",
      "orders:1690000000:shardId-000000000001",
      "acct:orders:1690000000:shardId-000000000001",
      "123456789012:orders:16900x:shardId-000000000001",
      "123456789012:orders:1690000000:shard:extra",
    ]) {
      expect(parseLeaseKey(key)).toEqual({ shardId: key });
    }
    expect(parseStreamId("orders")).toBeUndefined();
  });

  test("a lease's stream name: from the key, else from the streamName attribute", () => {
    expect(streamNameOf({ leaseKey: "123456789012:orders:1690000000:shardId-000000000001" })).toBe("orders");
    expect(streamNameOf({ leaseKey: "shardId-1", streamName: "123456789012:payments:1690000001" })).toBe(
      "payments",
    );
    expect(streamNameOf({ leaseKey: "shardId-1" })).toBeUndefined();
  });

  test("sibling keys: parents and children are bare shard ids in the lease's stream", () => {
    expect(
      siblingLeaseKey("123456789012:orders:1690000000:shardId-000000000001", "shardId-000000000004"),
    ).toBe("123456789012:orders:1690000000:shardId-000000000004");
    expect(siblingLeaseKey("shardId-000000000001", "shardId-000000000004")).toBe("shardId-000000000004");
  });

  test("identity from DescribeStreamSummary: account from the ARN, creation time in whole seconds", () => {
    expect(
      identityFromSummary("orders", {
        arn: "arn:aws:kinesis:eu-west-1:123456789012:stream/orders",
        createdAt: new Date(1690000000999),
      }),
    ).toEqual(ORDERS);
    expect(identityFromSummary("orders", { createdAt: new Date(0) })).toBeUndefined();
    expect(
      identityFromSummary("orders", { arn: "arn:aws:kinesis:eu-west-1:123456789012:stream/orders" }),
    ).toBeUndefined();
  });
});
