// Batched renewals: the fenced writes of one renewal round go to DynamoDB as conditional PartiQL
// UPDATEs, up to 25 in one BatchExecuteStatement, instead of one UpdateItem each. Every statement is
// conditioned exactly like its UpdateItem and applied or rejected on its own (1 write unit each, as
// before), so a round of N leases costs ⌈N/25⌉ calls: an idle worker's CPU is its calls, not its units.
// A batched write returns no item, so the new lease is computed from the expression (the Java KCL
// likewise bumps its own copy after a renewal). Where the table cannot take PartiQL (no
// dynamodb:PartiQLUpdate permission, an emulator without it) batching switches itself off once and every
// write goes on as a single UpdateItem.
import type { AttributeValue, BatchStatementResponse } from "@aws-sdk/client-dynamodb";
import type { DynamoDbHttpClient } from "../aws/dynamodb-http/client.ts";
import { BatchExecuteStatementCommand } from "../aws/dynamodb-http/commands.ts";
import type { Clock } from "../core/clock.ts";
import type { Expectation } from "./conflict.ts";
import { A, type Item, itemToLease, leaseToItem } from "./dynamodb-codec.ts";
import { rejectedWrite } from "./dynamodb-conditional.ts";
import type { Expr } from "./dynamodb-update.ts";
import type { Lease } from "./lease.ts";
import type { Outcome } from "./store.ts";

/** Batched renewals (dynamodb-renewal-batch.ts), decided by renewal-batching.ts from the config. */
export interface RenewalBatchingOptions {
  /**
   * Send renewals and checkpoints in batches of up to 25. Default false. Not for assigner mode: its
   * workers learn assignment notices from the item a renewal returns.
   */
  batchRenewals?: boolean;
  /** Told once when batching switched itself off (no PartiQL permission or support), with the reason. */
  onBatchingUnavailable?: (reason: string) => void;
}

/** DynamoDB's limit of statements per BatchExecuteStatement. */
export const BATCH_LIMIT = 25;

/** Whole-call errors that mean "this table/account/endpoint cannot take batched writes": stop trying. */
const UNAVAILABLE = new Set(["UnknownOperationException", "AccessDeniedException", "ValidationException"]);

export interface RenewalBatchDeps {
  client: DynamoDbHttpClient;
  clock: Clock;
  table: string;
  /** The store's call wrapper (per-call timeout, typed errors). */
  call<T>(
    operation: string,
    leaseKey: string | undefined,
    fn: (signal: AbortSignal) => Promise<T>,
  ): Promise<T>;
  getLease(leaseKey: string): Promise<Lease | undefined>;
  /** Told once when batching switches itself off, with the reason DynamoDB gave. */
  onUnavailable(reason: string): void;
}

interface Pending {
  lease: Lease;
  expected: Expectation;
  expr: Expr;
  /** The same write as a single conditional UpdateItem. */
  single: () => Promise<Outcome<Lease>>;
  resolve(outcome: Outcome<Lease>): void;
  reject(error: unknown): void;
}

export class RenewalBatcher {
  private queue: Pending[] = [];
  private available = true;

  constructor(private readonly d: RenewalBatchDeps) {}

  /**
   * Whether this write can go in a batch: SET and REMOVE only (ADD and set DELETE have PartiQL forms of
   * their own; renewals and checkpoints need neither), and batching not switched off.
   */
  accepts(expr: Expr): boolean {
    return this.available && !expr.add && !expr.delete;
  }

  /**
   * Queues the write for the next batch. Writes queued in the same turn of the event loop (a renewal
   * round sends all its leases at once) share calls.
   */
  write(lease: Lease, expected: Expectation, expr: Expr, single: () => Promise<Outcome<Lease>>) {
    return new Promise<Outcome<Lease>>((resolve, reject) => {
      // sleep(0): after this turn's microtasks, where the rest of the round's writes are queued.
      if (this.queue.length === 0) void this.d.clock.sleep(0).then(() => this.flush());
      this.queue.push({ lease, expected, expr, single, resolve, reject });
    });
  }

  private flush(): void {
    const queued = this.queue;
    this.queue = [];
    for (let i = 0; i < queued.length; i += BATCH_LIMIT) void this.send(queued.slice(i, i + BATCH_LIMIT));
  }

  private async send(batch: Pending[]): Promise<void> {
    if (!this.available) return this.singly(batch);
    let responses: BatchStatementResponse[];
    try {
      const out = await this.d.call("BatchExecuteStatement", undefined, (abortSignal) =>
        this.d.client
          .send(
            new BatchExecuteStatementCommand({
              Statements: batch.map((p) => ({
                ...statement(this.d.table, p.lease.leaseKey, p.expected, p.expr),
                ReturnValuesOnConditionCheckFailure: "ALL_OLD",
              })),
            }),
            { abortSignal },
          )
          .catch((e: unknown) => {
            const name = (e as { name?: string } | null)?.name ?? "";
            if (UNAVAILABLE.has(name)) return { unavailable: `${name}: ${(e as Error).message}` };
            throw e;
          }),
      );
      if ("unavailable" in out) {
        this.switchOff(out.unavailable);
        return this.singly(batch);
      }
      responses = out.Responses ?? [];
    } catch (e) {
      for (const p of batch) p.reject(e);
      return;
    }
    batch.forEach((p, i) => void this.settle(p, responses[i]));
  }

  private async settle(p: Pending, response: BatchStatementResponse | undefined): Promise<void> {
    try {
      const error = response?.Error;
      if (response && !error) return p.resolve({ ok: true, value: applied(p.lease, p.expr) });
      if (error?.Code === "ConditionalCheckFailed")
        return p.resolve(await rejectedWrite(this.d, p.lease.leaseKey, error.Item, p.expected));
      // Throttled, an internal error, a statement refused: this write alone goes the single way,
      // with the SDK's retries and the store's typed errors.
      if (error?.Code === "ValidationError" || error?.Code === "AccessDenied")
        this.switchOff(`${error.Code}: ${error.Message ?? ""}`);
      p.resolve(await p.single());
    } catch (e) {
      p.reject(e);
    }
  }

  private singly(batch: Pending[]): void {
    for (const p of batch) p.single().then(p.resolve, p.reject);
  }

  private switchOff(reason: string): void {
    if (!this.available) return;
    this.available = false;
    this.d.onUnavailable(reason);
  }
}

/**
 * The PartiQL form of a fenced UpdateItem: SET/REMOVE clauses, and the WHERE of its condition (the
 * key, the counter, owner and checkpointOwner as expected; null = absent). An UPDATE never creates an
 * item, which is the UpdateItem's attribute_exists(leaseKey).
 */
export function statement(table: string, leaseKey: string, expected: Expectation, expr: Expr) {
  const parameters: AttributeValue[] = [];
  const parts = [`UPDATE "${table}"`];
  for (const [attr, value] of Object.entries(expr.set ?? {})) {
    parts.push(`SET "${attr}"=?`);
    parameters.push(value);
  }
  for (const attr of expr.remove ?? []) parts.push(`REMOVE "${attr}"`);
  const where = [`"${A.leaseKey}"=?`];
  parameters.push({ S: leaseKey });
  if (expected.leaseCounter !== undefined) {
    where.push(`"${A.leaseCounter}"=?`);
    parameters.push({ N: String(expected.leaseCounter) });
  }
  const equalOrMissing = (attr: string, want: string | null | undefined) => {
    if (want === null) where.push(`"${attr}" IS MISSING`);
    else if (want !== undefined) {
      where.push(`"${attr}"=?`);
      parameters.push({ S: want });
    }
  };
  equalOrMissing(A.leaseOwner, expected.owner);
  equalOrMissing(A.checkpointOwner, expected.checkpointOwner);
  parts.push(`WHERE ${where.join(" AND ")}`);
  return { Statement: parts.join(" "), Parameters: parameters };
}

/** The lease as DynamoDB holds it after the write applied: the expression applied to our copy. */
export function applied(lease: Lease, expr: Expr): Lease {
  const item: Item = leaseToItem(lease);
  for (const [attr, value] of Object.entries(expr.set ?? {})) item[attr] = value;
  for (const attr of expr.remove ?? []) delete item[attr];
  return itemToLease(item)!;
}
