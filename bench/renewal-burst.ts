#!/usr/bin/env bun
// Experiment behind README "The missed target": one worker's renewal round, N lease renewals fired at
// once (as the renewer does without batching) through the DynamoDB lease store, against the bench
// emulators in their own process. It first compared the SDK on node:http with the SDK on fetch; the
// store now has its own client (src/aws/dynamodb-http, node:http keep-alive), the only kind left. Per round: wall time, latency, failures (the store's 5 s
// per-call timeout), CPU per call, and the TCP sockets on the DynamoDB port by state (`ss`), which
// shows how many connections each handler keeps alive and how many it closes (TIME-WAIT).
//   bun bench/renewal-burst.ts [--leases 500] [--rounds 4] [--handlers lease-table] [--lanes 0]
//                              [--pause-ms 1000]
// --lanes N sends at most N renewals at once (0: all at once).
import { execSync } from "node:child_process";
import { parseArgs } from "node:util";
import { createLeaseTableClient } from "../src/aws/lease-table-client.ts";
import { systemClock } from "../src/core/clock.ts";
import { systemRandom } from "../src/core/random.ts";
import { createDynamoLeaseStore } from "../src/leases/dynamodb-store.ts";
import type { Lease } from "../src/leases/lease.ts";
import { newLease } from "../src/testing/lease-sim.ts";
import { startEmulatorServer } from "./harness/emulator.ts";
import { killAll } from "./harness/processes.ts";

const { values } = parseArgs({
  options: {
    leases: { type: "string", default: "500" },
    rounds: { type: "string", default: "4" },
    handlers: { type: "string", default: "lease-table" },
    lanes: { type: "string", default: "0" },
    "pause-ms": { type: "string", default: "1000" },
  },
});
const n = Number(values.leases);
const lanes = Number(values.lanes);
const emu = await startEmulatorServer(`.bench-out/renewal-burst-${Date.now()}`);
const port = new URL(emu.dynamodbEndpoint).port;
const conns = () => {
  const counts: Record<string, number> = {};
  for (const line of execSync("ss -tanH").toString().split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f[3]?.endsWith(`:${port}`) || f[4]?.endsWith(`:${port}`)) counts[f[0]!] = (counts[f[0]!] ?? 0) + 1;
  }
  return JSON.stringify(counts);
};
try {
  const options = {
    region: "us-east-1",
    credentials: { accessKeyId: "b", secretAccessKey: "b" },
    dynamodbEndpoint: emu.dynamodbEndpoint,
    env: {},
  };
  for (const kind of values.handlers.split(",")) {
    const client = createLeaseTableClient(options).client;
    const table = `t-${kind}-${Date.now()}`;
    const store = createDynamoLeaseStore({
      client,
      table,
      target: { region: "us-east-1", endpoint: emu.dynamodbEndpoint },
      clock: systemClock,
      random: systemRandom,
    });
    await store.ensureTable();
    const held: Lease[] = [];
    for (let i = 0; i < n; i++) {
      const c = await store.createLeaseIfNotExists(newLease(`lease-${i}`, { leaseOwner: "w" }));
      if (!c.ok) throw new Error("create");
      held.push(c.value);
    }
    for (let r = 0; r < Number(values.rounds); r++) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const lat: number[] = [];
      let errors = 0;
      const errs = new Map<string, number>();
      const one = async (i: number) => {
        const s = performance.now();
        try {
          const out = await store.renewLease(held[i]!);
          if (out.ok) held[i] = out.value;
          else errors++;
        } catch (e) {
          errors++;
          const m = String((e as Error).message).slice(0, 80);
          errs.set(m, (errs.get(m) ?? 0) + 1);
        }
        lat.push(performance.now() - s);
      };
      if (lanes > 0) {
        let next = 0;
        await Promise.all(
          Array.from({ length: lanes }, async () => {
            while (next < n) await one(next++);
          }),
        );
      } else await Promise.all(held.map((_, i) => one(i)));
      const wall = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      lat.sort((a, b) => a - b);
      console.log(
        `${kind} round ${r}: wall ${wall.toFixed(0)} ms, p50 ${lat[lat.length >> 1]!.toFixed(0)} max ${lat.at(-1)!.toFixed(0)} ms, errors ${errors} ${JSON.stringify([...errs])}, cpu/call ${((cpu.user + cpu.system) / n).toFixed(0)} µs, sockets(port) ${conns()}`,
      );
      await Bun.sleep(Number(values["pause-ms"]));
    }
    client.destroy();
  }
} finally {
  await emu.stop();
  await killAll();
}
