// The metrics HTTP endpoint on node:http (so it runs on Bun, Deno, Node and the compiled binary):
// GET /metrics (Prometheus text format), /healthz and /readyz (200 "ok" or 503 with a one-line reason).
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

function respond(res: ServerResponse, status: number, type: string, body: string, head: boolean): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
  res.end(head ? undefined : body);
}

function handler(source: MetricsSource) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const head = req.method === "HEAD";
    if (req.method !== "GET" && !head) return respond(res, 405, "text/plain", "GET only\n", false);
    const path = (req.url ?? "/").split("?")[0];
    const verdict = (v: Verdict) =>
      respond(res, v.ok ? 200 : 503, "text/plain; charset=utf-8", `${v.reason}\n`, head);
    if (path === "/healthz") return verdict(source.healthz());
    if (path === "/readyz") return verdict(source.readyz());
    if (path === "/metrics") {
      source.metrics().then(
        (text) => respond(res, 200, source.contentType, text, head),
        (error: unknown) => respond(res, 500, "text/plain", `metrics failed: ${String(error)}\n`, head),
      );
      return;
    }
    respond(res, 404, "text/plain", "not found: try /metrics, /healthz or /readyz\n", head);
  };
}

/** Listens on host:port; a port in use or a host that cannot be bound is a ConfigurationError (exit 2). */
export async function listenMetrics(
  source: MetricsSource,
  host: string,
  port: number,
): Promise<MetricsServer> {
  validateListen(port, host);
  const server: Server = createServer(handler(source));
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => reject(listenError(error, host, port)));
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const bound = typeof address === "object" && address ? address.port : port;
  const shown = host.includes(":") ? `[${host}]` : host;
  return {
    host,
    port: bound,
    url: `http://${shown}:${bound}`,
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
