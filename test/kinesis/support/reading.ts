// Helpers of the KinesisPort contract suite: bounded shard reads (keeping shard-end ChildShards),
// numbered test records, and the hash-space coverage check.
import { MAX_HASH_KEY } from "../../../src/kinesis/hash-key.ts";
import type {
  ChildShard,
  KinesisPort,
  RawRecord,
  Shard,
  StartingPosition,
} from "../../../src/kinesis/port.ts";
import type { Put } from "../contract.ts";

const decoder = new TextDecoder();
export const text = (r: RawRecord) => decoder.decode(r.data);

/** Reads a shard from `position` until shard end or an empty page; bounded so a bug cannot hang. */
export async function readAll(
  k: KinesisPort,
  stream: string,
  shardId: string,
  position: StartingPosition,
  limit = 1000,
) {
  let iterator: string | undefined = await k.getShardIterator(stream, shardId, position);
  const records: RawRecord[] = [];
  let ended = false;
  let children: ChildShard[] | undefined;
  for (let i = 0; i < 50 && iterator; i++) {
    const page = await k.getRecords(iterator, limit, { stream, shardId });
    records.push(...page.records);
    iterator = page.nextShardIterator;
    if (!iterator) {
      ended = true;
      children = page.childShards?.slice().sort((a, b) => a.shardId.localeCompare(b.shardId));
    } else if (page.records.length === 0) break;
  }
  return { records, ended, childShards: children?.map((c) => c.shardId), children };
}

export function puts(n: number, prefix = "r"): Put[] {
  return Array.from({ length: n }, (_, i) => ({ partitionKey: `pk-${i}`, data: `${prefix}${i}` }));
}

export function coversHashSpace(shards: Shard[]): boolean {
  const sorted = shards
    .slice()
    .sort((a, b) =>
      BigInt(a.hashKeyRange.startingHashKey) < BigInt(b.hashKeyRange.startingHashKey) ? -1 : 1,
    );
  let next = 0n;
  for (const s of sorted) {
    if (BigInt(s.hashKeyRange.startingHashKey) !== next) return false;
    next = BigInt(s.hashKeyRange.endingHashKey) + 1n;
  }
  return next === MAX_HASH_KEY + 1n;
}
