// Whether this runtime's HTTP/2 client can carry SubscribeToShard at all: shared by a worker's fan-out
// readers, it decides (once, loudly) to fall back to polling when no event ever arrived.
import type { EventBus } from "../core/events.ts";

/** HTTP/2 failures that mean "this client cannot do it", as opposed to a network fault. */
export function isHttp2Failure(e: unknown): boolean {
  for (let cur = e, depth = 0; cur && depth < 4; depth++) {
    const err = cur as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof err.code === "string" && err.code.startsWith("ERR_HTTP2")) return true;
    if (typeof err.message === "string" && /http2|HTTP\/2|Protocol error/.test(err.message)) return true;
    cur = err.cause;
  }
  return false;
}

export class FanOutHealth {
  /** Set once any subscription delivered an event: from then on, failures are faults, not support. */
  received = false;
  private strikes = 0;
  private fellBack = false;

  constructor(
    private readonly events: EventBus,
    /** HTTP/2 failures (any shard) before any event, after which the worker polls instead. */
    private readonly limit = 3,
  ) {}

  /** Counts an HTTP/2 failure; true when the readers must fall back to polling (warned once). */
  unsupported(e: unknown, shardId: string): boolean {
    if (this.fellBack) return true;
    if (this.received) return false;
    this.strikes += 1;
    if (this.strikes < this.limit) return false;
    this.fellBack = true;
    this.events.emit({
      type: "warning",
      shardId,
      message:
        `Enhanced fan-out is not usable here: ${this.limit} SubscribeToShard calls failed at the HTTP/2 level ` +
        `before any event arrived (${(e as Error)?.message ?? e}). FALLING BACK TO POLLING (GetRecords) for ` +
        "every shard of this worker. Check the runtime's HTTP/2 support (README: Retrieval), or run with --retrieval polling.",
    });
    return true;
  }
}
