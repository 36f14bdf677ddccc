// The ownership stores the bench runs the store-backed cases against. Only memory for now; a
// per-store bench (Redis, PostgreSQL, DynamoDB) is added by appending an entry here, built from a
// client the bench creates from the env var below, exactly as an application would.
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

/** Stores that have a connection variable but no bench yet. Set and skipped, with a printed reason. */
export const plannedStores: { name: string; env: string }[] = [
  { name: 'redis', env: 'REDIS_URL' },
  { name: 'postgres', env: 'DATABASE_URL' },
  { name: 'dynamodb', env: 'DYNAMODB_ENDPOINT' },
]
