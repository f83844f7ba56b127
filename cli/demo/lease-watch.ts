// The demo's view of the lease table: scans it every second and reports the lease map when it
// changes, plus live leases per owner (the demo kills the busiest worker).
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { ClientTarget } from "../../src/aws/clients.ts";
import type { Clock } from "../../src/core/clock.ts";
import { readLeaseTable } from "../leases/read.ts";
import { leaseMap } from "./view.ts";

export interface LeaseWatch {
  /** Unfinished leases per owner at the last scan. */
  counts(): Map<string, number>;
  /** Settles once `signal` aborts. */
  done: Promise<void>;
}

export function watchLeases(options: {
  dynamodb: DynamoDBClient;
  table: string;
  target: ClientTarget;
  clock: Clock;
  signal: AbortSignal;
  onChange: (map: string) => void;
}): LeaseWatch {
  let counts = new Map<string, number>();
  let last = "";
  const loop = async () => {
    while (!options.signal.aborted) {
      try {
        const leases = await readLeaseTable(options.dynamodb, options.table, options.target);
        const next = new Map<string, number>();
        for (const l of leases) {
          if (typeof l.leaseOwner === "string" && l.checkpoint !== "SHARD_END") {
            next.set(l.leaseOwner, (next.get(l.leaseOwner) ?? 0) + 1);
          }
        }
        counts = next;
        const map = leaseMap(leases);
        if (map !== last && leases.length > 0) options.onChange(map);
        last = map;
      } catch {
        // The first worker has not created the table yet.
      }
      await options.clock.sleep(1000, options.signal).catch(() => {});
    }
  };
  return { counts: () => counts, done: loop() };
}
