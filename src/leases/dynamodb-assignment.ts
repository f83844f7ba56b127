// The assigner mode's DynamoDB calls (AssignmentStore): the 3.x owner GSI, the 3.x leader lock row
// and WORKER_METRIC_STATS-compatible worker rows, all in the lease table. Every write is conditional
// so that it can never overwrite a lease row (or another writer's newer leader heartbeat).
import type { DynamoDbHttpClient } from "../aws/dynamodb-http/client.ts";
import {
  DeleteItemCommand,
  GetItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
} from "../aws/dynamodb-http/commands.ts";
import {
  LEADER_ENTITY,
  LEADER_KEY,
  type LeaderRow,
  OWNER_INDEX,
  type TableSnapshot,
  WORKER_ENTITY,
  type WorkerRow,
} from "./assignment-store.ts";
import { A, type Item, itemToLease, LEASE_ENTITY } from "./dynamodb-codec.ts";
import { isConditionFailure } from "./dynamodb-call.ts";
import type { Lease } from "./lease.ts";

export interface AssignmentDeps {
  client: DynamoDbHttpClient;
  table: string;
  consistentScan?: boolean;
  /** One SDK call with the store's timeout and error mapping (conditional: pass condition failures). */
  call<T>(
    operation: string,
    leaseKey: string | undefined,
    fn: (s: AbortSignal) => Promise<T>,
    conditional?: boolean,
  ): Promise<T>;
}

const byKey = (a: Lease, b: Lease) => (a.leaseKey < b.leaseKey ? -1 : a.leaseKey > b.leaseKey ? 1 : 0);

export async function scanTable(d: AssignmentDeps): Promise<TableSnapshot> {
  const snapshot: TableSnapshot = { leases: [], workers: [] };
  let start: Item | undefined;
  do {
    const page = await d.call("Scan", undefined, (abortSignal) =>
      d.client.send(
        new ScanCommand({ TableName: d.table, ExclusiveStartKey: start, ConsistentRead: d.consistentScan }),
        { abortSignal },
      ),
    );
    for (const item of page.Items ?? []) {
      const type = item[A.entityType]?.S;
      if (type === LEADER_ENTITY) snapshot.leader = toLeader(item);
      else if (type === WORKER_ENTITY) {
        const worker = toWorker(item);
        if (worker) snapshot.workers.push(worker);
      } else {
        const lease = itemToLease(item);
        if (lease) snapshot.leases.push(lease);
      }
    }
    start = page.LastEvaluatedKey;
  } while (start);
  snapshot.leases.sort(byKey);
  return snapshot;
}

export async function queryOwnerKeys(d: AssignmentDeps, owner: string): Promise<string[]> {
  const keys: string[] = [];
  let start: Item | undefined;
  do {
    const page = await d.call("Query", undefined, (abortSignal) =>
      d.client.send(
        new QueryCommand({
          TableName: d.table,
          IndexName: OWNER_INDEX,
          KeyConditionExpression: "#owner = :owner",
          ExpressionAttributeNames: { "#owner": A.leaseOwner },
          ExpressionAttributeValues: { ":owner": { S: owner } },
          ExclusiveStartKey: start,
        }),
        { abortSignal },
      ),
    );
    for (const item of page.Items ?? []) if (item[A.leaseKey]?.S) keys.push(item[A.leaseKey]!.S!);
    start = page.LastEvaluatedKey;
  } while (start);
  return keys.sort();
}

export async function probeLease(d: AssignmentDeps, leaseKey: string): Promise<Lease | undefined> {
  const out = await d.call("GetItem", leaseKey, (abortSignal) =>
    d.client.send(new GetItemCommand({ TableName: d.table, Key: key(leaseKey), ConsistentRead: false }), {
      abortSignal,
    }),
  );
  return itemToLease(out.Item);
}

export async function getLeader(d: AssignmentDeps): Promise<LeaderRow | undefined> {
  const out = await d.call("GetItem", LEADER_KEY, (abortSignal) =>
    d.client.send(new GetItemCommand({ TableName: d.table, Key: key(LEADER_KEY), ConsistentRead: true }), {
      abortSignal,
    }),
  );
  return out.Item && out.Item[A.entityType]?.S === LEADER_ENTITY ? toLeader(out.Item) : undefined;
}

/** UpdateItem (not PutItem): lock-client attributes kcl-ts does not know (data, isReleased) are kept. */
export async function writeLeader(
  d: AssignmentDeps,
  expected: LeaderRow | undefined,
  next: LeaderRow,
): Promise<boolean> {
  const condition =
    expected === undefined
      ? "attribute_not_exists(#leaseKey)"
      : "#entityType = :leader AND #rvn = :expectedRvn";
  const values: Item = {
    ":leader": { S: LEADER_ENTITY },
    ":owner": { S: next.ownerName },
    // The lock client stores the duration as a string of milliseconds.
    ":duration": { S: String(next.leaseDuration) },
    ":rvn": { S: next.recordVersionNumber },
    ...(next.standby ? { ":standby": { S: next.standby } } : {}),
  };
  if (expected) values[":expectedRvn"] = { S: expected.recordVersionNumber };
  return conditional(
    d,
    "UpdateItem(leader)",
    () =>
      new UpdateItemCommand({
        TableName: d.table,
        Key: key(LEADER_KEY),
        ConditionExpression: condition,
        UpdateExpression: `SET #entityType = :leader, #ownerName = :owner, #leaseDuration = :duration, #rvn = :rvn${
          next.standby ? ", #standby = :standby" : " REMOVE #standby"
        }`,
        // DynamoDB rejects names an expression does not use: #leaseKey only in the create condition.
        ExpressionAttributeNames: {
          ...(expected ? {} : { "#leaseKey": A.leaseKey }),
          "#entityType": A.entityType,
          "#ownerName": "ownerName",
          "#leaseDuration": "leaseDuration",
          "#rvn": "recordVersionNumber",
          "#standby": "standby",
        },
        ExpressionAttributeValues: values,
      }),
  );
}

export function releaseLeader(d: AssignmentDeps, expected: LeaderRow): Promise<boolean> {
  return conditional(
    d,
    "DeleteItem(leader)",
    () =>
      new DeleteItemCommand({
        TableName: d.table,
        Key: key(LEADER_KEY),
        ConditionExpression: "#entityType = :leader AND #rvn = :expectedRvn",
        ExpressionAttributeNames: { "#entityType": A.entityType, "#rvn": "recordVersionNumber" },
        ExpressionAttributeValues: {
          ":leader": { S: LEADER_ENTITY },
          ":expectedRvn": { S: expected.recordVersionNumber },
        },
      }),
  );
}

/** Never overwrites a row of another kind that happens to have the worker id as its key. */
export async function writeWorkerRow(d: AssignmentDeps, row: WorkerRow): Promise<void> {
  await conditional(
    d,
    "UpdateItem(workerRow)",
    () =>
      new UpdateItemCommand({
        TableName: d.table,
        Key: key(row.workerId),
        ConditionExpression: "attribute_not_exists(#leaseKey) OR #entityType = :worker",
        UpdateExpression: "SET #entityType = :worker, #lut = :lut",
        ExpressionAttributeNames: { "#leaseKey": A.leaseKey, "#entityType": A.entityType, "#lut": "lut" },
        ExpressionAttributeValues: { ":worker": { S: WORKER_ENTITY }, ":lut": { N: String(row.lut) } },
      }),
  );
}

export function notifyAssigned(
  d: AssignmentDeps,
  holderLeaseKey: string,
  holder: string,
  keys: string[],
): Promise<boolean> {
  return conditional(
    d,
    "UpdateItem(notifyAssigned)",
    () =>
      new UpdateItemCommand({
        TableName: d.table,
        Key: key(holderLeaseKey),
        ConditionExpression:
          "attribute_exists(#leaseKey) AND #leaseOwner = :holder AND (attribute_not_exists(#entityType) OR #entityType = :lease)",
        UpdateExpression: "ADD #assigned :keys",
        ExpressionAttributeNames: {
          "#leaseKey": A.leaseKey,
          "#leaseOwner": A.leaseOwner,
          "#entityType": A.entityType,
          "#assigned": A.assignedLeases,
        },
        ExpressionAttributeValues: {
          ":holder": { S: holder },
          ":lease": { S: LEASE_ENTITY },
          ":keys": { SS: [...new Set(keys)] },
        },
      }),
  );
}

async function conditional(
  d: AssignmentDeps,
  operation: string,
  command: () => UpdateItemCommand | DeleteItemCommand,
): Promise<boolean> {
  try {
    await d.call(
      operation,
      undefined,
      (abortSignal) => d.client.send(command() as UpdateItemCommand, { abortSignal }),
      true,
    );
    return true;
  } catch (e) {
    if (isConditionFailure(e)) return false;
    throw e;
  }
}

function toLeader(item: Item): LeaderRow {
  const duration = item.leaseDuration?.S ?? item.leaseDuration?.N;
  return {
    ownerName: item.ownerName?.S ?? "",
    leaseDuration: duration === undefined ? 0 : Number(duration),
    recordVersionNumber: item.recordVersionNumber?.S ?? "",
    ...(item.standby?.S ? { standby: item.standby.S } : {}),
  };
}

function toWorker(item: Item): WorkerRow | undefined {
  const workerId = item[A.leaseKey]?.S;
  if (workerId === undefined) return undefined;
  return { workerId, lut: Number(item.lut?.N ?? 0) };
}

function key(leaseKey: string): Item {
  return { [A.leaseKey]: { S: leaseKey } };
}
