// Shared set-up of the operator-command tests (leases drain / reset / lag): an in-process worker on the
// test emulators that records every delivery and lost lease, and a text sink standing in for stdout.
import type { WorkerOptions } from "../../../src/coordinator/types.ts";
import { createWorker } from "../../../src/coordinator/worker.ts";
import type { KclEvent } from "../../../src/core/events.ts";
import type { RecordProcessor } from "../../../src/plugin.ts";
import { FAST } from "../../integration/support.ts";
import { TEST_CREDENTIALS, type TestAws, uniqueName } from "../../support/aws.ts";

export interface Delivery {
  data: string;
  shardId: string;
  sequenceNumber: string;
  arrival: number;
}

export interface RecordingWorkerSpec {
  app: string;
  stream: string;
  /** Default: a unique id. */
  workerId?: string;
  extra?: Partial<WorkerOptions>;
}

const decoder = new TextDecoder();

/** A worker with the FAST test timings whose processor records deliveries and leaseLost calls. */
export function startRecordingWorker(aws: TestAws, spec: RecordingWorkerSpec) {
  const delivered: Delivery[] = [];
  const lost: string[] = [];
  const processor = (ctx: { shardId: string }): RecordProcessor => ({
    async processRecords({ records }) {
      for (const r of records)
        delivered.push({
          data: decoder.decode(r.data),
          shardId: ctx.shardId,
          sequenceNumber: r.sequenceNumber,
          arrival: r.approximateArrivalTimestamp.getTime(),
        });
    },
    async leaseLost() {
      lost.push(ctx.shardId);
    },
  });
  const worker = createWorker({
    app: spec.app,
    stream: spec.stream,
    workerId: spec.workerId ?? uniqueName("w"),
    region: aws.region,
    kinesisEndpoint: aws.kinesisEndpoint,
    dynamodbEndpoint: aws.dynamodbEndpoint,
    credentials: TEST_CREDENTIALS,
    ...FAST,
    ...spec.extra,
    processor: processor as WorkerOptions["processor"],
  });
  const events: KclEvent[] = [];
  worker.events.onAny((e) => events.push(e));
  return { worker, delivered, lost, events };
}

/** Collects what a command writes to stdout or stderr. */
export function textSink() {
  let text = "";
  return {
    write: (s: string) => {
      text += s;
    },
    text: () => text,
  };
}
