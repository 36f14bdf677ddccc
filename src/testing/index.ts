/**
 * `safe-presign/testing`: helpers for your own test suite.
 * - `startTestS3()`: the strict in-process S3 (also `safe-presign/testing/s3`, which loads without vitest
 *   and from CommonJS).
 * - `testOwnershipStore()`: the OwnershipStore conformance suite; it registers vitest tests, so it needs
 *   vitest. This module loads without it (vitest is imported only if installed).
 */
export { testOwnershipStore } from './conformance.js'
export type { TestOwnershipStoreOptions } from './conformance.js'
export { startTestS3 } from './s3/index.js'
export type { TestS3, TestS3Options, TestS3Credentials, TestS3Principal, TestS3PrincipalOptions, TestS3Fault, TestS3RequestLog } from './s3/index.js'
