// The RecordProcessor that drives one MultiLangDaemon child per held shard: the engine's callbacks
// become protocol messages; the child's checkpoint requests go to the shard's checkpointer.
import type {
  Checkpointer,
  CheckpointPosition,
  InitializeInput,
  ProcessRecordsInput,
  RecordProcessor,
  RecordProcessorFactory,
  ShardEndedInput,
  ShutdownRequestedInput,
} from "../../src/plugin.ts";
import { Child, type CheckpointHandler, ChildFailedError, type ChildOptions } from "./child.ts";
import {
  initializeMessage,
  javaExceptionName,
  leaseLostMessage,
  processRecordsMessage,
  shardEndedMessage,
  shutdownRequestedMessage,
} from "./messages.ts";

export interface MultilangProcessorOptions extends Omit<ChildOptions, "shardId" | "onStderr"> {
  /** One stderr line of a child, already prefixed with its shard. */
  onStderr: (line: string) => void;
  /** How long a child may take to exit after its stdin is closed. */
  exitGraceMs: number;
  /** Every live child, so the command can kill leftovers when it exits. */
  children: Set<Child>;
}

class ShardChild implements RecordProcessor {
  private child: Child | undefined;
  private start: CheckpointPosition = { sequenceNumber: "TRIM_HORIZON", subSequenceNumber: 0 };
  private lastDelivered: CheckpointPosition | undefined;

  constructor(
    private readonly o: MultilangProcessorOptions,
    private readonly shardId: string,
  ) {}

  private spawn(): Child {
    const child = new Child({
      ...this.o,
      shardId: this.shardId,
      onStderr: (line) => this.o.onStderr(`[${this.shardId}] ${line}`),
    });
    this.o.children.add(child);
    void child.exited.then(() => this.o.children.delete(child));
    return child;
  }

  /** The running child; a failed one is replaced (and re-initialized where the last checkpoint left off). */
  private async live(): Promise<Child> {
    if (this.child && !this.child.dead) return this.child;
    this.child?.kill();
    const child = this.spawn();
    this.child = child;
    await child.request("initialize", initializeMessage(this.shardId, this.start));
    return child;
  }

  private onCheckpoint(checkpointer: Checkpointer, track?: (ended: boolean) => void): CheckpointHandler {
    return async ({ sequenceNumber, subSequenceNumber }) => {
      try {
        if (sequenceNumber === null) await checkpointer.checkpoint();
        else await checkpointer.checkpoint(sequenceNumber, subSequenceNumber ?? undefined);
      } catch (error) {
        return javaExceptionName(error);
      }
      const at =
        sequenceNumber === null
          ? this.lastDelivered
          : { sequenceNumber, subSequenceNumber: subSequenceNumber ?? 0 };
      if (at && at.sequenceNumber !== "SHARD_END") this.start = { ...at };
      track?.(
        sequenceNumber === null ||
          sequenceNumber === "SHARD_END" ||
          sequenceNumber === this.lastDelivered?.sequenceNumber,
      );
      return null;
    };
  }

  private async finish(child: Child | undefined): Promise<void> {
    if (!child) return;
    this.child = undefined;
    await child.close(this.o.exitGraceMs);
  }

  async initialize({ checkpoint }: InitializeInput): Promise<void> {
    this.start = { ...checkpoint };
    await this.live();
  }

  async processRecords({ records, checkpointer, millisBehindLatest }: ProcessRecordsInput): Promise<void> {
    const child = await this.live();
    const last = records.at(-1);
    if (last)
      this.lastDelivered = { sequenceNumber: last.sequenceNumber, subSequenceNumber: last.subSequenceNumber };
    await child.request(
      "processRecords",
      processRecordsMessage(records, millisBehindLatest),
      this.onCheckpoint(checkpointer),
    );
  }

  async leaseLost(): Promise<void> {
    const child = this.child;
    if (!child || child.dead) return void (await this.finish(child));
    try {
      await child.request("leaseLost", leaseLostMessage());
    } finally {
      await this.finish(child);
    }
  }

  /** Java's rule: the child must checkpoint the shard's end here, or the shard is not finished. */
  async shardEnded({ checkpointer }: ShardEndedInput): Promise<void> {
    const child = await this.live();
    let ended = false;
    try {
      await child.request(
        "shardEnded",
        shardEndedMessage(),
        this.onCheckpoint(checkpointer, (atEnd) => {
          ended ||= atEnd;
        }),
      );
    } finally {
      await this.finish(child);
    }
    if (!ended) {
      throw new ChildFailedError(
        `child process for ${this.shardId} answered shardEnded without checkpointing: call checkpoint() (no arguments) in shardEnded so the child shards can start.`,
        { shardId: this.shardId },
      );
    }
  }

  /** Graceful stop or handoff: the child may checkpoint; then, as in the Java daemon, leaseLost follows. */
  async shutdownRequested({ checkpointer }: ShutdownRequestedInput): Promise<void> {
    const child = this.child;
    if (!child || child.dead) return void (await this.finish(child));
    try {
      await child.request("shutdownRequested", shutdownRequestedMessage(), this.onCheckpoint(checkpointer));
      await child.request("leaseLost", leaseLostMessage());
    } finally {
      await this.finish(child);
    }
  }
}

/** The plugin `multilang` runs: a factory, so every lease acquisition gets its own child process. */
export function multilangProcessor(options: MultilangProcessorOptions): RecordProcessorFactory {
  return (context) => new ShardChild(options, context.shardId);
}
