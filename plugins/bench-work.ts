// Benchmark processor with real per-record work: every record's JSON body is parsed and aggregated
// (order count and amount per user, an FNV-1a hash over the user field), then the batch is recorded
// exactly as plugins/bench-recorder.ts does. The raw GetRecords loop (bench/raw-loop.ts --work json)
// does the same work per record with the same code, so the two compare like with like.
import type { ProcessorContext, RecordProcessor } from "kcl-ts/plugin";
import createBenchRecorder from "./bench-recorder.ts";

/** The record id's ten digits come first (bench/records.ts); the JSON document follows. */
const BODY_OFFSET = 10;
const utf8 = new TextDecoder();

interface UserTotal {
  orders: number;
  amount: number;
}

/** Per-record work shared by this plugin and the raw loop: parse, hash a field, aggregate. */
export class OrderTotals {
  readonly byUser = new Map<string, UserTotal>();
  /** FNV-1a over every user field seen, so the hashing cannot be skipped as unused. */
  checksum = 0x811c9dc5;
  /** Records whose body is not the expected JSON (counted, not fatal). */
  unreadable = 0;

  add(data: Uint8Array): void {
    let doc: { user?: unknown; amount?: unknown };
    try {
      doc = JSON.parse(utf8.decode(data.subarray(BODY_OFFSET)));
    } catch {
      this.unreadable++;
      return;
    }
    if (typeof doc.user !== "string" || typeof doc.amount !== "number") {
      this.unreadable++;
      return;
    }
    let hash = this.checksum;
    for (let i = 0; i < doc.user.length; i++) {
      hash ^= doc.user.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    this.checksum = hash;
    let total = this.byUser.get(doc.user);
    if (!total) {
      total = { orders: 0, amount: 0 };
      this.byUser.set(doc.user, total);
    }
    total.orders++;
    total.amount += doc.amount;
  }
}

const totals = new OrderTotals();

export default function createBenchWork(context: ProcessorContext): RecordProcessor {
  const recorder = createBenchRecorder(context);
  return {
    ...recorder,
    processRecords(input) {
      for (const record of input.records) totals.add(record.data);
      return recorder.processRecords(input);
    },
  };
}
