// The DynamoDB LeaseStore: conditional UpdateItem writes that touch only their own attributes, so
// Java KCL workers and other tools sharing the table keep every attribute they wrote.
import type { DynamoDbHttpClient } from "../aws/dynamodb-http/client.ts";
import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
} from "../aws/dynamodb-http/commands.ts";
import type { ClientTarget } from "../aws/clients.ts";
import type { Clock } from "../core/clock.ts";
import type { Random } from "../core/random.ts";
import type { Expectation } from "./conflict.ts";
import { A, type Item, itemToLease, LEASE_ENTITY, leaseToItem } from "./dynamodb-codec.ts";
import { callDynamo, isConditionFailure } from "./dynamodb-call.ts";
import type { DynamoCallContext } from "./dynamodb-errors.ts";
import {
  OWNER_INDEX,
  type AssigningLeaseStore,
  type LeaderRow,
  type TableSnapshot,
  type WorkerRow,
} from "./assignment-store.ts";
import * as assignment from "./dynamodb-assignment.ts";
import { assertTable, ensureOwnerIndex, ensureTable, type TableDeps } from "./dynamodb-table.ts";
import type { Lease } from "./lease.ts";
import type { CheckpointUpdate, Outcome } from "./store.ts";
import { expectationCondition, updateExpression } from "./dynamodb-update.ts";
import {
  checkpointWrite,
  type FencedWrite,
  handoffWrite,
  releaseWrite,
  renewWrite,
  resolvedStartWrite,
  takeWrite,
  transferWrite,
} from "./dynamodb-writes.ts";
import { type ConditionalDeps, conditionalUpdate, IS_LEASE, leaseItemKey } from "./dynamodb-conditional.ts";
import { RenewalBatcher, type RenewalBatchingOptions } from "./dynamodb-renewal-batch.ts";

export interface DynamoLeaseStoreOptions extends RenewalBatchingOptions {
  client: DynamoDbHttpClient;
  table: string;
  target: ClientTarget;
  clock: Clock;
  random: Random;
  /** Strongly consistent Scans (2× the read cost). Default false, as the Java KCL. */
  consistentScan?: boolean;
  /** Abort a single call after this long (a hung request must not eat the lease budget). Default 5000 ms. */
  callTimeoutMs?: number;
  /** Wait at most this long for a new table to become ACTIVE. Default 10 minutes (Java: 600 s). */
  tableActiveTimeoutMs?: number;
}

/** The fenced writes a renewal round sends: these share batches. */
const BATCHED = new Set(["renew", "checkpoint"]);

/** Guards metadata writes and deletes against touching a KCL 3.x non-lease row with the same key. */
const IS_LEASE_ROW = `attribute_exists(#leaseKey) AND ${IS_LEASE}`;

export function createDynamoLeaseStore(options: DynamoLeaseStoreOptions): AssigningLeaseStore {
  return new DynamoLeaseStore(options);
}

class DynamoLeaseStore implements AssigningLeaseStore {
  private readonly table: TableDeps;
  private readonly assignment: assignment.AssignmentDeps;
  private readonly conditionalDeps: ConditionalDeps;
  private readonly batcher: RenewalBatcher | undefined;

  constructor(private readonly o: DynamoLeaseStoreOptions) {
    this.table = {
      client: o.client,
      clock: o.clock,
      ctx: (operation) => this.ctx(operation),
      activeTimeoutMs: o.tableActiveTimeoutMs ?? 600_000,
    };
    this.assignment = {
      client: o.client,
      table: o.table,
      consistentScan: o.consistentScan,
      call: (operation, leaseKey, fn, conditional) => this.call(operation, leaseKey, fn, conditional),
    };
    this.conditionalDeps = { ...this.assignment, getLease: (leaseKey) => this.getLease(leaseKey) };
    this.batcher = o.batchRenewals
      ? new RenewalBatcher({
          ...this.conditionalDeps,
          clock: o.clock,
          onUnavailable: (reason) => o.onBatchingUnavailable?.(reason),
        })
      : undefined;
  }

  ensureOwnerIndex(): Promise<void> {
    return ensureOwnerIndex(this.table, OWNER_INDEX);
  }

  scanTable(): Promise<TableSnapshot> {
    return assignment.scanTable(this.assignment);
  }

  queryOwnerKeys(owner: string): Promise<string[]> {
    return assignment.queryOwnerKeys(this.assignment, owner);
  }

  probeLease(leaseKey: string): Promise<Lease | undefined> {
    return assignment.probeLease(this.assignment, leaseKey);
  }

  getLeader(): Promise<LeaderRow | undefined> {
    return assignment.getLeader(this.assignment);
  }

  writeLeader(expected: LeaderRow | undefined, next: LeaderRow): Promise<boolean> {
    return assignment.writeLeader(this.assignment, expected, next);
  }

  releaseLeader(expected: LeaderRow): Promise<boolean> {
    return assignment.releaseLeader(this.assignment, expected);
  }

  writeWorkerRow(row: WorkerRow): Promise<void> {
    return assignment.writeWorkerRow(this.assignment, row);
  }

  notifyAssigned(holderLeaseKey: string, holder: string, keys: string[]): Promise<boolean> {
    return assignment.notifyAssigned(this.assignment, holderLeaseKey, holder, keys);
  }

  ensureTable(): Promise<void> {
    return ensureTable(this.table);
  }

  assertTableExists(): Promise<void> {
    return assertTable(this.table);
  }

  async listLeases(): Promise<Lease[]> {
    const leases: Lease[] = [];
    let start: Item | undefined;
    do {
      const page = await this.call("Scan", undefined, (abortSignal) =>
        this.o.client.send(
          new ScanCommand({
            TableName: this.o.table,
            ExclusiveStartKey: start,
            ConsistentRead: this.o.consistentScan,
          }),
          { abortSignal },
        ),
      );
      for (const item of page.Items ?? []) {
        const lease = itemToLease(item);
        if (lease) leases.push(lease);
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return leases.sort((a, b) => (a.leaseKey < b.leaseKey ? -1 : a.leaseKey > b.leaseKey ? 1 : 0));
  }

  async getLease(leaseKey: string): Promise<Lease | undefined> {
    const out = await this.call("GetItem", leaseKey, (abortSignal) =>
      this.o.client.send(
        new GetItemCommand({ TableName: this.o.table, Key: leaseItemKey(leaseKey), ConsistentRead: true }),
        { abortSignal },
      ),
    );
    return itemToLease(out.Item);
  }

  async createLeaseIfNotExists(lease: Lease): Promise<Outcome<Lease>> {
    const item = leaseToItem({ ...lease, leaseOwner: lease.leaseOwner || undefined });
    try {
      await this.call(
        "PutItem",
        lease.leaseKey,
        (abortSignal) =>
          this.o.client.send(
            new PutItemCommand({
              TableName: this.o.table,
              Item: item,
              ConditionExpression: "attribute_not_exists(#leaseKey)",
              ExpressionAttributeNames: { "#leaseKey": A.leaseKey },
              ReturnValuesOnConditionCheckFailure: "ALL_OLD",
            }),
            { abortSignal },
          ),
        true,
      );
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      const current = e.Item ? itemToLease(e.Item) : await this.getLease(lease.leaseKey);
      return current ? { ok: false, reason: "exists", current } : { ok: false, reason: "exists" };
    }
    return { ok: true, value: itemToLease(item)! };
  }

  renewLease(lease: Lease): Promise<Outcome<Lease>> {
    return this.fenced(lease, renewWrite(lease));
  }

  takeLease(lease: Lease, newOwner: string): Promise<Outcome<Lease>> {
    return this.fenced(lease, takeWrite(lease, newOwner));
  }

  releaseLease(lease: Lease): Promise<Outcome<Lease>> {
    return this.fenced(lease, releaseWrite(lease));
  }

  updateCheckpoint(lease: Lease, update: CheckpointUpdate): Promise<Outcome<Lease>> {
    return this.fenced(lease, checkpointWrite(lease, update));
  }

  initiateHandoff(lease: Lease, nextOwner: string): Promise<Outcome<Lease>> {
    const owner = lease.leaseOwner;
    if (!owner) return Promise.resolve({ ok: false, reason: "owner-mismatch" });
    return this.fenced(lease, handoffWrite(owner, nextOwner));
  }

  transferLease(lease: Lease): Promise<Outcome<Lease>> {
    return this.fenced(lease, transferWrite(lease));
  }

  recordResolvedStart(lease: Lease, startMillis: number): Promise<Outcome<Lease>> {
    return this.fenced(lease, resolvedStartWrite(lease, startMillis));
  }

  async addChildShardIds(leaseKey: string, childShardIds: string[]): Promise<Outcome<Lease>> {
    if (childShardIds.length === 0) {
      const current = await this.getLease(leaseKey);
      return current ? { ok: true, value: current } : { ok: false, reason: "missing" };
    }
    const expr = updateExpression({ add: { [A.childShardIds]: { SS: [...new Set(childShardIds)] } } });
    return this.conditional("addChildShardIds", leaseKey, IS_LEASE_ROW, expr, undefined);
  }

  async deleteLease(leaseKey: string): Promise<Outcome<void>> {
    try {
      await this.call(
        "DeleteItem",
        leaseKey,
        (abortSignal) =>
          this.o.client.send(
            new DeleteItemCommand({
              TableName: this.o.table,
              Key: leaseItemKey(leaseKey),
              ConditionExpression: IS_LEASE_ROW,
              ExpressionAttributeNames: { "#leaseKey": A.leaseKey, "#entityType": A.entityType },
              ExpressionAttributeValues: { ":lease": { S: LEASE_ENTITY } },
            }),
            { abortSignal },
          ),
        true,
      );
      return { ok: true, value: undefined };
    } catch (e) {
      if (isConditionFailure(e)) return { ok: false, reason: "missing" };
      throw e;
    }
  }

  /** An UpdateItem conditioned on the expectation (counter, owner, checkpointOwner; each when given). */
  private fenced(lease: Lease, { operation, expected, expr }: FencedWrite): Promise<Outcome<Lease>> {
    const built = updateExpression(expr);
    const cond = expectationCondition(expected);
    const names = { ...built.names, ...cond.names };
    const values = { ...built.values, ...cond.values };
    const condition = cond.condition;
    const single = () =>
      this.conditional(operation, lease.leaseKey, condition, { ...built, names, values }, expected);
    if (this.batcher && BATCHED.has(operation) && this.batcher.accepts(expr))
      return this.batcher.write(lease, expected, expr, single);
    return single();
  }

  private conditional(
    operation: string,
    leaseKey: string,
    condition: string,
    expr: ReturnType<typeof updateExpression>,
    expected: Expectation | undefined,
  ): Promise<Outcome<Lease>> {
    return conditionalUpdate(this.conditionalDeps, { operation, leaseKey, condition, expr, expected });
  }

  /** One SDK call with the per-call timeout and typed errors (see dynamodb-call.ts). */
  private call<T>(
    operation: string,
    leaseKey: string | undefined,
    fn: (signal: AbortSignal) => Promise<T>,
    conditional = false,
  ): Promise<T> {
    const ctx = { ...this.ctx(operation), ...(leaseKey ? { leaseKey } : {}) };
    return callDynamo(this.o.clock, this.o.callTimeoutMs ?? 5000, ctx, fn, conditional);
  }

  private ctx(operation: string): DynamoCallContext {
    return { operation, table: this.o.table, region: this.o.target.region, endpoint: this.o.target.endpoint };
  }
}
