// uploads.completeMultipart() and uploads.abortMultipart(). Only the server completes: it lists the
// parts S3 holds (never a client's list), checks each against the plan fixed at creation, completes
// create-once with the total size asserted, and then verifies the object as complete() does.
//   open → list parts → plan check → (HEAD: not there yet) → CompleteMultipartUpload → complete()
// A plan that does not hold aborts the upload and rejects the record: nothing half-done remains.
import type { Part } from '@aws-sdk/client-s3'
import { command } from '../_internal/s3-commands.js'
import type { ErrorCode } from '../errors.js'
import { SafePresignError } from '../errors.js'
import type { SafePresignEvent } from '../events.js'
import { completeUpload, type CompleteResult } from '../lifecycle/complete.js'
import type { ResolvedUploadConfig } from '../policy/upload-config.js'
import { concatBytes, fromHex, toHex } from '../_internal/bytes.js'
import { md5 } from '../_internal/md5.js'
import { storeCall } from '../_internal/store-call.js'
import { quote } from '../_internal/validate.js'
import { checkRef, objectKeyOf, openUpload, s3Call, type MultipartRecord, type MultipartRef } from './open.js'
import { listAllParts } from './parts.js'
import { partLength } from './plan.js'

type Emit = (event: SafePresignEvent) => void

interface PlanProblem {
  code: ErrorCode
  message: string
  observed: Record<string, string | number | boolean>
}

/** Why the parts S3 holds are not the plan, or undefined when they are, part by part. */
export function planProblem(cfg: ResolvedUploadConfig, record: MultipartRecord, parts: readonly Part[]): PlanProblem | undefined {
  const { partCount } = record.multipart
  const byNumber = new Map(parts.map((p) => [p.PartNumber ?? 0, p]))
  const extra = parts.find((p) => !p.PartNumber || p.PartNumber < 1 || p.PartNumber > partCount)
  if (extra) return { code: 'SIZE_MISMATCH', message: `S3 holds a part beyond the plan's ${partCount} parts`, observed: { partNumber: extra.PartNumber ?? 0 } }
  for (let n = 1; n <= partCount; n++) {
    const part = byNumber.get(n)
    if (!part) return { code: 'UPLOAD_MISSING', message: `part ${n} of ${partCount} was not uploaded`, observed: { partsHeld: parts.length } }
    const planned = partLength(record.multipart, record.maxSize, n)
    if (part.Size !== planned) return { code: 'SIZE_MISMATCH', message: `part ${n}'s size is not the planned ${planned} bytes`, observed: { partNumber: n, size: part.Size ?? -1 } }
    // A store that keeps no part checksums (Ceph RGW 16 neither compares nor lists them, measured) proves
    // nothing per part: then only a whole-file digest, which complete() hashes the object for, binds the bytes.
    if (cfg.checksum === 'sha256' && !part.ChecksumSHA256 && !record.checksum) {
      return { code: 'CHECKSUM_MISMATCH', message: `part ${n} carries no SHA-256 checksum and the upload declared no file digest; the plan binds one per part`, observed: { partNumber: n } }
    }
    if (!part.ETag) return { code: 'UPLOAD_MISSING', message: `part ${n} has no ETag`, observed: { partNumber: n } }
  }
  return undefined
}

export async function completeMultipart(cfg: ResolvedUploadConfig, emit: Emit, request: MultipartRef, nowMs: number): Promise<CompleteResult> {
  const ref = checkRef(cfg, request, 'completeMultipart')
  const record = await openUpload(cfg, ref, nowMs)
  // Committed or rejected already: complete() reports that (idempotent), without touching S3.
  if (record.state !== 'pending') return completeUpload(cfg, emit, { key: ref.key, owner: ref.owner })
  const objectKey = objectKeyOf(record)
  const parts = await listAllParts(cfg, record)
  if (!parts) {
    // Gone from S3: completed by a concurrent call (then the object is there), or aborted.
    if (await exists(cfg, objectKey)) return completeUpload(cfg, emit, { key: ref.key, owner: ref.owner })
    return fail(cfg, emit, record, { code: 'UPLOAD_MISSING', message: 'the multipart upload no longer exists in S3 (aborted or expired)', observed: {} }, nowMs)
  }
  if (nowMs >= record.expiresAt) {
    return fail(cfg, emit, record, { code: 'UPLOAD_EXPIRED', message: `the multipart upload had to be completed by ${new Date(record.expiresAt).toISOString()}`, observed: {} }, nowMs)
  }
  const problem = planProblem(cfg, record, parts)
  if (problem) return fail(cfg, emit, record, problem, nowMs)
  // An object under the key is this very upload, completed by a concurrent call, only when it has these
  // parts' multipart ETag: then verify it. Anything else is refused, never completed over.
  const settle = (etag: string) =>
    etag === multipartEtag(parts)
      ? completeUpload(cfg, emit, { key: ref.key, owner: ref.owner })
      : fail(cfg, emit, record, { code: 'CONTENT_MISMATCH', message: 'an object already exists under the upload\'s key; nothing was completed', observed: { etag } }, nowMs)
  // Create-once: S3 refuses with 412 where it honours If-None-Match on completion; where it does not
  // (Ceph RGW 16), this HEAD is what stops a completion over an existing object.
  const existing = await headEtag(cfg, objectKey)
  if (existing !== undefined) return settle(existing)
  const sorted = [...parts].sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0))
  try {
    const done = await s3Call('CompleteMultipartUpload', ref.key, () =>
      cfg.signer.send(
        command('CompleteMultipartUpload', {
          Bucket: cfg.bucket,
          Key: objectKey,
          UploadId: record.multipart.uploadId,
          MultipartUpload: { Parts: sorted.map((p) => ({ PartNumber: p.PartNumber, ETag: p.ETag, ...(p.ChecksumSHA256 ? { ChecksumSHA256: p.ChecksumSHA256 } : {}) })) },
          IfNoneMatch: '*',
          MpuObjectSize: record.maxSize,
        }),
      ),
    )
    if (!done && !(await exists(cfg, objectKey))) {
      return fail(cfg, emit, record, { code: 'UPLOAD_MISSING', message: 'the multipart upload no longer exists in S3 (aborted or expired)', observed: {} }, nowMs)
    }
  } catch (error) {
    const status = (error as { cause?: { $metadata?: { httpStatusCode?: number } } }).cause?.$metadata?.httpStatusCode
    if (status === 412) {
      // Something appeared since the HEAD: a concurrent completion of this upload, or not.
      const now = await headEtag(cfg, objectKey)
      if (now !== undefined) return settle(now)
      return fail(cfg, emit, record, { code: 'CONTENT_MISMATCH', message: 'S3 refused to complete over an existing object; nothing was completed', observed: { status } }, nowMs)
    }
    if (status === 400) return fail(cfg, emit, record, { code: 'SIZE_MISMATCH', message: `S3 refused to complete: the parts do not add up to the declared ${record.maxSize} bytes, or a part is too small`, observed: { status } }, nowMs)
    throw error
  }
  // From here on, the object exists: verify it exactly as a single upload (size, type, digest, bytes, scan).
  return completeUpload(cfg, emit, { key: ref.key, owner: ref.owner })
}

/**
 * Aborts the upload in S3, rejects the record, emits upload.rejected, and throws the problem's code.
 * A record a concurrent call committed meanwhile is not rejected: that call's outcome is reported.
 */
async function fail(cfg: ResolvedUploadConfig, emit: Emit, record: MultipartRecord, problem: PlanProblem, nowMs: number): Promise<CompleteResult> {
  await abortInS3(cfg, record)
  const rejected = await storeCall('transition', () =>
    cfg.store.transition(record.key, 'pending', 'rejected', { reason: problem.code, settledAt: nowMs, purgeAt: nowMs + cfg.pendingTtl * 1000 }, nowMs),
  )
  if (!rejected) return completeUpload(cfg, emit, { key: record.key, owner: record.owner })
  emit({ type: 'upload.rejected', time: nowMs, subject: record.owner, key: record.key, reason: problem.code, method: 'MULTIPART', observed: problem.observed })
  throw new SafePresignError(problem.code, `${problem.message}; the upload was aborted`, { details: { key: record.key, check: problem.code }, observed: problem.observed })
}

/** By the worker: on RGW the upload signer may not abort even its own upload under the policy (403, measured). */
async function abortInS3(cfg: ResolvedUploadConfig, record: MultipartRecord): Promise<void> {
  await s3Call('AbortMultipartUpload', record.key, () => cfg.client.send(command('AbortMultipartUpload', { Bucket: cfg.bucket, Key: objectKeyOf(record), UploadId: record.multipart.uploadId })))
}

const exists = async (cfg: ResolvedUploadConfig, key: string): Promise<boolean> => (await headEtag(cfg, key)) !== undefined

/** The object's bare ETag, or undefined when there is no object. */
async function headEtag(cfg: ResolvedUploadConfig, key: string): Promise<string | undefined> {
  try {
    const head = await cfg.client.send(command('HeadObject', { Bucket: cfg.bucket, Key: key }))
    return (head.ETag ?? '').replace(/"/g, '')
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode
    if (status === 404 || (error as { name?: string }).name === 'NotFound') return undefined
    throw new SafePresignError('S3_ERROR', `HeadObject failed for ${quote(key)}; nothing was completed`, { cause: error })
  }
}

/** S3's ETag of a completed multipart object: the MD5 of the parts' binary MD5s, then `-` and the count. */
export function multipartEtag(parts: readonly Part[]): string {
  const sorted = [...parts].sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0))
  const md5s = concatBytes(sorted.map((p) => fromHex((p.ETag ?? '').replace(/"/g, ''))))
  return `${toHex(md5().update(md5s).digest())}-${sorted.length}`
}

export interface AbortResult {
  key: string
  state: 'rejected'
}

/** The owner gives up: S3 drops the parts, the record is rejected (reason ABORTED), the quota slot frees. */
export async function abortMultipart(cfg: ResolvedUploadConfig, emit: Emit, request: MultipartRef, nowMs: number): Promise<AbortResult> {
  const ref = checkRef(cfg, request, 'abortMultipart')
  const record = await openUpload(cfg, ref, nowMs)
  if (record.state === 'committed') throw new SafePresignError('UPLOAD_REJECTED', `the upload ${quote(ref.key)} is completed; there is nothing to abort`, { details: { key: ref.key } })
  if (record.state === 'pending') {
    await abortInS3(cfg, record)
    await storeCall('transition', () => cfg.store.transition(ref.key, 'pending', 'rejected', { reason: 'ABORTED', settledAt: nowMs, purgeAt: nowMs + cfg.pendingTtl * 1000 }, nowMs))
    emit({ type: 'multipart.aborted', time: nowMs, subject: ref.owner, key: ref.key, reason: 'ok', method: 'MULTIPART' })
  }
  return { key: ref.key, state: 'rejected' }
}
