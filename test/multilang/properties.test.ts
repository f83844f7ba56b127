// The Java .properties format as java.util.Properties.load reads it, and the MultiLangDaemon keys
// mapped onto consume options (ignored Java-only keys, unknown keys, missing required keys).
import { describe, expect, test } from "bun:test";
import { splitCommandLine } from "../../cli/multilang/command-line.ts";
import { checkRequired, readMultilangKeys } from "../../cli/multilang/keys.ts";
import { parseProperties } from "../../cli/multilang/properties.ts";
import { ConfigurationError } from "../../src/core/errors.ts";

const asMap = (text: string) => Object.fromEntries(parseProperties(text).map((e) => [e.key, e.value]));

describe("Java properties format", () => {
  test("comments, blank lines, the three separators and leading whitespace", () => {
    expect(
      asMap(
        [
          "# comment",
          "! also a comment",
          "",
          "   a=1",
          "b : 2",
          "c 3",
          "d\t=\t 4 ",
          "e",
          "f=",
          "g==x",
          "h:=y",
        ].join("\n"),
      ),
    ).toEqual({ a: "1", b: "2", c: "3", d: "4 ", e: "", f: "", g: "=x", h: "=y" });
  });

  test("backslash continuations drop the next line's leading whitespace; an even count does not continue", () => {
    expect(asMap("executableName = python3 \\\n    app.py \\\n\t--fast\nk = a\\\\\nnext = 1")).toEqual({
      executableName: "python3 app.py --fast",
      k: "a\\",
      next: "1",
    });
  });

  test("a continued line is never a comment; a comment line is never continued", () => {
    expect(asMap("a = 1\\\n# not a comment\n# comment \\\nb = 2")).toEqual({ a: "1# not a comment", b: "2" });
  });

  test("escapes: \\t \\n \\r \\f \\uXXXX, escaped separators in keys, any other char stands for itself", () => {
    expect(asMap("k\\=ey\\ x = caf\\u00e9\\t\\n\\r\\f\\q\\:")).toEqual({ "k=ey x": "café\t\n\r\fq:" });
  });

  test("CRLF and CR line ends; the last duplicate wins", () => {
    expect(asMap("a=1\r\nb=2\rc=3\r\na=4")).toEqual({ a: "4", b: "2", c: "3" });
  });

  test("a malformed \\u escape names the file and line", () => {
    expect(() => parseProperties("a=1\nb=\\u12x4", "app.properties")).toThrow(
      /app\.properties:2: malformed \\uXXXX escape/,
    );
  });
});

describe("MultiLangDaemon keys", () => {
  const SAMPLE = `
executableName = node sample_kcl_app.js
streamName = kclnodejssample
applicationName = kclnodejssample
AWSCredentialsProvider = DefaultAWSCredentialsProviderChain
processingLanguage = nodejs/0.10
initialPositionInStream = trim_horizon
regionName = us-east-1
failoverTimeMillis = 20000
maxRecords = 500
idleTimeBetweenReadsInMillis = 250
shardSyncIntervalMillis = 30000
maxLeasesForWorker = 8
maxLeasesToStealAtOneTime = 2
callProcessRecordsEvenForEmptyRecordList = true
metricsLevel = NONE
timeoutInSeconds = 30
shutdownGraceMillis = 15000
kinesisEndpoint = http://127.0.0.1:4567
dynamoDBEndpoint = http://127.0.0.1:8000
tableName = leases
workerId = w-1
retrievalMode = POLLING
streamname = typo
flux = capacitor
`;

  test("the sample file maps onto the consume options; Java-only keys are ignored, unknown keys named", () => {
    const read = readMultilangKeys(parseProperties(SAMPLE, "sample.properties"), "sample.properties");
    expect(read.args).toEqual({
      stream: "kclnodejssample",
      app: "kclnodejssample",
      initialPosition: "TRIM_HORIZON",
      region: "us-east-1",
      failoverMs: 20000,
      maxRecords: 500,
      idleTimeMs: 250,
      shardSyncMs: 30000,
      maxLeasesForWorker: 8,
      maxLeasesToSteal: 2,
      processEmptyBatches: true,
      shutdownTimeoutMs: 15000,
      kinesisEndpoint: "http://127.0.0.1:4567",
      dynamodbEndpoint: "http://127.0.0.1:8000",
      table: "leases",
      workerId: "w-1",
    });
    expect(read.settings).toEqual({ executableName: "node sample_kcl_app.js", timeoutMs: 30_000 });
    expect(read.ignored).toEqual(["AWSCredentialsProvider", "processingLanguage", "metricsLevel"]);
    expect(read.unknown).toEqual(["streamname (did you mean streamName?)", "flux"]);
  });

  test("initialPositionInStreamExtended is AT_TIMESTAMP in epoch seconds; streamArn gives stream and region", () => {
    const read = readMultilangKeys(
      parseProperties(
        "executableName=x\napplicationName=a\nstreamArn=arn:aws:kinesis:eu-west-1:123456789012:stream/orders\ninitialPositionInStreamExtended=1700000000",
      ),
      "f",
    );
    expect(read.args).toEqual({
      app: "a",
      stream: "orders",
      region: "eu-west-1",
      initialPosition: "AT_TIMESTAMP",
      timestamp: "2023-11-14T22:13:20.000Z",
    });
  });

  test("a missing required key is a ConfigurationError naming it (flags may supply stream and app)", () => {
    const read = (text: string) => readMultilangKeys(parseProperties(text), "app.properties");
    expect(() => read("streamName=s\napplicationName=a")).toThrow(/required key executableName is missing/);
    expect(() => checkRequired(read("executableName=x\napplicationName=a").args, "app.properties")).toThrow(
      /app\.properties: required key streamName is missing/,
    );
    expect(() => checkRequired(read("executableName=x\nstreamName=s").args, "app.properties")).toThrow(
      ConfigurationError,
    );
    expect(() =>
      checkRequired({ ...read("executableName=x").args, stream: "s", app: "a" }, "f"),
    ).not.toThrow();
  });

  test("bad values name the file, line, key and rule", () => {
    const read = (text: string) => readMultilangKeys(parseProperties(text), "app.properties");
    expect(() => read("executableName=x\nfailoverTimeMillis = soon")).toThrow(
      'app.properties:2: failoverTimeMillis = "soon": must be a whole number ≥ 1.',
    );
    expect(() => read("executableName=x\ninitialPositionInStream=EARLIEST")).toThrow(
      /TRIM_HORIZON, LATEST or AT_TIMESTAMP/,
    );
    expect(() => read("executableName=x\ncallProcessRecordsEvenForEmptyRecordList=maybe")).toThrow(
      /true or false/,
    );
    expect(() => read("executableName=x\ntimeoutInSeconds=0")).toThrow(/timeoutInSeconds/);
    expect(() => read("executableName=x\nretrievalMode=FANCY")).toThrow(/POLLING or FANOUT/);
  });

  test("retrievalMode FANOUT is enhanced fan-out (consume --retrieval efo)", () => {
    const read = readMultilangKeys(parseProperties("executableName=x\nretrievalMode=FANOUT"), "f.properties");
    expect(read.args.retrieval).toBe("efo");
  });
});

describe("executableName is split like a shell command", () => {
  test("quotes and backslashes group words; nothing is expanded", () => {
    expect(splitCommandLine("  python3   app.py  ")).toEqual(["python3", "app.py"]);
    expect(splitCommandLine(`node "my app.js" 'it''s' a\\ b "q\\"x" $HOME ''`)).toEqual([
      "node",
      "my app.js",
      "its",
      "a b",
      'q"x',
      "$HOME",
      "",
    ]);
    expect(() => splitCommandLine('node "app.js')).toThrow(/unterminated " quote/);
  });
});
