// The main thread's lease-table calls through the lease thread (remote-store.ts): errors come back as
// the same typed KclErrors (class, code, retriable, and the cause chain start-up retries classify), and
// a thread that is gone answers every call at once with an error instead of leaving it pending.
import { expect, test } from "bun:test";
import { isTransientStartupFailure } from "../../src/coordinator/startup-retry.ts";
import { DependencyError, InvariantViolationError, ThrottledError } from "../../src/core/errors.ts";
import {
  deserializeError,
  serializeError,
  type FromThread,
  type ToThread,
} from "../../src/leases/thread/protocol.ts";
import { remoteStores } from "../../src/leases/thread/remote-store.ts";
import type { LeaseThreadHandle } from "../../src/leases/thread/threaded-coordinator.ts";

/** Through the structured clone a worker thread applies. */
const roundTrip = (error: unknown) => deserializeError(structuredClone(serializeError(error)));

test("a refused connection stays non-transient, a 5xx stays transient, throttling stays throttling", () => {
  const refused = new DependencyError(
    "cannot reach DynamoDB",
    "unreachable",
    { table: "t" },
    {
      cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }),
    },
  );
  const fiveHundred = new DependencyError("DynamoDB answered 503", "unreachable", { table: "t" });
  const missing = new DependencyError('lease table "t" does not exist', "missing", { table: "t" });
  const throttled = new ThrottledError("slow down", { table: "t" });
  for (const original of [refused, fiveHundred, missing, throttled]) {
    const copy = roundTrip(original);
    expect(copy.constructor).toBe(original.constructor);
    expect(copy).toMatchObject({
      name: original.name,
      message: original.message,
      code: original.code,
      retriable: original.retriable,
      context: original.context,
    });
    expect(isTransientStartupFailure(copy)).toBe(isTransientStartupFailure(original));
  }
  expect(isTransientStartupFailure(roundTrip(refused))).toBe(false);
  expect(isTransientStartupFailure(roundTrip(fiveHundred))).toBe(true);
});

/** A lease thread that answers store calls with `answer` until it exits. */
function thread(answer: (m: Extract<ToThread, { type: "store" }>) => FromThread | undefined) {
  const messageCbs: ((m: FromThread) => void)[] = [];
  const exitCbs: ((why: string) => void)[] = [];
  const handle: LeaseThreadHandle = {
    post: (m) => {
      if (m.type !== "store") return;
      const reply = answer(m);
      if (reply)
        queueMicrotask(() => {
          for (const cb of messageCbs) cb(reply);
        });
    },
    onMessage: (cb) => messageCbs.push(cb),
    onExit: (cb) => exitCbs.push(cb),
    terminate: async () => {
      for (const cb of exitCbs) cb("exit code 1");
    },
  };
  return handle;
}

test("answers and errors of the thread's store reach the caller; start-up retries see the same error", async () => {
  const stores = remoteStores(
    thread((m) =>
      m.method === "getLease"
        ? { type: "store-reply", id: m.id, ok: true, value: undefined }
        : {
            type: "store-reply",
            id: m.id,
            ok: false,
            error: serializeError(
              new DependencyError('lease table "t" does not exist', "missing", { table: "t" }),
            ),
          },
    ),
    "w1",
  );
  expect(await stores.store.getLease("shardId-0")).toBeUndefined();
  const error = await stores.store.assertTableExists().catch((e) => e);
  expect(error).toBeInstanceOf(DependencyError);
  expect(error.code).toBe("KCL_DEPENDENCY_MISSING");
});

test("a thread that exits: pending and later calls reject at once with an error naming the lease thread", async () => {
  const handle = thread(() => undefined); // never answers
  const stores = remoteStores(handle, "w1");
  const pending = stores.store.listLeases().catch((e) => e);
  await handle.terminate();
  const first = await pending;
  expect(first).toBeInstanceOf(InvariantViolationError);
  expect(first.message).toContain("lease thread stopped");
  const later = await stores.operator.drainRequested("w1").catch((e) => e);
  expect(later).toBeInstanceOf(InvariantViolationError);
  // Not transient: start-up fails at once instead of retrying a thread that is gone.
  expect(isTransientStartupFailure(later)).toBe(false);
});
