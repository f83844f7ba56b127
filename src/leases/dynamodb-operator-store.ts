// The operator port on DynamoDB: a reset is one conditional UpdateItem (counter-fenced, touching only
// the attributes it means to change); drain requests are non-lease rows beside the leases.
import type { DynamoDbHttpClient } from "../aws/dynamodb-http/client.ts";
import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
} from "../aws/dynamodb-http/commands.ts";
import type { ClientTarget } from "../aws/clients.ts";
import type { Clock } from "../core/clock.ts";
import { A, type Item, itemToLease } from "./dynamodb-codec.ts";
import { type ConditionalDeps, conditionalUpdate, IS_LEASE, leaseItemKey } from "./dynamodb-conditional.ts";
import { callDynamo, isConditionFailure } from "./dynamodb-call.ts";
import { type Expr, updateExpression } from "./dynamodb-update.ts";
import type { Lease } from "./lease.ts";
import {
  DRAIN_ENTITY,
  DRAIN_KEY_PREFIX,
  drainKey,
  type LeaseOperatorStore,
  type LeaseReset,
} from "./operator-store.ts";
import type { Outcome } from "./store.ts";

export interface DynamoOperatorStoreOptions {
  client: DynamoDbHttpClient;
  table: string;
  target: ClientTarget;
  clock: Clock;
  /** Abort a single call after this long. Default 5000 ms. */
  callTimeoutMs?: number;
}

export function createDynamoOperatorStore(o: DynamoOperatorStoreOptions): LeaseOperatorStore {
  const call = <T>(
    operation: string,
    key: string | undefined,
    fn: (s: AbortSignal) => Promise<T>,
    cond = false,
  ) =>
    callDynamo(
      o.clock,
      o.callTimeoutMs ?? 5000,
      {
        operation,
        table: o.table,
        region: o.target.region,
        endpoint: o.target.endpoint,
        ...(key ? { leaseKey: key } : {}),
      },
      fn,
      cond,
    );
  const getLease = async (k: string) => {
    const out = await call("GetItem", k, (abortSignal) =>
      o.client.send(new GetItemCommand({ TableName: o.table, Key: leaseItemKey(k), ConsistentRead: true }), {
        abortSignal,
      }),
    );
    return itemToLease(out.Item);
  };
  const conditionalDeps: ConditionalDeps = { client: o.client, table: o.table, call, getLease };

  return {
    async resetLease(lease: Lease, reset: LeaseReset): Promise<Outcome<Lease>> {
      const expr: Expr = {
        set: {
          [A.leaseCounter]: { N: String(lease.leaseCounter + 1) },
          [A.checkpoint]: { S: reset.checkpoint.sequenceNumber },
          [A.checkpointSubSequenceNumber]: { N: "0" },
          [A.ownerSwitchesSinceCheckpoint]: { N: "0" },
        },
        remove: [
          A.leaseOwner,
          A.checkpointOwner,
          A.pendingCheckpoint,
          A.pendingCheckpointSubSequenceNumber,
          A.pendingCheckpointState,
        ],
      };
      if (reset.resolvedStart !== undefined) expr.set![A.resolvedStart] = { N: String(reset.resolvedStart) };
      else expr.remove!.push(A.resolvedStart);
      const built = updateExpression(expr);
      // Fenced on the counter the operator saw, on lease rows only: the store's shared write and its
      // read-back, so a stale counter is a counter-mismatch and an absent row "missing", as for leases.
      const expected = { leaseCounter: lease.leaseCounter };
      return conditionalUpdate(conditionalDeps, {
        operation: "reset",
        leaseKey: lease.leaseKey,
        condition: `#leaseCounter = :expectedCounter AND ${IS_LEASE}`,
        expr: {
          ...built,
          names: { ...built.names, "#leaseCounter": A.leaseCounter },
          values: { ...built.values, ":expectedCounter": { N: String(expected.leaseCounter) } },
        },
        expected,
      });
    },

    async requestDrain(workerId: string, requestedAt: string): Promise<void> {
      await call("PutItem(drain)", drainKey(workerId), (abortSignal) =>
        o.client.send(
          new PutItemCommand({
            TableName: o.table,
            Item: {
              [A.leaseKey]: { S: drainKey(workerId) },
              [A.entityType]: { S: DRAIN_ENTITY },
              workerId: { S: workerId },
              // Display only: no host compares it with its own clock.
              requestedAt: { S: requestedAt },
            },
          }),
          { abortSignal },
        ),
      );
    },

    async drainRequested(workerId: string): Promise<boolean> {
      const out = await call("GetItem(drain)", drainKey(workerId), (abortSignal) =>
        o.client.send(new GetItemCommand({ TableName: o.table, Key: leaseItemKey(drainKey(workerId)) }), {
          abortSignal,
        }),
      );
      return out.Item?.[A.entityType]?.S === DRAIN_ENTITY;
    },

    async clearDrain(workerId: string): Promise<void> {
      try {
        await call(
          "DeleteItem(drain)",
          drainKey(workerId),
          (abortSignal) =>
            o.client.send(
              new DeleteItemCommand({
                TableName: o.table,
                Key: leaseItemKey(drainKey(workerId)),
                // Never deletes a lease that happens to have this key.
                ConditionExpression: "#entityType = :drain",
                ExpressionAttributeNames: { "#entityType": A.entityType },
                ExpressionAttributeValues: { ":drain": { S: DRAIN_ENTITY } },
              }),
              { abortSignal },
            ),
          true,
        );
      } catch (e) {
        if (!isConditionFailure(e)) throw e;
      }
    },

    async listDrains(): Promise<string[]> {
      const ids: string[] = [];
      let start: Item | undefined;
      do {
        const page = await call("Scan(drains)", undefined, (abortSignal) =>
          o.client.send(
            new ScanCommand({
              TableName: o.table,
              ExclusiveStartKey: start,
              FilterExpression: "#entityType = :drain",
              ExpressionAttributeNames: { "#entityType": A.entityType },
              ExpressionAttributeValues: { ":drain": { S: DRAIN_ENTITY } },
            }),
            { abortSignal },
          ),
        );
        for (const item of page.Items ?? []) {
          const k = item[A.leaseKey]?.S;
          if (k?.startsWith(DRAIN_KEY_PREFIX)) ids.push(k.slice(DRAIN_KEY_PREFIX.length));
        }
        start = page.LastEvaluatedKey;
      } while (start);
      return ids.sort();
    },
  };
}
