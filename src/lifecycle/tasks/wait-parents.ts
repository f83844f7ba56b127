// WAITING_ON_PARENT_SHARDS: a child starts only when every parent lease is at SHARD_END or gone.
import { isFinished } from "../../leases/lease.ts";
import { siblingLeaseKey } from "../../streams/identity.ts";
import type { ConsumerRuntime } from "../runtime.ts";
import type { TaskOutcome } from "../states.ts";

/** Java polls every 10 s; a shorter wait keeps resharding latency low at one GetItem per parent. */
export function parentPollMs(rt: ConsumerRuntime): number {
  return rt.o.parentPollMs ?? Math.min(10_000, Math.max(500, rt.o.config.idleTimeMs));
}

export async function waitOnParents(rt: ConsumerRuntime): Promise<TaskOutcome> {
  const lease = rt.o.lease;
  // A finished lease we took over: only the shard-end duties (children) remain.
  if (isFinished(lease)) return { kind: "end-of-shard" };
  for (const parent of lease.parentShardIds) {
    // Parents are bare shard ids; in multi-stream mode their lease keys carry this lease's stream.
    const parentLease = await rt.o.parents.getLease(siblingLeaseKey(rt.leaseKey, parent));
    // A missing parent lease counts as done: it was cleaned up, or its shard left the retention window.
    if (parentLease && !isFinished(parentLease)) {
      rt.show("waiting-on-parents", `waiting for parent ${parent} to reach SHARD_END`);
      await rt.o.clock.sleep(parentPollMs(rt), rt.signal);
      return { kind: "blocked" };
    }
  }
  return { kind: "done" };
}
