// abortMultipart() (the owner gives up), listParts() (resume after a reload) and sweepMultipart()
// (abandoned uploads S3 would keep billing): which uploads are aborted, with which reason, and which
// are left alone; one getMany per page of ListMultipartUploads.
import { NoSuchUpload } from '@aws-sdk/client-s3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { OwnershipStore } from '../../../src/stores/types.js'
import type { SafeUploadConfig } from '../../../src/upload.js'
import { failure, T } from '../core/fixtures.js'
import { BUCKET, CLIENT, id, MiB, world, type World } from './setup.js'

let w: World
beforeEach(() => (w = world()))
afterEach(() => w.s3.restore())

const MINUTE = 60_000

async function started(config: Partial<SafeUploadConfig> = {}, owner = 'alice') {
  const up = w.uploader(config)
  const created = await up.createMultipart({ owner, contentType: 'image/png', size: 20 * MiB })
  w.events.length = 0
  w.s3.calls.length = 0
  return { up, created, ref: { key: created.key, uploadId: created.uploadId, owner } }
}

describe('abortMultipart', () => {
  it('aborts in S3 (the worker), rejects the record with ABORTED, emits multipart.aborted', async () => {
    const { up, created, ref } = await started({ pendingTtl: 600 })
    w.clock.now = T + 5000
    expect(await up.abortMultipart(ref)).toEqual({ key: ref.key, state: 'rejected' })
    expect(w.s3.inputs('AbortMultipartUpload')).toEqual([{ Bucket: BUCKET, Key: ref.key, UploadId: created.uploadId }])
    expect(w.s3.senders('AbortMultipartUpload')).toEqual([CLIENT])
    expect(w.s3.uploads.size).toBe(0)
    expect(await w.store.get(ref.key, T + 5000)).toMatchObject({ state: 'rejected', reason: 'ABORTED', settledAt: T + 5000, purgeAt: T + 5000 + 600_000 })
    expect(w.events).toEqual([{ type: 'multipart.aborted', time: T + 5000, subject: 'alice', key: ref.key, reason: 'ok', method: 'MULTIPART' }])
  })

  it('quarantine: the staging key is aborted', async () => {
    const { up, ref } = await started({ quarantine: { prefix: 'quarantine/' } })
    await up.abortMultipart(ref)
    expect(w.s3.ops()).toEqual([`AbortMultipartUpload ${ref.key.replace('uploads/', 'quarantine/')}`])
  })

  it('twice: the second does nothing in S3 and says rejected', async () => {
    const { up, ref } = await started()
    await up.abortMultipart(ref)
    expect(await up.abortMultipart(ref)).toEqual({ key: ref.key, state: 'rejected' })
    expect(w.s3.inputs('AbortMultipartUpload')).toHaveLength(1)
    expect(w.events.map((e) => e.type)).toEqual(['multipart.aborted'])
  })

  it('the upload already gone from S3 (NoSuchUpload): the record is still rejected', async () => {
    const { up, created, ref } = await started()
    w.s3.uploads.delete(created.uploadId)
    await up.abortMultipart(ref)
    expect((await w.store.get(ref.key, T))?.reason).toBe('ABORTED')
  })

  it('frees the owner’s quota slot', async () => {
    const { up, ref } = await started({ maxPendingPerOwner: 1 })
    expect((await failure(up.createMultipart({ owner: 'alice', contentType: 'image/png', size: 1000 }))).code).toBe('TOO_MANY_PENDING')
    await up.abortMultipart(ref)
    await expect(up.createMultipart({ owner: 'alice', contentType: 'image/png', size: 1000 })).resolves.toMatchObject({ partCount: 1 })
  })

  it('a committed record → UPLOAD_REJECTED, nothing aborted', async () => {
    const { up, ref } = await started()
    await w.store.transition(ref.key, 'pending', 'committed', { settledAt: T, purgeAt: undefined }, T)
    const error = await failure(up.abortMultipart(ref))
    expect(error.code).toBe('UPLOAD_REJECTED')
    expect(error.message).toContain('is completed')
    expect(w.s3.calls).toEqual([])
  })

  it('another owner → FORBIDDEN, nothing aborted, upload.denied', async () => {
    const { up, ref } = await started()
    const error = await failure(up.abortMultipart({ ...ref, owner: 'mallory' }))
    expect(error.code).toBe('FORBIDDEN')
    expect(w.s3.calls).toEqual([])
    expect((await w.store.get(ref.key, T))?.state).toBe('pending')
    expect(w.events).toEqual([{ type: 'upload.denied', time: T, subject: 'mallory', key: ref.key, reason: 'FORBIDDEN', method: 'MULTIPART' }])
  })
})

describe('listParts', () => {
  it('the parts S3 holds, in part-number order, with the plan', async () => {
    const { up, created, ref } = await started()
    const p2 = w.s3.uploadPart(created.uploadId, 2, { size: 8 * MiB })
    const p1 = w.s3.uploadPart(created.uploadId, 1, { size: 8 * MiB })
    expect(await up.listParts(ref)).toEqual({
      key: ref.key,
      uploadId: created.uploadId,
      partSize: 8 * MiB,
      partCount: 3,
      parts: [
        { partNumber: 1, size: 8 * MiB, etag: p1.etag },
        { partNumber: 2, size: 8 * MiB, etag: p2.etag },
      ],
    })
    expect(w.s3.senders('ListParts')).toEqual([CLIENT])
  })

  it('the upload gone from S3 → NOT_FOUND; another owner → FORBIDDEN', async () => {
    const { up, created, ref } = await started()
    expect((await failure(up.listParts({ ...ref, owner: 'bob' }))).code).toBe('FORBIDDEN')
    w.s3.uploads.delete(created.uploadId)
    expect((await failure(up.listParts(ref))).code).toBe('NOT_FOUND')
  })
})

/** The store, with its reads counted. */
function counting(inner: OwnershipStore) {
  const counts = { get: 0, getMany: 0 }
  const store: OwnershipStore = {
    ...inner,
    get: (...args) => (counts.get++, inner.get(...args)),
    getMany: (...args) => (counts.getMany++, inner.getMany(...args)),
  }
  return { store, counts }
}

describe('sweepMultipart', () => {
  const config = { multipart: { expiresIn: 3600 }, pendingTtl: 3600 }

  /** Uploads made at `at` ms before the sweep by createMultipart: records and all. */
  async function createdAt(at: number, up = w.uploader(config)) {
    w.clock.now = T - at
    const created = await up.createMultipart({ owner: 'alice', contentType: 'image/png', size: 1000 })
    w.clock.now = T
    return created
  }

  it('aborts exactly the abandoned uploads, with the right reason, and leaves the live one and foreign keys alone', async () => {
    const up = w.uploader(config)
    const live = await createdAt(20 * MINUTE, up)
    const expired = await createdAt(61 * MINUTE, up)
    const rejected = await createdAt(5 * MINUTE, up)
    await w.store.transition(rejected.key, 'pending', 'rejected', { reason: 'SIZE_MISMATCH', settledAt: T }, T)
    const committed = await createdAt(5 * MINUTE, up)
    await w.store.transition(committed.key, 'pending', 'committed', { settledAt: T, purgeAt: undefined }, T)
    const missingYoung = w.s3.addUpload(`uploads/${id(0xa1)}.png`, T - 5 * MINUTE)
    const missingOld = w.s3.addUpload(`uploads/${id(0xa2)}.png`, T - 11 * MINUTE)
    const otherYoung = w.s3.addUpload(live.key, T - 5 * MINUTE)
    const otherOld = w.s3.addUpload(live.key, T - 11 * MINUTE)
    // Not generated by the library: not ours to abort, however old.
    const foreign = [w.s3.addUpload('uploads/report.pdf', T - 365 * 86_400_000), w.s3.addUpload('uploads/nested/backup.tar', T - 365 * 86_400_000), w.s3.addUpload(`uploads/${id(0xa3)}.png.bak`, T - 365 * 86_400_000)]
    const outside = w.s3.addUpload(`other/${id(0xa4)}.png`, T - 365 * 86_400_000)
    w.s3.calls.length = 0

    const result = await up.sweepMultipart()
    const byId = (uploadId: string) => result.aborted.find((a) => a.uploadId === uploadId)?.reason
    expect(byId(expired.uploadId)).toBe('expired')
    expect(byId(rejected.uploadId)).toBe('settled')
    expect(byId(committed.uploadId)).toBe('settled')
    expect(byId(missingOld)).toBe('no-record')
    expect(byId(otherOld)).toBe('other-upload')
    expect(result.aborted).toHaveLength(5)
    // live, the young one without a record (its createMultipart may still be running), the young other upload.
    expect(result.kept).toBe(3)
    expect(new Set(w.s3.uploads.keys())).toEqual(new Set([live.uploadId, missingYoung, otherYoung, ...foreign, outside]))
    expect(w.s3.inputs('ListMultipartUploads')).toEqual([{ Bucket: BUCKET, Prefix: 'uploads/', KeyMarker: undefined, UploadIdMarker: undefined }])
    expect(new Set(w.s3.senders('AbortMultipartUpload'))).toEqual(new Set([CLIENT]))
    for (const a of result.aborted) expect(w.s3.inputs('AbortMultipartUpload')).toContainEqual({ Bucket: BUCKET, Key: a.key, UploadId: a.uploadId })
    // The sweep aborts; it does not settle records (they expire by purgeAt).
    expect((await w.store.get(expired.key, T))?.state).toBe('pending')
  })

  it('one getMany per page of ListMultipartUploads, no single gets', async () => {
    w.s3.restore()
    w = world({ listUploadsPageSize: 3 })
    const { store, counts } = counting(w.store)
    w.store = store
    const up = w.uploader(config)
    for (let i = 0; i < 8; i++) await createdAt(61 * MINUTE, up)
    w.s3.calls.length = 0
    counts.get = 0
    const result = await up.sweepMultipart()
    expect(result.aborted.map((a) => a.reason)).toEqual(Array(8).fill('expired'))
    expect(w.s3.inputs('ListMultipartUploads').map((i) => i.KeyMarker)).toEqual([undefined, `uploads/${id(3)}.png`, `uploads/${id(6)}.png`])
    expect(counts).toEqual({ get: 0, getMany: 3 })
  })

  it('a page with nothing generated by the library asks the store nothing', async () => {
    const { store, counts } = counting(w.store)
    w.store = store
    w.s3.addUpload('uploads/report.pdf', T - 365 * 86_400_000)
    expect(await w.uploader(config).sweepMultipart()).toEqual({ aborted: [], kept: 0 })
    expect(counts).toEqual({ get: 0, getMany: 0 })
  })

  it('quarantine with a string keyPrefix: staging keys are mapped to their records', async () => {
    const q = { ...config, quarantine: { prefix: 'quarantine/' } }
    const up = w.uploader(q)
    const live = await createdAt(20 * MINUTE, up)
    const expired = await createdAt(61 * MINUTE, up)
    const result = await up.sweepMultipart()
    // Mapped wrongly, the live one would have no record and be aborted as 'no-record' (it is past the grace).
    expect(result).toEqual({ aborted: [{ key: expired.key.replace('uploads/', 'quarantine/'), uploadId: expired.uploadId, reason: 'expired' }], kept: 1 })
    expect(w.s3.uploads.has(live.uploadId)).toBe(true)
    expect(w.s3.inputs('ListMultipartUploads').map((i) => i.Prefix)).toEqual(['quarantine/', 'uploads/'])
  })

  it('quarantine with a keyPrefix function: no record key can be known, so only uploads older than any lifetime go', async () => {
    const q = { ...config, keyPrefix: ({ owner }: { owner: string }) => `users/${owner}/`, quarantine: { prefix: 'quarantine/' } }
    const up = w.uploader(q)
    const young = await createdAt(20 * MINUTE, up)
    const old = w.s3.addUpload(`quarantine/${id(0xb1)}.png`, T - 121 * MINUTE)
    const result = await up.sweepMultipart()
    expect(result).toEqual({ aborted: [{ key: `quarantine/${id(0xb1)}.png`, uploadId: old, reason: 'too-old' }], kept: 1 })
    expect(w.s3.uploads.has(young.uploadId)).toBe(true)
  })

  it('an upload aborted meanwhile (NoSuchUpload) still counts as aborted; another S3 error is S3_ERROR', async () => {
    const up = w.uploader(config)
    const expired = await createdAt(61 * MINUTE, up)
    w.s3.intercept('AbortMultipartUpload', async () => Promise.reject(new NoSuchUpload({ message: 'gone', $metadata: { httpStatusCode: 404 } })))
    expect((await up.sweepMultipart()).aborted).toEqual([{ key: expired.key, uploadId: expired.uploadId, reason: 'expired' }])
    w.s3.intercept('AbortMultipartUpload', async () => Promise.reject(Object.assign(new Error('AccessDenied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } })))
    const error = await failure(up.sweepMultipart())
    expect(error.code).toBe('S3_ERROR')
    expect(error.details).toMatchObject({ operation: 'AbortMultipartUpload' })
  })

  it('a builder without multipart sweeps nothing and asks S3 nothing', async () => {
    w.s3.addUpload(`uploads/${id(0xc1)}.png`, T - 365 * 86_400_000)
    expect(await w.uploader({ multipart: undefined, maxSize: 100 * MiB }).sweepMultipart()).toEqual({ aborted: [], kept: 0 })
    expect(w.s3.calls).toEqual([])
  })
})
