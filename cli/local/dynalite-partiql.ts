// BatchExecuteStatement for the embedded dynalite (which has no PartiQL): kcl-ts renews leases in
// batches of conditional PartiQL UPDATEs, and --local, the tests and bench/ must run that path against
// real DynamoDB semantics. Each statement becomes an UpdateItem sent to dynalite itself over HTTP, so
// conditions, types and errors are dynalite's; every other operation goes to dynalite untouched.
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type AttributeValue, PartiqlValidationError, parseUpdate, toUpdateItem } from "./partiql-update.ts";

const TARGET = "DynamoDB_20120810.BatchExecuteStatement";
const MAX_STATEMENTS = 25;
// dynalite checks that a signature is present and well-formed, not what it signs.
const DUMMY_AUTH =
  "AWS4-HMAC-SHA256 Credential=partiql/20200101/us-east-1/dynamodb/aws4_request, " +
  "SignedHeaders=host;x-amz-date, Signature=0";

type Listener = (req: IncomingMessage, res: ServerResponse) => void;
type Call = (target: string, body: object) => Promise<{ status: number; json: Record<string, unknown> }>;
interface Statement {
  Statement?: unknown;
  Parameters?: AttributeValue[];
  ReturnValuesOnConditionCheckFailure?: string;
}

/** Answers BatchExecuteStatement on a dynalite server; dispatches everything else to dynalite's own listeners. */
export function installPartiql(server: Server): void {
  const dynalite = server.listeners("request") as Listener[];
  server.removeAllListeners("request");
  const call: Call = async (target, body) => {
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/`, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": `DynamoDB_20120810.${target}`,
        "X-Amz-Date": "20200101T000000Z",
        Authorization: DUMMY_AUTH,
      },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const hashKeys = new Map<string, string>();
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers["x-amz-target"] !== TARGET) {
      for (const listener of dynalite) listener.call(server, req, res);
      return;
    }
    const chunks: Buffer[] = [];
    req.on("error", () => {}); // nobody left to answer (forgetAbortedRequests already drops ECONNRESET)
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      batch(Buffer.concat(chunks).toString(), call, hashKeys).then(
        ({ status, json }) => reply(res, status, json),
        (error) =>
          reply(res, 500, {
            __type: "com.amazonaws.dynamodb.v20120810#InternalServerError",
            message: String(error),
          }),
      );
    });
  });
}

function reply(res: ServerResponse, status: number, json: object): void {
  const body = JSON.stringify(json);
  res.statusCode = status;
  res.setHeader("Content-Type", "application/x-amz-json-1.0");
  res.setHeader("Content-Length", Buffer.byteLength(body));
  res.end(body);
}

async function batch(body: string, call: Call, hashKeys: Map<string, string>) {
  let request: { Statements?: unknown; ReturnConsumedCapacity?: string };
  try {
    request = JSON.parse(body);
  } catch {
    return { status: 400, json: { __type: "com.amazon.coral.service#SerializationException" } };
  }
  const statements = request?.Statements;
  if (!Array.isArray(statements) || statements.length < 1 || statements.length > MAX_STATEMENTS) {
    const message =
      "1 validation error detected: Value at 'statements' failed to satisfy constraint: " +
      `Member must have length less than or equal to ${MAX_STATEMENTS} and greater than or equal to 1`;
    return { status: 400, json: { __type: "com.amazon.coral.validate#ValidationException", message } };
  }
  const responses = await Promise.all(statements.map((s: Statement) => execute(s ?? {}, call, hashKeys)));
  const json: Record<string, unknown> = { Responses: responses };
  if (request.ReturnConsumedCapacity === "TOTAL" || request.ReturnConsumedCapacity === "INDEXES") {
    // 1 write unit per successful statement, per table (dynalite's UpdateItem is 1 WCU for a lease).
    const units = new Map<string, number>();
    for (const r of responses) if (!r.Error) units.set(r.TableName!, (units.get(r.TableName!) ?? 0) + 1);
    json.ConsumedCapacity = [...units].map(([TableName, CapacityUnits]) => ({ TableName, CapacityUnits }));
  }
  return { status: 200, json };
}

interface Response {
  TableName?: string;
  Error?: { Code: string; Message: string; Item?: unknown };
}

async function execute(s: Statement, call: Call, hashKeys: Map<string, string>): Promise<Response> {
  let table: string | undefined;
  try {
    if (typeof s.Statement !== "string") throw new PartiqlValidationError("Statement is required");
    const parsed = parseUpdate(s.Statement);
    table = parsed.table;
    const hashKey = hashKeys.get(table) ?? (await describeHashKey(table, call));
    if (!hashKey)
      return failure(table, "ResourceNotFound", `Requested resource not found: Table: ${table} not found`);
    hashKeys.set(table, hashKey);
    const update = toUpdateItem(parsed, hashKey, s.Parameters ?? []);
    const { status, json } = await call("UpdateItem", update);
    if (status === 200) return { TableName: table };
    const type = String(json.__type ?? "").split("#")[1];
    const message = String(json.message ?? json.Message ?? type);
    if (type !== "ConditionalCheckFailedException") {
      hashKeys.delete(table); // the table may have been deleted or recreated with another key
      return failure(table, errorCode(type), message);
    }
    const failed = failure(table, "ConditionalCheckFailed", message);
    if (s.ReturnValuesOnConditionCheckFailure === "ALL_OLD") {
      // dynalite has no ReturnValuesOnConditionCheckFailure: read the item right after the failed write.
      const old = await call("GetItem", { TableName: table, Key: update.Key, ConsistentRead: true });
      if (old.json.Item) failed.Error!.Item = old.json.Item;
    }
    return failed;
  } catch (error) {
    if (error instanceof PartiqlValidationError) return failure(table, "ValidationError", error.message);
    return failure(table, "InternalServerError", String(error));
  }
}

async function describeHashKey(table: string, call: Call): Promise<string | undefined> {
  const { status, json } = await call("DescribeTable", { TableName: table });
  if (status !== 200) {
    if (String(json.__type).endsWith("#ResourceNotFoundException")) return undefined;
    throw new Error(`DescribeTable ${table}: ${JSON.stringify(json)}`);
  }
  const schema = (json.Table as { KeySchema: { AttributeName: string; KeyType: string }[] }).KeySchema;
  if (schema.some((k) => k.KeyType === "RANGE")) {
    throw new PartiqlValidationError(`Table ${table} has a range key: only hash-key tables are supported`);
  }
  return schema.find((k) => k.KeyType === "HASH")?.AttributeName;
}

function errorCode(type: string | undefined): string {
  if (type === "ResourceNotFoundException") return "ResourceNotFound";
  if (type === "ValidationException") return "ValidationError";
  return "InternalServerError";
}

function failure(table: string | undefined, Code: string, Message: string): Response {
  return { ...(table ? { TableName: table } : {}), Error: { Code, Message } };
}
