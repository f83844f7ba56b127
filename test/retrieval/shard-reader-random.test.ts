// Randomised, seeded runs: a producer, a slow processor and injected throttling, expired iterators
// and network faults; every record must arrive exactly once, in order, until the split ends the shard.
import { describe, expect, test } from "bun:test";
import { DependencyError } from "../../src/core/errors.ts";
import { randomInt, seededRandom } from "../../src/core/random.ts";
import { reader, S0, settle, TRIM, text, world } from "./support.ts";

function run(seed: number) {
  return async () => {
    const rnd = seededRandom(seed);
    const w = world({ iteratorTtlMs: 2000 });
    const r = reader(w, TRIM, {
      maxRecords: 1 + randomInt(rnd, 7),
      idleTimeMs: 200,
      random: seededRandom(seed + 1),
    });
    const expected: string[] = [];
    const got: string[] = [];
    let n = 0;
    let split = false;
    for (let step = 0; step < 400; step++) {
      const roll = rnd.next();
      if (!split && roll < 0.45) {
        const k = randomInt(rnd, 4);
        for (let i = 0; i < k; i++) {
          w.fake.putRecord("s", `pk${randomInt(rnd, 5)}`, `m${n}`);
          expected.push(`m${n++}`);
        }
      } else if (roll < 0.5) w.fake.throttleGetRecords(1 + randomInt(rnd, 3));
      else if (roll < 0.55) w.fake.expireIterators();
      else if (roll < 0.58) {
        w.fake.failNext("getRecords", () => new DependencyError("net", "unreachable", { shardId: S0 }));
      } else if (!split && step > 300) {
        w.fake.splitShard("s", S0);
        split = true;
      }
      const batch = await settle(w.clock, r.next());
      got.push(...batch.records.map(text));
      await w.clock.advance(randomInt(rnd, 3000)); // the processor works (iterators may expire)
      if (batch.isAtShardEnd) break;
    }
    if (!split) w.fake.splitShard("s", S0);
    for (let i = 0; i < 200; i++) {
      const batch = await settle(w.clock, r.next());
      got.push(...batch.records.map(text));
      if (batch.isAtShardEnd) break;
    }
    r.close();
    expect(got).toEqual(expected);
    expect(expected.length).toBeGreaterThan(50);
    expect(w.seen.some((e) => e.type === "throttled")).toBe(true);
    expect(w.seen.some((e) => e.type === "iterator-expired")).toBe(true);
  };
}

describe("ShardReader under random faults (seeded)", () => {
  for (const seed of [1, 2, 3, 4, 5, 6])
    test(`seed ${seed}: exactly once, in order, to shard end`, run(seed));
});
