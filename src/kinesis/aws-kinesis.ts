// The KinesisPort over AWS SDK v3: paginated ListShards, DescribeStreamSummary, GetShardIterator and
// GetRecords (that one through aws-get-records.ts, without the SDK's deserializer), with every failure
// mapped to a typed engine error (see aws-kinesis-errors.ts).
import {
  DescribeStreamSummaryCommand,
  type GetShardIteratorCommandInput,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
  type Shard as SdkShard,
} from "@aws-sdk/client-kinesis";
import type { ClientTarget } from "../aws/clients.ts";
import type { AwsJsonClient } from "../aws/json-protocol/client.ts";
import { decodeData, GetRecordsCommand, getRecordsClient, givenClient } from "./aws-get-records.ts";
import { type KinesisCallContext, mapKinesisError } from "./aws-kinesis-errors.ts";
import {
  type ChildShard,
  type GetRecordsResult,
  type KinesisPort,
  plainRecord,
  type Shard,
  type StartingPosition,
} from "./port.ts";

export interface AwsKinesisOptions {
  /** ListShards MaxResults per page (service maximum 10000). Default 1000. */
  listShardsPageSize?: number;
  /** GetRecords' client (tests wrap one to inject faults). Default: built beside `client`. */
  getRecordsClient?: AwsJsonClient;
}

/** The port, and close() for the GetRecords client's connections (the SDK client is the caller's). */
export type AwsKinesisPort = KinesisPort & { close(): void };

function toShard(s: SdkShard): Shard {
  const shard: Shard = {
    shardId: s.ShardId!,
    hashKeyRange: {
      startingHashKey: s.HashKeyRange?.StartingHashKey ?? "0",
      endingHashKey: s.HashKeyRange?.EndingHashKey ?? "0",
    },
    startingSequenceNumber: s.SequenceNumberRange?.StartingSequenceNumber ?? "0",
  };
  if (s.ParentShardId) shard.parentShardId = s.ParentShardId;
  if (s.AdjacentParentShardId) shard.adjacentParentShardId = s.AdjacentParentShardId;
  if (s.SequenceNumberRange?.EndingSequenceNumber) {
    shard.endingSequenceNumber = s.SequenceNumberRange.EndingSequenceNumber;
  }
  return shard;
}

function iteratorInput(stream: string, shardId: string, p: StartingPosition): GetShardIteratorCommandInput {
  const base = { StreamName: stream, ShardId: shardId, ShardIteratorType: p.type };
  switch (p.type) {
    case "AT_SEQUENCE_NUMBER":
    case "AFTER_SEQUENCE_NUMBER":
      return { ...base, StartingSequenceNumber: p.sequenceNumber };
    case "AT_TIMESTAMP":
      return { ...base, Timestamp: p.timestamp };
    default:
      return base;
  }
}

export function createAwsKinesis(
  client: KinesisClient,
  target: ClientTarget,
  options: AwsKinesisOptions = {},
): AwsKinesisPort {
  const pageSize = options.listShardsPageSize ?? 1000;
  const getRecords = options.getRecordsClient
    ? givenClient(options.getRecordsClient)
    : getRecordsClient(client, target);

  async function call<T>(ctx: Omit<KinesisCallContext, "region" | "endpoint">, fn: () => Promise<T>) {
    try {
      return await fn();
    } catch (e) {
      // The SDK may have found the region in a profile: name the one it really used.
      let region = target.region;
      if (region === undefined) {
        try {
          region = await client.config.region();
        } catch {
          // leave it unresolved
        }
      }
      throw mapKinesisError(e, { ...ctx, region, endpoint: target.endpoint });
    }
  }

  return {
    close() {
      getRecords.close();
    },

    async describeStream(stream) {
      const out = await call({ operation: "DescribeStreamSummary", stream }, () =>
        client.send(new DescribeStreamSummaryCommand({ StreamName: stream })),
      );
      const s = out.StreamDescriptionSummary;
      return {
        status: s?.StreamStatus ?? "UNKNOWN",
        shardCount: s?.OpenShardCount ?? 0,
        retentionHours: s?.RetentionPeriodHours ?? 24,
        ...(s?.StreamARN ? { arn: s.StreamARN } : {}),
        ...(s?.StreamCreationTimestamp ? { createdAt: new Date(s.StreamCreationTimestamp) } : {}),
      };
    },

    async listShards(stream) {
      const shards: Shard[] = [];
      let token: string | undefined;
      do {
        // Kinesis rejects StreamName together with NextToken.
        const input = token
          ? { NextToken: token, MaxResults: pageSize }
          : { StreamName: stream, MaxResults: pageSize };
        const page = await call({ operation: "ListShards", stream }, () =>
          client.send(new ListShardsCommand(input)),
        );
        for (const s of page.Shards ?? []) shards.push(toShard(s));
        token = page.NextToken;
      } while (token);
      return shards;
    },

    async getShardIterator(stream, shardId, position) {
      const out = await call({ operation: "GetShardIterator", stream, shardId }, () =>
        client.send(new GetShardIteratorCommand(iteratorInput(stream, shardId, position))),
      );
      if (!out.ShardIterator) {
        throw mapKinesisError(
          { name: "ResourceNotFoundException", message: "GetShardIterator returned no iterator" },
          {
            operation: "GetShardIterator",
            stream,
            shardId,
            region: target.region,
            endpoint: target.endpoint,
          },
        );
      }
      return out.ShardIterator;
    },

    async getRecords(iterator, limit, shard): Promise<GetRecordsResult> {
      const out = await call(
        { operation: "GetRecords", stream: shard?.stream, shardId: shard?.shardId },
        async () => {
          const lean = await getRecords.get();
          return lean.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }));
        },
      );
      const result: GetRecordsResult = {
        records: (out.Records ?? []).map((r) =>
          plainRecord(
            r.SequenceNumber,
            r.PartitionKey ?? "",
            decodeData(r.Data),
            new Date((r.ApproximateArrivalTimestamp ?? 0) * 1000),
          ),
        ),
      };
      if (out.NextShardIterator) result.nextShardIterator = out.NextShardIterator;
      if (out.MillisBehindLatest !== undefined) result.millisBehindLatest = out.MillisBehindLatest;
      if (out.ChildShards?.length) {
        result.childShards = out.ChildShards.map(
          (c): ChildShard => ({
            shardId: c.ShardId!,
            parentShards: c.ParentShards ?? [],
            hashKeyRange: {
              startingHashKey: c.HashKeyRange?.StartingHashKey ?? "0",
              endingHashKey: c.HashKeyRange?.EndingHashKey ?? "0",
            },
          }),
        );
      }
      return result;
    },
  };
}
