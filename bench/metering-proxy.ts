// A loopback HTTP proxy in front of an emulator: counts requests per operation (X-Amz-Target) and,
// for DynamoDB, asks dynalite for ConsumedCapacity so that read/write units can be reported.
// It runs in the emulator-server process, so its CPU is never charged to the consumer measured.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface OpStats {
  requests: number;
  /** Capacity units dynalite reports (read units for reads, write units for writes). */
  units: number;
}

export interface Meter {
  endpoint: string;
  stats(): Record<string, OpStats>;
  stop(): Promise<void>;
}

const CAPACITY_OPS = new Set([
  "GetItem",
  "PutItem",
  "UpdateItem",
  "DeleteItem",
  "Scan",
  "Query",
  "BatchExecuteStatement",
]);

/**
 * "UpdateItem:checkpoint" for updates that write the checkpoint attribute, so renewals (the Java
 * formula) and checkpoints (application-driven) can be told apart.
 */
function operation(target: string, body: string | undefined): string {
  const op = target.slice(target.lastIndexOf(".") + 1) || "unknown";
  if (op === "UpdateItem" && body?.includes('"checkpoint"')) return "UpdateItem:checkpoint";
  return op;
}

/**
 * Units of one answer: ConsumedCapacity of a single-item call; for a BatchExecuteStatement the sum over
 * its tables, or (an emulator that reports none) one write unit per statement that applied.
 */
function capacityUnits(json: {
  ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[];
  Responses?: { Error?: unknown }[];
}): number {
  const consumed = json.ConsumedCapacity;
  if (Array.isArray(consumed)) return consumed.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
  if (consumed) return consumed.CapacityUnits ?? 0;
  return Array.isArray(json.Responses) ? json.Responses.filter((r) => !r.Error).length : 0;
}

export async function startMeteringProxy(upstream: string, options: { capacity: boolean }): Promise<Meter> {
  const target = new URL(upstream);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  const stats: Record<string, OpStats> = {};
  const count = (op: string, units: number) => {
    const s = stats[op] ?? { requests: 0, units: 0 };
    stats[op] = s;
    s.requests += 1;
    s.units += units;
  };

  const forward = (req: http.IncomingMessage, res: http.ServerResponse, body?: Buffer) => {
    const headers = { ...req.headers };
    if (body) headers["content-length"] = String(body.length);
    const upstreamReq = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
        if (!options.capacity) return;
        const op = operation(String(req.headers["x-amz-target"] ?? ""), body?.toString("utf8"));
        const chunks: Buffer[] = [];
        upstreamRes.on("data", (c: Buffer) => chunks.push(c));
        upstreamRes.on("end", () => {
          let units = 0;
          try {
            units = capacityUnits(JSON.parse(Buffer.concat(chunks).toString("utf8")));
          } catch {
            // not JSON (an error page): counted with 0 units
          }
          count(op, units);
        });
      },
    );
    upstreamReq.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    if (body) upstreamReq.end(body);
    else req.pipe(upstreamReq);
  };

  const server = http.createServer((req, res) => {
    const amzTarget = String(req.headers["x-amz-target"] ?? "");
    if (!options.capacity) {
      count(operation(amzTarget, undefined), 0);
      forward(req, res);
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let body = Buffer.concat(chunks);
      const op = amzTarget.slice(amzTarget.lastIndexOf(".") + 1);
      if (CAPACITY_OPS.has(op)) {
        try {
          const json = JSON.parse(body.toString("utf8"));
          json.ReturnConsumedCapacity ??= "TOTAL";
          body = Buffer.from(JSON.stringify(json));
        } catch {
          // let dynalite answer the malformed request itself
        }
      }
      forward(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats: () => structuredClone(stats),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
