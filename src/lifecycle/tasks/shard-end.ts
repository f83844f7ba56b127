// SHARD_END: create the child leases (from ChildShards, else ListShards), record them on the lease,
// call shardEnded, then write SHARD_END ourselves so children can never be stuck on a forgotten checkpoint.
import { watchCallback } from "../slow-callback.ts";
import { SHARD_END } from "../../checkpoint/position.ts";
import { isFinished } from "../../leases/lease.ts";
import type { ConsumerRuntime } from "../runtime.ts";
import type { TaskOutcome } from "../states.ts";
import { onCallbackFailure } from "./failures.ts";

async function childShards(rt: ConsumerRuntime) {
  const fromResponse = rt.endBatch?.childShards;
  if (fromResponse && fromResponse.length > 0) return fromResponse;
  // kinesalite (and a lease finished by someone else) carry no ChildShards: ask ListShards.
  return rt.o.shardEnd.discoverChildShards(rt.leaseKey);
}

export async function endShard(rt: ConsumerRuntime): Promise<TaskOutcome> {
  const { o } = rt;
  rt.records?.close();
  const children = await childShards(rt);
  const childIds = children.map((c) => c.shardId);
  const created = await o.shardEnd.createChildLeases(rt.leaseKey, children);
  if (created.length > 0) {
    o.events.emit({ type: "child-leases-created", parentShardId: rt.shardId, childShardIds: created });
  }
  if (childIds.length > 0) await o.leases.addChildShardIds(rt.leaseKey, childIds);

  // Taken over already finished: the previous owner ran shardEnded and wrote SHARD_END.
  if (isFinished(o.lease) || !rt.processor) return { kind: "done" };

  rt.checkpointer.markShardEnded();
  try {
    const processor = rt.processor;
    if (processor.shardEnded) {
      await watchCallback(rt, "shardEnded", () =>
        processor.shardEnded?.({ shardId: rt.processorShardId, checkpointer: rt.checkpointer.checkpointer }),
      );
    }
  } catch (error) {
    const outcome = await onCallbackFailure(rt, "shardEnded", error);
    if (outcome.kind !== "skip") return outcome;
  }
  await rt.checkpointer.commit(SHARD_END, "shard-end");
  o.events.emit({ type: "shard-ended", shardId: rt.shardId, childShardIds: childIds });
  return { kind: "done" };
}
