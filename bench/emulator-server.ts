#!/usr/bin/env bun
// The benchmark's emulator process: kinesalite + dynalite (cli/local/emulators.ts) behind metering
// proxies, in a process of their own so the consumer's measured CPU is only the consumer's.
// Prints {"type":"ready",...endpoints} on stdout; a "stats" line on stdin prints the request counts;
// exits on stdin end, SIGTERM or SIGINT.
import { createInterface } from "node:readline";
import { startEmulators } from "../cli/local/emulators.ts";
import { startMeteringProxy } from "./metering-proxy.ts";

const meterKinesis = process.argv.includes("--meter-kinesis");
const emulators = await startEmulators({ shardLimit: 5000 });
const dynamodb = await startMeteringProxy(emulators.dynamodbEndpoint, { capacity: true });
// Kinesis traffic is only counted when asked: a proxy hop on 10 MB GetRecords responses would add
// latency to the throughput scenario for both consumers.
const kinesis = meterKinesis
  ? await startMeteringProxy(emulators.kinesisEndpoint, { capacity: false })
  : undefined;

const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
print({
  type: "ready",
  pid: process.pid,
  kinesisEndpoint: kinesis?.endpoint ?? emulators.kinesisEndpoint,
  dynamodbEndpoint: dynamodb.endpoint,
});

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  await Promise.all([dynamodb.stop(), kinesis?.stop()]);
  await emulators.stop();
  process.exit(0);
}

createInterface({ input: process.stdin })
  .on("line", (line) => {
    if (line.trim() === "stats") {
      print({ type: "stats", dynamodb: dynamodb.stats(), kinesis: kinesis?.stats() ?? null });
    }
  })
  .on("close", shutdown);
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
