// One HTTP/1.1 POST over a keep-alive agent (node:http/https, which Bun, Deno and Node all provide),
// with the SDK handler's two timeouts: connecting (3 s) and an idle socket while waiting for the answer.
// Failures carry the names and codes the SDK's handler gives them (TimeoutError, AbortError, ECONN*).
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { Clock } from "../../core/clock.ts";

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function named(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

export class Transport {
  private readonly http = new HttpAgent({ keepAlive: true, maxSockets: 256 });
  private readonly https = new HttpsAgent({ keepAlive: true, maxSockets: 256 });

  constructor(
    private readonly clock: Clock,
    private readonly connectTimeoutMs: number,
    private readonly requestTimeoutMs: number,
  ) {}

  post(url: URL, headers: Record<string, string>, body: string, signal?: AbortSignal): Promise<HttpAnswer> {
    if (signal?.aborted) return Promise.reject(named("AbortError", "Request aborted"));
    const secure = url.protocol === "https:";
    return new Promise<HttpAnswer>((resolve, reject) => {
      const connecting = new AbortController();
      const req = (secure ? httpsRequest : httpRequest)(
        {
          protocol: url.protocol,
          hostname: url.hostname.replace(/^\[|\]$/g, ""),
          port: url.port || (secure ? 443 : 80),
          path: `${url.pathname || "/"}${url.search}`,
          method: "POST",
          headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
          agent: secure ? this.https : this.http,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString("utf8"),
            }),
          );
          res.on("error", reject);
        },
      );
      const onAbort = () => req.destroy(named("AbortError", "Request aborted"));
      signal?.addEventListener("abort", onAbort, { once: true });
      req.on("close", () => {
        signal?.removeEventListener("abort", onAbort);
        connecting.abort();
      });
      req.on("error", reject);
      req.setTimeout(this.requestTimeoutMs, () =>
        req.destroy(named("TimeoutError", `No answer within ${this.requestTimeoutMs} ms (socket idle)`)),
      );
      req.on("socket", (socket) => {
        if (!socket.connecting) return connecting.abort();
        socket.once("connect", () => connecting.abort());
        this.clock.sleep(this.connectTimeoutMs, connecting.signal).then(
          () => req.destroy(named("TimeoutError", `Could not connect within ${this.connectTimeoutMs} ms`)),
          () => undefined,
        );
      });
      req.end(body);
    });
  }

  destroy(): void {
    this.http.destroy();
    this.https.destroy();
  }
}
