import type { S3Client } from '@aws-sdk/client-s3'
import type { OwnershipStore } from '../stores/types.js'
import { MAX_PRESIGNED_EXPIRY_SECONDS } from '../limits.js'
import { invalid, isPositiveInteger } from '../_internal/validate.js'

export function checkClient(client: unknown, option = 'client'): S3Client {
  const c = client as S3Client | undefined
  // Any SDK v3 client has send() and a credential provider; only an S3Client says serviceId 'S3'.
  // Without this, a DynamoDBClient passed and its grants pointed at the DynamoDB endpoint.
  if (
    !c ||
    typeof c !== 'object' ||
    typeof c.send !== 'function' ||
    typeof c.config !== 'object' ||
    typeof c.config.credentials !== 'function' ||
    (c.config as { serviceId?: unknown }).serviceId !== 'S3'
  ) {
    invalid('INVALID_CONFIG', option, client === undefined ? undefined : 'an object that is not an S3Client', 'pass the S3Client you built (from @aws-sdk/client-s3)')
  }
  return c
}

// S3 bucket naming rules (the DNS-compatible subset that every S3-compatible store accepts).
const BUCKET = /^(?!xn--)(?!.*-s3alias$)(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/

export function checkBucket(bucket: unknown): string {
  if (typeof bucket !== 'string' || !BUCKET.test(bucket) || bucket.includes('..')) {
    invalid('INVALID_CONFIG', 'bucket', bucket, 'it must be a valid S3 bucket name (3-63 lower-case letters, digits, "." and "-")')
  }
  return bucket
}

export function checkStore(store: unknown, methods: readonly (keyof OwnershipStore)[]): OwnershipStore {
  const s = store as Record<string, unknown> | undefined
  const missing = s && typeof s === 'object' ? methods.filter((m) => typeof s[m] !== 'function') : methods
  if (missing.length > 0) {
    invalid('INVALID_CONFIG', 'store', store === undefined ? undefined : 'an object', `it must implement OwnershipStore (missing: ${missing.join(', ')})`)
  }
  return store as OwnershipStore
}

export function checkFunction(value: unknown, option: string): void {
  if (typeof value !== 'function') invalid('INVALID_CONFIG', option, value, 'it must be a function')
}

/** A lifetime option in seconds: a whole number above 0, at most SigV4's 7 days. */
export function checkLifetime(option: string, value: unknown): number {
  if (!isPositiveInteger(value)) invalid('INVALID_CONFIG', option, value, 'it must be a whole number of seconds above 0')
  if (value > MAX_PRESIGNED_EXPIRY_SECONDS) {
    invalid('INVALID_CONFIG', option, value, `the maximum is ${MAX_PRESIGNED_EXPIRY_SECONDS} s (7 days)`, { limit: MAX_PRESIGNED_EXPIRY_SECONDS })
  }
  return value
}
