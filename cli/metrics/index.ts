// `--metrics-port`: one collector (fed by the worker's events) behind one HTTP listener. Shared by every
// command that runs a worker (consume, and multilang through consume's wiring).
import type { EventBus } from "../../src/core/events.ts";
import { MetricsCollector } from "./collector.ts";
import { listenMetrics, type MetricsServer } from "./server.ts";

export { MetricsCollector } from "./collector.ts";
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
