// Every multipart call after createMultipart starts here: the request names a key, an uploadId and an
// owner, and all three must match the record the server wrote. The upload id alone is no authority.
import { SafePresignError } from '../errors.js'
import { keyProblem } from '../key/key.js'
import type { ResolvedUploadConfig } from '../policy/upload-config.js'
import type { UploadRecord } from '../stores/types.js'
import { storeCall } from '../_internal/store-call.js'
import { checkSubject, invalid, quote } from '../_internal/validate.js'

export interface MultipartRef {
  key: string
  uploadId: string
  /** Must be the owner the upload was created for. */
  owner: string
}

export type MultipartRecord = UploadRecord & { multipart: NonNullable<UploadRecord['multipart']> }

// S3 upload ids are opaque: AWS's are long base64url-ish strings, RGW's `2~…`. Bounded, printable ASCII.
const UPLOAD_ID = /^[\x21-\x7e]{1,1024}$/

/** Where the bytes of this upload go: the staging key under quarantine, else the key itself. */
export const objectKeyOf = (record: UploadRecord): string => record.stagingKey ?? record.key

export function checkRef(cfg: ResolvedUploadConfig, request: unknown, call: string): MultipartRef {
  if (typeof request !== 'object' || request === null) invalid('INVALID_REQUEST', 'request', request, `${call} needs { key, uploadId, owner }`)
  const { key, uploadId } = request as Record<string, unknown>
  const owner = checkSubject('owner', (request as Record<string, unknown>).owner)
  const problem = keyProblem(key, typeof cfg.keyPrefix === 'string' ? cfg.keyPrefix : undefined)
  if (problem) invalid('INVALID_KEY', 'key', key, problem)
  if (typeof uploadId !== 'string' || !UPLOAD_ID.test(uploadId)) invalid('INVALID_REQUEST', 'uploadId', uploadId, 'it must be the uploadId createMultipart returned')
  return { key: key as string, uploadId, owner }
}

/** The record of the multipart upload `ref` names, checked against it: NOT_FOUND or FORBIDDEN otherwise. */
export async function openUpload(cfg: ResolvedUploadConfig, ref: MultipartRef, now: number): Promise<MultipartRecord> {
  const record = await storeCall('get', () => cfg.store.get(ref.key, now))
  if (!record) throw new SafePresignError('NOT_FOUND', `no upload is recorded under ${quote(ref.key)}`, { details: { key: ref.key } })
  if (record.owner !== ref.owner) throw new SafePresignError('FORBIDDEN', `${quote(ref.owner)} does not own ${quote(ref.key)}`, { details: { key: ref.key } })
  if (record.multipart?.uploadId !== ref.uploadId) {
    throw new SafePresignError('NOT_FOUND', `no multipart upload with this uploadId is recorded under ${quote(ref.key)}`, { details: { key: ref.key } })
  }
  return record as MultipartRecord
}

/** Throws unless the upload still takes parts: pending, and (with `now`) within its lifetime. */
export function assertOpen(record: MultipartRecord, now?: number): void {
  if (record.state === 'committed') throw new SafePresignError('UPLOAD_REJECTED', `the upload ${quote(record.key)} is already completed; it takes no more parts`, { details: { key: record.key } })
  if (record.state === 'rejected') {
    throw new SafePresignError('UPLOAD_REJECTED', `the upload ${quote(record.key)} was rejected (${record.reason ?? 'unknown reason'})`, { details: { key: record.key, reason: record.reason } })
  }
  if (now !== undefined && now >= record.expiresAt) {
    throw new SafePresignError('UPLOAD_EXPIRED', `the multipart upload ${quote(record.key)} had to be completed by ${new Date(record.expiresAt).toISOString()}`, {
      details: { key: record.key, expiresAt: record.expiresAt },
    })
  }
}

// "This upload is gone": AWS says NoSuchUpload; Ceph RGW 16 answers ListParts on an aborted upload with
// 404 NoSuchKey (measured).
const GONE = new Set(['NoSuchUpload', 'NoSuchKey'])

/** Wraps an S3 call: an upload that is gone becomes `undefined`, anything else S3_ERROR naming the operation. */
export async function s3Call<T>(operation: string, key: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn()
  } catch (cause) {
    const name = (cause as { name?: string }).name ?? (cause as { Code?: string }).Code
    if (name !== undefined && GONE.has(name)) return undefined
    throw new SafePresignError('S3_ERROR', `${operation} failed for ${quote(key)}; nothing was decided, try again`, { cause, details: { operation, key } })
  }
}
