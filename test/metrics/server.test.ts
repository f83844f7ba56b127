// The metrics listener on both of its implementations (Bun.serve, used on Bun; node:http, used on
// Deno and Node): the same answers, the same exit-2 errors, and close() ends open keep-alive scrapes.
import { describe, expect, test } from "bun:test";
import { createServer } from "node:net";
import { listenMetrics, type MetricsServer } from "../../cli/metrics/server.ts";
import { ConfigurationError } from "../../src/core/errors.ts";

function source(healthy: { ok: boolean }) {
  return {
    metrics: async () => "# HELP x a gauge\n# TYPE x gauge\nx 1\n",
    contentType: "text/plain; version=0.0.4; charset=utf-8",
    healthz: () =>
      healthy.ok ? { ok: true, reason: "ok" } : { ok: false, reason: "lease renewals failing" },
    readyz: () => ({ ok: false, reason: "waiting for the first shard sync" }),
  };
}

describe.each(["bun", "node"] as const)("listenMetrics on %s", (listener) => {
  test("answers /metrics, /healthz, /readyz, HEAD, 404 and 405", async () => {
    const healthy = { ok: true };
    const server: MetricsServer = await listenMetrics(source(healthy), "127.0.0.1", 0, listener);
    try {
      const metrics = await fetch(`${server.url}/metrics?x=1`);
      expect(metrics.status).toBe(200);
      expect(metrics.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
      expect(metrics.headers.get("cache-control")).toBe("no-store");
      expect(await metrics.text()).toBe("# HELP x a gauge\n# TYPE x gauge\nx 1\n");
      expect(await (await fetch(`${server.url}/healthz`)).text()).toBe("ok\n");
      healthy.ok = false;
      const sick = await fetch(`${server.url}/healthz`);
      expect([sick.status, await sick.text()]).toEqual([503, "lease renewals failing\n"]);
      const ready = await fetch(`${server.url}/readyz`);
      expect([ready.status, await ready.text()]).toEqual([503, "waiting for the first shard sync\n"]);
      const head = await fetch(`${server.url}/metrics`, { method: "HEAD" });
      expect([head.status, await head.text()]).toEqual([200, ""]);
      expect((await fetch(`${server.url}/nope`)).status).toBe(404);
      expect((await fetch(`${server.url}/metrics`, { method: "POST", body: "x" })).status).toBe(405);
    } finally {
      await server.close();
    }
  });

  test("a port in use is a ConfigurationError naming the port", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", () => resolve()));
    const { port } = taken.address() as { port: number };
    try {
      const error = await listenMetrics(source({ ok: true }), "127.0.0.1", port, listener).then(
        (s) => s.close().then(() => undefined),
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as Error).message).toContain(
        `--metrics-port ${port}: 127.0.0.1:${port} is already in use`,
      );
    } finally {
      taken.close();
    }
  });

  test("close() returns while a scraper keeps its connection open", async () => {
    const server = await listenMetrics(source({ ok: true }), "127.0.0.1", 0, listener);
    await (await fetch(`${server.url}/metrics`, { keepalive: true })).text();
    await server.close();
    await expect(fetch(`${server.url}/metrics`)).rejects.toThrow();
  });
});
