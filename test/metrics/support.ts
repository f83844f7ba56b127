// Metrics test helpers: scrape an endpoint and parse it strictly, and AWS clients with switchable
// fault injection above the clients' retries (the engine sees every injected fault).
import { ProvisionedThroughputExceededException as DynamoThrottle } from "@aws-sdk/client-dynamodb";
import { ProvisionedThroughputExceededException as KinesisThrottle } from "@aws-sdk/client-kinesis";
import { createKinesisClient } from "../../src/aws/clients.ts";
import { createLeaseTableClient } from "../../src/aws/lease-table-client.ts";
import { systemClock } from "../../src/core/clock.ts";
import { systemRandom } from "../../src/core/random.ts";
import type { WireGetRecordsOutput } from "../../src/kinesis/aws-get-records.ts";
import { createAwsKinesis } from "../../src/kinesis/aws-kinesis.ts";
import { createDynamoLeaseStore } from "../../src/leases/dynamodb-store.ts";
import { TEST_CREDENTIALS, type TestAws } from "../support/aws.ts";
import { getRecordsClientFor, interceptCalls } from "../support/lease-table-client.ts";
import { type Family, type MetricType, parsePrometheusText, sampleValue } from "../support/prom-text.ts";

export interface Scrape {
  families: Map<string, Family>;
  value(name: string, labels?: Record<string, string>): number | undefined;
  /** Sum of every sample of `name` (e.g. a per-shard counter over all shards). */
  sum(name: string): number;
  /** The label values of `label` over the samples of `name`. */
  labels(name: string, label: string): string[];
}

export async function scrape(url: string): Promise<Scrape> {
  const res = await fetch(`${url}/metrics`);
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  if (!res.headers.get("content-type")?.startsWith("text/plain; version=0.0.4"))
    throw new Error(`unexpected content type ${res.headers.get("content-type")}`);
  const families = parsePrometheusText(await res.text());
  const samples = (name: string) =>
    [...families.values()].flatMap((f) => f.samples.filter((s) => s.name === name));
  return {
    families,
    value: (name, labels) => sampleValue(families, name, labels),
    sum: (name) => samples(name).reduce((n, s) => n + s.value, 0),
    labels: (name, label) =>
      samples(name)
        .map((s) => s.labels[label] as string)
        .sort(),
  };
}

export async function probe(
  url: string,
  path: "/healthz" | "/readyz",
): Promise<{ status: number; body: string }> {
  const res = await fetch(`${url}${path}`);
  return { status: res.status, body: await res.text() };
}

/** The §10 metrics and their Prometheus types (plus kcl_worker_info). */
export const SPEC_METRICS: Record<string, MetricType> = {
  kcl_millis_behind_latest: "gauge",
  kcl_records_processed_total: "counter",
  kcl_bytes_processed_total: "counter",
  kcl_process_records_seconds: "histogram",
  kcl_get_records_seconds: "histogram",
  kcl_leases_held: "gauge",
  kcl_lease_renewals_total: "counter",
  kcl_lease_takes_total: "counter",
  kcl_leases_lost_total: "counter",
  kcl_checkpoints_total: "counter",
  kcl_throttles_total: "counter",
  kcl_processor_errors_total: "counter",
  kcl_workers: "gauge",
};

/** Switches for injected faults; flipped by the test while the worker runs. */
export interface Faults {
  throttleGetRecords: boolean;
  throttleLeaseWrites: boolean;
  /** When set, GetRecords answers report this MillisBehindLatest (kinesalite always says 0). */
  lag: number | undefined;
  injected: { getRecords: number; leaseWrites: number };
}

/** A Kinesis port and a DynamoDB lease store over real SDK clients, with `faults` applied. */
export function faultyPorts(aws: TestAws, table: string) {
  const faults: Faults = {
    throttleGetRecords: false,
    throttleLeaseWrites: false,
    lag: undefined,
    injected: { getRecords: 0, leaseWrites: 0 },
  };
  const common = { region: aws.region, credentials: TEST_CREDENTIALS, env: {} };
  const k = createKinesisClient({ ...common, kinesisEndpoint: aws.kinesisEndpoint });
  const getRecords = interceptCalls(getRecordsClientFor(aws.kinesisEndpoint), async (command, next) => {
    if (command.operation !== "GetRecords") return next();
    if (faults.throttleGetRecords) {
      faults.injected.getRecords++;
      throw new KinesisThrottle({ message: "injected", $metadata: {} });
    }
    const output = (await next()) as WireGetRecordsOutput;
    if (faults.lag !== undefined) output.MillisBehindLatest = faults.lag;
    return output;
  });
  const d = createLeaseTableClient({ ...common, dynamodbEndpoint: aws.dynamodbEndpoint });
  interceptCalls(d.client, async (command, next) => {
    // Renewals, takes, checkpoints and releases are UpdateItem calls (this store does not batch); scans
    // still get through.
    if (faults.throttleLeaseWrites && command.operation === "UpdateItem") {
      faults.injected.leaseWrites++;
      throw new DynamoThrottle({ message: "injected", $metadata: {} });
    }
    return next();
  });
  return {
    faults,
    deps: {
      kinesis: createAwsKinesis(k.client, k.target, { getRecordsClient: getRecords }),
      leaseStore: createDynamoLeaseStore({
        client: d.client,
        table,
        target: d.target,
        clock: systemClock,
        random: systemRandom,
      }),
    },
    close() {
      k.client.destroy();
      d.client.destroy();
    },
  };
}
