// `consume --local` with several --stream flags: the local stack creates and feeds every stream.
import { expect, test } from "bun:test";
import { GetRecordsCommand, GetShardIteratorCommand } from "@aws-sdk/client-kinesis";
import { startLocalStack } from "../../cli/local/stack.ts";
import { createKinesisClient } from "../../src/aws/clients.ts";
import { systemClock } from "../../src/core/clock.ts";
import { listShards, waitFor } from "../support/aws.ts";

test("startLocalStack with moreStreams creates each stream with the shard count and feeds each", async () => {
  const stack = await startLocalStack({
    stream: "fed-a",
    moreStreams: ["fed-b"],
    shards: 2,
    produce: 50,
    clock: systemClock,
  });
  const { client } = createKinesisClient({
    kinesisEndpoint: stack.kinesisEndpoint,
    region: stack.region,
    credentials: { ...stack.credentials },
    env: {},
  });
  try {
    for (const stream of ["fed-a", "fed-b"]) {
      const shards = await listShards(client, stream);
      expect(shards.length).toBe(2);
      await waitFor(`records in ${stream}`, async () => {
        for (const shard of shards) {
          const { ShardIterator } = await client.send(
            new GetShardIteratorCommand({
              StreamName: stream,
              ShardId: shard.ShardId!,
              ShardIteratorType: "TRIM_HORIZON",
            }),
          );
          const page = await client.send(new GetRecordsCommand({ ShardIterator }));
          if ((page.Records?.length ?? 0) > 0) return true;
        }
        return false;
      });
    }
  } finally {
    client.destroy();
    await stack.stop();
  }
});
