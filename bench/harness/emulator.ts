// Starts bench/emulator-server.ts as a child process and talks to it over stdin/stdout lines:
// endpoints on start, request counts (per operation, with DynamoDB capacity units) on demand.
import { createInterface } from "node:readline";
import type { OpStats } from "../metering-proxy.ts";
import { type BenchProcess, spawnBench } from "./processes.ts";

export interface EmulatorStats {
  dynamodb: Record<string, OpStats>;
  kinesis: Record<string, OpStats> | null;
}

export interface EmulatorServer {
  kinesisEndpoint: string;
  dynamodbEndpoint: string;
  /** AWS_* variables that point a CLI or SDK client at the emulators. */
  env: Record<string, string>;
  process: BenchProcess;
  stats(): Promise<EmulatorStats>;
  stop(): Promise<void>;
}

export async function startEmulatorServer(
  logDir: string,
  options: { meterKinesis?: boolean; timeoutMs?: number } = {},
): Promise<EmulatorServer> {
  const args = ["bench/emulator-server.ts", ...(options.meterKinesis ? ["--meter-kinesis"] : [])];
  const proc = spawnBench("emulators", args, { logDir, pipes: true });
  const pending: ((line: string) => void)[] = [];
  createInterface({ input: proc.child.stdout! }).on("line", (line) => pending.shift()?.(line));
  const nextLine = (what: string, timeoutMs: number) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`emulator server: no ${what} within ${timeoutMs} ms\n${proc.stderrTail()}`));
      }, timeoutMs);
      pending.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
    });
  let ready: { kinesisEndpoint: string; dynamodbEndpoint: string };
  try {
    ready = JSON.parse(await nextLine("ready line", options.timeoutMs ?? 30_000));
  } catch (error) {
    await proc.stop("SIGKILL");
    throw error;
  }
  return {
    kinesisEndpoint: ready.kinesisEndpoint,
    dynamodbEndpoint: ready.dynamodbEndpoint,
    env: {
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "bench",
      AWS_SECRET_ACCESS_KEY: "bench",
      AWS_ENDPOINT_URL_KINESIS: ready.kinesisEndpoint,
      AWS_ENDPOINT_URL_DYNAMODB: ready.dynamodbEndpoint,
    },
    process: proc,
    async stats() {
      const line = nextLine("stats line", 10_000);
      proc.child.stdin!.write("stats\n");
      const parsed = JSON.parse(await line);
      return { dynamodb: parsed.dynamodb, kinesis: parsed.kinesis };
    },
    async stop() {
      proc.child.stdin!.end();
      await proc.stop("SIGTERM", 5000);
    },
  };
}
