// The ownership stores the first section of the bench (safe calls vs raw getSignedUrl, 3 runs of
// BENCH_ITERATIONS each) runs against: memory only, so that the ratios measure safe-presign's own
// work. Redis, PostgreSQL and DynamoDB are benched in the store section (bench/servers.ts).
import { memoryStore, type OwnershipStore } from '../src/index.js'

export interface BenchStore {
  name: string
  /** A fresh, empty store. Called once per timed run, so every run starts from the same state. */
  create(): Promise<OwnershipStore> | OwnershipStore
  /** Releases what `create` opened (connections, tables). */
  cleanup?(store: OwnershipStore): Promise<void> | void
}

/**
 * Big enough that the safe PUT/POST runs (warm-up + iterations, all pending for an hour) never
 * fill it. The default (100 000) would also do for one run, but not if someone raises the count.
 */
export const MEMORY_MAX_RECORDS = 1_000_000

export const benchStores: BenchStore[] = [{ name: 'memory', create: () => memoryStore({ maxRecords: MEMORY_MAX_RECORDS }) }]
