// kinesis-mock (npm kinesis-local) as a child process for tests: unlike kinesalite it returns ChildShards
// at shard end and millisBehindLatest, as Kinesis does. Started on free loopback ports (a preload pins
// its listeners to 127.0.0.1: it has no host setting), nothing persisted, stopped by the caller.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { type KinesisClient, ListStreamsCommand } from "@aws-sdk/client-kinesis";
import { createKinesisClient } from "../../src/aws/clients.ts";
import { TEST_CREDENTIALS } from "./aws.ts";

const PACKAGE = dirname(require.resolve("kinesis-local/package.json"));
const LOOPBACK_PRELOAD = join(import.meta.dir, "loopback-listen.cjs");

export interface KinesisMock {
  endpoint: string;
  region: string;
  client: KinesisClient;
  /** Its stdout and stderr so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts kinesis-mock with instant stream operations; resolves once it answers ListStreams. */
export async function startKinesisMock(options: { shardLimit?: number } = {}): Promise<KinesisMock> {
  const [plain, tls] = [await freePort(), await freePort()];
  // Status changes (CREATING → ACTIVE, UPDATING → ACTIVE) take this long: short, but not zero, so the
  // adapter's waits for ACTIVE are exercised.
  const duration = "50ms";
  const child = spawn("node", ["-r", LOOPBACK_PRELOAD, join(PACKAGE, "main.js")], {
    cwd: PACKAGE,
    env: {
      PATH: process.env.PATH ?? "",
      KINESIS_MOCK_PLAIN_PORT: String(plain),
      KINESIS_MOCK_TLS_PORT: String(tls),
      KINESIS_MOCK_CERT_PATH: join(PACKAGE, "server.json"),
      SHOULD_PERSIST_DATA: "false",
      LOAD_DATA_IF_EXISTS: "false",
      SHARD_LIMIT: String(options.shardLimit ?? 200),
      CREATE_STREAM_DURATION: duration,
      DELETE_STREAM_DURATION: duration,
      SPLIT_SHARD_DURATION: duration,
      MERGE_SHARDS_DURATION: duration,
      UPDATE_SHARD_COUNT_DURATION: duration,
      REGISTER_STREAM_CONSUMER_DURATION: duration,
      DEREGISTER_STREAM_CONSUMER_DURATION: duration,
      LOG_LEVEL: "WARN",
      ROOT_LOG_LEVEL: "ERROR",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (c) => {
    output += String(c);
  });
  child.stderr.on("data", (c) => {
    output += String(c);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const endpoint = `http://127.0.0.1:${plain}`;
  const region = "us-east-1";
  const { client } = createKinesisClient({
    region,
    credentials: TEST_CREDENTIALS,
    kinesisEndpoint: endpoint,
    env: {},
  });
  const stop = async () => {
    client.destroy();
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  // Liveness bound only: it boots in about a second; a loaded machine may take several.
  const deadline = performance.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`kinesis-mock exited with ${child.exitCode}:\n${output}`);
    try {
      await client.send(new ListStreamsCommand({}));
      break;
    } catch (error) {
      if (performance.now() > deadline) {
        await stop();
        throw new Error(`kinesis-mock did not answer on ${endpoint} within 60 s: ${error}\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { endpoint, region, client, output: () => output, stop };
}
