// A steady live producer for the failover/handoff/rebalance/scale scenarios: ids count up from
// `firstId`, ten PutRecords calls a second, failed entries retried, so that `expected()` is exactly
// the set of ids that are in the stream.
import { type KinesisClient, PutRecordsCommand, type PutRecordsRequestEntry } from "@aws-sdk/client-kinesis";
import { partitionKey, recordData } from "../records.ts";
import { sleep } from "./time.ts";

export interface LiveProducer {
  /** Ids put so far (for DeliveryTracker.missing). */
  expected(): number[];
  readonly errors: number;
  stop(): Promise<void>;
}

export function startProducer(
  kinesis: KinesisClient,
  stream: string,
  recordsPerSecond: number,
  firstId = 0,
): LiveProducer {
  const ticksPerSecond = Math.max(1, Math.min(10, recordsPerSecond));
  let next = firstId;
  let owed = 0;
  let errors = 0;
  let stopped = false;
  let pending: number[] = [];
  const put: number[] = [];
  const loop = async () => {
    let due = performance.now();
    while (!stopped) {
      owed += recordsPerSecond / ticksPerSecond;
      while (owed >= 1) {
        pending.push(next++);
        owed -= 1;
      }
      const batch = pending.slice(0, 500);
      if (batch.length > 0) {
        const entries: PutRecordsRequestEntry[] = batch.map((id) => ({
          PartitionKey: partitionKey(id),
          Data: recordData(id),
        }));
        try {
          const res = await kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: entries }));
          const failed = new Set(batch.filter((_, i) => res.Records?.[i]?.ErrorCode));
          for (const id of batch) if (!failed.has(id)) put.push(id);
          pending = [...failed, ...pending.slice(batch.length)];
        } catch {
          errors += 1;
        }
      }
      due += 1000 / ticksPerSecond;
      await sleep(Math.max(0, due - performance.now()));
    }
  };
  const running = loop();
  return {
    expected: () => put.slice(),
    get errors() {
      return errors;
    },
    async stop() {
      stopped = true;
      await running;
    },
  };
}
