// The lease thread stalls or crashes (injected), on the emulators with the real SDK: record delivery
// stops once the thread has been silent for failover − renew interval, a short stall is survived, and a
// stall past the failover time or a crash fails the worker with a clear error after every lease was
// reported lost — nothing is delivered on a lease that may be gone.
import { describe, expect, test } from "bun:test";
import type { Worker } from "../../src/coordinator/types.ts";
import { createWorker } from "../../src/coordinator/worker.ts";
import { InvariantViolationError } from "../../src/core/errors.ts";
import type { KclEvent } from "../../src/core/events.ts";
import type { LeaseThreadHandle } from "../../src/leases/thread/threaded-coordinator.ts";
import { injectLeaseThreadFault } from "../../src/testing/lease-thread-faults.ts";
import { createStream, putRecords, TEST_CREDENTIALS, uniqueName, waitFor } from "../support/aws.ts";
import { awsForSuite } from "../support/aws-for-suite.ts";

const aws = awsForSuite();

const FAILOVER_MS = 6000;
const RENEW_MS = 1000;
/** failover − renew interval: past this silence no record may be delivered. */
const SILENCE_LIMIT_MS = FAILOVER_MS - RENEW_MS;

interface Running {
  worker: Worker;
  thread: LeaseThreadHandle;
  deliveredAt: number[];
  events: KclEvent[];
  stopFeeding(): Promise<void>;
}

/** One worker on 2 shards with a producer feeding 20 records every 100 ms. */
async function start(): Promise<Running> {
  const stream = uniqueName("thread-faults");
  await createStream(aws.kinesis, stream, 2);
  let thread: LeaseThreadHandle | undefined;
  const deliveredAt: number[] = [];
  const worker = createWorker(
    {
      app: uniqueName("thread-faults-app"),
      stream,
      region: aws.region,
      credentials: TEST_CREDENTIALS,
      kinesisEndpoint: aws.kinesisEndpoint,
      dynamodbEndpoint: aws.dynamodbEndpoint,
      initialPosition: "TRIM_HORIZON",
      failoverMs: FAILOVER_MS,
      renewIntervalMs: RENEW_MS,
      idleTimeMs: 50,
      shutdownTimeoutMs: 3000,
      processor: {
        async processRecords({ records }) {
          for (const _ of records) deliveredAt.push(Date.now());
        },
      },
    },
    {
      onLeaseThread: (t) => {
        thread = t;
      },
    },
  );
  const events: KclEvent[] = [];
  worker.events.onAny((e) => events.push(e));
  await worker.start();
  if (!thread) throw new Error("the worker did not start a lease thread");
  let feeding = true;
  let n = 0;
  const feeder = (async () => {
    while (feeding) {
      await putRecords(
        aws.kinesis,
        stream,
        Array.from({ length: 20 }, () => ({ partitionKey: `k${n}`, data: `r${n++}` })),
      );
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  await waitFor("records flow", () => deliveredAt.length > 50, 30_000);
  return {
    worker,
    thread,
    deliveredAt,
    events,
    async stopFeeding() {
      feeding = false;
      await feeder;
    },
  };
}

const deliveredBetween = (r: Running, from: number, to: number) =>
  r.deliveredAt.filter((t) => t > from && t < to).length;

describe("lease thread faults", () => {
  test("a stall past failover − renew interval pauses delivery; the worker recovers and delivers again", async () => {
    const r = await start();
    try {
      const stallMs = SILENCE_LIMIT_MS + 800; // under the failover time: the watchdog leaves it alive
      const stalledAt = Date.now();
      injectLeaseThreadFault(r.thread, { fault: "stall", ms: stallMs });
      const resumedAt = stalledAt + stallMs;
      await waitFor(
        "delivery resumes after the stall",
        () => r.deliveredAt.some((t) => t > resumedAt + 200),
        30_000,
      );
      // One batch may be in flight when the limit passes: allow 500 ms of slack after it.
      expect(deliveredBetween(r, stalledAt + SILENCE_LIMIT_MS + 500, resumedAt)).toBe(0);
      expect(r.events.some((e) => e.type === "warning" && e.message.includes("record delivery paused"))).toBe(
        true,
      );
    } finally {
      await r.stopFeeding();
      await r.worker.stop();
    }
  }, 60_000);

  test("a stall past the failover time: every lease lost, the worker fails with a clear error", async () => {
    const r = await start();
    try {
      const stalledAt = Date.now();
      injectLeaseThreadFault(r.thread, { fault: "stall", ms: 3 * FAILOVER_MS });
      const error = await r.worker.done.then(
        () => undefined,
        (e) => e,
      );
      const failedAt = Date.now();
      expect(error).toBeInstanceOf(InvariantViolationError);
      expect(String(error)).toContain("lease thread has not answered");
      expect(r.events.filter((e) => e.type === "lease-lost").length).toBeGreaterThanOrEqual(2);
      expect(deliveredBetween(r, stalledAt + SILENCE_LIMIT_MS + 500, failedAt + 5000)).toBe(0);
    } finally {
      await r.stopFeeding();
      await r.worker.stop();
    }
  }, 60_000);

  test("a crashed lease thread: every lease lost at once, the worker fails with a clear error", async () => {
    const r = await start();
    try {
      injectLeaseThreadFault(r.thread, { fault: "crash" });
      const error = await r.worker.done.then(
        () => undefined,
        (e) => e,
      );
      const failedAt = Date.now();
      expect(error).toBeInstanceOf(InvariantViolationError);
      expect(String(error)).toContain("lease thread stopped unexpectedly");
      expect(String(error)).toContain("injected lease thread crash");
      expect(r.events.filter((e) => e.type === "lease-lost").length).toBeGreaterThanOrEqual(2);
      await new Promise((res) => setTimeout(res, 1000));
      expect(deliveredBetween(r, failedAt + 200, Date.now())).toBe(0);
    } finally {
      await r.stopFeeding();
      await r.worker.stop();
    }
  }, 60_000);
});
