// Creates the demo/local stream when it is missing and waits until it is ACTIVE.
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  type KinesisClient,
  ResourceInUseException,
  ResourceNotFoundException,
} from "@aws-sdk/client-kinesis";
import type { Clock } from "../../src/core/clock.ts";

export interface EnsureStreamResult {
  created: boolean;
  shards: number;
}

async function describe(kinesis: KinesisClient, stream: string) {
  try {
    const res = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
    return res.StreamDescriptionSummary;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/** Creates `stream` with `shards` shards unless it exists; resolves once it is ACTIVE. */
export async function ensureStream(
  kinesis: KinesisClient,
  stream: string,
  shards: number,
  clock: Clock,
  timeoutMs = 30_000,
): Promise<EnsureStreamResult> {
  let created = false;
  if (!(await describe(kinesis, stream))) {
    try {
      await kinesis.send(new CreateStreamCommand({ StreamName: stream, ShardCount: shards }));
      created = true;
    } catch (error) {
      // Another process (a second --local consumer, the demo) created it first: fine.
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }
  const deadline = clock.monotonic() + timeoutMs;
  for (;;) {
    const summary = await describe(kinesis, stream);
    if (summary?.StreamStatus === "ACTIVE") return { created, shards: summary.OpenShardCount ?? shards };
    if (clock.monotonic() > deadline)
      throw new Error(`stream ${stream} did not become ACTIVE in ${timeoutMs} ms`);
    await clock.sleep(50);
  }
}
