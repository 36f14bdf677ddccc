// uploads.createMultipart(): the server starts the multipart upload itself, so the client never
// chooses what S3 stores: the type, the sanitized filename, the owner's ACL and the key are fixed here,
// and the part plan (exact sizes) is fixed in the record before any part URL exists.
import { command } from '../_internal/s3-commands.js'
import { SafePresignError } from '../errors.js'
import type { ResolvedUploadConfig } from '../policy/upload-config.js'
import { createRecord, declaredChecksum, pendingRecord, uploadTarget } from '../policy/upload-request.js'
import { invalid, isPositiveInteger } from '../_internal/validate.js'
import { BUCKET_OWNER_ACL } from '../limits.js'
import { planParts } from './plan.js'
import { s3Call } from './open.js'

export interface MultipartRequest {
  /** The end-user the upload is for. */
  owner: string
  /** The user's original filename: sanitized, kept as metadata only. */
  filename?: string
  /** An exact type on the allowlist (no `type/*`). */
  contentType: string
  /** The exact total size in bytes. */
  size: number
  /** Base64 digest of the whole file, optional; `completeMultipart` then hashes the object and compares. */
  checksum?: string
  /** Bytes per part but the last, 5 MiB..5 GiB. @default the builder's `multipart.partSize`, grown to fit 10,000 parts */
  partSize?: number
}

export interface MultipartUpload {
  /** The final key: what `completeMultipart`, downloads and the record use. */
  key: string
  uploadId: string
  /** Every part is this many bytes but the last. */
  partSize: number
  partCount: number
  /** Parts can be signed, and the upload completed, until then (ms since the epoch). */
  expiresAt: number
}

export async function createMultipart(cfg: ResolvedUploadConfig, request: MultipartRequest, nowMs: number): Promise<MultipartUpload> {
  if (!cfg.multipart) invalid('INVALID_CONFIG', 'multipart', false, 'this builder was created without `multipart`, so it cannot start multipart uploads')
  if (typeof request !== 'object' || request === null) invalid('INVALID_REQUEST', 'request', request, 'createMultipart needs { owner, contentType, size, ... }')
  const target = uploadTarget(cfg, request, false)
  const size = request.size
  if (!isPositiveInteger(size)) invalid('INVALID_REQUEST', 'size', size, 'a multipart upload signs every part\'s exact size, so the total is required in whole bytes')
  if (size > cfg.maxSize) invalid('FILE_TOO_LARGE', 'size', size, `the maximum is ${cfg.maxSize} bytes`, { limit: cfg.maxSize })
  const plan = planParts(size, request.partSize, cfg.multipart.partSize)
  const checksum = declaredChecksum(cfg, 'checksum', request.checksum, 'the file', false)
  const expiresAt = nowMs + cfg.multipart.expiresIn * 1000
  const objectKey = target.stagingKey ?? target.key

  const created = await s3Call('CreateMultipartUpload', objectKey, () =>
    cfg.signer.send(
      command('CreateMultipartUpload', {
        Bucket: cfg.bucket,
        Key: objectKey,
        ContentType: target.contentType,
        ...(target.filename !== undefined ? { Metadata: { filename: encodeURIComponent(target.filename) } } : {}),
        // The signer creates it, so the object will be the signer's: keep the bucket owner in control.
        ...(cfg.bucketOwnerAcl ? { ACL: BUCKET_OWNER_ACL } : {}),
        // AWS takes per-part SHA-256 checksums only on an upload created for them.
        ...(cfg.checksum === 'sha256' ? { ChecksumAlgorithm: 'SHA256' as const } : {}),
      }),
    ),
  )
  const uploadId = created?.UploadId
  if (typeof uploadId !== 'string' || uploadId === '') {
    throw new SafePresignError('S3_ERROR', 'CreateMultipartUpload returned no UploadId; nothing was recorded', { details: { operation: 'CreateMultipartUpload' } })
  }
  const record = pendingRecord(cfg, target, { minSize: size, maxSize: size, checksum, createdAt: nowMs, expiresAt, multipart: { uploadId, ...plan } })
  try {
    await createRecord(cfg, record, nowMs)
  } catch (error) {
    // Not recorded, so never completable: abort now rather than leave parts billed until a sweep.
    await cfg.client.send(command('AbortMultipartUpload', { Bucket: cfg.bucket, Key: objectKey, UploadId: uploadId })).catch(() => {})
    throw error
  }
  return { key: target.key, uploadId, partSize: plan.partSize, partCount: plan.partCount, expiresAt }
}
