// One line per suite for its emulators: started before its first test; after its last, every process it
// started is killed and then the emulators are stopped, so no suite can forget either half.
import { afterAll, beforeAll } from "bun:test";
import { startTestAws, type TestAws } from "./aws.ts";
import { startEfoTestAws } from "./kinesis-mock.ts";
import { killAll } from "./processes.ts";

export interface AwsForSuiteOptions {
  /** kinesis-mock for the stream (SubscribeToShard), dynalite for leases: see startEfoTestAws. */
  efo?: boolean;
  shardLimit?: number;
  /**
   * The suite's own teardown that still needs the emulators (stopping in-process workers releases
   * their leases through DynamoDB). Runs first: bun runs afterAll hooks in the order registered, so a
   * suite's own afterAll would run only after the emulators are gone.
   */
  beforeStop?: () => Promise<void> | void;
}

/** Starting the emulators may be slow on a shared machine: a liveness bound, not a speed claim. */
const START_TIMEOUT_MS = 90_000;

/**
 * Registers the suite's beforeAll/afterAll (call at the top of the file or of a describe, before any
 * beforeAll that uses the emulators: those run in the order registered) and returns the TestAws as
 * an accessor, filled in once beforeAll has run. Tests never call its stop(): afterAll does.
 */
export function awsForSuite(options: AwsForSuiteOptions = {}): TestAws {
  let started: TestAws | undefined;
  beforeAll(async () => {
    started = options.efo ? await startEfoTestAws() : await startTestAws({ shardLimit: options.shardLimit });
  }, START_TIMEOUT_MS);
  afterAll(async () => {
    try {
      await options.beforeStop?.();
    } finally {
      await killAll();
      await started?.stop();
    }
  });
  const aws = (): TestAws => {
    if (!started) throw new Error("awsForSuite: the emulators are used before beforeAll started them");
    return started;
  };
  return {
    get kinesisEndpoint() {
      return aws().kinesisEndpoint;
    },
    get dynamodbEndpoint() {
      return aws().dynamodbEndpoint;
    },
    get region() {
      return aws().region;
    },
    get kinesis() {
      return aws().kinesis;
    },
    get dynamodb() {
      return aws().dynamodb;
    },
    get leaseTable() {
      return aws().leaseTable;
    },
    get env() {
      return aws().env;
    },
    stop: () => aws().stop(),
  };
}
