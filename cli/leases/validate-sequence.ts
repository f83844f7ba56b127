// Checks a `leases reset --to <sequence>` value against its shard before anything is written: the
// shard must be in the stream and Kinesis must accept an AT_SEQUENCE_NUMBER iterator for it there.
import { ConfigurationError, InvalidCheckpointError } from "../../src/core/errors.ts";
import type { KinesisPort } from "../../src/kinesis/port.ts";

export async function validateSequence(
  kinesis: KinesisPort,
  stream: string,
  shardId: string,
  sequenceNumber: string,
): Promise<void> {
  const shards = await kinesis.listShards(stream);
  const shard = shards.find((s) => s.shardId === shardId);
  if (!shard) {
    throw new ConfigurationError(
      `shard ${shardId} is not a shard of stream ${stream} (it may have expired past the retention period): cannot check sequence number ${sequenceNumber}.`,
      { option: "shard", shardId, stream },
    );
  }
  const outside =
    BigInt(sequenceNumber) < BigInt(shard.startingSequenceNumber) ||
    (shard.endingSequenceNumber !== undefined && BigInt(sequenceNumber) > BigInt(shard.endingSequenceNumber));
  let rejected = outside ? "outside the shard's sequence number range" : "";
  if (!outside) {
    try {
      await kinesis.getShardIterator(stream, shardId, { type: "AT_SEQUENCE_NUMBER", sequenceNumber });
    } catch (error) {
      if (!(error instanceof InvalidCheckpointError)) throw error;
      rejected = `Kinesis rejected it: ${(error.cause as Error | undefined)?.message ?? error.message}`;
    }
  }
  if (rejected) {
    throw new ConfigurationError(
      `--to ${sequenceNumber} is not a sequence number of shard ${shardId} of stream ${stream} (${rejected}). Use a sequence number read from that shard.`,
      { option: "to", shardId, stream },
    );
  }
}
