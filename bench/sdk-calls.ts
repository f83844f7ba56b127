#!/usr/bin/env bun
// Micro-benchmark: CPU per SDK call in this process, by call kind, against the emulators in their own
// process: an empty GetRecords (the raw loop's and an idle worker's call) and a lease renewal through
// the DynamoDB lease store (an idle worker's other call), sequentially on `--concurrency` lanes.
//   bun bench/sdk-calls.ts [--calls 3000] [--concurrency 10] [--rounds 3] [--only GetRecords|UpdateItem]
//                         [--full-sdk] [--strip-middleware name,...]
// Prints CPU µs per call (user + system, process.cpuUsage) per kind and round, and their medians.
import { parseArgs } from "node:util";
import { GetRecordsCommand, GetShardIteratorCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import { createLeaseTableClient } from "../src/aws/lease-table-client.ts";
import { clientConfig } from "../src/aws/sdk-config.ts";
import { systemClock } from "../src/core/clock.ts";
import { systemRandom } from "../src/core/random.ts";
import { createDynamoLeaseStore } from "../src/leases/dynamodb-store.ts";
import type { Lease } from "../src/leases/lease.ts";
import { newLease } from "../src/testing/lease-sim.ts";
import { createStream, kinesisClient } from "./harness/aws.ts";
import { type EmulatorServer, startEmulatorServer } from "./harness/emulator.ts";
import { killAll } from "./harness/processes.ts";
import { median, round } from "./stats.ts";

const { values } = parseArgs({
  options: {
    calls: { type: "string", default: "3000" },
    concurrency: { type: "string", default: "10" },
    rounds: { type: "string", default: "3" },
    only: { type: "string" },
    "strip-middleware": { type: "string" },
    // The clients as the SDK builds them (with its logger middleware), for a before/after of leanClient.
    "full-sdk": { type: "boolean" },
  },
});
const calls = Number(values.calls);
const lanes = Number(values.concurrency);
const rounds = Number(values.rounds);

async function cpuPerCall(call: (lane: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 50; i++) await call(i % lanes); // warm-up
  const start = process.cpuUsage();
  const perLane = Math.ceil(calls / lanes);
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      for (let i = 0; i < perLane; i++) await call(lane);
    }),
  );
  const used = process.cpuUsage(start);
  return (used.user + used.system) / (perLane * lanes);
}

function fullSdk(emu: EmulatorServer) {
  const options = {
    region: "us-east-1",
    credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
    kinesisEndpoint: emu.kinesisEndpoint,
    dynamodbEndpoint: emu.dynamodbEndpoint,
    env: {},
  };
  return {
    kinesis: new KinesisClient(clientConfig("kinesis", options).config),
  };
}

const emu = await startEmulatorServer(`.bench-out/sdk-calls-${Date.now()}`);
try {
  const kinesis = values["full-sdk"] ? fullSdk(emu).kinesis : kinesisClient(emu);
  // The lease store's own client (src/aws/dynamodb-http): --full-sdk and --strip-middleware are Kinesis's.
  const leaseTable = createLeaseTableClient({
    region: "us-east-1",
    credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
    dynamodbEndpoint: emu.dynamodbEndpoint,
    env: {},
  }).client;
  for (const name of (values["strip-middleware"] ?? "").split(",").filter(Boolean)) {
    kinesis.middlewareStack.remove(name);
  }
  await createStream(kinesis, "sdk-calls", 1);
  const iterator = (
    await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: "sdk-calls",
        ShardId: "shardId-000000000000",
        ShardIteratorType: "LATEST",
      }),
    )
  ).ShardIterator!;
  const store = createDynamoLeaseStore({
    client: leaseTable,
    table: "sdk-calls",
    target: { region: "us-east-1", endpoint: emu.dynamodbEndpoint },
    clock: systemClock,
    random: systemRandom,
  });
  await store.ensureTable();
  const held: Lease[] = [];
  for (let lane = 0; lane < lanes; lane++) {
    const created = await store.createLeaseIfNotExists(newLease(`lease-${lane}`, { leaseOwner: "bench" }));
    if (!created.ok) throw new Error("lease not created");
    held.push(created.value);
  }
  const kinds: Record<string, (lane: number) => Promise<unknown>> = {
    GetRecords: () => kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 })),
    "UpdateItem (renewal)": async (lane) => {
      const out = await store.renewLease(held[lane]!);
      if (!out.ok) throw new Error(`renewal failed: ${out.reason}`);
      held[lane] = out.value;
    },
  };
  const results: Record<string, number[]> = {};
  for (let r = 1; r <= rounds; r++) {
    for (const [kind, call] of Object.entries(kinds)) {
      if (values.only && !kind.startsWith(values.only)) continue;
      const us = await cpuPerCall(call);
      results[kind] = [...(results[kind] ?? []), round(us, 1)!];
      process.stderr.write(`round ${r}: ${kind} ${round(us, 1)} µs CPU per call\n`);
    }
  }
  for (const [kind, xs] of Object.entries(results)) {
    process.stdout.write(`${kind}: median ${median(xs)} µs CPU per call (rounds ${xs.join(", ")})\n`);
  }
  kinesis.destroy();
  leaseTable.destroy();
} finally {
  await emu.stop();
  await killAll();
}
