// A loopback TCP relay for HTTP/2 cleartext in front of kinesis-mock that drops the client's GOAWAY
// frames. Why: the AWS SDK's NodeHttp2Handler opens one session per event stream and calls
// session.close() (a graceful GOAWAY) as soon as the response headers arrive; kinesis-mock answers
// that GOAWAY with an unsolicited PING ACK, which nghttp2 (Node and Bun) rejects as a protocol error
// (ERR_HTTP2_ERROR) and the subscription dies. Measured with a frame log: raw node:http2 without the
// close() works, with it fails the same way. The server is wrong; the relay hides the GOAWAY, and the
// client closes the TCP connection itself when the stream ends. Connections that do not start with
// the HTTP/2 preface (HTTP/1.1) are relayed untouched, so a whole process can use the relay as its
// Kinesis endpoint.
import net from "node:net";
import type { AddressInfo } from "node:net";

const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
const PREFACE_LENGTH = PREFACE.length;
const FRAME_HEADER = 9;
const GOAWAY = 0x7;

export interface H2Relay {
  endpoint: string;
  /** GOAWAY frames dropped so far. */
  dropped(): number;
  /** Cuts every relayed connection (a subscription broken mid-stream). */
  cutAll(): void;
  stop(): Promise<void>;
}

export async function startH2Relay(upstreamPort: number): Promise<H2Relay> {
  const sockets = new Set<net.Socket>();
  let dropped = 0;
  const server = net.createServer((client) => {
    const upstream = net.connect(upstreamPort, "127.0.0.1");
    sockets.add(client);
    sockets.add(upstream);
    let buffer = Buffer.alloc(0);
    let preface = true;
    let plain = false;
    client.on("data", (chunk: Buffer) => {
      // HTTP/1.1 (every call but SubscribeToShard) passes untouched: one endpoint serves both.
      if (plain) return void upstream.write(chunk);
      buffer = Buffer.concat([buffer, chunk]);
      if (preface) {
        const n = Math.min(buffer.length, PREFACE_LENGTH);
        if (!buffer.subarray(0, n).equals(PREFACE.subarray(0, n))) {
          plain = true;
          upstream.write(buffer);
          return;
        }
        if (buffer.length < PREFACE_LENGTH) return;
        upstream.write(buffer.subarray(0, PREFACE_LENGTH));
        buffer = buffer.subarray(PREFACE_LENGTH);
        preface = false;
      }
      while (buffer.length >= FRAME_HEADER) {
        const size = FRAME_HEADER + buffer.readUIntBE(0, 3);
        if (buffer.length < size) break;
        if (buffer[3] === GOAWAY) dropped += 1;
        else upstream.write(buffer.subarray(0, size));
        buffer = buffer.subarray(size);
      }
    });
    upstream.on("data", (chunk: Buffer) => client.write(chunk));
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("close", close);
    upstream.on("close", close);
    client.on("error", close);
    upstream.on("error", close);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    dropped: () => dropped,
    cutAll() {
      for (const s of sockets) s.destroy();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
