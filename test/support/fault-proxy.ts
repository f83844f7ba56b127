// A loopback HTTP proxy in front of an emulator that answers the next N requests of an operation
// (X-Amz-Target) with a fault, exactly as AWS would send it: throttling (HTTP 400 + error type), a
// 5xx, or no answer for a while. The real AWS SDK parses these, so the engine's mapping is exercised.
import http from "node:http";
import type { AddressInfo } from "node:net";

export type FaultKind = "throttle" | "server-error" | "slow";

interface QueuedFault {
  operation: string;
  kind: FaultKind;
  remaining: number;
  /** For "slow": how long the request waits before it is forwarded. */
  delayMs: number;
}

export interface FaultProxy {
  endpoint: string;
  /** The next `times` requests of `operation` (e.g. "ListShards") get this fault. */
  failNext(operation: string, kind: FaultKind, times: number, delayMs?: number): void;
  /** Faults answered so far, per operation. */
  injected(): Record<string, number>;
  /** Requests seen so far, per operation (faulted or forwarded). */
  seen(): Record<string, number>;
  stop(): Promise<void>;
}

const THROTTLE_TYPE: Record<"kinesis" | "dynamodb", string> = {
  kinesis: "LimitExceededException",
  dynamodb: "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
};

export async function startFaultProxy(
  upstream: string,
  service: "kinesis" | "dynamodb",
): Promise<FaultProxy> {
  const target = new URL(upstream);
  const agent = new http.Agent({ keepAlive: true });
  const faults: QueuedFault[] = [];
  const injected: Record<string, number> = {};
  const seen: Record<string, number> = {};
  const timers = new Set<ReturnType<typeof setTimeout>>();

  const forward = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => {
    const upstreamReq = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    upstreamReq.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    upstreamReq.end(body);
  };

  const answer = (res: http.ServerResponse, status: number, type: string, message: string) => {
    const payload = JSON.stringify({ __type: type, message });
    res.writeHead(status, {
      "content-type": "application/x-amz-json-1.1",
      "content-length": Buffer.byteLength(payload),
    });
    res.end(payload);
  };

  const server = http.createServer((req, res) => {
    const amzTarget = String(req.headers["x-amz-target"] ?? "");
    const operation = amzTarget.slice(amzTarget.lastIndexOf(".") + 1);
    seen[operation] = (seen[operation] ?? 0) + 1;
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const fault = faults.find((f) => f.operation === operation && f.remaining > 0);
      if (!fault) return forward(req, res, body);
      fault.remaining -= 1;
      injected[operation] = (injected[operation] ?? 0) + 1;
      if (fault.kind === "throttle")
        return answer(res, 400, THROTTLE_TYPE[service], "Rate exceeded (injected)");
      if (fault.kind === "server-error") return answer(res, 500, "InternalFailure", "injected server error");
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!res.destroyed) forward(req, res, body);
      }, fault.delayMs);
      timers.add(timer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    failNext(operation, kind, times, delayMs = 0) {
      faults.push({ operation, kind, remaining: times, delayMs });
    },
    injected: () => ({ ...injected }),
    seen: () => ({ ...seen }),
    async stop() {
      for (const t of timers) clearTimeout(t);
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
