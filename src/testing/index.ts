// Test doubles for simulations (ours and plugin authors'): a hand-advanced clock, an in-memory
// lease store with DynamoDB's conditional semantics, an in-memory Kinesis, fault injectors, and a meter
// that bills a store's calls as DynamoDB would.
export { DynamoDbMeter, itemSize, type OperationCost, readUnits, writeUnits } from "./dynamodb-meter.ts";
export { FakeClock, flushAsync } from "./fake-clock.ts";
export { FakeKinesis, type FakeKinesisOperation, type FakeKinesisOptions } from "./fake-kinesis.ts";
export { FaultyLeaseStore, type FaultOptions } from "./faulty-lease-store.ts";
export { LeaseSim, type LeaseSimOptions, newLease } from "./lease-sim.ts";
export { injectLeaseThreadFault, type LeaseThreadFault } from "./lease-thread-faults.ts";
export { MemoryLeaseStore, type MemoryLeaseStoreOptions } from "./memory-lease-store.ts";
export { MeteredLeaseStore, type MeteredLeaseStoreOptions } from "./metered-lease-store.ts";
export { seededRandom } from "../core/random.ts";
