// Lease keys as shards: a plain shard id (single-stream) or the Java KCL multi-stream form
// `<account>:<stream>:<creationEpoch>:<shardId>` (parsed by the engine's stream identity module).
import { parseLeaseKey } from "../../src/streams/identity.ts";

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
