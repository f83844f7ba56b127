// Stream identity in multi-stream mode (Java KCL StreamIdentifier / MultiStreamLease): a lease key is
// `<account>:<stream>:<creationEpochSeconds>:<shardId>`; its `streamName` attribute holds the first three
// parts and `shardId` the last. Single-stream lease keys are the bare shard id.

export interface StreamIdentity {
  /** AWS account id (digits), from the stream ARN. */
  account: string;
  /** Kinesis stream name. */
  name: string;
  /** Stream creation time in whole seconds since the epoch. */
  creationEpoch: number;
}

/** What a lease key says about its stream and shard (no stream: a single-stream key). */
export interface ParsedLeaseKey {
  stream?: StreamIdentity;
  shardId: string;
}

// Java's StreamIdentifier pattern: digits:name:digits (stream names never contain ':').
const STREAM_ID = /^([0-9]+):([a-zA-Z0-9_.-]+):([0-9]+)$/;
const MULTI_STREAM_KEY = /^([0-9]+):([a-zA-Z0-9_.-]+):([0-9]+):([^:]+)$/;

/** `account:stream:epoch`: the serialized identifier (Java's StreamIdentifier.serialize()). */
export function serializeStream(id: StreamIdentity): string {
  return `${id.account}:${id.name}:${id.creationEpoch}`;
}

export function parseStreamId(serialized: string): StreamIdentity | undefined {
  const m = STREAM_ID.exec(serialized);
  return m ? { account: m[1]!, name: m[2]!, creationEpoch: Number(m[3]) } : undefined;
}

/** The multi-stream lease key of a shard (Java's MultiStreamLease.getLeaseKey). */
export function multiStreamLeaseKey(id: StreamIdentity, shardId: string): string {
  return `${serializeStream(id)}:${shardId}`;
}

export function parseLeaseKey(leaseKey: string): ParsedLeaseKey {
  const m = MULTI_STREAM_KEY.exec(leaseKey);
  if (!m) return { shardId: leaseKey };
  return { stream: { account: m[1]!, name: m[2]!, creationEpoch: Number(m[3]) }, shardId: m[4]! };
}

/** Stream name of a lease: the key's, else the `streamName` attribute's, else undefined. */
export function streamNameOf(lease: { leaseKey: string; streamName?: string }): string | undefined {
  const fromKey = parseLeaseKey(lease.leaseKey).stream?.name;
  if (fromKey) return fromKey;
  if (lease.streamName === undefined) return undefined;
  return parseStreamId(lease.streamName)?.name ?? lease.streamName;
}

/** The lease key of `shardId` in the same stream as `leaseKey` (parents and children are bare shard ids). */
export function siblingLeaseKey(leaseKey: string, shardId: string): string {
  const { stream } = parseLeaseKey(leaseKey);
  return stream ? multiStreamLeaseKey(stream, shardId) : shardId;
}

/**
 * Identity from DescribeStreamSummary: the account is the ARN's fifth field
 * (arn:aws:kinesis:<region>:<account>:stream/<name>), the epoch the creation time in seconds.
 */
export function identityFromSummary(
  name: string,
  summary: { arn?: string; createdAt?: Date },
): StreamIdentity | undefined {
  const account = summary.arn?.split(":")[4];
  if (!account || !/^[0-9]+$/.test(account) || !summary.createdAt) return undefined;
  return { account, name, creationEpoch: Math.floor(summary.createdAt.getTime() / 1000) };
}
