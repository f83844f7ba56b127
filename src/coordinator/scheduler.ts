// The shard scheduler: one consumer per held lease, at most one live consumer per shard in this worker
// (a re-acquired lease waits for its previous consumer to finish), per-lease handoff, and a bounded
// collective shutdown in which each lease is let go the moment its own consumer is done.
import type { Lease } from "../leases/lease.ts";
import type { ShardConsumer } from "../lifecycle/consumer.ts";

export class ShardScheduler {
  private readonly consumers = new Map<string, ShardConsumer>();
  /** Completion of every consumer ever started, per lease key: a successor starts after it. */
  private readonly settled = new Map<string, Promise<void>>();
  private accepting = true;

  /**
   * `finished` runs when a consumer has shut down, before the shard is considered settled (the worker
   * releases or transfers the lease there when the consumer was asked to stop).
   */
  constructor(
    private readonly makeConsumer: (lease: Lease) => ShardConsumer,
    private readonly finished: (leaseKey: string, consumer: ShardConsumer) => Promise<void> = async () => {},
  ) {}

  /** A lease became ours: start its consumer (after the previous one of the same shard has finished). */
  acquired(lease: Lease): void {
    if (!this.accepting) return;
    const key = lease.leaseKey;
    const previous = this.settled.get(key) ?? Promise.resolve();
    this.consumers.get(key)?.requestStop("lease-lost");
    const consumer = this.makeConsumer(lease);
    this.consumers.set(key, consumer);
    const finished = previous
      // A consumer stopped before it started just runs its (immediate) shutdown path.
      .then(() => consumer.start())
      .then(() => this.finished(key, consumer))
      .catch(() => undefined)
      .finally(() => {
        if (this.consumers.get(key) === consumer) this.consumers.delete(key);
        if (this.settled.get(key) === finished) this.settled.delete(key);
      });
    this.settled.set(key, finished);
  }

  /** The lease left us: the consumer stops, its processor is told leaseLost. */
  lost(leaseKey: string): void {
    this.consumers.get(leaseKey)?.requestStop("lease-lost");
  }

  /**
   * A graceful handoff was requested: the consumer runs shutdownRequested and its final checkpoint
   * (then `finished` hands the lease over). False when no consumer runs for the lease.
   */
  handoff(leaseKey: string): boolean {
    const consumer = this.consumers.get(leaseKey);
    consumer?.requestStop("requested");
    return consumer !== undefined;
  }

  get(leaseKey: string): ShardConsumer | undefined {
    return this.consumers.get(leaseKey);
  }

  /** Lease keys with a running consumer. */
  active(): string[] {
    return [...this.consumers.keys()];
  }

  /** Graceful: shutdownRequested on every consumer; resolves when all have finished. */
  async shutdown(): Promise<void> {
    this.accepting = false;
    for (const consumer of this.consumers.values()) consumer.requestStop("requested");
    await Promise.all([...this.settled.values()]);
  }

  /** Past the shutdown deadline: no consumer may checkpoint any more (their leases are being released). */
  abandon(): void {
    this.accepting = false;
    for (const consumer of this.consumers.values()) consumer.requestStop("lease-lost");
  }
}
