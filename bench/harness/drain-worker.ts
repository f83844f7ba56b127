// A kcl-ts worker process for bench/latency.ts's drains: its own process, so that its CPU is measured
// apart from the emulators and the push server (which run in the bench process). It reads a pre-loaded
// stream at TRIM_HORIZON and prints one JSON line at the first record and one when it has --expect
// records (with its own CPU since it started), then waits to be stopped.
//
// Environment: DRAIN = JSON { mode: "polling" | "efo", stream, expect, kinesisEndpoint, dynamodbEndpoint,
// subscribeEndpoint?, stubConsumers? }. With stubConsumers, consumer administration answers "ACTIVE"
// without a call (kinesalite has no stream consumers); SubscribeToShard is still the real SDK over HTTP/2.
import { createKinesisClient } from "../../src/aws/clients.ts";
import { createKinesisHttp2Client } from "../../src/aws/http2-client.ts";
import { createWorker } from "../../src/coordinator/worker.ts";
import { createAwsFanOut } from "../../src/kinesis/aws-fan-out.ts";
import type { FanOutPort } from "../../src/kinesis/fan-out-port.ts";
import { withStubConsumers } from "./stub-consumers.ts";

interface DrainSpec {
  mode: "polling" | "efo";
  stream: string;
  expect: number;
  kinesisEndpoint: string;
  dynamodbEndpoint: string;
  subscribeEndpoint?: string;
  stubConsumers?: boolean;
}

const spec = JSON.parse(process.env.DRAIN ?? "{}") as DrainSpec;
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const common = { region: "us-east-1", credentials, env: {}, kinesisEndpoint: spec.kinesisEndpoint };
const cpu0 = process.cpuUsage();
const app = `drain-${spec.mode}-${process.pid}`;

function fanOut(): FanOutPort {
  const admin = createKinesisClient(common);
  const http2 = createKinesisHttp2Client({ ...common, subscribeEndpoint: spec.subscribeEndpoint });
  const real = createAwsFanOut(admin.client, http2.client, admin.target);
  return spec.stubConsumers ? withStubConsumers(real, spec.stream, app) : real;
}

let got = 0;
const worker = createWorker(
  {
    app,
    stream: spec.stream,
    region: "us-east-1",
    kinesisEndpoint: spec.kinesisEndpoint,
    dynamodbEndpoint: spec.dynamodbEndpoint,
    credentials,
    initialPosition: "TRIM_HORIZON",
    retrieval: spec.mode,
    processor: {
      processRecords({ records }) {
        if (got === 0) process.stdout.write(`${JSON.stringify({ first: Date.now() })}\n`);
        const before = got;
        got += records.length;
        if (before < spec.expect && got >= spec.expect) {
          const cpu = process.cpuUsage(cpu0);
          process.stdout.write(
            `${JSON.stringify({ done: Date.now(), got, cpuMicros: cpu.user + cpu.system })}\n`,
          );
        }
      },
    },
  },
  spec.mode === "efo" ? { fanOut: fanOut() } : {},
);
process.on("SIGTERM", () => {
  void worker.stop().then(() => process.exit(0));
});
await worker.start();
