// Status snapshots for the dashboard tests, folded by the real StatusFold from scripted engine events.
import type { LeaseView } from "../../src/core/events.ts";
import { foldStatus, type WorkerStatus } from "../../src/status/index.ts";
import { EventScript, FOLD_OPTIONS, leaseView, ME, shard } from "../status/events.ts";

export { ME, shard };

const SEQ = (n: number) => `4959033827149025660855969253836157109592157598913${String(n).padStart(7, "0")}`;

function startedScript(): EventScript {
  return new EventScript().emit({
    type: "worker-started",
    app: "demo-dash",
    stream: "demo",
    table: "demo-dash",
    region: "us-east-1",
    endpoint: "http://127.0.0.1:4567",
  });
}

function table(rows: LeaseView[], liveWorkers: string[]) {
  return { type: "lease-table-scanned" as const, leases: rows, liveWorkers };
}

/** Just started: nothing scanned, nothing held. */
export function noLeases(): WorkerStatus {
  const s = startedScript().step(1500);
  return foldStatus(s.events, FOLD_OPTIONS, s.t);
}

/** Four held leases processing for 10 s with different lag; shard 3's heartbeat is getting old. */
export function fourOwnedWithLag(): WorkerStatus {
  const s = startedScript().step(500);
  s.emit(
    table(
      [0, 1, 2, 3].map((n) => leaseView(n)),
      [ME],
    ),
  );
  s.step(100);
  for (const n of [0, 1, 2, 3]) {
    s.emit({ type: "lease-acquired", leaseKey: shard(n), leaseCounter: 2, how: "unowned" });
    s.emit({ type: "shard-state", shardId: shard(n), state: "initializing" });
    s.emit({ type: "shard-state", shardId: shard(n), state: "processing" });
  }
  for (let second = 1; second <= 10; second++) {
    s.step(1000);
    for (const n of [0, 1, 2, 3]) {
      const lag = n === 0 ? 0 : Math.max(0, n * 20_000 - second * 1500 * n);
      s.emit({
        type: "records-processed",
        shardId: shard(n),
        count: 250 * (n + 1),
        bytes: 250 * (n + 1) * 200,
        millisBehindLatest: lag,
        lastSequenceNumber: SEQ(second * 10 + n),
        durationMs: 3,
      });
    }
    if (second % 3 === 0) {
      for (const n of [0, 1, 2])
        s.emit({ type: "lease-renewed", leaseKey: shard(n), leaseCounter: 2 + second });
    }
    if (second % 5 === 0) {
      for (const n of [0, 1, 2, 3]) {
        s.emit({
          type: "checkpoint-written",
          shardId: shard(n),
          sequenceNumber: SEQ(second * 10 + n),
          subSequenceNumber: 0,
          by: "auto",
        });
      }
    }
  }
  s.emit(
    table(
      [0, 1, 2, 3].map((n) => leaseView(n, { leaseOwner: ME, leaseCounter: 12, checkpoint: SEQ(50 + n) })),
      [ME],
    ),
  );
  s.step(400);
  return foldStatus(s.events, FOLD_OPTIONS, s.t);
}

/** A second worker stole shard 3 from us; we stole shard 5 from a third worker. */
export function lostAndStolen(): WorkerStatus {
  const s = startedScript().step(200);
  for (const n of [0, 1, 2, 3])
    s.emit({ type: "lease-acquired", leaseKey: shard(n), leaseCounter: 1, how: "unowned" });
  for (const n of [0, 1, 2, 3]) s.emit({ type: "shard-state", shardId: shard(n), state: "processing" });
  s.step(4000).emit({ type: "lease-lost", leaseKey: shard(3), reason: "stolen", newOwner: "worker-b" });
  s.emit({ type: "shard-state", shardId: shard(3), state: "lease-lost" });
  s.step(2000).emit({
    type: "lease-expired-observed",
    leaseKey: shard(5),
    owner: "worker-c",
    leaseCounter: 7,
    unchangedForMs: 10_300,
  });
  s.emit({
    type: "lease-acquired",
    leaseKey: shard(5),
    leaseCounter: 8,
    how: "stolen",
    previousOwner: "worker-c",
  });
  s.emit({ type: "lease-stolen", leaseKey: shard(5), from: "worker-c", leaseCounter: 8 });
  s.emit({ type: "shard-state", shardId: shard(5), state: "processing" });
  s.emit(
    table(
      [
        leaseView(0, { leaseOwner: ME, leaseCounter: 4 }),
        leaseView(1, { leaseOwner: ME, leaseCounter: 4 }),
        leaseView(2, { leaseOwner: ME, leaseCounter: 4 }),
        leaseView(3, { leaseOwner: "worker-b", leaseCounter: 6, ownerSwitchesSinceCheckpoint: 1 }),
        leaseView(4, { leaseOwner: "worker-b", leaseCounter: 3 }),
        leaseView(5, { leaseOwner: ME, leaseCounter: 8, ownerSwitchesSinceCheckpoint: 2 }),
      ],
      [ME, "worker-b"],
    ),
  );
  s.step(500);
  return foldStatus(s.events, FOLD_OPTIONS, s.t);
}

/** Shard 1 split into 6 and 7; we hold child 6, which waits for its parent (still owned by worker-b). */
export function blockedChild(): WorkerStatus {
  const s = startedScript().step(300);
  s.emit({ type: "lease-acquired", leaseKey: shard(0), leaseCounter: 1, how: "unowned" });
  s.emit({ type: "shard-state", shardId: shard(0), state: "processing" });
  s.step(1000).emit({
    type: "child-leases-created",
    parentShardId: shard(1),
    childShardIds: [shard(6), shard(7)],
  });
  s.emit({ type: "lease-acquired", leaseKey: shard(6), leaseCounter: 1, how: "unowned" });
  s.emit({
    type: "shard-state",
    shardId: shard(6),
    state: "waiting-on-parents",
    detail: `parent ${shard(1)} not at SHARD_END`,
  });
  s.emit(
    table(
      [
        leaseView(0, { leaseOwner: ME }),
        leaseView(1, { leaseOwner: "worker-b", childShardIds: [shard(6), shard(7)], checkpoint: SEQ(99) }),
        leaseView(6, { leaseOwner: ME, parentShardIds: [shard(1)] }),
        leaseView(7, { parentShardIds: [shard(1)] }),
      ],
      [ME, "worker-b"],
    ),
  );
  s.step(800);
  return foldStatus(s.events, FOLD_OPTIONS, s.t);
}

/** The processor keeps failing on shard 2 (retry policy): state retrying, three errors. */
export function processorError(): WorkerStatus {
  const s = startedScript().step(300);
  for (const n of [0, 1, 2, 3]) {
    s.emit({ type: "lease-acquired", leaseKey: shard(n), leaseCounter: 1, how: "unowned" });
    s.emit({ type: "shard-state", shardId: shard(n), state: "processing" });
  }
  for (const attempt of [1, 2, 3]) {
    s.step(1000 * 2 ** (attempt - 1));
    s.emit({
      type: "processor-error",
      shardId: shard(2),
      error: "TypeError: Cannot read properties of undefined (reading 'orderId')",
      attempt,
      action: "retry",
      retryInMs: 1000 * 2 ** attempt,
      firstSequenceNumber: SEQ(1),
      lastSequenceNumber: SEQ(40),
      records: 40,
    });
    s.emit({
      type: "shard-state",
      shardId: shard(2),
      state: "retrying",
      detail: `attempt ${attempt + 1} in ${2 ** attempt}s`,
    });
  }
  s.step(700);
  return foldStatus(s.events, FOLD_OPTIONS, s.t);
}
