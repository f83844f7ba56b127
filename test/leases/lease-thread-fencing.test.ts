// Fencing through the lease thread, on the emulators with the real SDK: a lease taken by another owner
// while processRecords is still running (slow, reported) is reported lost to the main thread, the
// processor's AbortSignal fires, and its checkpoint is rejected with LeaseLostError.
import { expect, test } from "bun:test";
import { UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { createWorker } from "../../src/coordinator/worker.ts";
import { LeaseLostError } from "../../src/core/errors.ts";
import type { KclEvent } from "../../src/core/events.ts";
import type { LeaseCoordinator } from "../../src/leases/coordinator.ts";
import { createStream, putRecords, TEST_CREDENTIALS, uniqueName, waitFor } from "../support/aws.ts";
import { awsForSuite } from "../support/aws-for-suite.ts";

const aws = awsForSuite();

test("a lease taken while processRecords runs: leaseLost, the signal aborts, the checkpoint is rejected", async () => {
  const stream = uniqueName("thread-fencing");
  const app = uniqueName("thread-fencing-app");
  await createStream(aws.kinesis, stream, 1);
  await putRecords(aws.kinesis, stream, [{ partitionKey: "k", data: "r0" }]);
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  let inside = false;
  let aborted = false;
  let checkpointError: unknown;
  let coordinator: LeaseCoordinator | undefined;
  const worker = createWorker(
    {
      app,
      stream,
      region: aws.region,
      credentials: TEST_CREDENTIALS,
      kinesisEndpoint: aws.kinesisEndpoint,
      dynamodbEndpoint: aws.dynamodbEndpoint,
      initialPosition: "TRIM_HORIZON",
      checkpoint: "manual",
      failoverMs: 3000,
      processorWarnMs: 500,
      processor: {
        async processRecords({ signal, checkpointer }) {
          inside = true;
          signal.addEventListener("abort", () => {
            aborted = true;
          });
          await held;
          checkpointError = await checkpointer.checkpoint().then(
            () => undefined,
            (e) => e,
          );
        },
      },
    },
    { onCoordinator: (c) => (coordinator = c) },
  );
  const events: KclEvent[] = [];
  worker.events.onAny((e) => events.push(e));
  try {
    await worker.start();
    expect(coordinator?.constructor.name).toBe("ThreadedLeaseCoordinator");
    await waitFor("processRecords running", () => inside, 30_000);
    // Another owner takes the lease behind this worker's back (counter + 1, new owner).
    await aws.dynamodb.send(
      new UpdateItemCommand({
        TableName: app,
        Key: { leaseKey: { S: "shardId-000000000000" } },
        UpdateExpression: "SET leaseOwner = :other, leaseCounter = leaseCounter + :one",
        ExpressionAttributeValues: { ":other": { S: "someone-else" }, ":one": { N: "1" } },
      }),
    );
    await waitFor(
      "the lease thread reports the loss",
      () => events.some((e) => e.type === "lease-lost"),
      30_000,
    );
    await waitFor("the processor's signal aborted", () => aborted, 10_000);
    await waitFor(
      "the slow callback reported",
      () => events.some((e) => e.type === "processor-slow" && e.callback === "processRecords"),
      10_000,
    );
    release();
    await waitFor("the checkpoint answered", () => checkpointError !== undefined, 10_000);
    expect(checkpointError).toBeInstanceOf(LeaseLostError);
    expect(events.filter((e) => e.type === "checkpoint-written")).toEqual([]);
  } finally {
    release();
    await worker.stop();
  }
}, 60_000);
