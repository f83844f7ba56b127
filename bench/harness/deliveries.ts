// Reads the frames plugins/bench-recorder.ts (and bench/raw-loop.ts) write, incrementally, and
// answers what a scenario asks: which ids arrived how often, when, on which shard, in which process.
import { closeSync, existsSync, openSync, readdirSync, readSync } from "node:fs";
import { join } from "node:path";
import { FRAME_KINDS, HEADER_WORDS } from "../../plugins/bench-recorder.ts";

const KIND_NAMES = Object.fromEntries(Object.entries(FRAME_KINDS).map(([k, v]) => [v, k]));
const HEADER_BYTES = HEADER_WORDS * 4;
const NO_ID = 0xffffffff;

export interface Frame {
  kind: keyof typeof FRAME_KINDS;
  shard: number;
  count: number;
  /** Wall-clock ms in the writing process. */
  at: number;
}

interface FileState {
  offset: number;
  rest: Buffer;
}

/** Per-process view: frames in order, owned shards (by initialize/leaseLost/... frames). */
export interface ProcessDeliveries {
  frames: Frame[];
  records: number;
  owned: Set<number>;
  firstBatchAt?: number;
  lastBatchAt?: number;
}

export class DeliveryTracker {
  private readonly files = new Map<string, FileState>();
  readonly byProcess = new Map<number, ProcessDeliveries>();
  /** Deliveries per id. */
  private counts = new Uint16Array(1024);
  /** Earliest delivery time per id. */
  private firstSeen = new Float64Array(1024);
  /** When each extra delivery happened: the later of the two deliveries of an id (files are read
   * one process at a time, so the one read second is not necessarily the later one). */
  private readonly duplicateTimes: number[] = [];
  private maxId = -1;
  total = 0;
  foreign = 0;
  /** Distinct ids delivered at least once. */
  unique = 0;

  constructor(readonly dir: string) {}

  /** Reads whatever was appended since the last poll. */
  poll(): this {
    if (!existsSync(this.dir)) return this;
    for (const name of readdirSync(this.dir)) {
      if (!name.endsWith(".bin")) continue;
      const pid = Number(name.slice(0, -4));
      let state = this.files.get(name);
      if (!state) {
        state = { offset: 0, rest: Buffer.alloc(0) };
        this.files.set(name, state);
      }
      const fd = openSync(join(this.dir, name), "r");
      try {
        const chunk = Buffer.alloc(1 << 20);
        for (;;) {
          const n = readSync(fd, chunk, 0, chunk.length, state.offset);
          if (n === 0) break;
          state.offset += n;
          state.rest = this.consume(pid, Buffer.concat([state.rest, chunk.subarray(0, n)]));
        }
      } finally {
        closeSync(fd);
      }
    }
    return this;
  }

  /** Parses whole frames; returns the incomplete tail. */
  private consume(pid: number, buf: Buffer): Buffer {
    const proc = this.process(pid);
    let at = 0;
    while (buf.length - at >= HEADER_BYTES) {
      const count = buf.readUInt32LE(at + 8);
      const size = HEADER_BYTES + count * 4;
      if (buf.length - at < size) break;
      const frame: Frame = {
        kind: KIND_NAMES[buf.readUInt32LE(at)] as Frame["kind"],
        shard: buf.readUInt32LE(at + 4),
        count,
        at: buf.readUInt32LE(at + 12) * 0x1_0000_0000 + buf.readUInt32LE(at + 16),
      };
      proc.frames.push(frame);
      if (frame.kind === "batch") {
        proc.records += count;
        proc.firstBatchAt ??= frame.at;
        proc.lastBatchAt = frame.at;
        for (let i = 0; i < count; i++) this.count(buf.readUInt32LE(at + HEADER_BYTES + i * 4), frame.at);
      } else if (frame.kind === "initialize") {
        proc.owned.add(frame.shard);
      } else {
        proc.owned.delete(frame.shard);
      }
      at += size;
    }
    return Buffer.from(buf.subarray(at));
  }

  private count(id: number, at: number): void {
    this.total += 1;
    if (id === NO_ID) {
      this.foreign += 1;
      return;
    }
    if (id >= this.counts.length) {
      const bigger = new Uint16Array(Math.max(id + 1, this.counts.length * 2));
      bigger.set(this.counts);
      this.counts = bigger;
      const seen = new Float64Array(bigger.length);
      seen.set(this.firstSeen);
      this.firstSeen = seen;
    }
    if (this.counts[id] === 0) {
      this.unique += 1;
      this.firstSeen[id] = at;
    } else {
      this.duplicateTimes.push(Math.max(at, this.firstSeen[id]!));
      this.firstSeen[id] = Math.min(at, this.firstSeen[id]!);
    }
    if (this.counts[id]! < 0xffff) this.counts[id]! += 1;
    if (id > this.maxId) this.maxId = id;
  }

  process(pid: number): ProcessDeliveries {
    let p = this.byProcess.get(pid);
    if (!p) {
      p = { frames: [], records: 0, owned: new Set() };
      this.byProcess.set(pid, p);
    }
    return p;
  }

  /** Ids of `expected` never delivered (first few, plus the count). */
  missing(expected: Iterable<number>): { count: number; sample: number[] } {
    let count = 0;
    const sample: number[] = [];
    for (const id of expected) {
      if ((this.counts[id] ?? 0) === 0) {
        count += 1;
        if (sample.length < 10) sample.push(id);
      }
    }
    return { count, sample };
  }

  /** Extra deliveries of ids delivered more than once (only those that happened at or after `since`). */
  duplicates(since = Number.NEGATIVE_INFINITY): number {
    let extra = 0;
    for (const at of this.duplicateTimes) if (at >= since) extra += 1;
    return extra;
  }

  /** First batch of `shard` written by process `pid` at or after `since` (wall ms). */
  firstBatchAfter(pid: number, shard: number, since: number): number | undefined {
    return this.byProcess
      .get(pid)
      ?.frames.find((f) => f.kind === "batch" && f.shard === shard && f.at >= since)?.at;
  }
}

export function range(from: number, to: number): Iterable<number> {
  return {
    *[Symbol.iterator]() {
      for (let id = from; id < to; id++) yield id;
    },
  };
}
