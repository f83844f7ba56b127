// Example plugin: prints every record it receives, one line each, as text (default) or JSON.
//
// Run it:
//   kcl-ts consume --local --stream demo --app printer --plugin plugins/print-records.ts --initial-position TRIM_HORIZON
//   PRINT_FORMAT=json kcl-ts consume --stream orders --app printer --plugin plugins/print-records.ts --output json
//
// Text lines look like `shardId-000000000001 4959…0042 key=user-7 {"n":42}`; JSON lines are objects with
// shardId, sequenceNumber, subSequenceNumber, partitionKey, data and arrival (no "type" field, so they
// are easy to tell apart from `--output json` event lines). The engine checkpoints (--checkpoint auto).
import { Buffer } from "node:buffer";
import type { KinesisRecord, ProcessorContext, RecordProcessor } from "kcl-ts";

const json = process.env.PRINT_FORMAT === "json";
const decoder = new TextDecoder("utf-8", { fatal: true });

/** UTF-8 text when the bytes are text, base64 otherwise. */
function show(data: Uint8Array): string {
  try {
    return decoder.decode(data);
  } catch {
    return `base64:${Buffer.from(data).toString("base64")}`;
  }
}

function line(shardId: string, r: KinesisRecord): string {
  if (json) {
    return JSON.stringify({
      shardId,
      sequenceNumber: r.sequenceNumber,
      subSequenceNumber: r.subSequenceNumber,
      partitionKey: r.partitionKey,
      data: show(r.data),
      arrival: r.approximateArrivalTimestamp.toISOString(),
    });
  }
  const sub = r.aggregated ? `/${r.subSequenceNumber}` : "";
  return `${shardId} ${r.sequenceNumber}${sub} key=${r.partitionKey} ${show(r.data)}`;
}

// A factory: kcl-ts calls it once per shard lease this worker acquires.
export default function printRecords(context: ProcessorContext): RecordProcessor {
  return {
    initialize({ checkpoint }) {
      if (!json) console.log(`# ${context.shardId}: starting after ${checkpoint.sequenceNumber}`);
    },
    processRecords({ records, shardId }) {
      // One write per batch: console.log per record is slow on a busy shard.
      if (records.length > 0) process.stdout.write(`${records.map((r) => line(shardId, r)).join("\n")}\n`);
    },
    leaseLost({ shardId }) {
      if (!json) console.log(`# ${shardId}: lease lost (another worker has it now)`);
    },
    shardEnded({ shardId }) {
      if (!json) console.log(`# ${shardId}: shard ended (split or merged); its children continue`);
    },
  };
}
