// Pre-loads a stream fast: PutRecords of 500 records, several calls in flight, ids 0..count-1
// (retrying only the entries a call reports as failed, so every id is in the stream exactly once).
import { type KinesisClient, PutRecordsCommand, type PutRecordsRequestEntry } from "@aws-sdk/client-kinesis";
import { partitionKey, recordData } from "../records.ts";
import { createStream, kinesisClient } from "./aws.ts";
import { type EmulatorServer, startEmulatorServer } from "./emulator.ts";

/**
 * The set-up of the drain scenarios: emulators in their own process, a stream of `shards` holding
 * ids 0..records-1, `body` run against it, and everything stopped afterwards, whatever happens.
 */
export async function withPreloadedStream<T>(
  o: { dir: string; stream: string; shards: number; records: number; log: (message: string) => void },
  body: (emu: EmulatorServer) => Promise<T>,
): Promise<T> {
  const emu = await startEmulatorServer(o.dir);
  const kinesis = kinesisClient(emu);
  try {
    await createStream(kinesis, o.stream, o.shards);
    const load = await preload(kinesis, o.stream, o.records);
    o.log(`loaded ${o.records} records in ${Math.round(load.ms)} ms`);
    return await body(emu);
  } finally {
    kinesis.destroy();
    await emu.stop();
  }
}

export async function preload(
  kinesis: KinesisClient,
  stream: string,
  count: number,
  options: { firstId?: number; concurrency?: number } = {},
): Promise<{ records: number; ms: number }> {
  const first = options.firstId ?? 0;
  const started = performance.now();
  let next = first;
  const worker = async () => {
    while (next < first + count) {
      const from = next;
      const to = Math.min(first + count, from + 500);
      next = to;
      let entries: PutRecordsRequestEntry[] = [];
      for (let id = from; id < to; id++)
        entries.push({ PartitionKey: partitionKey(id), Data: recordData(id) });
      for (let attempt = 1; entries.length > 0; attempt++) {
        if (attempt > 10) throw new Error(`PutRecords kept failing for ${entries.length} records`);
        const res = await kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: entries }));
        entries = entries.filter((_, i) => res.Records?.[i]?.ErrorCode);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  return { records: count, ms: performance.now() - started };
}
