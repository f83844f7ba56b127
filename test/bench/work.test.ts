// The bench's real per-record work (plugins/bench-work.ts), done identically by the bench plugin and the
// raw loop: every bench record's JSON body parses and is aggregated; anything else is counted, not fatal.
import { expect, test } from "bun:test";
import { RECORD_BYTES, recordData } from "../../bench/records.ts";
import { OrderTotals } from "../../plugins/bench-work.ts";
import { recordId } from "../../plugins/bench-recorder.ts";

test("every bench record is 100 bytes, keeps its id up front and aggregates by user", () => {
  const totals = new OrderTotals();
  for (let id = 0; id < 3000; id++) {
    const data = recordData(id);
    expect(data.length).toBe(RECORD_BYTES);
    expect(recordId(data)).toBe(id);
    totals.add(data);
  }
  expect(totals.unreadable).toBe(0);
  expect(totals.byUser.size).toBe(1000);
  const user7 = totals.byUser.get("user-007")!;
  expect(user7.orders).toBe(3);
  expect(user7.amount).toBe([7, 1007, 2007].reduce((sum, id) => sum + ((id * 7919) % 100_000), 0));
  const again = new OrderTotals();
  for (let id = 0; id < 3000; id++) again.add(recordData(id));
  expect(again.checksum).toBe(totals.checksum);
});

test("a record that is not a bench record is counted as unreadable", () => {
  const totals = new OrderTotals();
  totals.add(new TextEncoder().encode("0000000001not json"));
  totals.add(new TextEncoder().encode('0000000002{"user":7}'));
  expect(totals.unreadable).toBe(2);
  expect(totals.byUser.size).toBe(0);
});
