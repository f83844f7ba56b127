// Shard end for fan-out when the final SubscribeToShard event never comes (kinesis-mock): while caught
// up, at most every intervalMs, ListShards says whether the shard is closed; if so, one GetRecords after
// the last delivered record confirms nothing is left and names the ChildShards (as polling would).
import type { Clock } from "../core/clock.ts";
import type { EventBus } from "../core/events.ts";
import type { KinesisPort } from "../kinesis/port.ts";
import type { ExtendedSequenceNumber } from "../leases/lease.ts";
import { abortable, startingPosition } from "./position.ts";
import type { Batch } from "./types.ts";

export interface ShardEndProbeOptions {
  kinesis: KinesisPort;
  stream: string;
  shardId: string;
  clock: Clock;
  events: EventBus;
  intervalMs: number;
}

export class ShardEndProbe {
  private nextAt: number;

  constructor(private readonly o: ShardEndProbeOptions) {
    this.nextAt = o.clock.monotonic() + o.intervalMs;
  }

  /** The shard-end batch when the shard is closed and nothing after `cursor` is left; else undefined. */
  async check(cursor: ExtendedSequenceNumber, signal: AbortSignal): Promise<Batch | undefined> {
    const now = this.o.clock.monotonic();
    if (now < this.nextAt) return undefined;
    this.nextAt = now + this.o.intervalMs;
    const { kinesis, stream, shardId } = this.o;
    try {
      const shard = (await abortable(kinesis.listShards(stream), signal)).find((s) => s.shardId === shardId);
      if (shard && !shard.endingSequenceNumber) return undefined;
      const position = cursor.sequenceNumber.match(/^\d+$/)
        ? ({ type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: cursor.sequenceNumber } as const)
        : startingPosition(cursor, undefined, shardId);
      if (!position) return { records: [], isAtShardEnd: true };
      const iterator = await abortable(kinesis.getShardIterator(stream, shardId, position), signal);
      const result = await abortable(kinesis.getRecords(iterator, 1, { stream, shardId }), signal);
      if (result.nextShardIterator || result.records.length > 0) return undefined;
      const batch: Batch = { records: [], isAtShardEnd: true, millisBehindLatest: 0 };
      if (result.childShards?.length) batch.childShards = result.childShards;
      this.o.events.emit({
        type: "warning",
        shardId,
        message: `Shard ${shardId} is closed and fully read but its subscription sent no final event; ending it (ListShards + GetRecords).`,
      });
      return batch;
    } catch (e) {
      if (signal.aborted) throw e;
      return undefined; // a probe failure is not a reader failure: the next probe tries again
    }
  }
}
