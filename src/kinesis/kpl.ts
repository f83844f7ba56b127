// KPL de-aggregation (java-kcl-reference §5.4): magic F3 89 9A C2 + protobuf AggregatedRecord + MD5.
// Anything that is not a well-formed aggregate passes through unchanged as one plain record.
//
// Hash-range filter (pain point #11): the Java KCL silently drops a whole aggregate when any
// sub-record's hash key lies outside the shard's range. An aggregate is stored once, in one shard,
// so that drop protects against nothing and loses data from producers that aggregate across shards.
// kcl-ts therefore DELIVERS such sub-records by default and lets the reader report them
// (`subRecordsOutsideRange`); dropping them is an explicit opt-in of the reader.
import type { KinesisRecord } from "../plugin.ts";
import { effectiveHashKey, inHashKeyRange, md5 } from "./hash-key.ts";
import type { HashKeyRange, RawRecord } from "./port.ts";
import { ProtobufError, readFields } from "./protobuf.ts";

export const KPL_MAGIC = Uint8Array.of(0xf3, 0x89, 0x9a, 0xc2);
const DIGEST_LENGTH = 16;

function startsWithMagic(data: Uint8Array): boolean {
  return data[0] === 0xf3 && data[1] === 0x89 && data[2] === 0x9a && data[3] === 0xc2;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The protobuf body when `data` is a KPL aggregate with a matching MD5 digest; else undefined. */
export function aggregateBody(data: Uint8Array): Uint8Array | undefined {
  if (data.length <= KPL_MAGIC.length + DIGEST_LENGTH || !startsWithMagic(data)) return undefined;
  const body = data.subarray(KPL_MAGIC.length, data.length - DIGEST_LENGTH);
  const digest = data.subarray(data.length - DIGEST_LENGTH);
  return equalBytes(md5(body), digest) ? body : undefined;
}

interface SubRecord {
  partitionKeyIndex: number;
  explicitHashKeyIndex?: number;
  data: Uint8Array;
}

const utf8 = new TextDecoder();

function parseSubRecord(bytes: Uint8Array): SubRecord {
  let partitionKeyIndex: number | undefined;
  let explicitHashKeyIndex: number | undefined;
  let data: Uint8Array | undefined;
  for (const f of readFields(bytes)) {
    if (f.no === 1 && f.varint !== undefined) partitionKeyIndex = Number(f.varint);
    else if (f.no === 2 && f.varint !== undefined) explicitHashKeyIndex = Number(f.varint);
    else if (f.no === 3 && f.bytes) data = f.bytes;
    // field 4 (tags) and unknown fields are ignored
  }
  // Both are `required` in the KPL's proto2 schema.
  if (partitionKeyIndex === undefined || data === undefined) throw new ProtobufError("sub-record incomplete");
  return explicitHashKeyIndex === undefined
    ? { partitionKeyIndex, data }
    : { partitionKeyIndex, explicitHashKeyIndex, data };
}

/** A record the adapter already built in its delivered form (port.ts plainRecord): no copy needed. */
function isDeliverable(raw: RawRecord): raw is RawRecord & { subSequenceNumber: 0; aggregated: false } {
  return raw.aggregated === false && raw.subSequenceNumber === 0;
}

function plain(raw: RawRecord): KinesisRecord {
  if (isDeliverable(raw)) return raw;
  const record: KinesisRecord = {
    data: raw.data,
    partitionKey: raw.partitionKey,
    sequenceNumber: raw.sequenceNumber,
    subSequenceNumber: 0,
    approximateArrivalTimestamp: raw.approximateArrivalTimestamp,
    aggregated: false,
  };
  if (raw.explicitHashKey !== undefined) record.explicitHashKey = raw.explicitHashKey;
  return record;
}

function unpack(raw: RawRecord, body: Uint8Array): KinesisRecord[] {
  const partitionKeys: string[] = [];
  const explicitHashKeys: string[] = [];
  const subs: SubRecord[] = [];
  for (const f of readFields(body)) {
    if (f.no === 1 && f.bytes) partitionKeys.push(utf8.decode(f.bytes));
    else if (f.no === 2 && f.bytes) explicitHashKeys.push(utf8.decode(f.bytes));
    else if (f.no === 3 && f.bytes) subs.push(parseSubRecord(f.bytes));
    else throw new ProtobufError(`unexpected field ${f.no}/${f.wireType} in AggregatedRecord`);
  }
  return subs.map((s, i) => {
    const partitionKey = partitionKeys[s.partitionKeyIndex];
    if (partitionKey === undefined) throw new ProtobufError("partition key index out of range");
    const record: KinesisRecord = {
      data: s.data,
      partitionKey,
      sequenceNumber: raw.sequenceNumber,
      subSequenceNumber: i,
      approximateArrivalTimestamp: raw.approximateArrivalTimestamp,
      aggregated: true,
    };
    if (s.explicitHashKeyIndex !== undefined) {
      const ehk = explicitHashKeys[s.explicitHashKeyIndex];
      if (ehk === undefined) throw new ProtobufError("explicit hash key index out of range");
      record.explicitHashKey = ehk;
    }
    return record;
  });
}

/**
 * One Kinesis record → the user records it carries: its KPL sub-records (same sequence number,
 * subSequenceNumber = index, aggregated = true), or itself when it is not a valid aggregate.
 */
export function deaggregate(raw: RawRecord): KinesisRecord[] {
  const body = aggregateBody(raw.data);
  return body ? unpackOrPlain(raw, body) : [plain(raw)];
}

function unpackOrPlain(raw: RawRecord, body: Uint8Array): KinesisRecord[] {
  try {
    return unpack(raw, body);
  } catch (e) {
    if (e instanceof ProtobufError) return [plain(raw)];
    throw e;
  }
}

/**
 * deaggregate over a whole GetRecords answer. The usual answer has no aggregate and comes from an
 * adapter that built its records in delivered form: then it is returned as it is (no copy per record,
 * no new array); otherwise without an array per plain record.
 */
export function deaggregateAll(raws: RawRecord[]): KinesisRecord[] {
  let i = 0;
  while (i < raws.length && isDeliverable(raws[i]!) && !startsWithMagic(raws[i]!.data)) i++;
  if (i === raws.length) return raws as KinesisRecord[];
  const out = raws.slice(0, i) as KinesisRecord[];
  for (; i < raws.length; i++) {
    const raw = raws[i]!;
    const body = aggregateBody(raw.data);
    if (!body) out.push(plain(raw));
    else for (const r of unpackOrPlain(raw, body)) out.push(r);
  }
  return out;
}

/** Sub-records of aggregates whose hash key lies outside `range` (plain records are never reported). */
export function subRecordsOutsideRange(records: KinesisRecord[], range: HashKeyRange): KinesisRecord[] {
  return records.filter(
    (r) => r.aggregated && !inHashKeyRange(effectiveHashKey(r.partitionKey, r.explicitHashKey), range),
  );
}
