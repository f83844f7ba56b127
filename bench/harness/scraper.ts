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

/** Scrapes every `everyMs`, the first time after `firstAfterMs` (default: one period). */
export function startScraper(url: string, everyMs: number, firstAfterMs = everyMs): Scraper {
  const counts = { scrapes: 0, failures: 0, bytes: 0 };
  let busy = false;
  let timer: ReturnType<typeof setInterval> | undefined;
  const scrape = () => {
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
  };
  const first = setTimeout(() => {
    scrape();
    timer = setInterval(scrape, everyMs);
  }, firstAfterMs);
  return {
    stop() {
      clearTimeout(first);
      clearInterval(timer);
      return { ...counts };
    },
  };
}
