// The user-facing option set (spec §5) and its documented defaults.

export type InitialPosition = "TRIM_HORIZON" | "LATEST" | "AT_TIMESTAMP";
export type CheckpointMode = "auto" | "manual";
export type OnErrorPolicy = "retry" | "skip" | "exit";
/** How records are read (spec §8): GetRecords polling, or enhanced fan-out (SubscribeToShard). */
export type RetrievalMode = "polling" | "efo";

/** What a user may pass to createWorker / `kcl-ts consume`. Everything but app and a stream is optional. */
export interface KclOptions {
  /** Application name: identifies the fleet; also the lease table name unless `table` is set. */
  app: string;
  /** Kinesis data stream name (or give `streams`). */
  stream?: string;
  /**
   * Several streams for one worker and one lease table (multi-stream mode, Java KCL lease keys
   * `account:stream:epoch:shardId`). One stream here is the same as `stream`. Combined with `stream`.
   */
  streams?: readonly string[];
  /** Lease table. Default: the app name. */
  table?: string;
  /** Unique per live process. Default: host name + pid + random suffix (the CLI fills it). */
  workerId?: string;
  /** AWS region. Default: the SDK chain (AWS_REGION, AWS_DEFAULT_REGION, profile). */
  region?: string;
  /** Kinesis endpoint override. Default: AWS_ENDPOINT_URL_KINESIS, then AWS_ENDPOINT_URL. */
  kinesisEndpoint?: string;
  /** DynamoDB endpoint override. Default: AWS_ENDPOINT_URL_DYNAMODB, then AWS_ENDPOINT_URL. */
  dynamodbEndpoint?: string;
  /** Where a shard with no checkpoint starts. Default LATEST. */
  initialPosition?: InitialPosition;
  /** ISO 8601 time, required with AT_TIMESTAMP (a Date is accepted from code). */
  timestamp?: string | Date;
  /** Records per GetRecords call, 1..10000. Default 10000. */
  maxRecords?: number;
  /** Pause between GetRecords calls on a shard that is caught up. Default 1000 ms. */
  idleTimeMs?: number;
  /**
   * Minimum gap between the starts of two GetRecords calls on one shard, even while behind. Default
   * 200 ms: at most 5 calls/s, the per-shard limit that every application on the stream shares.
   */
  pollIntervalMs?: number;
  /** polling (default) or efo: a dedicated 2 MB/s per shard pushed over HTTP/2 (costs per consumer-shard hour). */
  retrieval?: RetrievalMode;
  /** EFO consumer registered on the stream (created if absent). Default: the app name. */
  consumerName?: string;
  /** EFO consumer ARN to use as is (no registration); overrides consumerName. */
  consumerArn?: string;
  /** Lease duration: a lease whose counter has not moved for this long is expired. Default 10000 ms. */
  failoverMs?: number;
  /** How often the renewer heartbeats held leases. Default: failoverMs / 3 rounded down, minus 25 ms (Java's ε). */
  renewIntervalMs?: number;
  /** How often the taker scans the table, expires and balances. Default min(2000, failoverMs / 5). */
  takerIntervalMs?: number;
  /**
   * How leases find workers. "taker" (default): every worker scans the table and takes/steals for
   * itself. "assigner": one elected worker scans and assigns for the fleet (KCL 3.x style: leader row,
   * owner GSI, worker rows); the others read only their own leases.
   */
  leaseAssignment?: LeaseAssignment;
  /** Assigner mode: how often the elected assigner scans and assigns. Default min(2000, failoverMs / 5). */
  assignerIntervalMs?: number;
  /**
   * Assigner mode: how often the assigner scans the whole table. Above assignerIntervalMs, it reads one
   * lease per lease-holding worker right after every second renewal of that worker in between (liveness
   * probes), as long as that costs less than scanning. Default 4 × failoverMs.
   */
  assignerScanMs?: number;
  /** Assigner mode: how often a worker holding no lease Queries the owner index (holders: 30 × this, a backstop). Default failoverMs. */
  ownerQueryMs?: number;
  /** Cap on leases one worker holds. Default unlimited. */
  maxLeasesForWorker?: number;
  /** Leases stolen per balancing round. Default 1. */
  maxLeasesToSteal?: number;
  /** Periodic shard discovery. Default 60000 ms. */
  shardSyncMs?: number;
  /** Default auto: the engine checkpoints after each processed batch (coalesced). */
  checkpoint?: CheckpointMode;
  /** Auto mode writes at most one checkpoint per shard this often. Default 5000 ms. */
  checkpointIntervalMs?: number;
  /** processRecords failure policy. Default retry. */
  onError?: OnErrorPolicy;
  /** Bound on graceful shutdown. Default 30000 ms. */
  shutdownTimeoutMs?: number;
  /** A processor callback running longer than this is reported (processor-slow event). Default 60000 ms. */
  processorWarnMs?: number;
  /**
   * Renew and scan leases on their own thread, so a processor that blocks the event loop keeps its
   * leases. Default true; false renews on the main thread (runtimes without worker threads).
   */
  leaseThread?: boolean;
  /**
   * Renew leases in batches of up to 25 conditional PartiQL UPDATEs per BatchExecuteStatement (taker
   * mode): ⌈leases/25⌉ calls per renewal round instead of one per lease, the same write units. Needs
   * dynamodb:PartiQLUpdate on the table; without it batching switches itself off. Default true.
   */
  renewalBatching?: boolean;
  /**
   * Call processRecords with an empty batch when a poll returns nothing (Java's
   * callProcessRecordsEvenForEmptyRecordList), so a processor can flush on a quiet shard. Default false.
   */
  processEmptyBatches?: boolean;
}

export type LeaseAssignment = "taker" | "assigner";
export const LEASE_ASSIGNMENTS: readonly LeaseAssignment[] = ["taker", "assigner"];

export const DEFAULTS = Object.freeze({
  leaseAssignment: "taker" as LeaseAssignment,
  initialPosition: "LATEST" as InitialPosition,
  maxRecords: 10_000,
  idleTimeMs: 1000,
  pollIntervalMs: 200,
  retrieval: "polling" as RetrievalMode,
  failoverMs: 10_000,
  maxLeasesForWorker: Number.POSITIVE_INFINITY,
  maxLeasesToSteal: 1,
  shardSyncMs: 60_000,
  checkpoint: "auto" as CheckpointMode,
  checkpointIntervalMs: 5000,
  onError: "retry" as OnErrorPolicy,
  shutdownTimeoutMs: 30_000,
  processorWarnMs: 60_000,
  leaseThread: true,
  renewalBatching: true,
  /** Upper bound of the default taker interval: keeps takeover of a dead worker within failover + ~5 s. */
  takerIntervalMaxMs: 2000,
});

/** Validated, defaulted, frozen: what the engine runs on. */
export interface ResolvedConfig {
  readonly app: string;
  /** The first stream (the only one unless multi-stream). */
  readonly stream: string;
  /** Every stream consumed, deduplicated, `stream` first; two or more: multi-stream lease keys. */
  readonly streams: readonly string[];
  readonly table: string;
  readonly workerId?: string;
  readonly region?: string;
  readonly kinesisEndpoint?: string;
  readonly dynamodbEndpoint?: string;
  readonly initialPosition: InitialPosition;
  readonly timestamp?: Date;
  readonly maxRecords: number;
  readonly idleTimeMs: number;
  readonly pollIntervalMs: number;
  readonly retrieval: RetrievalMode;
  /** The app name unless set; used only with retrieval efo. */
  readonly consumerName: string;
  readonly consumerArn?: string;
  readonly failoverMs: number;
  readonly renewIntervalMs: number;
  readonly takerIntervalMs: number;
  readonly leaseAssignment: LeaseAssignment;
  readonly assignerIntervalMs: number;
  readonly assignerScanMs: number;
  readonly ownerQueryMs: number;
  readonly maxLeasesForWorker: number;
  readonly maxLeasesToSteal: number;
  readonly shardSyncMs: number;
  readonly checkpoint: CheckpointMode;
  readonly checkpointIntervalMs: number;
  readonly onError: OnErrorPolicy;
  readonly shutdownTimeoutMs: number;
  readonly processorWarnMs: number;
  readonly leaseThread: boolean;
  readonly renewalBatching: boolean;
  /** Present (true) only when enabled: absent means empty batches are not delivered. */
  readonly processEmptyBatches?: true;
}
