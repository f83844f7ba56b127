// A real KinesisClient whose HTTP layer can answer chosen operations with a service error (as Kinesis
// would send it on the wire) or page ListShards, so the SDK's own deserialisation is exercised; and the
// GetRecords client the adapter uses instead of the SDK for that call (aws-get-records.ts), whose
// injected errors are decoded from the same wire body by the client's own decoder.
import { Readable } from "node:stream";
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { ClientTarget } from "../../../src/aws/clients.ts";
import type { AwsJsonClient } from "../../../src/aws/json-protocol/client.ts";
import { responseError } from "../../../src/aws/json-protocol/errors.ts";
import { getRecordsClientFor, interceptCalls } from "../../support/lease-table-client.ts";
import { TEST_CREDENTIALS } from "../../support/aws.ts";

interface Fault {
  operation: string;
  errorType: string;
  status: number;
  remaining: number;
}

interface WireRequest {
  headers: Record<string, string>;
  body?: unknown;
}

export interface FaultClient {
  client: KinesisClient;
  target: ClientTarget;
  /** Pass as createAwsKinesis's getRecordsClient: GetRecords goes through it. */
  getRecords: AwsJsonClient;
  /** The next `times` calls of `operation` (e.g. "GetRecords") fail with `errorType`. */
  failNext(operation: string, errorType: string, options?: { times?: number; status?: number }): void;
  /** Makes ListShards answer `pageSize` shards per page with a NextToken (kinesalite never pages). */
  pageListShards(pageSize: number): void;
  /** Operations seen on the wire, in order (X-Amz-Target suffix). */
  readonly calls: { operation: string; body: Record<string, unknown> }[];
}

function operationOf(request: WireRequest): string {
  const t = request.headers["x-amz-target"] ?? request.headers["X-Amz-Target"] ?? "";
  return t.split(".").pop() ?? "";
}

export function createFaultClient(endpoint: string, region = "us-east-1"): FaultClient {
  const real = new NodeHttpHandler();
  const faults: Fault[] = [];
  const calls: FaultClient["calls"] = [];
  let pageSize = 0;

  async function pagedListShards(request: WireRequest, body: Record<string, unknown>, options: unknown) {
    // NextToken = "<stream>|<offset>": fetch the full list from kinesalite, answer one slice of it.
    const token = typeof body.NextToken === "string" ? body.NextToken : undefined;
    const [stream, offsetText] = token ? token.split("|") : [String(body.StreamName), "0"];
    const offset = Number(offsetText);
    const realRequest = { ...request, body: JSON.stringify({ StreamName: stream }) };
    (realRequest.headers as Record<string, string>)["content-length"] = String(
      Buffer.byteLength(realRequest.body),
    );
    const { response } = (await real.handle(realRequest as never, options as never)) as {
      response: { statusCode: number; headers: Record<string, string>; body: Readable };
    };
    const chunks: Buffer[] = [];
    for await (const c of response.body) chunks.push(Buffer.from(c));
    const full = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { Shards: unknown[] };
    const page: Record<string, unknown> = { Shards: full.Shards.slice(offset, offset + pageSize) };
    if (offset + pageSize < full.Shards.length) page.NextToken = `${stream}|${offset + pageSize}`;
    const payload = Buffer.from(JSON.stringify(page));
    return {
      response: {
        statusCode: 200,
        headers: { "content-type": "application/x-amz-json-1.1", "content-length": String(payload.length) },
        body: Readable.from([payload]),
      },
    };
  }
  const handler = {
    metadata: { handlerProtocol: "http/1.1" },
    async handle(request: WireRequest, options?: unknown) {
      const operation = operationOf(request);
      let body: Record<string, unknown> = {};
      try {
        const raw =
          request.body instanceof Uint8Array ? new TextDecoder().decode(request.body) : request.body;
        body = JSON.parse(String(raw ?? "{}"));
      } catch {
        // not JSON: record it empty
      }
      calls.push({ operation, body });
      const fault = faults.find((f) => f.operation === operation && f.remaining > 0);
      if (fault) {
        fault.remaining -= 1;
        const payload = JSON.stringify({ __type: fault.errorType, message: `injected ${fault.errorType}` });
        return {
          response: {
            statusCode: fault.status,
            reason: "Bad Request",
            headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": "injected" },
            body: Readable.from([Buffer.from(payload)]),
          },
        };
      }
      if (operation === "ListShards" && pageSize > 0) return pagedListShards(request, body, options);
      return real.handle(request as never, options as never);
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs() {
      return {};
    },
    destroy() {
      real.destroy();
    },
  };
  const client = new KinesisClient({
    region,
    endpoint,
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
    requestHandler: handler as never,
  });
  const getRecords = interceptCalls(getRecordsClientFor(endpoint, { maxAttempts: 1 }), (command, next) => {
    calls.push({ operation: command.operation, body: command.input as Record<string, unknown> });
    const fault = faults.find((f) => f.operation === command.operation && f.remaining > 0);
    if (!fault) return next();
    fault.remaining -= 1;
    const payload = JSON.stringify({ __type: fault.errorType, message: `injected ${fault.errorType}` });
    throw responseError(fault.status, payload, { "x-amzn-requestid": "injected" });
  });
  return {
    client,
    target: { region, endpoint },
    getRecords,
    calls,
    pageListShards(size) {
      pageSize = size;
    },
    failNext(operation, errorType, options = {}) {
      faults.push({ operation, errorType, status: options.status ?? 400, remaining: options.times ?? 1 });
    },
  };
}
