// `--metrics-port`: one collector (fed by the worker's events) behind one HTTP listener. Shared by every
// command that runs a worker (consume, and multilang through consume's wiring). The collector (and
// prom-client with it) loads only when metrics are on: without --metrics-port a worker never pays for it.
import type { ResolvedConfig } from "../../src/config/options.ts";
import { ConfigurationError } from "../../src/core/errors.ts";
import type { EventBus } from "../../src/core/events.ts";
import type { MetricsCollector } from "./collector.ts";
import { listenMetrics, type MetricsServer, validateListen } from "./server.ts";

export type { MetricsCollector } from "./collector.ts";
export { HealthState, type Verdict } from "./health.ts";
export { isValidHost, listenMetrics, validateListen } from "./server.ts";

/** The default --metrics-host: this machine only. Scraping from elsewhere is an explicit choice. */
export const DEFAULT_METRICS_HOST = "127.0.0.1";

export interface MetricsSettings {
  port: number;
  host: string;
}

export interface StartMetricsOptions extends MetricsSettings {
  events: EventBus;
  workerId: string;
  app: string;
  stream: string;
  table: string;
  failoverMs: number;
  now: () => number;
}

export interface RunningMetrics extends MetricsServer {
  collector: MetricsCollector;
}

/** Subscribes before the worker starts (so /readyz sees the first sync) and listens; throws exit-2 errors. */
export async function startMetrics(o: StartMetricsOptions): Promise<RunningMetrics> {
  const { MetricsCollector } = await import("./collector.ts");
  const collector = new MetricsCollector(o);
  let server: MetricsServer;
  try {
    server = await listenMetrics(
      {
        metrics: () => collector.metrics(),
        contentType: collector.registry.contentType,
        healthz: () => collector.healthz(),
        readyz: () => collector.readyz(),
      },
      o.host,
      o.port,
    );
  } catch (error) {
    collector.close();
    throw error;
  }
  return {
    ...server,
    collector,
    async close() {
      await server.close();
      collector.close();
    },
  };
}

/** --metrics-port / --metrics-host from merged flags + config file; undefined when metrics are off. */
export function metricsSettings(args: {
  metricsPort?: number;
  metricsHost?: string;
}): MetricsSettings | undefined {
  if (args.metricsPort === undefined) {
    if (args.metricsHost !== undefined) {
      throw new ConfigurationError(
        "--metrics-host only applies with --metrics-port (metrics are off without a port).",
        { option: "metrics-host" },
      );
    }
    return undefined;
  }
  const settings = { port: args.metricsPort, host: args.metricsHost ?? DEFAULT_METRICS_HOST };
  validateListen(settings.port, settings.host);
  return settings;
}

/** What a command that runs a worker calls before worker.start(): listens, and says where on stderr. */
export async function startWorkerMetrics(
  worker: { readonly events: EventBus; readonly workerId: string; readonly config: ResolvedConfig },
  settings: MetricsSettings,
  o: { now: () => number; stderr: { write(s: string): unknown }; start?: typeof startMetrics },
): Promise<RunningMetrics> {
  const { config } = worker;
  const metrics = await (o.start ?? startMetrics)({
    ...settings,
    events: worker.events,
    workerId: worker.workerId,
    app: config.app,
    stream: config.stream,
    table: config.table,
    failoverMs: config.failoverMs,
    now: o.now,
  });
  o.stderr.write(
    `kcl-ts: metrics at ${metrics.url}/metrics (health ${metrics.url}/healthz, readiness ${metrics.url}/readyz)\n`,
  );
  return metrics;
}
