// Queued fault injection for in-memory fakes: "the next N calls of operation X (for shard Y) fail".

interface Fault<Op extends string> {
  operation: Op;
  make: () => Error;
  remaining: number;
  shardId?: string;
}

export class FaultQueue<Op extends string> {
  private readonly faults: Fault<Op>[] = [];

  add(operation: Op, error: Error | (() => Error), options: { times?: number; shardId?: string } = {}): void {
    const make = typeof error === "function" ? error : () => error;
    const fault: Fault<Op> = { operation, make, remaining: options.times ?? 1 };
    if (options.shardId !== undefined) fault.shardId = options.shardId;
    this.faults.push(fault);
  }

  /** The error the next call of `operation` must fail with, if one is queued (consumes it). */
  take(operation: Op, shardId?: string): Error | undefined {
    const fault = this.faults.find(
      (f) =>
        f.operation === operation && f.remaining > 0 && (f.shardId === undefined || f.shardId === shardId),
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    return fault.make();
  }
}
