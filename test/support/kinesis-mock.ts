// kinesis-mock (npm kinesis-local) as a child process on free ports, plus the HTTP/2 relay that
// SubscribeToShard goes through (h2-relay.ts says why). It has no host setting and would bind 0.0.0.0:
// a preload (loopback-listen.cjs) pins its listeners to 127.0.0.1. Stream and consumer transitions are
// instant (0ms durations).
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import type { KinesisClient } from "@aws-sdk/client-kinesis";
import { createKinesisClient } from "../../src/aws/clients.ts";
import { createKinesisHttp2Client } from "../../src/aws/http2-client.ts";
import { createAwsFanOut } from "../../src/kinesis/aws-fan-out.ts";
import type { FanOutPort } from "../../src/kinesis/fan-out-port.ts";
import { startTestAws, type TestAws } from "./aws.ts";
import { type H2Relay, startH2Relay } from "./h2-relay.ts";

export interface KinesisMock {
  /** Plain port, HTTP/1.1 and HTTP/2 cleartext: every call but SubscribeToShard. */
  endpoint: string;
  /** The relay: SubscribeToShard. */
  subscribeEndpoint: string;
  relay: H2Relay;
  kinesis: KinesisClient;
  /** A fan-out port over the real SDK clients (HTTP/1.1 admin, HTTP/2 via the relay). */
  fanOut(): { port: FanOutPort; destroy(): void };
  stop(): Promise<void>;
}

const CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitListening(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`kinesis-mock exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, "127.0.0.1", () => {
        s.destroy();
        resolve(true);
      });
      s.on("error", () => resolve(false));
    });
    if (ok) return;
    if (performance.now() > deadline)
      throw new Error(`kinesis-mock did not listen on ${port} in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startKinesisMock(): Promise<KinesisMock> {
  const main = createRequire(import.meta.url).resolve("kinesis-local/main.js");
  const [plain, tls] = [await freePort(), await freePort()];
  const zero = "0ms";
  // Node runs it (its HTTP/2 server is what the mock was built against); the test runner may be Bun.
  const child = spawn(
    process.env.KCL_TEST_NODE ?? "node",
    ["-r", join(import.meta.dir, "loopback-listen.cjs"), main],
    {
      cwd: dirname(main),
      stdio: ["ignore", "ignore", "pipe"],
      env: {
        ...process.env,
        KINESIS_MOCK_PLAIN_PORT: String(plain),
        KINESIS_MOCK_TLS_PORT: String(tls),
        KINESIS_MOCK_CERT_PATH: join(dirname(main), "server.json"),
        CREATE_STREAM_DURATION: zero,
        DELETE_STREAM_DURATION: zero,
        REGISTER_STREAM_CONSUMER_DURATION: zero,
        DEREGISTER_STREAM_CONSUMER_DURATION: zero,
        SPLIT_SHARD_DURATION: zero,
        MERGE_SHARDS_DURATION: zero,
        UPDATE_SHARD_COUNT_DURATION: zero,
        SHARD_LIMIT: "200",
        LOG_LEVEL: "ERROR",
      },
    },
  );
  let stderr = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (c: string) => {
    stderr = (stderr + c).slice(-4000);
  });
  child.on("exit", (code, sig) => {
    if (!stopping) process.stderr.write(`kinesis-mock exited (${code ?? sig}): ${stderr}\n`);
  });
  let stopping = false;
  try {
    await waitListening(plain, child, 60_000);
  } catch (e) {
    child.kill("SIGKILL");
    throw e;
  }
  const relay = await startH2Relay(plain);
  const endpoint = `http://127.0.0.1:${plain}`;
  const common = { region: "us-east-1", credentials: CREDENTIALS, env: {}, kinesisEndpoint: endpoint };
  const kinesis = createKinesisClient(common).client;
  return {
    endpoint,
    subscribeEndpoint: relay.endpoint,
    relay,
    kinesis,
    fanOut() {
      const admin = createKinesisClient(common);
      const http2 = createKinesisHttp2Client({ ...common, subscribeEndpoint: relay.endpoint });
      return {
        port: createAwsFanOut(admin.client, http2.client, admin.target),
        destroy() {
          admin.client.destroy();
          http2.client.destroy();
        },
      };
    },
    async stop() {
      stopping = true;
      kinesis.destroy();
      await relay.stop();
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * dynalite for leases, kinesis-mock for the stream: a TestAws whose `env` makes worker processes
 * subscribe through the relay (KCL_TEST_SUBSCRIBE_ENDPOINT, read by test/support/worker-process.ts).
 * `stop()` stops both.
 */
export async function startEfoTestAws(): Promise<TestAws> {
  const dynamo = await startTestAws();
  const mock = await startKinesisMock();
  return {
    ...dynamo,
    kinesisEndpoint: mock.endpoint,
    kinesis: mock.kinesis,
    env: {
      ...dynamo.env,
      AWS_ENDPOINT_URL_KINESIS: mock.endpoint,
      KCL_TEST_SUBSCRIBE_ENDPOINT: mock.subscribeEndpoint,
    },
    async stop() {
      await mock.stop();
      await dynamo.stop();
    },
  };
}
