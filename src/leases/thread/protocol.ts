// Messages between the main thread and the lease thread (renewer + taker on their own event loop).
// Plain data only: they cross a structured-clone boundary. Errors travel as their name and fields and
// are rebuilt as the same typed KclErrors on the other side.
import type { AwsClientOptions } from "../../aws/clients.ts";
import type { ResolvedConfig } from "../../config/options.ts";
import {
  AbortedError,
  ConfigurationError,
  DependencyError,
  InvalidCheckpointError,
  InvariantViolationError,
  isKclError,
  LeaseLostError,
  ThrottledError,
} from "../../core/errors.ts";
import type { KclEventBody, LostReason } from "../../core/events.ts";
import type { Lease } from "../lease.ts";
import type { WorkerTableStore } from "../store.ts";
import type { LeaseChanges } from "./lease-changes.ts";

/** What the lease thread needs to build its own DynamoDB client, store and coordinator. */
export interface LeaseThreadInit {
  workerId: string;
  config: ResolvedConfig;
  credentials?: AwsClientOptions["credentials"];
  /** How often the thread says it is alive even when nothing else happens. */
  heartbeatMs: number;
  /** Tests only (WorkerDeps.onLeaseThread): act on `inject` messages; a production thread ignores them. */
  faultInjection?: boolean;
}

/** Test-only faults (src/testing/lease-thread-faults.ts): block the thread's event loop, or crash it. */
export type LeaseThreadFault = { fault: "stall"; ms: number } | { fault: "crash" };

/** Coordinator methods the main thread calls remotely (each answered by a `reply`). */
export type RemoteMethod =
  | "checkpoint"
  | "offerCheckpoint"
  | "addChildShardIds"
  | "release"
  | "renewerTick"
  | "takerTick"
  | "pollHandoffs"
  | "recordResolvedStart";

/**
 * Lease-table calls the main thread makes outside the renewer and taker (shard sync, cleanup of
 * finished leases, the start-up table checks, drain requests): with the lease thread on, the main
 * thread has no DynamoDB client (nor its SDK loaded) and asks the thread's store instead.
 */
export type StoreCall =
  | { port: "lease"; method: LeaseStoreMethod }
  | { port: "operator"; method: OperatorStoreMethod };
export type LeaseStoreMethod = keyof WorkerTableStore;
export type OperatorStoreMethod = "drainRequested" | "clearDrain";

export type ToThread =
  | { type: "init"; init: LeaseThreadInit }
  | { type: "run" }
  | { type: "stop-run" }
  | { type: "call"; id: number; method: RemoteMethod; args: unknown[] }
  | { type: "drop"; leaseKey: string }
  | { type: "stop-taking" }
  | ({ type: "store"; id: number; args: unknown[] } & StoreCall)
  /** Test-only fault injection (honoured only when init.faultInjection is set). */
  | ({ type: "inject" } & LeaseThreadFault);

export type FromThread =
  | { type: "ready" }
  /**
   * The thread is alive (every heartbeatMs, changes or not); `held`: how its held leases changed since the
   * last heartbeat, when they did. `assigner`: assigner mode only, whether the thread's coordinator is the
   * fleet's elected assigner.
   */
  | { type: "heartbeat"; held?: LeaseChanges; assigner?: boolean }
  | { type: "event"; body: KclEventBody }
  /** The `lease-renewed` events of the last ≤ 500 ms (outbox.ts), as keys and new counters. */
  | { type: "renewed"; keys: string[]; counters: number[] }
  | { type: "acquired"; lease: Lease }
  | { type: "lost"; leaseKey: string; reason: LostReason }
  /** A planned move of a held lease: shut its processor down, then release() transfers it. */
  | { type: "handoff"; leaseKey: string; nextOwner: string }
  /**
   * A taker (or assigner) round: how its scan differs from the last one sent (`liveWorkers` only when
   * they changed). The main thread updates its copy and emits the round's `lease-table-scanned` from it.
   */
  | { type: "scan"; changes?: LeaseChanges; liveWorkers?: string[] }
  | { type: "reply"; id: number; ok: true; value: unknown }
  | { type: "reply"; id: number; ok: false; error: SerializedError }
  | { type: "store-reply"; id: number; ok: true; value: unknown }
  | { type: "store-reply"; id: number; ok: false; error: SerializedError }
  | { type: "run-ended"; error?: SerializedError };

export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  kind?: "missing" | "unreachable" | "credentials";
  context?: Record<string, unknown>;
  /** The cause chain (a few levels): start-up retries read socket codes such as ECONNREFUSED there. */
  cause?: SerializedError;
}

const CAUSE_DEPTH = 4;

export function serializeError(error: unknown, depth = 0): SerializedError {
  const cause =
    error instanceof Error && error.cause !== undefined && depth < CAUSE_DEPTH
      ? { cause: serializeError(error.cause, depth + 1) }
      : {};
  if (isKclError(error)) {
    const out: SerializedError = { name: error.name, message: error.message, code: error.code, ...cause };
    out.context = { ...error.context };
    if (error instanceof DependencyError) {
      out.kind =
        error.code === "KCL_DEPENDENCY_MISSING"
          ? "missing"
          : error.code === "KCL_CREDENTIALS"
            ? "credentials"
            : "unreachable";
    }
    return out;
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      message: error.message,
      ...(typeof code === "string" ? { code } : {}),
      ...cause,
    };
  }
  return { name: "Error", message: String(error) };
}

/** The same typed error the in-process coordinator or store would have thrown (name, code, retriable, cause). */
export function deserializeError(e: SerializedError): Error {
  const context = (e.context ?? {}) as ConstructorParameters<typeof LeaseLostError>[1];
  const options = e.cause ? { cause: deserializeError(e.cause) } : undefined;
  switch (e.name) {
    case "LeaseLostError":
      return new LeaseLostError(e.message, context, options);
    case "ThrottledError":
      return new ThrottledError(e.message, context, options);
    case "InvalidCheckpointError":
      return new InvalidCheckpointError(e.message, context, options);
    case "AbortedError":
      return new AbortedError(e.message, context, options);
    case "DependencyError":
      return new DependencyError(e.message, e.kind ?? "unreachable", context, options);
    case "ConfigurationError":
      return new ConfigurationError(e.message, context, options);
    case "InvariantViolationError":
      return new InvariantViolationError(e.message, context, options);
    default: {
      const error = new Error(e.message, options);
      error.name = e.name;
      if (e.code !== undefined) (error as Error & { code?: string }).code = e.code;
      return error;
    }
  }
}
