// Builds DynamoDB UpdateExpressions from plain SET/REMOVE/ADD maps with placeholder names, so no
// attribute name ever collides with a DynamoDB reserved word.
import type { AttributeValue } from "@aws-sdk/client-dynamodb";

export interface Expr {
  set?: Record<string, AttributeValue>;
  remove?: string[];
  add?: Record<string, AttributeValue>;
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
  return { expression: clauses.join(" "), names, values };
}
