// Embedded emulators for --local, `kcl-ts local` and the tests: kinesalite (Kinesis) and dynalite
// (DynamoDB, plus the PartiQL UPDATE subset kcl-ts batches renewals with) in-process, each on a free
// port on 127.0.0.1.
import type { IncomingMessage, Server } from "node:http";
import type { AddressInfo } from "node:net";
import dynalite from "dynalite";
import kinesalite from "kinesalite";
import { installPartiql } from "./dynalite-partiql.ts";

export interface Emulators {
  kinesisEndpoint: string;
  dynamodbEndpoint: string;
  stop(): Promise<void>;
}

export interface EmulatorOptions {
  /** kinesalite's account-wide shard limit (its default, 10, is too low for benchmarks). */
  shardLimit?: number;
  /** Fixed ports (0 = any free port). */
  kinesisPort?: number;
  dynamodbPort?: number;
  /** false: dynalite as published, without BatchExecuteStatement (tests of batching's switch-off). */
  partiql?: boolean;
}

function listen(server: Server, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const { port: actual } = server.address() as AddressInfo;
      resolve(`http://127.0.0.1:${actual}`);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    // Keep-alive sockets from SDK clients would hold close() open forever.
    (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
    server.close(() => resolve());
  });
}

/**
 * kinesalite and dynalite rethrow request errors (`req.on('error', (err) => { throw err })`), so a
 * client that disconnects with a request in flight (a SIGKILLed worker, a stopping Deno worker)
 * crashed the whole emulator process with "Error: aborted". Such a request has nobody left to answer:
 * destroy it without an error.
 */
function forgetAbortedRequests(req: IncomingMessage): void {
  const destroy = req.destroy;
  req.destroy = function (this: IncomingMessage, error?: Error) {
    const aborted = (error as { code?: string } | undefined)?.code === "ECONNRESET";
    return destroy.call(this, aborted ? undefined : error);
  };
}

export async function startEmulators(options: EmulatorOptions = {}): Promise<Emulators> {
  const kinesis: Server = kinesalite({
    createStreamMs: 0,
    deleteStreamMs: 0,
    updateStreamMs: 0,
    shardLimit: options.shardLimit ?? 1000,
  });
  const dynamo: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  if (options.partiql !== false) installPartiql(dynamo); // BatchExecuteStatement (PartiQL UPDATE) for batched lease renewals
  for (const server of [kinesis, dynamo]) server.prependListener("request", forgetAbortedRequests);
  const [kinesisEndpoint, dynamodbEndpoint] = await Promise.all([
    listen(kinesis, options.kinesisPort ?? 0),
    listen(dynamo, options.dynamodbPort ?? 0),
  ]);
  let stopped = false;
  return {
    kinesisEndpoint,
    dynamodbEndpoint,
    async stop() {
      if (stopped) return;
      stopped = true;
      await Promise.all([close(kinesis), close(dynamo)]);
    },
  };
}
