// Resharding for the demo: split the open shard with the widest hash range at its midpoint.
import {
  type KinesisClient,
  ListShardsCommand,
  type Shard,
  SplitShardCommand,
} from "@aws-sdk/client-kinesis";
import type { Clock } from "../../src/core/clock.ts";
import { ensureStream } from "../local/stream.ts";

async function listShards(kinesis: KinesisClient, stream: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let token: string | undefined;
  do {
    const page = await kinesis.send(
      new ListShardsCommand(token ? { NextToken: token } : { StreamName: stream }),
    );
    shards.push(...(page.Shards ?? []));
    token = page.NextToken;
  } while (token);
  return shards;
}

function width(shard: Shard): bigint {
  const range = shard.HashKeyRange;
  return range ? BigInt(range.EndingHashKey ?? "0") - BigInt(range.StartingHashKey ?? "0") : 0n;
}

/** Splits the widest open shard; returns the parent and the stream's open shard count afterwards. */
export async function splitWidestShard(
  kinesis: KinesisClient,
  stream: string,
  clock: Clock,
): Promise<{ parent: string; openShards: number }> {
  const open = (await listShards(kinesis, stream)).filter(
    (s) => !s.SequenceNumberRange?.EndingSequenceNumber,
  );
  const widest = open.reduce((a, b) => (width(b) > width(a) ? b : a));
  const start = BigInt(widest.HashKeyRange?.StartingHashKey ?? "0");
  const mid = start + width(widest) / 2n;
  await kinesis.send(
    new SplitShardCommand({
      StreamName: stream,
      ShardToSplit: widest.ShardId,
      NewStartingHashKey: mid.toString(),
    }),
  );
  const { shards } = await ensureStream(kinesis, stream, 0, clock);
  return { parent: widest.ShardId ?? "?", openShards: shards };
}
