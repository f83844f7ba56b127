// The metrics HTTP endpoint: Bun.serve on Bun (the CLI and the compiled binary), node:http elsewhere
// (Deno, Node): GET /metrics (Prometheus text format), /healthz and /readyz (200 "ok" or 503 with a
// one-line reason).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { isIP } from "node:net";
import { ConfigurationError } from "../../src/core/errors.ts";
import type { Verdict } from "./health.ts";

export interface MetricsSource {
  metrics(): Promise<string>;
  contentType: string;
  healthz(): Verdict;
  readyz(): Verdict;
}

export interface MetricsServer {
  host: string;
  port: number;
  /** e.g. http://127.0.0.1:9464 */
  url: string;
  close(): Promise<void>;
}

const HOSTNAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** An IP address or a DNS name; a dotted all-number name must be a valid IPv4 address. */
export function isValidHost(host: string): boolean {
  if (isIP(host) !== 0) return true;
  if (/^[\d.]+$/.test(host)) return false;
  return HOSTNAME.test(host);
}

/** Rejects ports outside 0..65535 and hosts that are not an address or a host name (exit 2). */
export function validateListen(port: number, host: string): void {
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ConfigurationError(
      `--metrics-port ${port}: must be a whole number 0..65535 (0 picks a free port and prints it).`,
      { option: "metrics-port" },
    );
  }
  if (!isValidHost(host)) {
    throw new ConfigurationError(
      `--metrics-host ${JSON.stringify(host)}: not an IP address or host name. Use e.g. 127.0.0.1 (this machine only) or 0.0.0.0 (every interface).`,
      { option: "metrics-host" },
    );
  }
}

interface Answer {
  status: number;
  type: string;
  body: string;
}

const TEXT = "text/plain; charset=utf-8";

/** The answer to one request, whichever listener took it. */
async function answer(source: MetricsSource, method: string, path: string): Promise<Answer> {
  if (method !== "GET" && method !== "HEAD") return { status: 405, type: TEXT, body: "GET only\n" };
  const verdict = (v: Verdict) => ({ status: v.ok ? 200 : 503, type: TEXT, body: `${v.reason}\n` });
  if (path === "/healthz") return verdict(source.healthz());
  if (path === "/readyz") return verdict(source.readyz());
  if (path === "/metrics") {
    try {
      return { status: 200, type: source.contentType, body: await source.metrics() };
    } catch (error) {
      return { status: 500, type: TEXT, body: `metrics failed: ${String(error)}\n` };
    }
  }
  return { status: 404, type: TEXT, body: "not found: try /metrics, /healthz or /readyz\n" };
}

const headers = (a: Answer) => ({ "content-type": a.type, "cache-control": "no-store" });

/**
 * Listens on host:port; a port in use or a host that cannot be bound is a ConfigurationError (exit 2).
 * On Bun it uses Bun.serve: a request through Bun's node:http layer costs about 0.7 ms of CPU more
 * (measured with a scrape every 100 ms, issue 17). `listener` forces one (tests cover both).
 */
export async function listenMetrics(
  source: MetricsSource,
  host: string,
  port: number,
  listener: "bun" | "node" = typeof Bun === "undefined" ? "node" : "bun",
): Promise<MetricsServer> {
  validateListen(port, host);
  const bound = listener === "bun" ? listenBun(source, host, port) : await listenNode(source, host, port);
  const shown = host.includes(":") ? `[${host}]` : host;
  return { host, port: bound.port, url: `http://${shown}:${bound.port}`, close: bound.close };
}

type Bound = Pick<MetricsServer, "port" | "close">;

function listenBun(source: MetricsSource, host: string, port: number): Bound {
  let server: ReturnType<typeof Bun.serve>;
  try {
    server = Bun.serve({
      hostname: host,
      port,
      development: false,
      async fetch(req) {
        const url = req.url;
        // The path: after "http://host:port", before any query.
        const start = url.indexOf("/", url.indexOf("//") + 2);
        const query = url.indexOf("?", start);
        const path = start < 0 ? "/" : url.slice(start, query < 0 ? undefined : query);
        const a = await answer(source, req.method, path);
        return new Response(req.method === "HEAD" ? null : a.body, { status: a.status, headers: headers(a) });
      },
    });
  } catch (error) {
    throw listenError(error as NodeJS.ErrnoException, host, port);
  }
  return {
    port: server.port ?? port,
    // stop(true) also closes keep-alive connections a scraper holds open.
    close: async () => server.stop(true),
  };
}

async function listenNode(source: MetricsSource, host: string, port: number): Promise<Bound> {
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0]!;
    answer(source, req.method ?? "GET", path).then((a) => {
      res.writeHead(a.status, headers(a));
      res.end(req.method === "HEAD" ? undefined : a.body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => reject(listenError(error, host, port)));
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === "object" && address ? address.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive scrapers would hold close() open until they time out.
        server.closeAllConnections?.();
      }),
  };
}

function listenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  if (error.code === "EADDRINUSE") {
    return new ConfigurationError(
      `--metrics-port ${port}: ${host}:${port} is already in use. Pick another port, or 0 for a free one.`,
      { option: "metrics-port", endpoint: `${host}:${port}` },
    );
  }
  if (error.code === "EACCES") {
    return new ConfigurationError(
      `--metrics-port ${port}: not allowed to listen on ${host}:${port} (ports below 1024 need privileges). Pick a port above 1024.`,
      { option: "metrics-port", endpoint: `${host}:${port}` },
    );
  }
  return new ConfigurationError(
    `--metrics-host ${host}: cannot listen there (${error.code ?? error.message}). Use an address of this machine, e.g. 127.0.0.1 or 0.0.0.0.`,
    { option: "metrics-host", endpoint: `${host}:${port}` },
  );
}
