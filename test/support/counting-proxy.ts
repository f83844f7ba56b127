// A loopback HTTP/1.1 proxy in front of kinesalite that records when each GetRecords arrived and for
// which shard (iterators are opaque: it follows them from GetShardIterator through NextShardIterator).
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface CountingProxy {
  endpoint: string;
  /** Arrival times (performance.now() ms) of GetRecords calls, per shard id. */
  getRecordsAt(): Map<string, number[]>;
  stop(): Promise<void>;
}

export async function startCountingProxy(upstream: string): Promise<CountingProxy> {
  const target = new URL(upstream);
  const agent = new http.Agent({ keepAlive: true });
  const shardOf = new Map<string, string>();
  const calls = new Map<string, number[]>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const at = performance.now();
      const body = Buffer.concat(chunks);
      const op = String(req.headers["x-amz-target"] ?? "").split(".")[1] ?? "";
      let input: Record<string, string> = {};
      try {
        input = JSON.parse(body.toString("utf8"));
      } catch {
        // not JSON: forwarded untouched
      }
      const shard = op === "GetShardIterator" ? input.ShardId : shardOf.get(input.ShardIterator ?? "");
      if (op === "GetRecords") {
        const key = shard ?? "unknown";
        calls.set(key, [...(calls.get(key) ?? []), at]);
      }
      const up = http.request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
          agent,
        },
        (upRes) => {
          const out: Buffer[] = [];
          upRes.on("data", (c: Buffer) => out.push(c));
          upRes.on("end", () => {
            const data = Buffer.concat(out);
            try {
              const parsed = JSON.parse(data.toString("utf8"));
              const next = parsed.ShardIterator ?? parsed.NextShardIterator;
              if (next && shard) shardOf.set(next, shard);
            } catch {
              // an error body: nothing to follow
            }
            res.writeHead(upRes.statusCode ?? 502, upRes.headers);
            res.end(data);
          });
        },
      );
      up.on("error", () => res.destroy());
      up.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    getRecordsAt: () => calls,
    stop: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
