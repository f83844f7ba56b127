// resolveConfig rejections for lease timing, numbers, enums and endpoints: each names option, value, rule and fix.
import { describe, test } from "bun:test";
import { BASE, type Case, expectRejection } from "./rejects.ts";

const TIMING_CASES: Case[] = [
  [
    "failover below 3 × an explicit renew interval",
    { ...BASE, failoverMs: 3000, renewIntervalMs: 1001 },
    {
      option: "failover-ms",
      value: "3000",
      rule: /must be at least 3 × the renew interval \(1001 ms\) so that two missed heartbeats do not lose a lease/,
      fix: /Raise --failover-ms to ≥ 3003 or lower --renew-interval-ms to ≤ 1000\./,
    },
  ],
  [
    "renew interval too slow for the default failover",
    { ...BASE, renewIntervalMs: 4000 },
    {
      option: "failover-ms",
      value: "10000",
      rule: /3 × the renew interval \(4000 ms\)/,
      fix: /Raise --failover-ms to ≥ 12000 or lower --renew-interval-ms to ≤ 3333/,
    },
  ],
  [
    "failover below its minimum",
    { ...BASE, failoverMs: 999 },
    { option: "failover-ms", value: "999", rule: /must be ≥ 1000/, fix: /Pass a whole number ≥ 1000/ },
  ],
  [
    "max-records above the GetRecords limit",
    { ...BASE, maxRecords: 10_001 },
    {
      option: "max-records",
      value: "10001",
      rule: /must be ≤ 10000 \(Kinesis GetRecords returns at most 10000 records per call\)/,
      fix: /Pass a whole number from 1 to 10000/,
    },
  ],
];

/** Every numeric option with its minimum: each must reject non-integers, non-numbers and values below it. */
const NUMERIC: [option: string, key: string, min: number][] = [
  ["failover-ms", "failoverMs", 1000],
  ["renew-interval-ms", "renewIntervalMs", 50],
  ["taker-interval-ms", "takerIntervalMs", 100],
  ["max-leases-for-worker", "maxLeasesForWorker", 1],
  ["max-leases-to-steal", "maxLeasesToSteal", 0],
  ["shard-sync-ms", "shardSyncMs", 1000],
  ["max-records", "maxRecords", 1],
  ["idle-time-ms", "idleTimeMs", 0],
  ["poll-interval-ms", "pollIntervalMs", 0],
  ["checkpoint-interval-ms", "checkpointIntervalMs", 0],
  ["shutdown-timeout-ms", "shutdownTimeoutMs", 0],
];

const NUMBER_CASES: Case[] = NUMERIC.flatMap(([option, key, min]): Case[] => {
  const below = min > 0 ? 0 : -1;
  const bad = (value: unknown, shown: string, rule: RegExp): Case => [
    `${option} = ${shown}`,
    { ...BASE, [key]: value },
    { option, value: shown, rule, fix: /Pass a whole number (≥|from) / },
  ];
  return [
    bad(below, String(below), new RegExp(`must be ≥ ${min}`)),
    bad(-5, "-5", new RegExp(`must be ≥ ${min}`)),
    bad(min + 1.5, String(min + 1.5), /must be a whole number/),
    bad(Number.NaN, "NaN", /must be a whole number/),
    bad(Number.NEGATIVE_INFINITY, "-Infinity", /must be a whole number/),
    bad("100", '"100"', /must be a whole number/),
  ];
});

const ENUM_AND_ENDPOINT_CASES: Case[] = [
  [
    "unknown checkpoint mode",
    { ...BASE, checkpoint: "sometimes" },
    {
      option: "checkpoint",
      value: '"sometimes"',
      rule: /must be one of auto, manual/,
      fix: /Use one of: auto \| manual/,
    },
  ],
  [
    "unknown on-error policy",
    { ...BASE, onError: "ignore" },
    {
      option: "on-error",
      value: '"ignore"',
      rule: /must be one of retry, skip, exit/,
      fix: /Use one of: retry \| skip \| exit/,
    },
  ],
  [
    "on-error in the wrong case",
    { ...BASE, onError: "RETRY" },
    { option: "on-error", value: '"RETRY"', rule: /must be one of/, fix: /Did you mean retry\?/ },
  ],
  [
    "enum given as a number",
    { ...BASE, checkpoint: 1 },
    { option: "checkpoint", value: "1", rule: /must be one of auto, manual/, fix: /Use one of/ },
  ],
  ...(
    [
      ["kinesis-endpoint", "kinesisEndpoint", "localhost:4567"],
      ["kinesis-endpoint", "kinesisEndpoint", "127.0.0.1:4567"],
      ["kinesis-endpoint", "kinesisEndpoint", "not a url"],
      ["dynamodb-endpoint", "dynamodbEndpoint", "ftp://127.0.0.1:8000"],
      ["dynamodb-endpoint", "dynamodbEndpoint", "http://"],
      ["dynamodb-endpoint", "dynamodbEndpoint", "file:///tmp/db"],
    ] as const
  ).map(
    ([option, key, value]): Case => [
      `${option} ${value}`,
      { ...BASE, [key]: value },
      {
        option,
        value: JSON.stringify(value),
        rule: /must be an http\(s\) URL/,
        fix: /e\.g\. http:\/\/127\.0\.0\.1:4567/,
      },
    ],
  ),
  [
    "endpoint not a string",
    { ...BASE, kinesisEndpoint: 4567 },
    { option: "kinesis-endpoint", value: "4567", rule: /must be a string/, fix: /Pass it as text/ },
  ],
];

describe("lease timing and limits", () => {
  test.each(TIMING_CASES)("%s", (_title, options, expected) => {
    expectRejection(options, expected);
  });
});

describe("every numeric option rejects non-integers, non-numbers and values below its minimum", () => {
  test.each(NUMBER_CASES)("%s", (_title, options, expected) => {
    expectRejection(options, expected);
  });
});

describe("enums and endpoints", () => {
  test.each(ENUM_AND_ENDPOINT_CASES)("%s", (_title, options, expected) => {
    expectRejection(options, expected);
  });
});
