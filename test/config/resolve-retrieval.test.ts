// Retrieval options (spec §8): polling by default; efo with a consumer name (the app name) or an ARN;
// consumer options without efo, bad names and bad ARNs are rejected with the fix.
import { describe, expect, test } from "bun:test";
import { resolveConfig } from "../../src/config/resolve.ts";
import { BASE, type Case, expectRejection } from "./rejects.ts";

const ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/orders/consumer/billing:1700000000";

describe("retrieval", () => {
  test("polling is the default; efo uses the app name as consumer name unless given", () => {
    const polling = resolveConfig({ ...BASE });
    expect([polling.retrieval, polling.consumerName, polling.consumerArn]).toEqual([
      "polling",
      "billing",
      undefined,
    ]);
    expect(resolveConfig({ ...BASE, retrieval: "efo" }).consumerName).toBe("billing");
    expect(resolveConfig({ ...BASE, retrieval: "efo", consumerName: "bill.v2" }).consumerName).toBe(
      "bill.v2",
    );
    expect(resolveConfig({ ...BASE, retrieval: "efo", consumerArn: ARN }).consumerArn).toBe(ARN);
  });

  const cases: Case[] = [
    [
      "an unknown mode",
      { ...BASE, retrieval: "EFO" },
      { option: "retrieval", value: '"EFO"', rule: /must be one of polling, efo/, fix: /Did you mean efo/ },
    ],
    [
      "a consumer name with polling",
      { ...BASE, consumerName: "x" },
      {
        option: "consumer-name",
        value: '"x"',
        rule: /only used with enhanced fan-out/,
        fix: /--retrieval efo/,
      },
    ],
    [
      "a consumer ARN with polling",
      { ...BASE, consumerArn: ARN },
      {
        option: "consumer-arn",
        value: `"${ARN}"`,
        rule: /only used with enhanced fan-out/,
        fix: /--retrieval efo/,
      },
    ],
    [
      "a bad consumer name",
      { ...BASE, retrieval: "efo", consumerName: "has space" },
      {
        option: "consumer-name",
        value: '"has space"',
        rule: /not a valid stream consumer name/,
        fix: /Choose/,
      },
    ],
    [
      "a stream ARN instead of a consumer ARN",
      { ...BASE, retrieval: "efo", consumerArn: "arn:aws:kinesis:us-east-1:123456789012:stream/orders" },
      {
        option: "consumer-arn",
        value: '"arn:aws:kinesis:us-east-1:123456789012:stream/orders"',
        rule: /not a stream consumer ARN/,
        fix: /kcl-ts consumers list/,
      },
    ],
    [
      "an app name that cannot name a consumer",
      { app: "a".repeat(129), stream: "orders", table: "t-1", retrieval: "efo" },
      {
        option: "app",
        value: `"${"a".repeat(129)}"`,
        rule: /cannot be the stream consumer name/,
        fix: /--consumer-name/,
      },
    ],
  ];
  for (const [title, options, expected] of cases) {
    test(`rejects ${title}`, () => {
      expectRejection(options, expected);
    });
  }
});
