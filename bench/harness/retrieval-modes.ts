// The three ways bench/latency.ts reads one kinesis-mock stream with an in-process kcl-ts worker:
// polling (GetRecords), efo (SubscribeToShard served by kinesis-mock itself, through the test relay) and
// efo-push (SubscribeToShard served by push-fan-out.ts: events pushed as soon as a tight reader sees the
// records in the same kinesis-mock stream). Only the HTTP/2 endpoint differs between the two efo modes:
// consumer registration, leases, checkpoints and kcl-ts's fan-out reader are the same code.
import { createKinesisClient } from "../../src/aws/clients.ts";
import { createKinesisHttp2Client } from "../../src/aws/http2-client.ts";
import { createWorker } from "../../src/coordinator/worker.ts";
import type { Worker } from "../../src/coordinator/types.ts";
import { createAwsFanOut } from "../../src/kinesis/aws-fan-out.ts";
import type { KinesisRecord } from "../../src/plugin.ts";
import { TEST_CREDENTIALS, uniqueName } from "../../test/support/aws.ts";
import type { KinesisMock } from "../../test/support/kinesis-mock.ts";
import { type PushFanOut, startPushFanOut } from "./push-fan-out.ts";
import { withStubConsumers } from "./stub-consumers.ts";

export type Mode = "polling" | "efo" | "efo-push";

export interface ModeWorker {
  worker: Worker;
  /** efo-push only: when the server wrote each record (by sequence number). */
  pushedAt?: Map<string, number>;
  stop(): Promise<void>;
}

/** Where the stream is: kinesis-mock (fan-out of its own) or kinesalite (none: efo-push only). */
export type Target =
  | { kind: "kinesis-mock"; mock: KinesisMock }
  | { kind: "kinesalite"; kinesisEndpoint: string };

/** A started worker of `mode` on `stream` at TRIM_HORIZON; `onRecords` is its processRecords. */
export async function startModeWorker(
  mode: Mode,
  target: Target,
  dynamodbEndpoint: string,
  stream: string,
  onRecords: (records: readonly KinesisRecord[]) => void,
): Promise<ModeWorker> {
  const kinesisEndpoint = target.kind === "kinesis-mock" ? target.mock.endpoint : target.kinesisEndpoint;
  const app = uniqueName(`lat-${mode}`);
  const common = { region: "us-east-1", credentials: TEST_CREDENTIALS, env: {}, kinesisEndpoint };
  let push: PushFanOut | undefined;
  let fanOut: { port: ReturnType<typeof createAwsFanOut>; destroy(): void } | undefined;
  if (mode === "efo") {
    if (target.kind !== "kinesis-mock") throw new Error("efo needs kinesis-mock (kinesalite has no fan-out)");
    fanOut = target.mock.fanOut();
  }
  if (mode === "efo-push") {
    const reader = createKinesisClient(common).client;
    push = await startPushFanOut({ kinesis: reader, stream });
    const admin = createKinesisClient(common);
    const http2 = createKinesisHttp2Client({ ...common, subscribeEndpoint: push.endpoint });
    fanOut = {
      port:
        target.kind === "kinesalite"
          ? withStubConsumers(createAwsFanOut(admin.client, http2.client, admin.target), stream, app)
          : createAwsFanOut(admin.client, http2.client, admin.target),
      destroy() {
        admin.client.destroy();
        http2.client.destroy();
        reader.destroy();
      },
    };
  }
  const worker = createWorker(
    {
      app,
      stream,
      region: "us-east-1",
      kinesisEndpoint,
      dynamodbEndpoint,
      credentials: TEST_CREDENTIALS,
      initialPosition: "TRIM_HORIZON",
      retrieval: mode === "polling" ? "polling" : "efo",
      processor: { processRecords: ({ records }) => onRecords(records) },
    },
    fanOut ? { fanOut: fanOut.port } : {},
  );
  await worker.start();
  return {
    worker,
    ...(push ? { pushedAt: push.pushedAt } : {}),
    async stop() {
      await worker.stop();
      await push?.stop();
      fanOut?.destroy();
    },
  };
}
