// compareCheckpoints orders sequence numbers by numeric value (Java's BigInteger order) without BigInt:
// checked against a BigInt reference on random decimal strings of every length, with leading zeros.
import { describe, expect, test } from "bun:test";
import { randomInt, seededRandom } from "../../src/core/random.ts";
import { compareCheckpoints, type ExtendedSequenceNumber } from "../../src/leases/lease.ts";

const at = (sequenceNumber: string, subSequenceNumber = 0): ExtendedSequenceNumber => ({
  sequenceNumber,
  subSequenceNumber,
});
const sign = (n: number) => Math.sign(n);

function reference(a: ExtendedSequenceNumber, b: ExtendedSequenceNumber): number {
  const x = BigInt(a.sequenceNumber);
  const y = BigInt(b.sequenceNumber);
  if (x !== y) return x < y ? -1 : 1;
  return sign(a.subSequenceNumber - b.subSequenceNumber);
}

describe("compareCheckpoints", () => {
  test("orders decimal sequence numbers by value, as BigInt does (lengths, leading zeros, ties)", () => {
    const random = seededRandom(19);
    const digits = (n: number) => Array.from({ length: n }, () => String(randomInt(random, 10))).join("");
    const base = digits(56);
    const samples: string[] = [
      "0",
      "00",
      "1",
      "01",
      "10",
      "9",
      "000123",
      "123",
      base,
      `0${base}`,
      `00${base}`,
    ];
    for (let i = 0; i < 300; i++) {
      const kind = randomInt(random, 4);
      if (kind === 0) samples.push(digits(1 + randomInt(random, 60)));
      else if (kind === 1)
        samples.push(base.slice(0, 50) + digits(6)); // same length, late difference
      else if (kind === 2) samples.push("0".repeat(randomInt(random, 4)) + digits(1 + randomInt(random, 8)));
      else samples.push(base);
    }
    let compared = 0;
    for (const a of samples) {
      for (let k = 0; k < 20; k++) {
        const b = samples[randomInt(random, samples.length)]!;
        const subA = randomInt(random, 3);
        const subB = randomInt(random, 3);
        expect(sign(compareCheckpoints(at(a, subA), at(b, subB)))).toBe(reference(at(a, subA), at(b, subB)));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(5000);
  });

  test("sentinels keep Java's order around real sequence numbers", () => {
    const order = [
      "AT_TIMESTAMP",
      "TRIM_HORIZON",
      "LATEST",
      "0",
      "5",
      "49590338271490256608559692538361571095921575989136588898",
      "SHARD_END",
    ];
    for (let i = 0; i < order.length; i++) {
      for (let j = 0; j < order.length; j++) {
        expect(sign(compareCheckpoints(at(order[i]!), at(order[j]!)))).toBe(sign(i - j));
      }
    }
  });

  test("a malformed sequence number still throws rather than comparing as text", () => {
    expect(() => compareCheckpoints(at("12a"), at("13"))).toThrow();
    expect(() => compareCheckpoints(at("13"), at(""))).not.toThrow(); // BigInt("") is 0n, as before
    expect(sign(compareCheckpoints(at("13"), at("")))).toBe(1);
  });
});
