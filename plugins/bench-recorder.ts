// Benchmark processor: records every delivery cheaply (record ids parsed from the data, one binary
// frame per batch, one write per batch) so the bench harness can check missing/duplicates and timings.
//
// Each record's data starts with its id as 10 ASCII digits (bench/records.ts writes them). A frame
// is Uint32 words: [kind, shard number, count, time high, time low, ...ids]; kinds are FRAME_KINDS.
// Frames go to $BENCH_OUT/<pid>.bin (default ./.bench-out/deliveries). Writing synchronously before
// processRecords returns matters: the engine checkpoints only after it returns, so anything
// checkpointed is on disk even if the process is SIGKILLed a moment later.
import { mkdirSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { KinesisRecord, ProcessorContext, RecordProcessor } from "kcl-ts/plugin";

export const FRAME_KINDS = { batch: 1, initialize: 2, leaseLost: 3, shutdownRequested: 4, shardEnded: 5 };
export type FrameKind = keyof typeof FRAME_KINDS;
export const HEADER_WORDS = 5;
const ID_DIGITS = 10;

/** "shardId-000000000007" → 7 (the harness only ever names shards this way). */
export function shardNumber(shardId: string): number {
  const match = /(\d+)$/.exec(shardId);
  return match ? Number(match[1]) : 0xffffffff;
}

/** The record id in the first ten bytes of the data (0xffffffff when absent: counted as foreign). */
export function recordId(data: Uint8Array): number {
  if (data.length < ID_DIGITS) return 0xffffffff;
  let id = 0;
  for (let i = 0; i < ID_DIGITS; i++) {
    const digit = data[i]! - 48;
    if (digit < 0 || digit > 9) return 0xffffffff;
    id = id * 10 + digit;
  }
  return id;
}

/** Append-only frame writer shared by the plugin and the raw GetRecords loop (bench/raw-loop.ts). */
export class DeliveryLog {
  private readonly fd: number;

  constructor(readonly file: string) {
    this.fd = openSync(file, "a");
  }

  static forProcess(dir = process.env.BENCH_OUT || join(process.cwd(), ".bench-out", "deliveries")) {
    mkdirSync(dir, { recursive: true });
    return new DeliveryLog(join(dir, `${process.pid}.bin`));
  }

  /** One frame for a batch; `data` picks the bytes (KinesisRecord.data here, the SDK's Data in the raw loop). */
  batch<R>(shardId: string, records: readonly R[], data: (record: R) => Uint8Array): void {
    const words = new Uint32Array(HEADER_WORDS + records.length);
    this.header(words, "batch", shardId, records.length);
    for (let i = 0; i < records.length; i++) words[HEADER_WORDS + i] = recordId(data(records[i]!));
    writeSync(this.fd, words);
  }

  event(kind: Exclude<FrameKind, "batch">, shardId: string): void {
    const words = new Uint32Array(HEADER_WORDS);
    this.header(words, kind, shardId, 0);
    writeSync(this.fd, words);
  }

  private header(words: Uint32Array, kind: FrameKind, shardId: string, count: number): void {
    const now = Date.now();
    words[0] = FRAME_KINDS[kind];
    words[1] = shardNumber(shardId);
    words[2] = count;
    words[3] = Math.floor(now / 0x1_0000_0000);
    words[4] = now >>> 0;
  }
}

let log: DeliveryLog | undefined;
const dataOf = (record: KinesisRecord) => record.data;

export default function createBenchRecorder(context: ProcessorContext): RecordProcessor {
  log ??= DeliveryLog.forProcess();
  const out = log;
  const { shardId } = context;
  return {
    initialize() {
      out.event("initialize", shardId);
    },
    processRecords({ records }) {
      if (records.length > 0) out.batch(shardId, records, dataOf);
    },
    leaseLost() {
      out.event("leaseLost", shardId);
    },
    shardEnded() {
      out.event("shardEnded", shardId);
    },
    shutdownRequested() {
      out.event("shutdownRequested", shardId);
    },
  };
}
