// A gauge or counter whose samples are read from the scrape's status snapshot, registered in a
// prom-client Registry and written out by it. prom-client's Counter/Gauge would need reset() and one
// set()/inc() per sample each scrape, each validating and hashing its labels: about half the CPU of
// a scrape for values the fold already holds.
import type { Registry } from "./prom.ts";

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export class SnapshotMetric {
  readonly aggregator = "sum";

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: "gauge" | "counter",
    private readonly read: () => Sample[],
    registers: Registry[],
  ) {
    // The registry needs only name, help, type, aggregator and get(): the shape of prom-client's metrics.
    for (const registry of registers) registry.registerMetric(this as never);
  }

  get(): { name: string; help: string; type: string; aggregator: string; values: Sample[] } {
    const { name, help, type, aggregator } = this;
    return { name, help, type, aggregator, values: this.read() };
  }

  /** Nothing to reset: the values live in the status fold. */
  reset(): void {}
}
