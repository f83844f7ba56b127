// Produces KPL-format aggregated records with awslabs' aws-kinesis-agg (typed locally: its bundled
// typings reference aws-sdk v2 and do not declare RecordAggregator).
import { createRequire } from "node:module";

export interface UserRecord {
  partitionKey: string;
  data: Uint8Array;
  explicitHashKey?: string;
}

interface EncodedRecord {
  partitionKey: string;
  data: Buffer;
  ExplicitHashKey?: string;
}

interface RecordAggregator {
  addUserRecord(record: { partitionKey: string; data: Buffer; explicitHashKey?: string }): void;
  build(): EncodedRecord | undefined;
}

const require = createRequire(import.meta.url);
const agg = require("aws-kinesis-agg") as { RecordAggregator: new () => RecordAggregator };

/** One aggregated Kinesis record carrying `records` (throws if they exceed the 1 MB aggregate limit). */
export function aggregate(records: UserRecord[]): {
  partitionKey: string;
  data: Uint8Array;
  explicitHashKey?: string;
} {
  const aggregator = new agg.RecordAggregator();
  for (const r of records) {
    const rec: { partitionKey: string; data: Buffer; explicitHashKey?: string } = {
      partitionKey: r.partitionKey,
      data: Buffer.from(r.data),
    };
    if (r.explicitHashKey !== undefined) rec.explicitHashKey = r.explicitHashKey;
    aggregator.addUserRecord(rec);
  }
  const encoded = aggregator.build();
  if (!encoded) throw new Error("aggregator produced nothing");
  const out: { partitionKey: string; data: Uint8Array; explicitHashKey?: string } = {
    partitionKey: encoded.partitionKey,
    data: new Uint8Array(encoded.data),
  };
  if (encoded.ExplicitHashKey !== undefined) out.explicitHashKey = encoded.ExplicitHashKey;
  return out;
}
