// The engine's typed event stream (spec §7): the dashboard, --output lines|json, metrics and
// tests all consume these. Every event carries `type`, the emitting `workerId` and wall time `at`.

/** How a lease came to this worker. */
export type AcquireHow = "unowned" | "expired" | "released" | "stolen";
/** Why a lease left this worker. */
export type LostReason =
  | "renew-failed"
  | "expired-locally"
  | "stolen"
  | "missing"
  | "checkpoint-fenced"
  /** A graceful handoff was not finished in time: the lease is transferred and the processor told it lost. */
  | "handoff-timeout";

interface Base {
  workerId: string;
  /** Wall-clock ms (display only). */
  at: number;
}

export type KclEventBody =
  | {
      type: "worker-started";
      app: string;
      /** The first (or only) stream. */
      stream: string;
      /** Multi-stream mode only: every stream consumed. */
      streams?: string[];
      table: string;
      region?: string;
      endpoint?: string;
    }
  | { type: "worker-stopping"; reason: string }
  | { type: "worker-stopped"; clean: boolean }
  /** An operator drain request was seen: no more takes; every held lease is being handed over. */
  | { type: "worker-draining"; leases: number }
  /** Drain done: the worker holds no leases and keeps running idle until restarted. */
  | { type: "worker-drained"; released: number }
  | {
      type: "lease-acquired";
      leaseKey: string;
      leaseCounter: number;
      how: AcquireHow;
      previousOwner?: string;
    }
  | { type: "lease-renewed"; leaseKey: string; leaseCounter: number }
  | { type: "lease-lost"; leaseKey: string; reason: LostReason; newOwner?: string; leaseCounter?: number }
  /** Emitted by the thief: `from` is the victim. (The victim later emits lease-lost reason "stolen".) */
  | { type: "lease-stolen"; leaseKey: string; from: string; leaseCounter: number }
  | { type: "lease-released"; leaseKey: string; leaseCounter: number }
  /** Taker side of a planned move (KCL 3.x graceful handoff): asked `from` to hand the lease over. */
  | { type: "lease-handoff-initiated"; leaseKey: string; from: string; leaseCounter: number }
  /** Old owner: told to hand the lease to `to`; its processor is shut down and checkpoints first. */
  | { type: "lease-handoff-requested"; leaseKey: string; to: string; leaseCounter: number }
  /** Old owner: the lease was transferred to `to` after the final checkpoint (no longer ours). */
  | { type: "lease-handed-off"; leaseKey: string; to: string; leaseCounter: number }
  | {
      type: "lease-expired-observed";
      leaseKey: string;
      owner: string;
      leaseCounter: number;
      unchangedForMs: number;
    }
  /**
   * Assigner mode: this worker became (`assigner` true) or stopped being the fleet's assigner (the 3.x
   * leader). `replaced`: the silent leader whose lock it claimed.
   */
  | { type: "assigner-role"; assigner: boolean; replaced?: string }
  /** Each taker scan of the lease table: the fleet view for dashboards. */
  | { type: "lease-table-scanned"; leases: LeaseView[]; liveWorkers: string[] }
  | { type: "capacity-warning"; message: string; leases: number; capacity: number }
  | { type: "shard-sync"; shards: number; leasesCreated: string[]; durationMs: number }
  | { type: "shard-state"; shardId: string; state: ShardStateName; detail?: string }
  | { type: "shard-ended"; shardId: string; childShardIds: string[] }
  | { type: "child-leases-created"; parentShardId: string; childShardIds: string[] }
  | { type: "parent-lease-deleted"; leaseKey: string }
  | {
      type: "checkpoint-written";
      shardId: string;
      sequenceNumber: string;
      subSequenceNumber: number;
      by: "auto" | "manual" | "shutdown" | "shard-end";
    }
  | {
      type: "processor-error";
      shardId: string;
      error: string;
      attempt: number;
      action: "retry" | "skip" | "exit";
      retryInMs?: number;
      /** First and last sequence numbers of the batch that failed (what `skip` skipped). */
      firstSequenceNumber?: string;
      lastSequenceNumber?: string;
      records: number;
    }
  /** A checkpoint write that did not land: the lease was gone, or the write failed (it may be retried). */
  | { type: "checkpoint-failed"; shardId: string; reason: "lease-lost" | "error"; error: string }
  | { type: "throttled"; operation: string; shardId?: string; leaseKey?: string; retryInMs: number }
  /** A lease write (renew, checkpoint, release) failed with a fault other than throttling; it is retried. */
  | { type: "lease-write-failed"; leaseKey: string; operation: string; error: string }
  /** Each successful GetRecords call (metrics: its latency); high-frequency, like records-processed. */
  | {
      type: "records-fetched";
      shardId: string;
      records: number;
      durationMs: number;
      millisBehindLatest?: number;
    }
  | { type: "iterator-expired"; shardId: string }
  | {
      type: "records-processed";
      shardId: string;
      count: number;
      bytes: number;
      millisBehindLatest?: number;
      lastSequenceNumber?: string;
      durationMs: number;
    }
  | { type: "warning"; message: string; shardId?: string; leaseKey?: string }
  /**
   * A processor callback ran longer than --processor-warn-ms (once per call). `stillRunning`: reported by
   * the timer while it runs; false: reported when it returned (it blocked the event loop meanwhile).
   */
  | {
      type: "processor-slow";
      shardId: string;
      callback: ProcessorCallback;
      durationMs: number;
      stillRunning: boolean;
      warnMs: number;
    };

/** The RecordProcessor callbacks, as named in events. */
export type ProcessorCallback =
  | "initialize"
  | "processRecords"
  | "leaseLost"
  | "shardEnded"
  | "shutdownRequested";

export type KclEvent = KclEventBody & Base;
export type KclEventType = KclEvent["type"];
export type EventOf<T extends KclEventType> = Extract<KclEvent, { type: T }>;

/** Per-shard lifecycle states as the dashboard shows them. */
export type ShardStateName =
  | "waiting-on-parents"
  | "initializing"
  | "processing"
  | "retrying"
  | "shard-end"
  | "lease-lost"
  | "shutting-down"
  | "shut-down";

/** A lease as seen in a table scan (plain data: safe to render or serialise). */
export interface LeaseView {
  leaseKey: string;
  leaseOwner?: string;
  leaseCounter: number;
  checkpoint: string;
  checkpointSubSequenceNumber: number;
  parentShardIds: string[];
  childShardIds: string[];
  ownerSwitchesSinceCheckpoint: number;
  checkpointOwner?: string;
  /** Optional extras for the dashboard's lease details (filled when the scanner has them). */
  pendingCheckpoint?: string;
  pendingCheckpointSubSequenceNumber?: number;
  startingHashKey?: string;
  endingHashKey?: string;
  throughputKBps?: number;
}

export type Listener<E> = (event: E) => void;

/** Synchronous typed emitter. A throwing listener is isolated so it cannot break the engine. */
export class EventBus {
  private readonly listeners = new Set<Listener<KclEvent>>();
  private readonly typed = new Map<KclEventType, Set<Listener<never>>>();

  constructor(
    private readonly workerId: string,
    private readonly now: () => number,
  ) {}

  emit(body: KclEventBody): void {
    const event = { ...body, workerId: this.workerId, at: this.now() } as KclEvent;
    for (const l of this.listeners) safeCall(l, event);
    const set = this.typed.get(event.type);
    if (set) for (const l of set) safeCall(l as Listener<KclEvent>, event);
  }

  /** Every event. Returns an unsubscribe function. */
  onAny(listener: Listener<KclEvent>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Events of one type. Returns an unsubscribe function. */
  on<T extends KclEventType>(type: T, listener: Listener<EventOf<T>>): () => void {
    let set = this.typed.get(type);
    if (!set) {
      set = new Set();
      this.typed.set(type, set);
    }
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }
}

function safeCall(listener: Listener<KclEvent>, event: KclEvent): void {
  try {
    listener(event);
  } catch {
    // A broken listener (e.g. a dashboard bug) must never stop lease renewal or processing.
  }
}
