#!/usr/bin/env bun
// The reference consumer: a plain GetRecords loop over every shard with the project's SDK client
// settings (src/aws/clients.ts), no leases, no checkpoints — the practical upper bound on the
// emulator. It records deliveries exactly as the bench plugin does, so both pay the same for that.
//   bun bench/raw-loop.ts --stream <name> [--max-records 10000] [--idle-time-ms 1000]
//                         [--initial-position TRIM_HORIZON|LATEST] [--poll-interval-ms 0]
//                         [--work none|json]
// --poll-interval-ms applies the engine's pacing rule (a shard's next GetRecords starts that long after
// the previous one answered); --work json does plugins/bench-work.ts's per-record work.
// Endpoints from AWS_ENDPOINT_URL_KINESIS; deliveries to $BENCH_OUT/<pid>.bin; stops on SIGTERM.
import { parseArgs } from "node:util";
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type ShardIteratorType,
  ListShardsCommand,
} from "@aws-sdk/client-kinesis";
import { DeliveryLog } from "../plugins/bench-recorder.ts";
import { OrderTotals } from "../plugins/bench-work.ts";
import { createKinesisClient } from "../src/aws/clients.ts";

const { values } = parseArgs({
  options: {
    stream: { type: "string" },
    "max-records": { type: "string", default: "10000" },
    "idle-time-ms": { type: "string", default: "1000" },
    "initial-position": { type: "string", default: "TRIM_HORIZON" },
    "poll-interval-ms": { type: "string", default: "0" },
    work: { type: "string", default: "none" },
  },
});
if (!values.stream) {
  process.stderr.write("raw-loop: --stream is required\n");
  process.exit(2);
}
const stream = values.stream;
const limit = Number(values["max-records"]);
const idleMs = Number(values["idle-time-ms"]);
const position = values["initial-position"] as ShardIteratorType;
const pollIntervalMs = Number(values["poll-interval-ms"]);
const work = values.work === "json" ? new OrderTotals() : undefined;

const { client } = createKinesisClient();
const log = DeliveryLog.forProcess();
const stop = new AbortController();
/** Idle pause that SIGTERM cuts short; its abort listener is removed again (500 shards sleep 500×/s). */
const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    if (stop.signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      stop.signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    stop.signal.addEventListener("abort", done, { once: true });
  });

async function consumeShard(shardId: string): Promise<void> {
  log.event("initialize", shardId);
  const start = await client.send(
    new GetShardIteratorCommand({ StreamName: stream, ShardId: shardId, ShardIteratorType: position }),
  );
  let iterator = start.ShardIterator;
  let lastEnd = Number.NEGATIVE_INFINITY;
  while (iterator && !stop.signal.aborted) {
    try {
      const wait = lastEnd + pollIntervalMs - performance.now();
      if (wait > 0) await sleep(wait);
      if (stop.signal.aborted) break;
      const res = await client
        .send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }))
        .finally(() => {
          lastEnd = performance.now();
        });
      const records = res.Records ?? [];
      if (work) for (const r of records) work.add(r.Data!);
      if (records.length > 0) log.batch(shardId, records, (r) => r.Data!);
      iterator = res.NextShardIterator;
      // The engine's pacing rule (src/retrieval/fetcher.ts): no pause while behind (a full batch or
      // MillisBehindLatest > 0), idleTimeMs once caught up.
      const behind = records.length >= limit || (res.MillisBehindLatest ?? 0) > 0;
      if (!behind) await sleep(idleMs);
    } catch (error) {
      process.stderr.write(`raw-loop: ${shardId}: ${String(error)}\n`);
      await sleep(idleMs);
    }
  }
  if (!iterator) log.event("shardEnded", shardId);
}

async function listShards(): Promise<string[]> {
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListShardsCommand(token ? { NextToken: token } : { StreamName: stream }),
    );
    for (const s of page.Shards ?? []) ids.push(s.ShardId!);
    token = page.NextToken;
  } while (token);
  return ids;
}

process.on("SIGTERM", () => stop.abort());
process.on("SIGINT", () => stop.abort());
const shards = await listShards();
await Promise.all(shards.map(consumeShard));
client.destroy();
