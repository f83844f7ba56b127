// A worker process for integration tests: runs one createWorker() with a recording processor.
// Every delivery is appended (one JSON line per record, one write per batch) to KCL_TEST_OUT before
// processRecords returns, so nothing is checkpointed that is not on disk. Every engine event is printed
// to stdout as one JSON line. SIGTERM/SIGINT → worker.stop() → exit 0 (5 on ProcessorFailedError).
//
// Environment:
//   KCL_TEST_OPTIONS   JSON KclOptions (app, stream, workerId, failoverMs, …); endpoints from AWS_ENDPOINT_URL_*
//   KCL_TEST_OUT       deliveries file (appended; several processes may share it)
//   KCL_TEST_SUBSCRIBE_ENDPOINT  with retrieval efo: where SubscribeToShard goes (the HTTP/2 relay, h2-relay.ts)
//   KCL_TEST_BEHAVIOUR JSON: { failOn?: string, failTimes?: number, checkpointAfter?: string }
//     failOn:            processRecords throws when a batch contains a record with this data (failTimes times; default always)
//     checkpointAfter:   manual mode: checkpoint(record) right after the record with this data, then keep going
//     busyWhenFile, busyMs: once that file exists, the next processRecords blocks the event loop (a
//                        synchronous busy loop, like a CPU-heavy transform) for busyMs, once per process
//     slowShardsFile, slowMs: while that file exists and names the batch's shard (one id per line),
//                        processRecords waits slowMs (asynchronously: renewals go on) before recording it
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { createKinesisClient } from "../../src/aws/clients.ts";
import { createKinesisHttp2Client } from "../../src/aws/http2-client.ts";
import { createWorker } from "../../src/coordinator/worker.ts";
import type { WorkerDeps } from "../../src/coordinator/types.ts";
import { createAwsFanOut } from "../../src/kinesis/aws-fan-out.ts";
import type { WorkerOptions } from "../../src/coordinator/types.ts";
import { ProcessorFailedError } from "../../src/core/errors.ts";
import type { ProcessorContext, RecordProcessor } from "../../src/plugin.ts";

interface Behaviour {
  failOn?: string;
  failTimes?: number;
  checkpointAfter?: string;
  busyWhenFile?: string;
  busyMs?: number;
  slowShardsFile?: string;
  slowMs?: number;
}

export interface DeliveryLine {
  /** worker id */
  w: string;
  /** shard id */
  s: string;
  /** stream name (the processor's context: the lease's stream in multi-stream mode) */
  st: string;
  /** sequence number and sub-sequence number */
  q: string;
  u: number;
  /** partition key */
  k: string;
  /** data (utf-8) */
  d: string;
  /** wall ms at delivery */
  t: number;
}

const options = JSON.parse(process.env.KCL_TEST_OPTIONS ?? "{}") as WorkerOptions;
const out = process.env.KCL_TEST_OUT;
if (!out) throw new Error("KCL_TEST_OUT is required");
const behaviour = JSON.parse(process.env.KCL_TEST_BEHAVIOUR ?? "{}") as Behaviour;
const workerId = options.workerId ?? `worker-${process.pid}`;
const decoder = new TextDecoder();
let failures = 0;
let busied = false;

function busyWait(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // Blocks this event loop: no timer, no I/O callback runs here meanwhile.
  }
}

function slowShards(file: string): string[] {
  try {
    return readFileSync(file, "utf8").split("\n");
  } catch {
    return []; // no file: nothing is slow
  }
}

const processor = (context: ProcessorContext): RecordProcessor => ({
  initialize({ shardId, streamName, checkpoint }) {
    // Where this ownership starts: lets tests prove nothing before the last checkpoint is redelivered.
    const line = {
      type: "initialize",
      shardId,
      streamName,
      checkpoint: checkpoint.sequenceNumber,
      sub: checkpoint.subSequenceNumber,
      at: Date.now(),
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  },
  async processRecords({ records, shardId, checkpointer }) {
    const data = records.map((r) => decoder.decode(r.data));
    if (!busied && behaviour.busyWhenFile && existsSync(behaviour.busyWhenFile)) {
      busied = true;
      process.stdout.write(`${JSON.stringify({ type: "busy-start", shardId, at: Date.now() })}\n`);
      busyWait(behaviour.busyMs ?? 0);
      process.stdout.write(`${JSON.stringify({ type: "busy-end", shardId, at: Date.now() })}\n`);
    }
    if (behaviour.slowShardsFile && slowShards(behaviour.slowShardsFile).includes(shardId)) {
      await new Promise((r) => setTimeout(r, behaviour.slowMs ?? 0));
    }
    if (behaviour.failOn !== undefined && data.includes(behaviour.failOn)) {
      if (behaviour.failTimes === undefined || failures < behaviour.failTimes) {
        failures++;
        throw new Error(`test processor refuses ${behaviour.failOn} (failure ${failures})`);
      }
    }
    const lines = records.map((r, i) =>
      JSON.stringify({
        w: workerId,
        s: shardId,
        st: context.streamName,
        q: r.sequenceNumber,
        u: r.subSequenceNumber,
        k: r.partitionKey,
        d: data[i]!,
        t: Date.now(),
      } satisfies DeliveryLine),
    );
    appendFileSync(out, `${lines.join("\n")}\n`);
    const at = behaviour.checkpointAfter === undefined ? -1 : data.indexOf(behaviour.checkpointAfter);
    if (at >= 0) await checkpointer.checkpoint(records[at]!);
  },
});

const worker = createWorker({ ...options, workerId, processor }, fanOutDeps());
worker.events.onAny((event) => {
  process.stdout.write(`${JSON.stringify(event)}\n`);
});

/** kinesis-mock needs SubscribeToShard through the relay: the real SDK clients, another endpoint. */
function fanOutDeps(): WorkerDeps {
  const subscribeEndpoint = process.env.KCL_TEST_SUBSCRIBE_ENDPOINT;
  if (!subscribeEndpoint) return {};
  const admin = createKinesisClient({ region: options.region });
  const http2 = createKinesisHttp2Client({ region: options.region, subscribeEndpoint });
  return { fanOut: createAwsFanOut(admin.client, http2.client, admin.target) };
}

let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(130);
    stopping = true;
    void worker.stop(signal);
  });
}

try {
  await worker.start();
  const result = await worker.done;
  process.stdout.write(`${JSON.stringify({ type: "exit", clean: result.clean })}\n`);
  process.exit(0);
} catch (error) {
  process.stderr.write(`${String(error)}\n`);
  process.exit(error instanceof ProcessorFailedError ? 5 : 4);
}
