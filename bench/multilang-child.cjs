// The benchmark's MultiLangDaemon child: an aws-kcl (AWS's Node MultiLang client) processor shaped
// like its sample, writing the same delivery frames as plugins/bench-recorder.ts (Uint32 words:
// [kind 1, shard number, count, time high, time low, ...ids], one write per batch to
// $BENCH_OUT/<pid>.bin) and checkpointing every 5 s, at shard end and on shutdown request.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const kcl = require("aws-kcl");

const dir = process.env.BENCH_OUT || path.join(process.cwd(), ".bench-out", "deliveries");
fs.mkdirSync(dir, { recursive: true });
const fd = fs.openSync(path.join(dir, `${process.pid}.bin`), "a");
const EVERY_MS = 5000;

function recordId(base64) {
  const head = Buffer.from(base64.slice(0, 16), "base64").toString("latin1");
  return /^\d{10}/.test(head) ? Number(head.slice(0, 10)) : 0xffffffff;
}

function frame(shard, records) {
  const words = new Uint32Array(5 + records.length);
  const now = Date.now();
  words[0] = 1;
  words[1] = shard;
  words[2] = records.length;
  words[3] = Math.floor(now / 0x100000000);
  words[4] = now >>> 0;
  for (let i = 0; i < records.length; i++) words[5 + i] = recordId(records[i].data);
  fs.writeSync(fd, words);
}

function processor() {
  let shard = 0;
  let lastCheckpoint = Date.now();
  return {
    initialize(input, done) {
      shard = Number(/(\d+)$/.exec(input.shardId)[1]);
      done();
    },
    processRecords(input, done) {
      const records = input.records;
      if (records.length > 0) frame(shard, records);
      if (records.length === 0 || Date.now() - lastCheckpoint < EVERY_MS) return done();
      lastCheckpoint = Date.now();
      input.checkpointer.checkpoint(records[records.length - 1].sequenceNumber, () => done());
    },
    leaseLost(_input, done) {
      done();
    },
    shardEnded(input, done) {
      input.checkpointer.checkpoint(() => done());
    },
    shutdownRequested(input, done) {
      input.checkpointer.checkpoint(() => done());
    },
  };
}

kcl(processor()).run();
