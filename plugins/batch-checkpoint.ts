// Example plugin: collects records into batches and checkpoints by hand after each batch is "written"
// (here: to stdout). Use it with --checkpoint manual, so that only these calls move the checkpoint.
//
// Run it:
//   kcl-ts consume --local --stream demo --app batcher --checkpoint manual --plugin plugins/batch-checkpoint.ts
//   BATCH_SIZE=500 kcl-ts consume --stream orders --app batcher --checkpoint manual --plugin plugins/batch-checkpoint.ts
//
// The rule it demonstrates: checkpoint only what is durably handled. A batch still in memory when the
// lease is lost is dropped without a checkpoint: the next owner gets those records again (at-least-once).
import type { Checkpointer, KinesisRecord, ProcessorContext, RecordProcessor } from "kcl-ts";

const BATCH_SIZE = Number(process.env.BATCH_SIZE ?? 100);

/** Stands in for a bulk write to a database or a file. */
async function writeBatch(shardId: string, batch: KinesisRecord[]): Promise<void> {
  const first = batch[0]?.sequenceNumber;
  const last = batch[batch.length - 1]?.sequenceNumber;
  process.stdout.write(`${shardId}: wrote ${batch.length} records ${first}..${last}\n`);
}

export default function batchCheckpoint(context: ProcessorContext): RecordProcessor {
  let batch: KinesisRecord[] = [];

  const flush = async (checkpointer: Checkpointer) => {
    if (batch.length === 0) return;
    const last = batch[batch.length - 1] as KinesisRecord;
    await writeBatch(context.shardId, batch);
    batch = [];
    // Checkpoint exactly the last record written, not whatever was delivered last.
    await checkpointer.checkpoint(last);
  };

  return {
    async processRecords({ records, checkpointer }) {
      for (const record of records) {
        batch.push(record);
        if (batch.length >= BATCH_SIZE) await flush(checkpointer);
      }
    },
    // Graceful shutdown or handoff: write what we have and checkpoint, so the next owner starts after it.
    async shutdownRequested({ checkpointer }) {
      await flush(checkpointer);
    },
    // The shard is finished: flush; kcl-ts then records SHARD_END so the children can start.
    async shardEnded({ checkpointer }) {
      await flush(checkpointer);
    },
    // Too late to checkpoint: another worker owns the shard. Drop the batch; it will be redelivered there.
    leaseLost() {
      batch = [];
    },
  };
}
