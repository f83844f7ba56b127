// KPL sub-records whose hash falls outside the shard's range (a producer that aggregated across
// shards): reported once per batch, then delivered (default) or dropped — the same for both sources.
import { subRecordsOutsideRange } from "../kinesis/kpl.ts";
import type { Batch, ShardReaderOptions } from "./types.ts";

export function applyHashRange(
  records: Batch["records"],
  o: Pick<ShardReaderOptions, "hashKeyRange" | "kplOutOfRange" | "events" | "shardId">,
): Batch["records"] {
  if (!o.hashKeyRange) return records;
  const outside = subRecordsOutsideRange(records, o.hashKeyRange);
  if (outside.length === 0) return records;
  const drop = o.kplOutOfRange === "drop";
  o.events.emit({
    type: "warning",
    shardId: o.shardId,
    message:
      `${outside.length} KPL sub-record(s) in shard ${o.shardId} hash outside its range ` +
      `(first: ${outside[0]!.sequenceNumber}/${outside[0]!.subSequenceNumber}); ` +
      (drop ? "dropped (kplOutOfRange=drop)." : "delivered anyway (the producer aggregated across shards)."),
  });
  return drop ? records.filter((r) => !outside.includes(r)) : records;
}
