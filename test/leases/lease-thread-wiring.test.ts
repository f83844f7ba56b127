// The lease thread's entry (src/leases/thread/entry.ts) tells its held-lease tracker what the main thread
// already got another way — the lease sent with `acquired`, a renewal batch's counters, a write's reply —
// so heartbeats carry only what the main thread lacks. Checked on a real thread, emulators, real SDK: a
// model of the main thread's knowledge, built from every message, is never told something it knew.
import { expect, test } from "bun:test";
import { createWorker } from "../../src/coordinator/worker.ts";
import type { Lease } from "../../src/leases/lease.ts";
import type { LeaseChanges } from "../../src/leases/thread/lease-changes.ts";
import type { FromThread } from "../../src/leases/thread/protocol.ts";
import type { LeaseThreadHandle } from "../../src/leases/thread/threaded-coordinator.ts";
import { createStream, putRecords, TEST_CREDENTIALS, uniqueName, waitFor } from "../support/aws.ts";
import { awsForSuite } from "../support/aws-for-suite.ts";

const aws = awsForSuite();

/** What the main thread knows of each held lease, from the thread's messages alone. */
class Knowledge {
  readonly held = new Map<string, Lease>();
  /** Each piece of a heartbeat the main thread already had: the wiring was skipped. */
  readonly resent: string[] = [];
  counts = { acquired: 0, renewed: 0, replies: 0, heartbeats: 0 };

  on(m: FromThread): void {
    if (m.type === "acquired") {
      this.counts.acquired += 1;
      this.held.set(m.lease.leaseKey, structuredClone(m.lease));
    } else if (m.type === "lost") this.held.delete(m.leaseKey);
    else if (m.type === "renewed") {
      this.counts.renewed += 1;
      m.keys.forEach((key, i) => {
        const lease = this.held.get(key);
        if (lease && m.counters[i]! > lease.leaseCounter) lease.leaseCounter = m.counters[i]!;
      });
    } else if (m.type === "reply" && m.ok) {
      // A write's answer (checkpoint, offerCheckpoint, recordResolvedStart): the main thread keeps it.
      const outcome = m.value as { ok?: boolean; value?: Lease } | undefined;
      const lease = outcome?.ok ? outcome.value : undefined;
      if (lease?.leaseKey && this.held.has(lease.leaseKey)) {
        this.counts.replies += 1;
        this.held.set(lease.leaseKey, structuredClone(lease));
      }
    } else if (m.type === "heartbeat") {
      this.counts.heartbeats += 1;
      if (m.held) this.heartbeat(m.held);
    }
  }

  private heartbeat(changes: LeaseChanges): void {
    for (const lease of changes.changed ?? []) {
      if (this.held.has(lease.leaseKey)) this.resent.push(`${lease.leaseKey} whole`);
      this.held.set(lease.leaseKey, structuredClone(lease));
    }
    for (const patch of changes.patched ?? []) {
      const lease = this.held.get(patch.leaseKey) as unknown as Record<string, unknown> | undefined;
      if (!lease) continue;
      for (const [field, value] of Object.entries(patch)) {
        if (field === "leaseKey") continue;
        if (Bun.deepEquals(lease[field], value)) this.resent.push(`${patch.leaseKey} ${field}`);
        if (value === undefined) delete lease[field];
        else lease[field] = value;
      }
    }
    (changes.counterKeys ?? []).forEach((key, i) => {
      const lease = this.held.get(key);
      if (!lease) return;
      if (lease.leaseCounter === changes.counters![i]) this.resent.push(`${key} counter`);
      lease.leaseCounter = changes.counters![i]!;
    });
    for (const key of changes.gone ?? []) this.held.delete(key);
  }
}

test("heartbeats never re-send what acquired, a renewal batch or a write's reply already gave the main thread", async () => {
  const stream = uniqueName("thread-wiring");
  await createStream(aws.kinesis, stream, 2);
  const knowledge = new Knowledge();
  let thread: LeaseThreadHandle | undefined;
  let checkpoints = 0;
  const worker = createWorker(
    {
      app: uniqueName("thread-wiring-app"),
      stream,
      region: aws.region,
      credentials: TEST_CREDENTIALS,
      kinesisEndpoint: aws.kinesisEndpoint,
      dynamodbEndpoint: aws.dynamodbEndpoint,
      initialPosition: "TRIM_HORIZON",
      // Renewals every 600 ms, heartbeats every 300 ms: many of each in a few seconds.
      failoverMs: 3000,
      renewIntervalMs: 600,
      idleTimeMs: 50,
      shutdownTimeoutMs: 3000,
      processor: {
        async processRecords({ records, checkpointer }) {
          if (records.length === 0) return;
          await checkpointer.checkpoint();
          checkpoints += 1;
        },
      },
    },
    {
      onLeaseThread: (t) => {
        thread = t;
        // Early messages are replayed to each subscriber, in order: the model sees every one.
        t.onMessage((m) => knowledge.on(m));
      },
    },
  );
  await worker.start();
  try {
    if (!thread) throw new Error("the worker did not start a lease thread");
    let n = 0;
    // Checkpoints on both shards, spread over several heartbeats and renewal rounds.
    for (let round = 0; round < 6; round++) {
      await putRecords(
        aws.kinesis,
        stream,
        Array.from({ length: 10 }, () => ({ partitionKey: `k${n}`, data: `r${n++}` })),
      );
      await new Promise((r) => setTimeout(r, 400));
    }
    await waitFor(
      "acquired leases, renewal batches, checkpoint replies and heartbeats",
      () =>
        knowledge.counts.acquired >= 2 &&
        knowledge.counts.renewed >= 4 &&
        knowledge.counts.replies >= 4 &&
        checkpoints >= 4 &&
        knowledge.counts.heartbeats >= 10,
      30_000,
    );
    expect(knowledge.resent).toEqual([]);
  } finally {
    await worker.stop();
  }
}, 60_000);
