// `consume --local --produce N`: the local stack creates the stream and really feeds it.
import { expect, test } from "bun:test";
import { GetRecordsCommand, GetShardIteratorCommand } from "@aws-sdk/client-kinesis";
import { startLocalStack } from "../../cli/local/stack.ts";
import { createKinesisClient } from "../../src/aws/clients.ts";
import { systemClock } from "../../src/core/clock.ts";
import { listShards, waitFor } from "../support/aws.ts";

test("startLocalStack with produce puts records into the stream it created, and stop() ends both", async () => {
  const stack = await startLocalStack({ stream: "fed", shards: 1, produce: 50, clock: systemClock });
  const { client } = createKinesisClient({
    kinesisEndpoint: stack.kinesisEndpoint,
    region: stack.region,
    credentials: { ...stack.credentials },
    env: {},
  });
  try {
    expect(stack.shards).toBe(1);
    const [shard] = await listShards(client, "fed");
    const { ShardIterator } = await client.send(
      new GetShardIteratorCommand({
        StreamName: "fed",
        ShardId: shard!.ShardId!,
        ShardIteratorType: "TRIM_HORIZON",
      }),
    );
    const records = await waitFor("produced records", async () => {
      const page = await client.send(new GetRecordsCommand({ ShardIterator }));
      return (page.Records?.length ?? 0) >= 5 ? page.Records : undefined;
    });
    const body = JSON.parse(new TextDecoder().decode(records![0]!.Data));
    expect(body).toHaveProperty("key");
  } finally {
    client.destroy();
    await stack.stop();
  }
});
