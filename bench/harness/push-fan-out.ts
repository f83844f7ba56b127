// A bench-only SubscribeToShard server that pushes as soon as records exist: HTTP/2 cleartext, events
// encoded with the AWS SDK's own event-stream codec, fed from a REAL emulator stream by a tight internal
// GetRecords reader per subscription (a few ms between empty reads). What it is for: kinesis-mock pushes
// on a fixed 1 s timer, which hides what kcl-ts's own fan-out pipeline (SDK HTTP/2 handler, event
// decoding, backpressure, processRecords) adds. What it is not: AWS. Its own delay (put → the record
// pushed) is recorded per record, so a bench can subtract it; HTTP/2 flow control is honoured (a
// write that fills the window waits for 'drain'), so kcl-ts's backpressure still applies.
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type GetShardIteratorCommandInput,
  type KinesisClient,
  type _Record,
} from "@aws-sdk/client-kinesis";
import { EventStreamCodec } from "@smithy/core/event-streams";

export interface PushFanOut {
  /** Give this to the HTTP/2 client as its SubscribeToShard endpoint. */
  endpoint: string;
  /** Wall-clock ms at which each record (by sequence number) was written to its subscriber. */
  pushedAt: Map<string, number>;
  subscriptions(): number;
  stop(): Promise<void>;
}

interface SubscribeBody {
  ConsumerARN: string;
  ShardId: string;
  StartingPosition: { Type: string; SequenceNumber?: string; Timestamp?: number };
}

const codec = new EventStreamCodec(
  (bytes) => new TextDecoder().decode(bytes),
  (text) => new TextEncoder().encode(text),
);

function event(payload: unknown): Uint8Array {
  const str = (value: string) => ({ type: "string" as const, value });
  return codec.encode({
    headers: {
      ":message-type": str("event"),
      ":event-type": str("SubscribeToShardEvent"),
      ":content-type": str("application/json"),
    },
    body: new TextEncoder().encode(JSON.stringify(payload)),
  });
}

function recordJson(r: _Record) {
  return {
    SequenceNumber: r.SequenceNumber,
    PartitionKey: r.PartitionKey,
    Data: Buffer.from(r.Data ?? new Uint8Array(0)).toString("base64"),
    ApproximateArrivalTimestamp: (r.ApproximateArrivalTimestamp?.getTime() ?? 0) / 1000,
  };
}

/** `kinesis` reads the emulator (HTTP/1.1); `emptyReadMs` is the reader's pause after an empty read. */
export async function startPushFanOut(o: {
  kinesis: KinesisClient;
  stream: string;
  emptyReadMs?: number;
}): Promise<PushFanOut> {
  const emptyReadMs = o.emptyReadMs ?? 5;
  const pushedAt = new Map<string, number>();
  const live = new Set<http2.ServerHttp2Stream>();
  let total = 0;
  const server = http2.createServer();
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on("session", (s) => {
    sessions.add(s);
    s.on("close", () => sessions.delete(s));
  });
  server.on("stream", (stream: http2.ServerHttp2Stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => {
      if (!String(headers["x-amz-target"] ?? "").endsWith("SubscribeToShard")) {
        stream.respond({ ":status": 400, "content-type": "application/x-amz-json-1.1" });
        stream.end(JSON.stringify({ __type: "UnknownOperationException", message: "SubscribeToShard only" }));
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as SubscribeBody;
      stream.respond({ ":status": 200, "content-type": "application/vnd.amazon.eventstream" });
      live.add(stream);
      total++;
      stream.on("close", () => live.delete(stream));
      void pump(stream, body).catch(() => stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR));
    });
  });

  async function pump(stream: http2.ServerHttp2Stream, body: SubscribeBody): Promise<void> {
    const p = body.StartingPosition;
    const input: GetShardIteratorCommandInput = {
      StreamName: o.stream,
      ShardId: body.ShardId,
      ShardIteratorType: p.Type as GetShardIteratorCommandInput["ShardIteratorType"],
      ...(p.SequenceNumber ? { StartingSequenceNumber: p.SequenceNumber } : {}),
      ...(p.Timestamp !== undefined ? { Timestamp: new Date(p.Timestamp * 1000) } : {}),
    };
    let iterator = (await o.kinesis.send(new GetShardIteratorCommand(input))).ShardIterator;
    let continuation = p.SequenceNumber ?? "0";
    let lastSent = 0;
    while (iterator && !stream.closed) {
      const out = await o.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      iterator = out.NextShardIterator;
      const records = out.Records ?? [];
      if (records.length > 0) continuation = records[records.length - 1]!.SequenceNumber!;
      // AWS sends an event at least every 5 s even when there is nothing new; 1 s here.
      if (records.length > 0 || Date.now() - lastSent >= 1000) {
        const bytes = event({
          Records: records.map(recordJson),
          ContinuationSequenceNumber: continuation,
          MillisBehindLatest: out.MillisBehindLatest ?? 0,
        });
        if (stream.closed) return;
        const now = Date.now();
        for (const r of records) pushedAt.set(r.SequenceNumber!, now);
        lastSent = now;
        if (!stream.write(bytes)) {
          await new Promise((r) => {
            stream.once("drain", r);
            stream.once("close", r);
          });
        }
      }
      if (records.length === 0) await new Promise((r) => setTimeout(r, emptyReadMs));
    }
    if (!stream.closed) stream.end();
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    pushedAt,
    subscriptions: () => total,
    async stop() {
      for (const s of live) s.close(http2.constants.NGHTTP2_CANCEL);
      for (const s of sessions) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
