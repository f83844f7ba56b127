// Polling pacing on the fake clock (spec §8): GetRecords on one shard start at least pollIntervalMs
// apart while behind, while retrying and when caught up (then also idleTimeMs after the last call).
import { describe, expect, test } from "bun:test";
import { seededRandom } from "../../src/core/random.ts";
import { getRecordsCalls, readRecords, reader, settle, TRIM, text, world } from "./support.ts";

const put = (w: ReturnType<typeof world>, n: number) =>
  w.fake.putRecords(
    "s",
    Array.from({ length: n }, (_, i) => ({ partitionKey: `k${i}`, data: `r${i}` })),
  );

const gaps = (at: number[]) => at.slice(1).map((t, i) => t - at[i]!);

describe("poll interval", () => {
  test("behind: full batches are fetched pollIntervalMs apart, not back to back", async () => {
    const w = world();
    put(w, 50);
    const r = reader(w, TRIM, { maxRecords: 10, idleTimeMs: 1000, pollIntervalMs: 200 });
    const { records } = await readRecords(w, r, 50);
    expect(records.map(text)).toEqual(Array.from({ length: 50 }, (_, i) => `r${i}`));
    const at = getRecordsCalls(w).map((c) => c.at);
    expect(at.slice(0, 5)).toEqual([0, 200, 400, 600, 800]);
    r.close();
  });

  test("caught up: the idle pause comes on top of the floor; the floor holds when idle is shorter", async () => {
    const w = world();
    const r = reader(w, TRIM, { maxRecords: 10, idleTimeMs: 1000, pollIntervalMs: 200 });
    for (let i = 0; i < 4; i++) await settle(w.clock, r.next());
    expect(gaps(getRecordsCalls(w).map((c) => c.at)).every((g) => g >= 1000)).toBe(true);
    r.close();
    const w2 = world();
    const r2 = reader(w2, TRIM, { maxRecords: 10, idleTimeMs: 0, pollIntervalMs: 200 });
    for (let i = 0; i < 4; i++) await settle(w2.clock, r2.next());
    const g2 = gaps(getRecordsCalls(w2).map((c) => c.at));
    expect(g2.length).toBeGreaterThanOrEqual(3);
    expect(g2.every((g) => g === 200)).toBe(true);
    r2.close();
  });

  test("throttling retries respect the floor too, and nothing is lost", async () => {
    const w = world();
    put(w, 30);
    w.fake.throttleGetRecords(4);
    const r = reader(w, TRIM, { maxRecords: 10, pollIntervalMs: 200, random: seededRandom(1) });
    const { records } = await readRecords(w, r, 30);
    expect(records.length).toBe(30);
    expect(Math.min(...gaps(getRecordsCalls(w).map((c) => c.at)))).toBeGreaterThanOrEqual(200);
    r.close();
  });

  test("random workloads: no two GetRecords on a shard ever start closer than pollIntervalMs", async () => {
    for (let seed = 1; seed <= 12; seed++) {
      const rnd = seededRandom(seed);
      const w = world();
      const pollIntervalMs = 50 + Math.floor(rnd.next() * 400);
      const idleTimeMs = Math.floor(rnd.next() * 600);
      const total = 20 + Math.floor(rnd.next() * 80);
      put(w, total);
      w.fake.throttleGetRecords(Math.floor(rnd.next() * 4));
      const r = reader(w, TRIM, { maxRecords: 7, idleTimeMs, pollIntervalMs, random: rnd });
      let seen = 0;
      while (seen < total) {
        seen += (await settle(w.clock, r.next())).records.length;
        await w.clock.advance(Math.floor(rnd.next() * 300)); // the processor's time varies
      }
      const min = Math.min(...gaps(getRecordsCalls(w).map((c) => c.at)));
      expect({ seed, ok: min >= pollIntervalMs }).toEqual({ seed, ok: true });
      r.close();
    }
  });
});
