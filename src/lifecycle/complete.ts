// upload.complete(): verify an uploaded object against its grant, then commit it, or delete it
// and reject the record. Only the grant's owner may complete it; completing twice is a no-op.
//   head → size → stored type → checksum → sniff → scan → promote → commit
// Any failed check deletes the object first, then marks the record rejected: nothing unverified
// stays readable, and nothing half-promoted remains.
import type { HeadObjectCommandOutput } from '@aws-sdk/client-s3'
import { command } from '../_internal/s3-commands.js'
import { SafePresignError } from '../errors.js'
import type { SafePresignEvent } from '../events.js'
import { keyProblem } from '../key/key.js'
import { typeSatisfies } from '../policy/content-type.js'
import type { ResolvedUploadConfig } from '../policy/upload-config.js'
import type { UploadRecord } from '../stores/types.js'
import { bytesEqual, fromBase64, fromHex, toBase64 } from '../_internal/bytes.js'
import { storeCall } from '../_internal/store-call.js'
import { checkSubject, describe, invalid, quote } from '../_internal/validate.js'
import { sniff } from './sniff.js'
import { Rejection } from './rejection.js'
import { deleteObject, digestObject, headObject, readRange, s3 } from './s3-object.js'
import { copyInParts, copySource } from './copy-large.js'
import { MAX_PUT_SIZE_BYTES, SNIFF_BYTES } from '../limits.js'

export interface CompleteRequest {
  key: string
  /** Must be the owner the grant was issued to. */
  owner: string
}

export interface CompleteResult {
  key: string
  state: 'committed'
  /** The verified size in bytes (on an idempotent repeat: the signed size, when it was exact). */
  size: number | undefined
  contentType: string
  /** What the bytes were sniffed as; `'unknown'` when `unsniffable: 'flag'` let it through. */
  sniffedType: string
  /** True when completing did nothing because the key was already committed. */
  alreadyCommitted: boolean
}

export async function completeUpload(
  cfg: ResolvedUploadConfig,
  emit: (event: SafePresignEvent) => void,
  request: CompleteRequest,
): Promise<CompleteResult> {
  const now = cfg.now()
  if (typeof request !== 'object' || request === null) invalid('INVALID_REQUEST', 'request', request, 'complete needs { key, owner }')
  const { key } = request
  const owner = checkSubject('owner', request.owner)
  const problem = keyProblem(key, typeof cfg.keyPrefix === 'string' ? cfg.keyPrefix : undefined)
  if (problem) invalid('INVALID_KEY', 'key', key, problem)

  const record = await storeCall('get', () => cfg.store.get(key, now))
  if (!record) throw new SafePresignError('NOT_FOUND', `no upload is recorded under ${quote(key)}`, { details: { key } })
  if (record.owner !== owner) {
    emit({ type: 'upload.rejected', time: now, subject: owner, key, reason: 'FORBIDDEN' })
    throw new SafePresignError('FORBIDDEN', `${quote(owner)} does not own ${quote(key)}`, { details: { key } })
  }
  if (record.state === 'committed') return result(record, true)
  if (record.state === 'rejected') {
    throw new SafePresignError('UPLOAD_REJECTED', `the upload ${quote(key)} was already rejected (${record.reason ?? 'unknown reason'})`, {
      details: { key, reason: record.reason },
    })
  }

  const objectKey = record.stagingKey ?? record.key
  let verified: Verified
  try {
    verified = await verify(cfg, record, objectKey, now)
    // Only the very bytes verified above may be promoted: a grant that can write twice may rewrite
    // the staging object while complete() runs. See promote().
    if (record.stagingKey) await promote(cfg, record, verified)
  } catch (error) {
    if (!(error instanceof Rejection)) throw error
    // An object the worker may not read may not be deletable either: the rejection still stands.
    await deleteObject(cfg, objectKey).catch((cause) => {
      if (error.code !== 'OBJECT_UNREADABLE') throw cause
      error.observed.deleted = false
    })
    if (!(await reject(cfg, record, error, now))) {
      // The record was settled by a concurrent complete() since it was read (it committed, and
      // deleted the staging object this call then missed): report that outcome, not this one.
      const current = await storeCall('get', () => cfg.store.get(key, now))
      if (current?.state === 'committed') return result(current, true)
    }
    emit({ type: 'upload.rejected', time: now, subject: owner, key, reason: error.code, observed: error.observed as Record<string, string | number | boolean> })
    throw new SafePresignError(error.code, error.message, { details: { key, check: error.code }, observed: error.observed })
  }

  const committed = await storeCall('transition', () =>
    cfg.store.transition(key, 'pending', 'committed', { purgeAt: undefined, settledAt: now, sniffedType: verified.sniffedType }, now),
  ).catch(async (error) => {
    // A failed call is not proof of a failed write: the network stores race a deadline, and the
    // commit may land after it. Ask again before undoing anything, or a committed record would
    // point at a deleted object.
    const current = await storeCall('get', () => cfg.store.get(key, now)).catch(() => undefined)
    if (current?.state === 'committed') return current
    // The store did not take the commit: undo the promotion so no unrecorded object stays readable.
    if (record.stagingKey) await deleteObject(cfg, key).catch(() => {})
    throw error
  })
  if (!committed) {
    // Another complete() won the race; report its outcome.
    const current = await storeCall('get', () => cfg.store.get(key, now))
    if (current?.state === 'committed') return result(current, true)
    // It was settled otherwise (a concurrent scan said not clean): the copy this call promoted must go.
    if (record.stagingKey) await deleteObject(cfg, key).catch(() => {})
    throw new SafePresignError('UPLOAD_REJECTED', `the upload ${quote(key)} was settled concurrently as ${current?.state ?? 'deleted'}`, {
      details: { key },
    })
  }
  if (record.stagingKey) await deleteObject(cfg, record.stagingKey).catch(() => {}) // leftovers expire by the lifecycle rule
  emit({ type: 'upload.completed', time: now, subject: owner, key, reason: 'ok' })
  return { ...result(committed, false), size: verified.size }
}

function result(record: UploadRecord, alreadyCommitted: boolean): CompleteResult {
  return {
    key: record.key,
    state: 'committed',
    size: record.maxSize === record.minSize ? record.maxSize : undefined,
    // A `type/*` grant reports what S3 stored and the bytes were verified as, not the wildcard.
    contentType: record.contentType.endsWith('/*') && record.sniffedType && record.sniffedType !== 'unknown' ? record.sniffedType : record.contentType,
    sniffedType: record.sniffedType ?? 'unknown',
    alreadyCommitted,
  }
}

async function verify(cfg: ResolvedUploadConfig, record: UploadRecord, objectKey: string, now: number) {
  const head = await headObject(cfg, objectKey)
  if (!head) {
    if (now < record.expiresAt) {
      // The grant is still live: the client may not have finished. Nothing to delete; try again later.
      throw new SafePresignError('UPLOAD_MISSING', `nothing has been uploaded to ${quote(record.key)} yet; the grant is valid until ${new Date(record.expiresAt).toISOString()}`, {
        details: { key: record.key },
      })
    }
    throw new Rejection('UPLOAD_MISSING', `nothing was uploaded to ${quote(record.key)} before the grant expired`)
  }
  const size = head.ContentLength ?? -1
  if (size < record.minSize || size > record.maxSize) {
    throw new Rejection('SIZE_MISMATCH', `the object's size is outside the grant's ${record.minSize}..${record.maxSize} bytes`, { size })
  }
  const storedType = head.ContentType ?? ''
  if (!typeSatisfies(record.contentType, storedType)) {
    throw new Rejection('TYPE_MISMATCH', `the object's stored Content-Type is not the grant's ${record.contentType}`, { contentType: storedType })
  }
  if (record.checksum) await verifyChecksum(cfg, objectKey, record.checksum, head)
  const etag = head.ETag
  const bytes = await readRange(cfg, objectKey, Math.min(size, SNIFF_BYTES), etag)
  const verdict = await sniff(bytes, storedType, cfg.unsniffable)
  if (!verdict.ok) {
    throw new Rejection('CONTENT_MISMATCH', `the object's bytes are not what the grant's ${record.contentType} allows`, { contentType: storedType, sniffedType: verdict.sniffedType, why: verdict.why }, verdict.sniffedType)
  }
  if (cfg.quarantine?.scan) await scan(cfg, record, objectKey, storedType, size)
  return { size, sniffedType: verdict.sniffedType, etag, contentType: storedType, metadata: head.Metadata }
}

async function verifyChecksum(cfg: ResolvedUploadConfig, objectKey: string, checksum: NonNullable<UploadRecord['checksum']>, head: HeadObjectCommandOutput) {
  const expected = fromBase64(checksum.value)
  let actual: Uint8Array | undefined
  if (checksum.algorithm === 'sha256' && head.ChecksumSHA256 && !head.ChecksumSHA256.includes('-')) actual = fromBase64(head.ChecksumSHA256)
  const etag = head.ETag?.replace(/"/g, '')
  if (checksum.algorithm === 'md5' && etag && /^[0-9a-f]{32}$/.test(etag)) actual = fromHex(etag)
  // A multipart ETag or a store that keeps no checksum: hash the bytes ourselves.
  actual ??= await digestObject(cfg, objectKey, checksum.algorithm, head.ETag)
  if (!bytesEqual(actual, expected)) {
    throw new Rejection('CHECKSUM_MISMATCH', `the object's ${checksum.algorithm} is not the digest the grant bound`, { [checksum.algorithm]: toBase64(actual) })
  }
}

async function scan(cfg: ResolvedUploadConfig, record: UploadRecord, objectKey: string, contentType: string, size: number) {
  const q = cfg.quarantine!
  let timer: ReturnType<typeof setTimeout> | undefined
  let verdict: unknown
  try {
    verdict = await Promise.race([
      Promise.resolve().then(() => q.scan!({ bucket: cfg.bucket, key: objectKey, finalKey: record.key, contentType, size, owner: record.owner })),
      new Promise((_, rejectTimeout) => {
        timer = setTimeout(() => rejectTimeout(new Error(`scan timed out after ${q.scanTimeoutMs} ms`)), q.scanTimeoutMs)
      }),
    ])
  } catch (error) {
    throw new Rejection('SCAN_FAILED', 'the scan failed or timed out, which counts as not clean', { scanError: error instanceof Error ? error.message : String(error) })
  } finally {
    clearTimeout(timer)
  }
  if (verdict !== 'clean') throw new Rejection('SCAN_FAILED', 'the scan did not report the object clean', { verdict: typeof verdict === 'string' ? verdict : describe(verdict) })
}

async function reject(cfg: ResolvedUploadConfig, record: UploadRecord, rejection: Rejection, now: number) {
  const patch = { reason: rejection.code, settledAt: now, purgeAt: now + cfg.pendingTtl * 1000, ...(rejection.sniffedType ? { sniffedType: rejection.sniffedType } : {}) }
  return storeCall('transition', () => cfg.store.transition(record.key, 'pending', 'rejected', patch, now))
}

/**
 * Copies the verified staging object to its final key. The copy is conditional on the verified
 * ETag (CopySourceIfMatch: AWS answers 412), and the copy's own ETag is compared as well, since not
 * every S3 enforces the condition (Ceph RGW 16 ignores it). A mismatch deletes the copy before any
 * record points at it, so it is never served. Over 5 GiB (CopyObject's limit) it copies in parts.
 */
async function promote(cfg: ResolvedUploadConfig, record: UploadRecord, verified: Verified) {
  const from = record.stagingKey!
  const to = record.key
  const copied =
    verified.size > MAX_PUT_SIZE_BYTES
      ? await copyInParts(cfg, { from, to, size: verified.size, etag: verified.etag, contentType: verified.contentType, metadata: verified.metadata, partSize: record.multipart?.partSize })
      : (await s3('CopyObject', () =>
          cfg.client.send(
            command('CopyObject', { Bucket: cfg.bucket, Key: to, CopySource: copySource(cfg.bucket, from), CopySourceIfMatch: verified.etag, MetadataDirective: 'COPY' }),
          ),
        )).CopyObjectResult?.ETag
  // Some stores quote ETags in CopyObjectResult and others do not (RGW): compare them bare.
  const bare = (tag: string | undefined) => tag?.replace(/"/g, '')
  const copiedEtag = bare(copied ?? (await headObject(cfg, to))?.ETag)
  // AWS gives a CopyObject of a multipart object a plain MD5 ETag: only like can be compared. A
  // multipart staging object cannot be replayed anyway: its parts' URLs die with the completed upload.
  const comparable = copiedEtag?.includes('-') === bare(verified.etag)?.includes('-')
  if (verified.etag !== undefined && comparable && copiedEtag !== bare(verified.etag)) {
    await deleteObject(cfg, to)
    throw new Rejection('CONTENT_MISMATCH', 'the object changed while it was being verified (the copy is not the verified object): a replayed upload; nothing was promoted', { copiedEtag: copiedEtag ?? '', verifiedEtag: verified.etag })
  }
}

type Verified = Awaited<ReturnType<typeof verify>>
