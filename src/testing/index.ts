/**
 * `safe-presign/testing`: helpers for your own test suite (vitest is required).
 * For now only the OwnershipStore conformance suite; S3 mocking helpers are left out on purpose
 * until their shape is settled.
 */
export { testOwnershipStore } from './conformance.js'
export type { TestOwnershipStoreOptions } from './conformance.js'
