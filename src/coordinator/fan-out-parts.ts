// Enhanced fan-out wiring for a worker: the FanOutPort (injected, or AWS over HTTP/2), the consumer
// registration at start-up, and the per-shard record source (fan-out, falling back to polling).
import { createKinesisClient } from "../aws/kinesis-client.ts";
import { createKinesisHttp2Client } from "../aws/http2-client.ts";
import type { ResolvedConfig } from "../config/options.ts";
import type { Clock } from "../core/clock.ts";
import type { EventBus } from "../core/events.ts";
import { createAwsFanOut } from "../kinesis/aws-fan-out.ts";
import type { FanOutPort } from "../kinesis/fan-out-port.ts";
import { ensureStreamConsumer } from "../retrieval/stream-consumer.ts";
import type { PartsContext, StreamParts } from "./parts.ts";

export function buildFanOut(ctx: PartsContext, closers: (() => void)[]): FanOutPort {
  if (ctx.deps.fanOut) return ctx.deps.fanOut;
  const aws = {
    region: ctx.config.region,
    credentials: ctx.options.credentials,
    kinesisEndpoint: ctx.config.kinesisEndpoint,
  };
  const admin = createKinesisClient(aws);
  const http2 = createKinesisHttp2Client(aws);
  closers.push(
    () => admin.client.destroy(),
    () => http2.client.destroy(),
  );
  return createAwsFanOut(admin.client, http2.client, admin.target);
}

/** Start-up with retrieval efo: the consumer exists and is ACTIVE before any shard is read. */
export async function setUpFanOut(
  parts: StreamParts,
  config: ResolvedConfig,
  clock: Clock,
  events: EventBus,
): Promise<void> {
  if (!parts.fanOut) return;
  parts.consumerArn = await ensureStreamConsumer({
    fanOut: parts.fanOut,
    stream: config.stream,
    consumerName: config.consumerName,
    ...(config.consumerArn ? { consumerArn: config.consumerArn } : {}),
    clock,
    events,
  });
}
