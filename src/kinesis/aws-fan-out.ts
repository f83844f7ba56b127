// The FanOutPort over AWS SDK v3: consumer administration on the HTTP/1.1 client, SubscribeToShard on
// the HTTP/2 client (its event stream), every failure mapped like the KinesisPort's (aws-kinesis-errors.ts).
import {
  type Consumer,
  type ConsumerDescription,
  DeregisterStreamConsumerCommand,
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  type KinesisClient,
  ListStreamConsumersCommand,
  RegisterStreamConsumerCommand,
  type SubscribeToShardEvent,
  SubscribeToShardCommand,
  type SubscribeToShardCommandInput,
} from "@aws-sdk/client-kinesis";
import type { ClientTarget } from "../aws/clients.ts";
import { type KinesisCallContext, mapKinesisError } from "./aws-kinesis-errors.ts";
import type { FanOutPort, ShardEvent, ShardSubscription, StreamConsumer } from "./fan-out-port.ts";
import { plainRecord, type StartingPosition } from "./port.ts";

type Ctx = Omit<KinesisCallContext, "region" | "endpoint">;

function toConsumer(c: Consumer | ConsumerDescription): StreamConsumer {
  const out: StreamConsumer = {
    consumerName: c.ConsumerName ?? "",
    consumerArn: c.ConsumerARN ?? "",
    status: (c.ConsumerStatus ?? "CREATING") as StreamConsumer["status"],
  };
  if (c.ConsumerCreationTimestamp) out.createdAt = c.ConsumerCreationTimestamp;
  return out;
}

function toEvent(e: SubscribeToShardEvent): ShardEvent {
  const event: ShardEvent = {
    records: (e.Records ?? []).map((r) =>
      plainRecord(
        r.SequenceNumber!,
        r.PartitionKey ?? "",
        r.Data ?? new Uint8Array(0),
        r.ApproximateArrivalTimestamp ?? new Date(0),
      ),
    ),
  };
  if (e.ContinuationSequenceNumber) event.continuationSequenceNumber = e.ContinuationSequenceNumber;
  if (e.MillisBehindLatest !== undefined) event.millisBehindLatest = e.MillisBehindLatest;
  if (e.ChildShards?.length) {
    event.childShards = e.ChildShards.map((c) => ({
      shardId: c.ShardId!,
      parentShards: c.ParentShards ?? [],
      hashKeyRange: {
        startingHashKey: c.HashKeyRange?.StartingHashKey ?? "0",
        endingHashKey: c.HashKeyRange?.EndingHashKey ?? "0",
      },
    }));
  }
  return event;
}

function positionInput(p: StartingPosition): SubscribeToShardCommandInput["StartingPosition"] {
  switch (p.type) {
    case "AT_SEQUENCE_NUMBER":
    case "AFTER_SEQUENCE_NUMBER":
      return { Type: p.type, SequenceNumber: p.sequenceNumber };
    case "AT_TIMESTAMP":
      return { Type: p.type, Timestamp: p.timestamp };
    default:
      return { Type: p.type };
  }
}

/** `admin` (HTTP/1.1) for consumer calls; `http2` (NodeHttp2Handler) for SubscribeToShard. */
export function createAwsFanOut(
  admin: KinesisClient,
  http2: KinesisClient,
  target: ClientTarget,
): FanOutPort {
  const mapped = (e: unknown, ctx: Ctx) =>
    mapKinesisError(e, { ...ctx, region: target.region, endpoint: target.endpoint });
  async function call<T>(ctx: Ctx, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw mapped(e, ctx);
    }
  }

  return {
    async streamArn(stream) {
      const out = await call({ operation: "DescribeStreamSummary", stream }, () =>
        admin.send(new DescribeStreamSummaryCommand({ StreamName: stream })),
      );
      return out.StreamDescriptionSummary?.StreamARN ?? "";
    },

    async listConsumers(streamArn) {
      const consumers: StreamConsumer[] = [];
      let token: string | undefined;
      do {
        const input = token ? { StreamARN: streamArn, NextToken: token } : { StreamARN: streamArn };
        const page = await call({ operation: "ListStreamConsumers", stream: streamArn }, () =>
          admin.send(new ListStreamConsumersCommand(input)),
        );
        consumers.push(...(page.Consumers ?? []).map(toConsumer));
        token = page.NextToken;
      } while (token);
      return consumers;
    },

    async registerConsumer(streamArn, consumerName) {
      try {
        const out = await admin.send(
          new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: consumerName }),
        );
        return out.Consumer ? toConsumer(out.Consumer) : undefined;
      } catch (e) {
        // Another worker of the fleet registered it first: a lost race, not a fault.
        if ((e as { name?: string }).name === "ResourceInUseException") return undefined;
        throw mapped(e, { operation: "RegisterStreamConsumer", stream: streamArn });
      }
    },

    async describeConsumer(consumerArn) {
      const out = await call({ operation: "DescribeStreamConsumer", consumerArn }, () =>
        admin.send(new DescribeStreamConsumerCommand({ ConsumerARN: consumerArn })),
      );
      return toConsumer(out.ConsumerDescription!);
    },

    async deregisterConsumer(consumerArn) {
      await call({ operation: "DeregisterStreamConsumer", consumerArn }, () =>
        admin.send(new DeregisterStreamConsumerCommand({ ConsumerARN: consumerArn })),
      );
    },

    async subscribe(consumerArn, shardId, position, signal): Promise<ShardSubscription> {
      const ctx: Ctx = { operation: "SubscribeToShard", shardId, consumerArn };
      const controller = new AbortController();
      const cancel = () => controller.abort();
      if (signal.aborted) controller.abort();
      else signal.addEventListener("abort", cancel, { once: true });
      const input = { ConsumerARN: consumerArn, ShardId: shardId, StartingPosition: positionInput(position) };
      let stream: AsyncIterator<unknown>;
      try {
        const out = await http2.send(new SubscribeToShardCommand(input), { abortSignal: controller.signal });
        stream = (out.EventStream as AsyncIterable<unknown>)[Symbol.asyncIterator]();
      } catch (e) {
        signal.removeEventListener("abort", cancel);
        throw mapped(e, ctx);
      }
      let closed = false;
      const close = () => {
        if (closed) return;
        closed = true;
        signal.removeEventListener("abort", cancel);
        controller.abort();
        stream.return?.().catch(() => {});
      };
      return {
        async next() {
          for (;;) {
            let item: IteratorResult<unknown>;
            try {
              item = await stream.next();
            } catch (e) {
              close();
              throw mapped(e, ctx);
            }
            if (item.done) {
              close();
              return undefined;
            }
            const union = item.value as Record<string, unknown>;
            if (union.SubscribeToShardEvent)
              return toEvent(union.SubscribeToShardEvent as SubscribeToShardEvent);
            // A modelled error inside the stream (ResourceNotFound, KMS…, InternalFailure).
            const [name, detail] = Object.entries(union)[0] ?? [];
            if (name) {
              close();
              throw mapped({ name, message: (detail as { message?: string })?.message ?? "" }, ctx);
            }
          }
        },
        close,
      };
    },
  };
}
