// A shard consumer in multi-stream mode: the processor is told the bare shard id and the lease's stream;
// parents (bare shard ids in the lease) are looked up by their lease keys in the same stream; shard-end
// helpers get the lease key, so the sync layer can route them to the lease's stream.
import { describe, expect, test } from "bun:test";
import type { RecordProcessor } from "../../src/plugin.ts";
import { harness, lease } from "./support.ts";

const STREAM_ID = "123456789012:orders:1690000000";
const key = (shardId: string) => `${STREAM_ID}:${shardId}`;

function recorder() {
  const calls: string[] = [];
  const processor = (context: { shardId: string; streamName: string }): RecordProcessor => {
    calls.push(`factory:${context.streamName}/${context.shardId}`);
    return {
      initialize: ({ shardId, streamName }) => {
        calls.push(`initialize:${streamName}/${shardId}`);
      },
      processRecords: () => {},
    };
  };
  return { calls, processor };
}

describe("ShardConsumer in multi-stream mode", () => {
  test("a child waits for its parent's lease in the same stream, then the processor gets the bare shard id and the stream", async () => {
    const r = recorder();
    const parent = lease({
      leaseKey: key("shardId-000000000000"),
      checkpoint: { sequenceNumber: "10", subSequenceNumber: 0 },
    });
    const h = harness({
      processor: r.processor,
      lease: lease({ leaseKey: key("shardId-000000000002"), parentShardIds: ["shardId-000000000000"] }),
      parentLeases: [parent],
      shardId: "shardId-000000000002",
      streamName: "orders",
    });
    await h.clock.advance(5000);
    expect(r.calls).toEqual([]);
    expect(h.ofType("shard-state")).toContainEqual(
      expect.objectContaining({ shardId: key("shardId-000000000002"), state: "waiting-on-parents" }),
    );
    h.parents.set(parent.leaseKey, {
      ...parent,
      checkpoint: { sequenceNumber: "SHARD_END", subSequenceNumber: 0 },
    });
    await h.clock.advance(1000);
    expect(r.calls).toEqual([
      "factory:orders/shardId-000000000002",
      "initialize:orders/shardId-000000000002",
    ]);
    h.consumer.requestStop("requested");
    await h.done;
  });

  test("at shard end the helpers get the lease key (the sync layer routes it to the lease's stream)", async () => {
    const r = recorder();
    const h = harness({
      processor: r.processor,
      lease: lease({ leaseKey: key("shardId-000000000001") }),
      shardId: "shardId-000000000001",
      streamName: "orders",
      discovered: [
        {
          shardId: "shardId-000000000003",
          parentShards: ["shardId-000000000001"],
          hashKeyRange: { startingHashKey: "0", endingHashKey: "1" },
        },
      ],
    });
    h.push({ records: [], isAtShardEnd: true });
    await h.done;
    expect(h.discoverCalls).toEqual([key("shardId-000000000001")]);
    expect(h.childCalls).toEqual([
      { parent: key("shardId-000000000001"), children: ["shardId-000000000003"] },
    ]);
  });
});
