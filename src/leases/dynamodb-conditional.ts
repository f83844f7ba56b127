// The conditional UpdateItem every fenced lease write goes through: the new item (ALL_NEW) when the
// condition held; otherwise the item as the condition saw it (ALL_OLD, or a read where an emulator omits
// it), turned into the conflict Outcome the renewer and taker act on.
import { UpdateItemCommand } from "../aws/dynamodb-http/commands.ts";
import { conflict, type Expectation } from "./conflict.ts";
import type { AssignmentDeps } from "./dynamodb-assignment.ts";
import { A, type Item, itemToLease, LEASE_ENTITY } from "./dynamodb-codec.ts";
import { isConditionFailure } from "./dynamodb-call.ts";
import type { updateExpression } from "./dynamodb-update.ts";
import type { Lease } from "./lease.ts";
import type { Outcome } from "./store.ts";

/** The store's client, table and call wrapper (timeouts, typed errors), and a consistent read. */
export interface ConditionalDeps extends Pick<AssignmentDeps, "client" | "table" | "call"> {
  getLease(leaseKey: string): Promise<Lease | undefined>;
}

export interface ConditionalWrite {
  operation: string;
  leaseKey: string;
  condition: string;
  expr: ReturnType<typeof updateExpression>;
  /** What the writer believed (counter, owner, checkpointOwner); undefined: a metadata write. */
  expected: Expectation | undefined;
}

/**
 * The row is a lease, not a worker, leader or drain row beside the leases (the Java KCL writes lease rows
 * without entityType). conditionalUpdate supplies #entityType and :lease.
 */
export const IS_LEASE = "(attribute_not_exists(#entityType) OR #entityType = :lease)";

export function leaseItemKey(leaseKey: string): Item {
  return { [A.leaseKey]: { S: leaseKey } };
}

export async function conditionalUpdate(d: ConditionalDeps, w: ConditionalWrite): Promise<Outcome<Lease>> {
  const { expr, condition, leaseKey } = w;
  const names = { ...expr.names, "#leaseKey": A.leaseKey, "#entityType": A.entityType };
  const values = { ...expr.values };
  if (condition.includes(":lease")) values[":lease"] = { S: LEASE_ENTITY };
  try {
    const out = await d.call(
      `UpdateItem(${w.operation})`,
      leaseKey,
      (abortSignal) =>
        d.client.send(
          new UpdateItemCommand({
            TableName: d.table,
            Key: leaseItemKey(leaseKey),
            ConditionExpression: condition,
            UpdateExpression: expr.expression,
            ExpressionAttributeNames: pick(names, `${condition} ${expr.expression}`),
            ExpressionAttributeValues: pick(values, `${condition} ${expr.expression}`),
            ReturnValues: "ALL_NEW",
            ReturnValuesOnConditionCheckFailure: "ALL_OLD",
          }),
          { abortSignal },
        ),
      true,
    );
    return { ok: true, value: itemToLease(out.Attributes)! };
  } catch (e) {
    if (!isConditionFailure(e)) throw e;
    return rejectedWrite(d, leaseKey, e.Item, w.expected);
  }
}

/**
 * A conditional write DynamoDB rejected, as a conflict Outcome (also for a rejected statement of a
 * batch): judged on the item as the condition saw it (ALL_OLD), read where it is missing (some emulators
 * omit it). Without an expectation (a metadata write) the row was missing.
 */
export async function rejectedWrite(
  d: Pick<ConditionalDeps, "getLease">,
  leaseKey: string,
  old: Item | undefined,
  expected: Expectation | undefined,
): Promise<Outcome<Lease>> {
  const current = old ? itemToLease(old) : await d.getLease(leaseKey);
  if (!expected)
    return current ? { ok: false, reason: "missing", current } : { ok: false, reason: "missing" };
  return conflict(current, expected);
}

const PLACEHOLDER = /[#:]\w+/g;

/**
 * DynamoDB rejects expression names/values that the expressions do not use. The placeholders are
 * read from the expressions once (no RegExp built per candidate: this runs on every renewal).
 */
function pick<V>(map: Record<string, V>, used: string): Record<string, V> | undefined {
  const out: Record<string, V> = {};
  let any = false;
  for (const placeholder of used.match(PLACEHOLDER) ?? []) {
    if (!Object.hasOwn(map, placeholder)) continue;
    out[placeholder] = map[placeholder]!;
    any = true;
  }
  return any ? out : undefined;
}
