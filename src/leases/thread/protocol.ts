// Messages between the main thread and the lease thread (renewer + taker on their own event loop).
// Plain data only: they cross a structured-clone boundary. Errors travel as their name and fields and
// are rebuilt as the same typed KclErrors on the other side.
import type { AwsClientOptions } from "../../aws/clients.ts";
import type { ResolvedConfig } from "../../config/options.ts";
import {
  AbortedError,
  DependencyError,
  InvalidCheckpointError,
  InvariantViolationError,
  isKclError,
  LeaseLostError,
  ThrottledError,
} from "../../core/errors.ts";
import type { KclEventBody, LostReason } from "../../core/events.ts";
import type { LeaseScan } from "../coordinator.ts";
import type { Lease } from "../lease.ts";

/** What the lease thread needs to build its own DynamoDB client, store and coordinator. */
export interface LeaseThreadInit {
  workerId: string;
  config: ResolvedConfig;
  credentials?: AwsClientOptions["credentials"];
  /** How often the thread says it is alive even when nothing else happens. */
  heartbeatMs: number;
}

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

export type ToThread =
  | { type: "init"; init: LeaseThreadInit }
  | { type: "run" }
  | { type: "stop-run" }
  | { type: "call"; id: number; method: RemoteMethod; args: unknown[] }
  | { type: "drop"; leaseKey: string }
  | { type: "stop-taking" }
  /** Test-only fault injection: block the thread's event loop, or crash it. */
  | { type: "inject"; fault: "stall"; ms: number }
  | { type: "inject"; fault: "crash" };

export type FromThread =
  | { type: "ready" }
  /** `assigner`: assigner mode only, whether the thread's coordinator is the fleet's elected assigner. */
  | { type: "heartbeat"; held: Lease[]; assigner?: boolean }
  | { type: "event"; body: KclEventBody }
  | { type: "acquired"; lease: Lease }
  | { type: "lost"; leaseKey: string; reason: LostReason }
  /** A planned move of a held lease: shut its processor down, then release() transfers it. */
  | { type: "handoff"; leaseKey: string; nextOwner: string }
  | { type: "scan"; scan: LeaseScan }
  | { type: "reply"; id: number; ok: true; value: unknown }
  | { type: "reply"; id: number; ok: false; error: SerializedError }
  | { type: "run-ended"; error?: SerializedError };

export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  kind?: "missing" | "unreachable" | "credentials";
  context?: Record<string, unknown>;
}

export function serializeError(error: unknown): SerializedError {
  if (isKclError(error)) {
    const out: SerializedError = { name: error.name, message: error.message, code: error.code };
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
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: "Error", message: String(error) };
}

/** The same typed error the in-process coordinator would have thrown. */
export function deserializeError(e: SerializedError): Error {
  const context = (e.context ?? {}) as ConstructorParameters<typeof LeaseLostError>[1];
  switch (e.name) {
    case "LeaseLostError":
      return new LeaseLostError(e.message, context);
    case "ThrottledError":
      return new ThrottledError(e.message, context);
    case "InvalidCheckpointError":
      return new InvalidCheckpointError(e.message, context);
    case "AbortedError":
      return new AbortedError(e.message, context);
    case "DependencyError":
      return new DependencyError(e.message, e.kind ?? "unreachable", context);
    case "InvariantViolationError":
      return new InvariantViolationError(e.message, context);
    default: {
      const error = new Error(e.message);
      error.name = e.name;
      return error;
    }
  }
}
