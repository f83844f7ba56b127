// Retrieval: per-shard record sources (polling GetRecords today; enhanced fan-out later).
export { LATEST_RESTART_SKEW_MS, LATEST_RESTART_TIMEOUT_MS } from "./fetcher.ts";
export { createShardReader } from "./shard-reader.ts";
export type { Batch, ShardReader, ShardReaderOptions } from "./types.ts";
