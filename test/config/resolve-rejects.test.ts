// Every validation rule of resolveConfig: each rejection names the option, the value, the rule and the fix.
import { describe, test } from "bun:test";
import { BASE, expectRejection, type Rejection } from "./rejects.ts";

type Case = [title: string, options: Record<string, unknown> | null | undefined, expected: Rejection];

const NAME_CASES: Case[] = [
  [
    "app missing",
    { stream: "orders" },
    { option: "app", value: "(not set)", rule: /is required/, fix: /Pass --app <name>/ },
  ],
  [
    "app empty",
    { app: "", stream: "orders" },
    { option: "app", value: '""', rule: /is required/, fix: /Pass --app/ },
  ],
  [
    "app blank",
    { app: "   ", stream: "orders" },
    { option: "app", value: '"   "', rule: /is required/, fix: /Pass --app/ },
  ],
  [
    "app not a string",
    { app: 42, stream: "orders" },
    { option: "app", value: "42", rule: /must be a string/, fix: /Pass it as text/ },
  ],
  [
    "no options at all",
    undefined,
    {
      option: "app",
      value: "(not set)",
      rule: /is required \(no options were given\)/,
      fix: /Pass at least \{ app, stream \}/,
    },
  ],
  ["null options", null, { option: "app", value: "(not set)", rule: /is required/, fix: /Pass at least/ }],
  [
    "app too short to name the default table",
    { app: "ab", stream: "orders" },
    {
      option: "app",
      value: '"ab"',
      rule: /not a valid DynamoDB table name \(3–255 characters.*the app name is the default lease table name/,
      fix: /Pass --table <name>, or an app name that fits/,
    },
  ],
  [
    "app with characters a table name cannot have",
    { app: "my app!", stream: "orders" },
    { option: "app", value: '"my app!"', rule: /not a valid DynamoDB table name/, fix: /Pass --table/ },
  ],
  [
    "explicit table too short",
    { ...BASE, table: "t" },
    {
      option: "table",
      value: '"t"',
      rule: /not a valid DynamoDB table name \(3–255/,
      fix: /Choose a table name/,
    },
  ],
  [
    "explicit table too long",
    { ...BASE, table: "t".repeat(256) },
    {
      option: "table",
      value: `"${"t".repeat(256)}"`,
      rule: /not a valid DynamoDB table name/,
      fix: /Choose/,
    },
  ],
  [
    "explicit table with a slash",
    { ...BASE, table: "leases/prod" },
    { option: "table", value: '"leases/prod"', rule: /not a valid DynamoDB table name/, fix: /Choose/ },
  ],
  [
    "stream missing",
    { app: "billing" },
    { option: "stream", value: "(not set)", rule: /is required/, fix: /Pass --stream <name>/ },
  ],
  [
    "stream empty",
    { ...BASE, stream: "" },
    { option: "stream", value: '""', rule: /is required/, fix: /Pass --stream/ },
  ],
  [
    "stream not a string",
    { ...BASE, stream: ["a"] },
    { option: "stream", value: '["a"]', rule: /must be a string/, fix: /Pass it as text/ },
  ],
  [
    "stream with a space",
    { ...BASE, stream: "my stream" },
    {
      option: "stream",
      value: '"my stream"',
      rule: /not a valid Kinesis stream name \(1–128 characters of a-z A-Z 0-9 _ \. -\)/,
      fix: /exact name as `aws kinesis list-streams` shows/,
    },
  ],
  [
    "stream name too long",
    { ...BASE, stream: "s".repeat(129) },
    {
      option: "stream",
      value: `"${"s".repeat(129)}"`,
      rule: /not a valid Kinesis stream name/,
      fix: /list-streams/,
    },
  ],
  [
    "stream given as an ARN",
    { ...BASE, stream: "arn:aws:kinesis:eu-west-1:123456789012:stream/orders" },
    {
      option: "stream",
      value: '"arn:aws:kinesis:eu-west-1:123456789012:stream/orders"',
      rule: /not a valid Kinesis stream name/,
      fix: /exact name/,
    },
  ],
  [
    "worker id not a string",
    { ...BASE, workerId: 7 },
    { option: "worker-id", value: "7", rule: /must be a string/, fix: /--worker-id/ },
  ],
  [
    "region not a string",
    { ...BASE, region: true },
    { option: "region", value: "true", rule: /must be a string/, fix: /--region/ },
  ],
];

const POSITION_CASES: Case[] = [
  [
    "unknown initial position",
    { ...BASE, initialPosition: "FIRST" },
    {
      option: "initial-position",
      value: '"FIRST"',
      rule: /must be one of TRIM_HORIZON, LATEST, AT_TIMESTAMP/,
      fix: /Use one of: TRIM_HORIZON \| LATEST \| AT_TIMESTAMP/,
    },
  ],
  [
    "initial position in the wrong case",
    { ...BASE, initialPosition: "trim_horizon" },
    {
      option: "initial-position",
      value: '"trim_horizon"',
      rule: /must be one of/,
      fix: /Did you mean TRIM_HORIZON\? Values are case-sensitive/,
    },
  ],
  [
    "AT_TIMESTAMP without a timestamp",
    { ...BASE, initialPosition: "AT_TIMESTAMP" },
    {
      option: "initial-position",
      value: '"AT_TIMESTAMP"',
      rule: /AT_TIMESTAMP needs a start time/,
      fix: /Also pass --timestamp <ISO 8601>/,
    },
  ],
  [
    "AT_TIMESTAMP with an empty timestamp",
    { ...BASE, initialPosition: "AT_TIMESTAMP", timestamp: "" },
    { option: "initial-position", value: '"AT_TIMESTAMP"', rule: /needs a start time/, fix: /--timestamp/ },
  ],
  [
    "timestamp without AT_TIMESTAMP (default LATEST)",
    { ...BASE, timestamp: "2026-01-31T12:00:00Z" },
    {
      option: "timestamp",
      value: '"2026-01-31T12:00:00Z"',
      rule: /only used with --initial-position AT_TIMESTAMP \(the initial position is LATEST\)/,
      fix: /Add --initial-position AT_TIMESTAMP, or drop --timestamp/,
    },
  ],
  [
    "timestamp with TRIM_HORIZON",
    { ...BASE, initialPosition: "TRIM_HORIZON", timestamp: "2026-01-31T12:00:00Z" },
    {
      option: "timestamp",
      value: '"2026-01-31T12:00:00Z"',
      rule: /initial position is TRIM_HORIZON/,
      fix: /drop --timestamp/,
    },
  ],
  [
    "timestamp that is not a date",
    { ...BASE, initialPosition: "AT_TIMESTAMP", timestamp: "yesterday" },
    {
      option: "timestamp",
      value: '"yesterday"',
      rule: /must be an ISO 8601 date-time/,
      fix: /e\.g\. 2026-01-31T12:00:00Z/,
    },
  ],
  [
    "timestamp in a non-ISO format JS would accept",
    { ...BASE, initialPosition: "AT_TIMESTAMP", timestamp: "March 7, 2026" },
    { option: "timestamp", value: '"March 7, 2026"', rule: /ISO 8601/, fix: /with a zone/ },
  ],
  [
    "timestamp with a day that does not exist",
    { ...BASE, initialPosition: "AT_TIMESTAMP", timestamp: "2026-02-30T00:00:00Z" },
    { option: "timestamp", value: '"2026-02-30T00:00:00Z"', rule: /ISO 8601/, fix: /2026-01-31T12:00:00Z/ },
  ],
  [
    "timestamp with month 13",
    { ...BASE, initialPosition: "AT_TIMESTAMP", timestamp: "2026-13-01" },
    { option: "timestamp", value: '"2026-13-01"', rule: /ISO 8601/, fix: /Pass an ISO 8601 time/ },
  ],
  [
    "timestamp with hour 25",
    { ...BASE, initialPosition: "AT_TIMESTAMP", timestamp: "2026-01-31T25:00:00Z" },
    { option: "timestamp", value: '"2026-01-31T25:00:00Z"', rule: /ISO 8601/, fix: /Pass an ISO 8601 time/ },
  ],
  [
    "timestamp without a zone (ambiguous across hosts)",
    { ...BASE, initialPosition: "AT_TIMESTAMP", timestamp: "2026-01-31T12:00:00" },
    {
      option: "timestamp",
      value: '"2026-01-31T12:00:00"',
      rule: /has no time zone/,
      fix: /Append Z for UTC or an offset such as \+02:00/,
    },
  ],
  [
    "timestamp that is an invalid Date object",
    { ...BASE, initialPosition: "AT_TIMESTAMP", timestamp: new Date(Number.NaN) },
    {
      option: "timestamp",
      value: "Invalid Date",
      rule: /must be a valid date/,
      fix: /Pass an ISO 8601 time/,
    },
  ],
  [
    "timestamp given as epoch milliseconds",
    { ...BASE, initialPosition: "AT_TIMESTAMP", timestamp: 1_769_860_800_000 },
    {
      option: "timestamp",
      value: "1769860800000",
      rule: /must be an ISO 8601 date-time/,
      fix: /2026-01-31T12:00:00Z/,
    },
  ],
];

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

describe("names", () => {
  test.each(NAME_CASES)("%s", (_title, options, expected) => {
    expectRejection(options, expected);
  });
});

describe("starting position", () => {
  test.each(POSITION_CASES)("%s", (_title, options, expected) => {
    expectRejection(options, expected);
  });
});

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
