// The capacity warning both lease-assignment designs give (the taker per worker, the assigner for the
// fleet): said once when live workers × --max-leases-for-worker cannot hold every active lease, and
// again only when the shortfall changes.
import type { KclEventBody } from "../core/events.ts";

export interface CapacityShortfall {
  leases: number;
  capacity: number;
}

export class CapacityWarning {
  private last = "";

  constructor(
    private readonly maxLeasesForWorker: number,
    private readonly emit: (body: KclEventBody) => void,
  ) {}

  report(shortfall: CapacityShortfall | undefined, liveWorkers: number): void {
    const key = shortfall ? `${shortfall.leases}/${shortfall.capacity}` : "";
    if (key === this.last) return;
    this.last = key;
    if (!shortfall) return;
    const { leases, capacity } = shortfall;
    this.emit({
      type: "capacity-warning",
      message:
        `${leases} active leases but only ${capacity} lease slots (${liveWorkers} live workers × ` +
        `maxLeasesForWorker ${this.maxLeasesForWorker}): ${leases - capacity} shards will not be processed. ` +
        "Raise --max-leases-for-worker or start more workers.",
      leases,
      capacity,
    });
  }
}
