// uploads.sweepMultipart(): S3 keeps (and bills) the parts of an upload nobody completes. This aborts
// the multipart uploads under the builder's prefixes whose record has expired, is settled, names
// another upload, or is missing. Pair it with multipartLifecycleRule(), which S3 itself enforces.
import type { MultipartUpload as S3Upload } from '@aws-sdk/client-s3'
import { command } from '../_internal/s3-commands.js'
import { SafePresignError } from '../errors.js'
import { keyId } from '../key/key.js'
import type { ResolvedUploadConfig } from '../policy/upload-config.js'
import type { UploadRecord } from '../stores/types.js'
import { storeCall } from '../_internal/store-call.js'

export interface SweepMultipartResult {
  /** The uploads aborted, with why. */
  aborted: { key: string; uploadId: string; reason: 'no-record' | 'expired' | 'settled' | 'other-upload' | 'too-old' }[]
  /** Uploads under the prefixes that are live and were left alone. */
  kept: number
}

/**
 * A record is written just after S3 creates the upload; an upload younger than this with no record may
 * be one whose createMultipart is still running, so it is left for the next sweep.
 */
const GRACE_MS = 10 * 60_000

export async function sweepMultipart(cfg: ResolvedUploadConfig, now: number): Promise<SweepMultipartResult> {
  if (!cfg.multipart) return { aborted: [], kept: 0 }
  const result: SweepMultipartResult = { aborted: [], kept: 0 }
  for (const prefix of sweepPrefixes(cfg)) {
    let keyMarker: string | undefined
    let uploadIdMarker: string | undefined
    do {
      const page = await s3('ListMultipartUploads', () =>
        cfg.client.send(command('ListMultipartUploads', { Bucket: cfg.bucket, Prefix: prefix, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker })),
      )
      await sweepPage(cfg, page.Uploads ?? [], now, result)
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined
      uploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined
    } while (keyMarker !== undefined)
  }
  return result
}

/** Where this builder's uploads land: the quarantine prefix and a string keyPrefix ('' with neither). */
function sweepPrefixes(cfg: ResolvedUploadConfig): string[] {
  const prefixes = [cfg.quarantine?.prefix, typeof cfg.keyPrefix === 'string' ? cfg.keyPrefix : undefined].filter((p): p is string => p !== undefined)
  return prefixes.length > 0 ? prefixes : ['']
}

/** The record key for an S3 upload key, or undefined when it cannot be known from the key alone. */
function recordKey(cfg: ResolvedUploadConfig, key: string): string | undefined {
  if (cfg.quarantine && key.startsWith(cfg.quarantine.prefix)) {
    return typeof cfg.keyPrefix === 'string' ? cfg.keyPrefix + key.slice(cfg.quarantine.prefix.length) : undefined
  }
  return key
}

async function sweepPage(cfg: ResolvedUploadConfig, uploads: S3Upload[], now: number, result: SweepMultipartResult): Promise<void> {
  // Only keys this library generates: anything else under the prefix is not ours to abort.
  const ours = uploads.filter((u): u is S3Upload & { Key: string; UploadId: string } => !!u.Key && !!u.UploadId && keyId(u.Key) !== undefined)
  const keys = [...new Set(ours.map((u) => recordKey(cfg, u.Key)).filter((k): k is string => k !== undefined))]
  const records = keys.length > 0 ? await storeCall('getMany', () => cfg.store.getMany(keys, now)) : new Map<string, UploadRecord>()
  // The longest any upload of this builder can live: its own lifetime, then the record's pendingTtl.
  const lifetime = (cfg.multipart!.expiresIn + cfg.pendingTtl) * 1000
  for (const upload of ours) {
    const initiated = upload.Initiated?.getTime() ?? 0
    const key = recordKey(cfg, upload.Key)
    const record = key === undefined ? undefined : records.get(key)
    let reason: SweepMultipartResult['aborted'][number]['reason'] | undefined
    if (key === undefined) reason = now - initiated > lifetime ? 'too-old' : undefined
    else if (!record) reason = now - initiated > GRACE_MS ? 'no-record' : undefined
    else if (record.multipart?.uploadId !== upload.UploadId) reason = now - initiated > GRACE_MS ? 'other-upload' : undefined
    else if (record.state !== 'pending') reason = 'settled'
    else if (now >= record.expiresAt) reason = 'expired'
    if (reason === undefined) {
      result.kept++
      continue
    }
    await s3('AbortMultipartUpload', () => cfg.client.send(command('AbortMultipartUpload', { Bucket: cfg.bucket, Key: upload.Key, UploadId: upload.UploadId }))).catch((error) => {
      if ((error as { cause?: { name?: string } }).cause?.name !== 'NoSuchUpload') throw error
    })
    result.aborted.push({ key: upload.Key, uploadId: upload.UploadId, reason })
  }
}

async function s3<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (cause) {
    throw new SafePresignError('S3_ERROR', `${operation} failed while sweeping multipart uploads; run the sweep again`, { cause, details: { operation } })
  }
}
