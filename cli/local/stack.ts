// `consume --local`: the embedded emulators in this process plus the stream(s), ready for one worker.
import { createKinesisClient } from "../../src/aws/clients.ts";
import type { Clock } from "../../src/core/clock.ts";
import { startEmulators } from "./emulators.ts";
import { type Producer, startProducer } from "./producer.ts";
import { ensureStream } from "./stream.ts";

/** Emulators accept any keys; fixed ones keep the SDK from walking the default credential chain. */
export const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" } as const;
export const LOCAL_REGION = "us-east-1";

export interface LocalStack {
  kinesisEndpoint: string;
  dynamodbEndpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Open shards of the stream. */
  shards: number;
  stop(): Promise<void>;
}

export async function startLocalStack(options: {
  stream: string;
  /** Multi-stream `--local`: these streams are created too (same shard count, fed the same way). */
  moreStreams?: readonly string[];
  shards: number;
  /** Demo records per second to put into the stream (0: none). */
  produce?: number;
  clock: Clock;
}): Promise<LocalStack> {
  const emulators = await startEmulators();
  try {
    const { client } = createKinesisClient({
      kinesisEndpoint: emulators.kinesisEndpoint,
      region: LOCAL_REGION,
      credentials: { ...LOCAL_CREDENTIALS }, // a copy: the SDK annotates credential objects
      env: {},
    });
    const { shards } = await ensureStream(client, options.stream, options.shards, options.clock);
    const streams = [options.stream, ...(options.moreStreams ?? []).filter((s) => s !== options.stream)];
    for (const extra of streams.slice(1)) await ensureStream(client, extra, options.shards, options.clock);
    const producers: Producer[] = [];
    if (options.produce && options.produce > 0) {
      for (const stream of streams) {
        producers.push(
          startProducer({ kinesis: client, stream, recordsPerSecond: options.produce, clock: options.clock }),
        );
      }
    } else {
      client.destroy();
    }
    return {
      kinesisEndpoint: emulators.kinesisEndpoint,
      dynamodbEndpoint: emulators.dynamodbEndpoint,
      region: LOCAL_REGION,
      credentials: { ...LOCAL_CREDENTIALS },
      shards,
      async stop() {
        for (const producer of producers) await producer.stop();
        if (producers.length > 0) client.destroy();
        await emulators.stop();
      },
    };
  } catch (error) {
    await emulators.stop();
    throw error;
  }
}
