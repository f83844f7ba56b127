// The KinesisPort contract against FakeKinesis.
import { FakeClock } from "../../src/testing/fake-clock.ts";
import { FakeKinesis } from "../../src/testing/fake-kinesis.ts";
import { kinesisContract } from "./contract.ts";

let n = 0;
kinesisContract("FakeKinesis", () => {
  const clock = new FakeClock();
  const fake = new FakeKinesis({ clock });
  return {
    kinesis: fake,
    sendsChildShards: true,
    reportsLag: true,
    uniqueName: (p) => `${p}-${++n}`,
    now: () => clock.now(),
    pass: (ms) => clock.advance(ms),
    async createStream(stream, shards) {
      fake.createStream(stream, shards);
    },
    async put(stream, records) {
      return fake.putRecords(stream, records);
    },
    async split(stream, shardId) {
      fake.splitShard(stream, shardId);
    },
    async merge(stream, a, b) {
      fake.mergeShards(stream, a, b);
    },
  };
});
