// `kcl-ts local`'s server: kinesalite and dynalite behind ONE loopback port, routed by the service
// prefix of X-Amz-Target, so a single AWS_ENDPOINT_URL serves both SDK clients.
import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type EmulatorOptions, startEmulators } from "./emulators.ts";

export type Service = "kinesis" | "dynamodb";

/** Kinesis_20131202.PutRecords → kinesis; DynamoDB_20120810.Scan → dynamodb; anything else → undefined. */
export function routeTarget(target: string | string[] | undefined): Service | undefined {
  const value = Array.isArray(target) ? target[0] : target;
  if (!value) return undefined;
  if (value.startsWith("Kinesis_")) return "kinesis";
  if (value.startsWith("DynamoDB_")) return "dynamodb";
  return undefined;
}

export interface LocalServer {
  /** The one endpoint for both APIs: put it in AWS_ENDPOINT_URL. */
  endpoint: string;
  port: number;
  /** The emulators' own endpoints (in-process users may talk to them directly). */
  kinesisEndpoint: string;
  dynamodbEndpoint: string;
  stop(): Promise<void>;
}

export interface LocalServerOptions extends EmulatorOptions {
  /** Port for the shared endpoint (0 = any free port). */
  port?: number;
}

function reject(res: ServerResponse, status: number, type: string, message: string): void {
  res.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
  res.end(JSON.stringify({ __type: type, message }));
}

export async function startLocalServer(options: LocalServerOptions = {}): Promise<LocalServer> {
  const emulators = await startEmulators({ shardLimit: options.shardLimit });
  const upstream = {
    kinesis: new URL(emulators.kinesisEndpoint),
    dynamodb: new URL(emulators.dynamodbEndpoint),
  };
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const service = routeTarget(req.headers["x-amz-target"]);
    if (!service) {
      reject(
        res,
        400,
        "UnknownOperationException",
        "kcl-ts local serves Kinesis (X-Amz-Target Kinesis_20131202.*) and DynamoDB (DynamoDB_20120810.*) only",
      );
      return;
    }
    const target = upstream[service];
    const forward = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    forward.on("error", (error) => {
      if (!res.headersSent) reject(res, 502, "ServiceUnavailable", `${service} emulator: ${error.message}`);
      else res.destroy(error);
    });
    req.pipe(forward);
  });

  await new Promise<void>((resolve, rejectListen) => {
    server.once("error", rejectListen);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let stopped = false;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    kinesisEndpoint: emulators.kinesisEndpoint,
    dynamodbEndpoint: emulators.dynamodbEndpoint,
    async stop() {
      if (stopped) return;
      stopped = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
      await emulators.stop();
    },
  };
}
