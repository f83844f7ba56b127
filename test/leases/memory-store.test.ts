// The LeaseStore contract against the in-memory store (the simulations' store), in both row modes.
import { MemoryLeaseStore } from "../../src/testing/memory-lease-store.ts";
import { leaseStoreContract } from "./store-contract.ts";

leaseStoreContract("memory", async () => new MemoryLeaseStore({ tableExists: false }));
leaseStoreContract(
  "memory (shared rows)",
  async () => new MemoryLeaseStore({ tableExists: false, shareRows: true }),
);
