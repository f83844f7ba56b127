// For emulators without stream consumers (kinesalite): a FanOutPort whose consumer administration
// answers "ACTIVE" for the app's consumer without a call; SubscribeToShard stays the real one (AWS SDK
// over HTTP/2, to bench/harness/push-fan-out.ts). Bench only: what is measured is the subscription path.
import type { FanOutPort } from "../../src/kinesis/fan-out-port.ts";

export function withStubConsumers(real: FanOutPort, stream: string, consumerName: string): FanOutPort {
  const consumer = {
    consumerName,
    consumerArn: `arn:bench:consumer/${consumerName}`,
    status: "ACTIVE" as const,
  };
  return {
    ...real,
    streamArn: async () => `arn:bench:stream/${stream}`,
    listConsumers: async () => [consumer],
    describeConsumer: async () => consumer,
  };
}
