// The main thread's lease table when the lease thread runs: a LeaseStore and the operator reads whose
// calls go to the thread's own store by message (protocol.ts "store"), so the main thread needs no
// DynamoDB client and never loads its SDK. Answers and errors are the ones the thread's DynamoDB store
// gave: typed KclErrors with the same code, retriable and cause, so retries and exit codes do not change.
import { InvariantViolationError } from "../../core/errors.ts";
import type { LeaseOperatorStore } from "../operator-store.ts";
import type { WorkerTableStore } from "../store.ts";
import {
  deserializeError,
  type FromThread,
  type LeaseStoreMethod,
  type OperatorStoreMethod,
  type StoreCall,
} from "./protocol.ts";
import type { LeaseThreadHandle } from "./threaded-coordinator.ts";

export interface RemoteStores {
  store: Required<WorkerTableStore>;
  operator: Pick<LeaseOperatorStore, OperatorStoreMethod>;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export function remoteStores(thread: LeaseThreadHandle, workerId: string): RemoteStores {
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let gone: string | undefined;
  const stopped = (why: string) =>
    new InvariantViolationError(
      `the lease thread stopped (${why}): the lease table cannot be reached from this worker any more`,
      { workerId },
    );
  thread.onMessage((m: FromThread) => {
    if (m.type !== "store-reply") return;
    const call = pending.get(m.id);
    pending.delete(m.id);
    if (!call) return;
    if (m.ok) call.resolve(m.value);
    else call.reject(deserializeError(m.error));
  });
  // A thread that exits (terminated at the end of the run, or crashed) never answers: nothing may hang.
  thread.onExit((why) => {
    gone = why;
    for (const call of pending.values()) call.reject(stopped(why));
    pending.clear();
  });
  const call = (target: StoreCall, args: unknown[]): Promise<unknown> => {
    if (gone !== undefined) return Promise.reject(stopped(gone));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      thread.post({ type: "store", id, args, ...target });
    });
  };
  const lease = <M extends LeaseStoreMethod>(method: M) =>
    ((...args: Parameters<Required<WorkerTableStore>[M]>) =>
      call({ port: "lease", method }, args)) as Required<WorkerTableStore>[M];
  const operator = <M extends OperatorStoreMethod>(method: M) =>
    ((...args: Parameters<LeaseOperatorStore[M]>) =>
      call({ port: "operator", method }, args)) as LeaseOperatorStore[M];
  return {
    store: {
      ensureTable: lease("ensureTable"),
      assertTableExists: lease("assertTableExists"),
      listLeases: lease("listLeases"),
      getLease: lease("getLease"),
      createLeaseIfNotExists: lease("createLeaseIfNotExists"),
      deleteLease: lease("deleteLease"),
      // Assigner mode only (start-up): the thread's DynamoDB store creates the owner index.
      ensureOwnerIndex: lease("ensureOwnerIndex"),
    },
    operator: {
      drainRequested: operator("drainRequested"),
      clearDrain: operator("clearDrain"),
    },
  };
}
