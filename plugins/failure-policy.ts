// Example plugin: fails on purpose to show the --on-error policies (spec §4).
//
// Every record whose data contains "poison" makes processRecords throw, for the first FAIL_TIMES
// deliveries of that batch (default: always). Run it and put a poison record into the stream:
//   kcl-ts consume --local --stream demo --app failing --plugin plugins/failure-policy.ts --on-error retry
//     retry (default): the same batch comes back after 1 s, 2 s, 4 s … (capped at 30 s); the shard waits
//   … --on-error skip:  the failure is reported and the batch is skipped (the Java KCL's behaviour)
//   … --on-error exit:  graceful shutdown, exit code 5
//   FAIL_TIMES=2 … --on-error retry: fails twice, then succeeds: nothing is lost
import type { ProcessorContext, RecordProcessor } from "kcl-ts";

const FAIL_TIMES = Number(process.env.FAIL_TIMES ?? Number.POSITIVE_INFINITY);
const decoder = new TextDecoder();

export default function failurePolicy(context: ProcessorContext): RecordProcessor {
  // Deliveries per first sequence number of a batch: shows that a retry redelivers the same batch.
  const attempts = new Map<string, number>();
  return {
    async processRecords({ records }) {
      const poison = records.find((r) => decoder.decode(r.data).includes("poison"));
      if (!poison) {
        process.stdout.write(`${context.shardId}: processed ${records.length} records\n`);
        return;
      }
      const key = records[0]?.sequenceNumber ?? "";
      const attempt = (attempts.get(key) ?? 0) + 1;
      attempts.set(key, attempt);
      if (attempt <= FAIL_TIMES) {
        process.stdout.write(
          `${context.shardId}: delivery ${attempt} of a batch with a poison record: throwing\n`,
        );
        throw new Error(`poison record ${poison.sequenceNumber} (key ${poison.partitionKey})`);
      }
      process.stdout.write(`${context.shardId}: delivery ${attempt} succeeded (${records.length} records)\n`);
      attempts.delete(key);
    },
  };
}
