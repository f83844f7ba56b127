// resolveConfig rejections for names and the starting position: each names option, value, rule and fix.
import { describe, test } from "bun:test";
import { BASE, type Case, expectRejection } from "./rejects.ts";

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
