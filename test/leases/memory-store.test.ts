// The LeaseStore contract against the in-memory store (the simulations' store).
import { MemoryLeaseStore } from "../../src/testing/memory-lease-store.ts";
import { leaseStoreContract } from "./store-contract.ts";

leaseStoreContract("memory", async () => new MemoryLeaseStore({ tableExists: false }));
