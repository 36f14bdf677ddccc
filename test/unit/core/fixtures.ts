// Shared fixtures for the core, sign and lifecycle unit tests: fake credentials, clients that sign
// without a network, deterministic ids and clocks, and records in the shapes the builders write.
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3'
import { isSafePresignError, type SafePresignError } from '../../../src/errors.js'
import type { UploadRecord } from '../../../src/stores/types.js'

/** A whole second, so X-Amz-Date and the policy's expiration carry no millisecond rounding. */
export const T = Date.UTC(2025, 0, 15, 12, 0, 0)

export const ACCESS_KEY = 'AKIAIOSFODNN7EXAMPLE'
export const SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
export const SESSION_TOKEN = 'FwoGZXIvYXdzEXAMPLE//////////wEaDSESSIONTOKEN+/='

export const staticCredentials = { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }
export const sessionCredentials = { ...staticCredentials, sessionToken: SESSION_TOKEN }

/** An S3Client that can sign (static credentials) but is never sent a request. */
export function s3Client(config: Partial<S3ClientConfig> = {}): S3Client {
  return new S3Client({ region: 'eu-west-1', credentials: staticCredentials, requestChecksumCalculation: 'WHEN_REQUIRED', ...config })
}

/** A path-style client for a local S3-compatible server (MinIO, RGW). */
export function localClient(config: Partial<S3ClientConfig> = {}): S3Client {
  return s3Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true, ...config })
}

/** Deterministic lower-case UUIDv4s: 00000000-0000-4000-8000-000000000001, ...02, ... */
export function sequentialIds(): () => string {
  let n = 0
  return () => `00000000-0000-4000-8000-${(++n).toString(16).padStart(12, '0')}`
}

export const ID = '3b241101-e2bb-4255-8caf-4136c566a962'

export function record(key: string, extra: Partial<UploadRecord> = {}): UploadRecord {
  return {
    key,
    owner: 'alice',
    state: 'committed',
    filename: 'holiday photo.png',
    contentType: 'image/png',
    minSize: 100,
    maxSize: 100,
    createdAt: T - 60_000,
    expiresAt: T + 240_000,
    settledAt: T - 30_000,
    sniffedType: 'image/png',
    ...extra,
  }
}

/** The rejection of `promise`, which must reject with a SafePresignError. */
export async function failure(promise: Promise<unknown>): Promise<SafePresignError> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  )
  if (!('error' in outcome)) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value)}`)
  if (!isSafePresignError(outcome.error)) throw outcome.error
  return outcome.error
}

/** The synchronous throw of `fn`, which must throw a SafePresignError. */
export function thrown(fn: () => unknown): SafePresignError {
  try {
    fn()
  } catch (error) {
    if (isSafePresignError(error)) return error
    throw error
  }
  throw new Error('expected a SafePresignError to be thrown')
}

export function params(url: string): URLSearchParams {
  return new URL(url).searchParams
}

/** The X-Amz-SignedHeaders of a presigned URL, as a sorted list. */
export function signedHeaders(url: string): string[] {
  return (params(url).get('X-Amz-SignedHeaders') ?? '').split(';').sort()
}

export const SECRETS = ['X-Amz-Signature', 'X-Amz-Credential', 'X-Amz-Security-Token', SECRET_KEY, SESSION_TOKEN] as const
