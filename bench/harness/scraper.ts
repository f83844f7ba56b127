// A stand-in Prometheus for the metrics cost benchmark: scrapes /metrics on a fixed period and counts
// the answers, so the measured consumer pays for serving scrapes as well as for keeping the metrics.
import { createServer } from "node:net";

/** A loopback port free right now (the consumer binds it a moment later). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface Scraper {
  /** Stops scraping; how many scrapes succeeded and how many failed (before the endpoint was up). */
  stop(): { scrapes: number; failures: number; bytes: number };
}

export function startScraper(url: string, everyMs: number): Scraper {
  const counts = { scrapes: 0, failures: 0, bytes: 0 };
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    fetch(url)
      .then(async (res) => {
        const text = await res.text();
        if (res.ok) {
          counts.scrapes += 1;
          counts.bytes = text.length;
        } else counts.failures += 1;
      })
      .catch(() => {
        counts.failures += 1;
      })
      .finally(() => {
        busy = false;
      });
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return { ...counts };
    },
  };
}
