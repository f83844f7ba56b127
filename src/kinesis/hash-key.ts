// Kinesis hash keys: a record's shard is chosen by MD5(partition key) (or its explicit hash key) as an
// unsigned 128-bit integer falling in the shard's [startingHashKey, endingHashKey].
import { createHash } from "node:crypto";
import type { HashKeyRange } from "./port.ts";

export const MAX_HASH_KEY = 2n ** 128n - 1n;

export function md5(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("md5").update(bytes).digest());
}

function toBigInt(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

/** MD5 of the UTF-8 partition key, big-endian, as Kinesis computes it. */
export function partitionKeyHash(partitionKey: string): bigint {
  return toBigInt(md5(new TextEncoder().encode(partitionKey)));
}

/** The hash key that places a record: the explicit hash key when given, else the partition key's MD5. */
export function effectiveHashKey(partitionKey: string, explicitHashKey?: string): bigint {
  if (explicitHashKey !== undefined && /^\d+$/.test(explicitHashKey)) return BigInt(explicitHashKey);
  return partitionKeyHash(partitionKey);
}

export function inHashKeyRange(hashKey: bigint, range: HashKeyRange): boolean {
  return hashKey >= BigInt(range.startingHashKey) && hashKey <= BigInt(range.endingHashKey);
}
