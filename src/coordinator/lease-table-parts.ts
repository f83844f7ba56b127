// Where a worker's lease-table calls go. With the lease thread running: to the thread's own DynamoDB
// store by message (remote-store.ts), so this thread never loads the DynamoDB SDK (about 5 MB of RSS).
// Otherwise: the injected store (simulations), or a DynamoDB store here, whose modules are imported
// only then (dynamodb-parts.ts).
import { type ClientTarget, clientTarget } from "../aws/client-config.ts";
import type { ResolvedConfig } from "../config/options.ts";
import type { Clock } from "../core/clock.ts";
import type { EventBus } from "../core/events.ts";
import type { Random } from "../core/random.ts";
import type { LeaseOperatorStore } from "../leases/operator-store.ts";
import type { LeaseStore, WorkerTableStore } from "../leases/store.ts";
import { renewalBatching } from "../leases/renewal-batching.ts";
import { remoteStores } from "../leases/thread/remote-store.ts";
import type { LeaseThreadHandle } from "../leases/thread/threaded-coordinator.ts";
import type { WorkerDeps, WorkerOptions } from "./types.ts";

/** Who runs the renewer and taker: the lease thread, or a coordinator here over this full store. */
export type LeaseOwner = { thread: LeaseThreadHandle } | { store: LeaseStore };

export interface LeaseTableParts {
  /** Start-up checks, shard sync and cleanup use this. */
  store: WorkerTableStore;
  /** Where drain requests are read; undefined: not watched. */
  operator?: Pick<LeaseOperatorStore, "drainRequested" | "clearDrain">;
  owner: LeaseOwner;
  dynamoTarget: ClientTarget;
  close(): void;
}

export interface LeaseTableContext {
  config: ResolvedConfig;
  credentials: WorkerOptions["credentials"];
  deps: WorkerDeps;
  clock: Clock;
  random: Random;
  thread: LeaseThreadHandle | undefined;
  workerId: string;
  events: EventBus;
}

export async function leaseTableParts(o: LeaseTableContext): Promise<LeaseTableParts> {
  const { config, deps } = o;
  const injected = deps.leaseStore;
  if (injected) {
    return {
      store: injected,
      ...(deps.operatorStore ? { operator: deps.operatorStore } : {}),
      owner: { store: injected },
      dynamoTarget: { region: config.region, endpoint: config.dynamodbEndpoint },
      close: () => {},
    };
  }
  const aws = {
    region: config.region,
    credentials: o.credentials,
    dynamodbEndpoint: config.dynamodbEndpoint,
  };
  if (o.thread) {
    const remote = remoteStores(o.thread, o.workerId);
    return {
      store: remote.store,
      operator: deps.operatorStore ?? remote.operator,
      owner: { thread: o.thread },
      dynamoTarget: clientTarget("dynamodb", aws),
      close: () => {},
    };
  }
  const { createDynamoParts } = await import("./dynamodb-parts.ts");
  const dynamo = createDynamoParts({
    aws,
    table: config.table,
    clock: o.clock,
    random: o.random,
    batching: renewalBatching(config, o.events),
  });
  return {
    store: dynamo.store,
    operator: deps.operatorStore ?? dynamo.operator,
    owner: { store: dynamo.store },
    dynamoTarget: dynamo.target,
    close: dynamo.close,
  };
}
