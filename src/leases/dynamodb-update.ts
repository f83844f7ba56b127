// Builds DynamoDB UpdateExpressions from plain SET/REMOVE/ADD maps, and ConditionExpressions from a
// write's Expectation, with placeholder names, so no attribute name collides with a reserved word.
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import type { Expectation } from "./conflict.ts";
import { A } from "./dynamodb-codec.ts";

export interface Expr {
  set?: Record<string, AttributeValue>;
  remove?: string[];
  add?: Record<string, AttributeValue>;
  /** Removes elements from a set (the attribute disappears when it becomes empty). */
  delete?: Record<string, AttributeValue>;
}

export interface BuiltExpr {
  expression: string;
  names: Record<string, string>;
  values: Record<string, AttributeValue>;
}

export function updateExpression(expr: Expr): BuiltExpr {
  const names: Record<string, string> = {};
  const values: Record<string, AttributeValue> = {};
  const clauses: string[] = [];
  const name = (attr: string) => {
    const placeholder = `#${attr}`;
    names[placeholder] = attr;
    return placeholder;
  };
  const value = (attr: string, v: AttributeValue) => {
    const placeholder = `:${attr}`;
    values[placeholder] = v;
    return placeholder;
  };
  const set = Object.entries(expr.set ?? {});
  if (set.length > 0) clauses.push(`SET ${set.map(([a, v]) => `${name(a)} = ${value(a, v)}`).join(", ")}`);
  if (expr.remove && expr.remove.length > 0) clauses.push(`REMOVE ${expr.remove.map(name).join(", ")}`);
  const add = Object.entries(expr.add ?? {});
  if (add.length > 0) clauses.push(`ADD ${add.map(([a, v]) => `${name(a)} ${value(a, v)}`).join(", ")}`);
  const del = Object.entries(expr.delete ?? {});
  if (del.length > 0)
    clauses.push(`DELETE ${del.map(([a, v]) => `${name(a)} ${value(`${a}Seen`, v)}`).join(", ")}`);
  return { expression: clauses.join(" "), names, values };
}

/**
 * The condition of a fenced write: the row exists, and the counter, owner and checkpointOwner are what
 * the expectation says (each only when given; null = the attribute is absent).
 */
export function expectationCondition(expected: Expectation): BuiltExpr & { condition: string } {
  const names: Record<string, string> = {
    "#leaseKey": A.leaseKey,
    "#leaseCounter": A.leaseCounter,
    "#leaseOwner": A.leaseOwner,
    "#checkpointOwner": A.checkpointOwner,
  };
  const values: Record<string, AttributeValue> = {};
  const clauses = ["attribute_exists(#leaseKey)"];
  if (expected.leaseCounter !== undefined) {
    clauses.push("#leaseCounter = :expectedCounter");
    values[":expectedCounter"] = { N: String(expected.leaseCounter) };
  }
  const equalOrAbsent = (attr: string, placeholder: string, want: string | null | undefined) => {
    if (want === null) clauses.push(`attribute_not_exists(${attr})`);
    else if (want !== undefined) {
      clauses.push(`${attr} = ${placeholder}`);
      values[placeholder] = { S: want };
    }
  };
  equalOrAbsent("#leaseOwner", ":expectedOwner", expected.owner);
  equalOrAbsent("#checkpointOwner", ":expectedCheckpointOwner", expected.checkpointOwner);
  return { condition: clauses.join(" AND "), expression: "", names, values };
}
