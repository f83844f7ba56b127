// Lease keys as shards: a plain shard id (single-stream) or the Java KCL multi-stream form
// `<account>:<stream>:<creationEpoch>:<shardId>` (parsed by the engine's stream identity module).
import { parseLeaseKey, parseStreamId } from "../../src/streams/identity.ts";
import type { LeaseItem } from "./read.ts";

export interface KeyParts {
  shardId: string;
  /** Only in multi-stream keys. */
  stream?: string;
}

export function keyParts(leaseKey: string): KeyParts {
  const parsed = parseLeaseKey(leaseKey);
  return parsed.stream ? { stream: parsed.stream.name, shardId: parsed.shardId } : { shardId: leaseKey };
}

/** Whether `leaseKey` is the lease of `shard` (a shard id or a full lease key) in `stream` (if given). */
export function matchesShard(leaseKey: string, shard: string, stream?: string): boolean {
  if (leaseKey === shard) return true;
  const p = keyParts(leaseKey);
  return p.shardId === shard && (stream === undefined || p.stream === undefined || p.stream === stream);
}

/** Whether the lease belongs to `stream`: every plain key does (a single-stream table has one stream). */
export function inStream(leaseKey: string, stream: string): boolean {
  const p = keyParts(leaseKey);
  return p.stream === undefined || p.stream === stream;
}

/** A lease's stream: from a multi-stream key, else from the `streamName` attribute (Java writes both). */
export function streamOf(item: LeaseItem): { stream?: string; streamId?: string; shardId: string } {
  const parsed = parseLeaseKey(item.leaseKey);
  if (parsed.stream) {
    const { account, name, creationEpoch } = parsed.stream;
    return { stream: name, streamId: `${account}:${name}:${creationEpoch}`, shardId: parsed.shardId };
  }
  const attribute = typeof item.streamName === "string" ? item.streamName : undefined;
  const shardId = typeof item.shardId === "string" ? item.shardId : item.leaseKey;
  if (attribute === undefined) return { shardId };
  return { stream: parseStreamId(attribute)?.name ?? attribute, streamId: attribute, shardId };
}
