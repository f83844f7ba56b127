// The lease table in this thread: its DynamoDB client, lease store and operator store. Imported
// dynamically (lease-table-parts.ts) only when the lease thread is off or could not start, so a worker
// whose lease thread runs never loads the lease table's modules on its main thread.
import type { AwsClientOptions, ClientTarget } from "../aws/client-config.ts";
import { createLeaseTableClient } from "../aws/lease-table-client.ts";
import type { Clock } from "../core/clock.ts";
import type { Random } from "../core/random.ts";
import { createDynamoOperatorStore } from "../leases/dynamodb-operator-store.ts";
import type { RenewalBatchingOptions } from "../leases/dynamodb-renewal-batch.ts";
import { createDynamoLeaseStore } from "../leases/dynamodb-store.ts";
import type { LeaseOperatorStore } from "../leases/operator-store.ts";
import type { LeaseStore } from "../leases/store.ts";

export interface DynamoParts {
  store: LeaseStore;
  operator: LeaseOperatorStore;
  target: ClientTarget;
  close(): void;
}

export function createDynamoParts(o: {
  aws: AwsClientOptions;
  table: string;
  clock: Clock;
  random: Random;
  batching: RenewalBatchingOptions;
}): DynamoParts {
  const built = createLeaseTableClient(o.aws, o.clock, o.random);
  const { client, target } = built;
  return {
    store: createDynamoLeaseStore({
      client,
      table: o.table,
      target,
      clock: o.clock,
      random: o.random,
      ...o.batching,
    }),
    operator: createDynamoOperatorStore({ client, table: o.table, target, clock: o.clock }),
    target,
    close: () => client.destroy(),
  };
}
