// completeMultipart(): the server lists the parts S3 holds, checks each against the plan, completes
// create-once with the size asserted, then verifies the object as complete() does. Every refusal
// aborts the upload and rejects the record; the real size or ETag stays in `observed`.
import { createHash } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SNIFF_BYTES } from '../../../src/limits.js'
import type { SafeUploadConfig } from '../../../src/upload.js'
import { failure, T } from '../core/fixtures.js'
import { png } from '../lifecycle/bytes.js'
import { fakeMultipartEtag, type FakePart } from './fake-multipart.js'
import { BUCKET, CLIENT, MiB, sha256, SIGNER, world, type World } from './setup.js'

let w: World
beforeEach(() => (w = world()))
afterEach(() => w.s3.restore())

const SIZE = 8 * MiB + 100 // two parts: 8 MiB and 100 bytes
const HEAD = png(SNIFF_BYTES + 100)
const HTML = Buffer.from(`<!DOCTYPE html><html><script>alert(document.domain)</script>${' '.repeat(2000)}</html>`)

async function started(config: Partial<SafeUploadConfig> = {}, size = SIZE, partSize?: number) {
  const up = w.uploader(config)
  const created = await up.createMultipart({ owner: 'alice', contentType: 'image/png', size, partSize })
  const ref = { key: created.key, uploadId: created.uploadId, owner: 'alice' }
  w.events.length = 0
  w.s3.calls.length = 0
  return { up, created, ref }
}

/** What the client's part PUTs leave: every part of the plan (or `sizes`), none of them held in memory but the first bytes. */
function uploadParts(created: { uploadId: string; partSize: number; partCount: number }, size: number, options: { skip?: number[]; sizes?: Partial<Record<number, number>>; checksums?: boolean } = {}): FakePart[] {
  const parts: FakePart[] = []
  for (let n = 1; n <= created.partCount; n++) {
    if (options.skip?.includes(n)) continue
    const length = options.sizes?.[n] ?? (n < created.partCount ? created.partSize : size - created.partSize * (created.partCount - 1))
    parts.push(w.s3.uploadPart(created.uploadId, n, { size: length, head: n === 1 ? HEAD.subarray(0, Math.min(length, HEAD.length)) : undefined }, options.checksums ? { checksumSHA256: sha256(`part ${n}`) } : {}))
  }
  return parts
}

describe('all parts as planned: completed create-once, verified, committed', () => {
  it('lists, checks, completes with the sorted part list, IfNoneMatch and MpuObjectSize, then verifies as complete()', async () => {
    const { up, created, ref } = await started()
    const parts = uploadParts(created, SIZE)
    // S3 lists parts in order; the completion must not depend on it.
    w.s3.intercept('ListParts', async (input, original) => {
      const out = await original(input)
      return { ...out, Parts: [...out.Parts].reverse() }
    })
    const result = await up.completeMultipart(ref)
    expect(result).toEqual({ key: ref.key, state: 'committed', size: SIZE, contentType: 'image/png', sniffedType: 'image/png', alreadyCommitted: false })
    expect(w.s3.inputs('CompleteMultipartUpload')).toEqual([
      {
        Bucket: BUCKET,
        Key: ref.key,
        UploadId: created.uploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: parts[0]!.etag }, { PartNumber: 2, ETag: parts[1]!.etag }] },
        IfNoneMatch: '*',
        MpuObjectSize: SIZE,
      },
    ])
    expect(w.s3.ops()).toEqual([`ListParts ${ref.key}`, `HeadObject ${ref.key}`, `CompleteMultipartUpload ${ref.key}`, `HeadObject ${ref.key}`, `GetObject ${ref.key}`])
    // The worker lists and checks; the signer completes.
    expect(w.s3.calls.map((c) => c.client)).toEqual([CLIENT, CLIENT, SIGNER, CLIENT, CLIENT])
    expect(w.s3.inputs('ListParts')).toEqual([{ Bucket: BUCKET, Key: ref.key, UploadId: created.uploadId, PartNumberMarker: undefined, MaxParts: 1000 }])
    expect(await w.store.get(ref.key, T)).toMatchObject({ state: 'committed', sniffedType: 'image/png', settledAt: T })
    expect(w.s3.objects.get(ref.key)?.etag).toBe(fakeMultipartEtag(parts))
    expect(w.events).toEqual([{ type: 'upload.completed', time: T, subject: 'alice', key: ref.key, reason: 'ok' }])
  })

  it('a second call: alreadyCommitted, without any S3 call', async () => {
    const { up, created, ref } = await started()
    uploadParts(created, SIZE)
    await up.completeMultipart(ref)
    const calls = w.s3.calls.length
    expect(await up.completeMultipart(ref)).toEqual({ key: ref.key, state: 'committed', size: SIZE, contentType: 'image/png', sniffedType: 'image/png', alreadyCommitted: true })
    expect(w.s3.calls.length).toBe(calls)
  })

  it("sha256 builder: each part's ChecksumSHA256 goes into the completion", async () => {
    const { up, created, ref } = await started({ checksum: 'sha256' })
    uploadParts(created, SIZE, { checksums: true })
    await up.completeMultipart(ref)
    expect(w.s3.inputs('CompleteMultipartUpload')[0]!.MultipartUpload.Parts.map((p: { ChecksumSHA256?: string }) => p.ChecksumSHA256)).toEqual([sha256('part 1'), sha256('part 2')])
    expect((await w.store.get(ref.key, T))?.state).toBe('committed')
  })

  it('quarantine: completed under the staging key, promoted to the final key, the staging object deleted', async () => {
    const { up, created, ref } = await started({ quarantine: { prefix: 'quarantine/' } })
    const staging = ref.key.replace('uploads/', 'quarantine/')
    uploadParts(created, SIZE)
    await up.completeMultipart(ref)
    expect(w.s3.ops()).toEqual([`ListParts ${staging}`, `HeadObject ${staging}`, `CompleteMultipartUpload ${staging}`, `HeadObject ${staging}`, `GetObject ${staging}`, `CopyObject ${ref.key}`, `DeleteObject ${staging}`])
    expect([...w.s3.objects.keys()]).toEqual([ref.key])
  })

  it('the object under the key IS this upload (completed by a concurrent call): verified and committed, not rejected', async () => {
    const { up, created, ref } = await started()
    uploadParts(created, SIZE)
    // The other call completes right after this one listed the parts.
    w.s3.intercept('ListParts', async (input, original) => {
      const out = await original(input)
      w.s3.completeNow(created.uploadId)
      return out
    })
    const result = await up.completeMultipart(ref)
    expect(result).toMatchObject({ state: 'committed', alreadyCommitted: false })
    expect(w.s3.inputs('CompleteMultipartUpload')).toEqual([])
    expect(w.s3.inputs('AbortMultipartUpload')).toEqual([])
    expect(w.events.map((e) => e.type)).toEqual(['upload.completed'])
  })

  it('the upload is gone from S3 and its object is there (completed concurrently): committed', async () => {
    const { up, created, ref } = await started()
    uploadParts(created, SIZE)
    w.s3.completeNow(created.uploadId)
    expect(await up.completeMultipart(ref)).toMatchObject({ state: 'committed' })
    expect(w.s3.ops().slice(0, 2)).toEqual([`ListParts ${ref.key}`, `HeadObject ${ref.key}`])
  })

  // A concurrent completeMultipart of the SAME upload that lands between this call's HEAD and its
  // CompleteMultipartUpload makes S3 answer 412 (If-None-Match: the key now exists). That object is
  // this upload (its ETag is these parts' multipart ETag): it is verified and committed, not rejected.
  it('S3 answers 412 because a concurrent call completed THIS upload: verified and committed, not rejected', async () => {
    const { up, created, ref } = await started()
    uploadParts(created, SIZE)
    let heads = 0
    w.s3.intercept('HeadObject', async (input, original) => {
      const out = original(input)
      if (++heads === 1) out.catch(() => w.s3.completeNow(created.uploadId))
      return out
    })
    // As AWS may answer a completion whose key now exists: the precondition, not NoSuchUpload.
    w.s3.intercept('CompleteMultipartUpload', async (input, original) => (w.s3.objects.has(input.Key) ? Promise.reject(Object.assign(new Error('PreconditionFailed'), { name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } })) : original(input)))
    const result = await up.completeMultipart(ref)
    expect(result).toMatchObject({ state: 'committed' })
    expect((await w.store.get(ref.key, T))?.state).toBe('committed')
  })
})

describe('parts that are not the plan: aborted, rejected, upload.rejected with what was observed', () => {
  it.each([
    { name: 'a missing part', options: { skip: [2] }, code: 'UPLOAD_MISSING', observed: { partsHeld: 1 }, says: 'part 2 of 2 was not uploaded' },
    { name: 'no part at all', options: { skip: [1, 2] }, code: 'UPLOAD_MISSING', observed: { partsHeld: 0 }, says: 'part 1 of 2 was not uploaded' },
    { name: 'a last part 1 byte too large', options: { sizes: { 2: 101 } }, code: 'SIZE_MISMATCH', observed: { partNumber: 2, size: 101 }, says: "part 2's size is not the planned 100 bytes" },
    { name: 'a first part 1 byte short', options: { sizes: { 1: 8 * MiB - 1 } }, code: 'SIZE_MISMATCH', observed: { partNumber: 1, size: 8 * MiB - 1 }, says: "part 1's size is not the planned 8388608 bytes" },
  ])('$name → $code', async ({ options, code, observed, says }) => {
    const { up, created, ref } = await started()
    uploadParts(created, SIZE, options)
    const error = await failure(up.completeMultipart(ref))
    expect(error.code).toBe(code)
    expect(error.message).toContain(says)
    expect(error.message).toContain('the upload was aborted')
    expect(error.observed).toEqual(observed)
    // What S3 holds stays on the server: not in the message, not in what a client is sent.
    if ('size' in observed) {
      expect(error.message).not.toContain(String(observed.size))
      expect(JSON.stringify(error)).not.toContain(String(observed.size))
    }
    expect(w.s3.ops()).toEqual([`ListParts ${ref.key}`, `AbortMultipartUpload ${ref.key}`])
    expect(w.s3.senders('AbortMultipartUpload')).toEqual([CLIENT])
    expect(w.s3.uploads.has(created.uploadId)).toBe(false)
    expect(await w.store.get(ref.key, T)).toMatchObject({ state: 'rejected', reason: code, settledAt: T })
    expect(w.events).toEqual([{ type: 'upload.rejected', time: T, subject: 'alice', key: ref.key, reason: code, method: 'MULTIPART', observed }])
  })

  it('a part beyond the plan → SIZE_MISMATCH naming it in observed', async () => {
    const { up, created, ref } = await started()
    uploadParts(created, SIZE)
    w.s3.uploadPart(created.uploadId, 3, { size: 5 })
    const error = await failure(up.completeMultipart(ref))
    expect(error.code).toBe('SIZE_MISMATCH')
    expect(error.message).toContain("beyond the plan's 2 parts")
    expect(error.observed).toEqual({ partNumber: 3 })
    expect(w.s3.inputs('AbortMultipartUpload')).toHaveLength(1)
    expect(w.s3.inputs('CompleteMultipartUpload')).toEqual([])
  })

  it('sha256 builder, a part without ChecksumSHA256 (and no file digest) → CHECKSUM_MISMATCH', async () => {
    const { up, created, ref } = await started({ checksum: 'sha256' })
    uploadParts(created, SIZE, { checksums: true })
    w.s3.uploadPart(created.uploadId, 2, { size: 100 })
    const error = await failure(up.completeMultipart(ref))
    expect(error.code).toBe('CHECKSUM_MISMATCH')
    expect(error.observed).toEqual({ partNumber: 2 })
    expect(w.s3.inputs('CompleteMultipartUpload')).toEqual([])
    expect(await w.store.get(ref.key, T)).toMatchObject({ state: 'rejected', reason: 'CHECKSUM_MISMATCH' })
  })

  it('an object already under the key (not this upload) → CONTENT_MISMATCH, aborted, the object left alone', async () => {
    const { up, created, ref } = await started()
    uploadParts(created, SIZE)
    w.s3.putObject(ref.key, png(3000), 'image/png')
    const before = w.s3.objects.get(ref.key)
    const error = await failure(up.completeMultipart(ref))
    expect(error.code).toBe('CONTENT_MISMATCH')
    expect(error.observed).toEqual({ etag: before!.etag.replace(/"/g, '') })
    expect(JSON.stringify(error)).not.toContain(before!.etag.replace(/"/g, ''))
    expect(w.s3.ops()).toEqual([`ListParts ${ref.key}`, `HeadObject ${ref.key}`, `AbortMultipartUpload ${ref.key}`])
    expect(w.s3.objects.get(ref.key)).toBe(before)
    expect(await w.store.get(ref.key, T)).toMatchObject({ state: 'rejected', reason: 'CONTENT_MISMATCH' })
  })

  it("S3's 412 (an object appeared after the HEAD) → CONTENT_MISMATCH, aborted, that object left alone", async () => {
    const { up, created, ref } = await started()
    uploadParts(created, SIZE)
    w.s3.intercept('HeadObject', async (input, original) => {
      const out = original(input)
      out.catch(() => w.s3.putObject(ref.key, png(3000), 'image/png'))
      return out
    })
    const error = await failure(up.completeMultipart(ref))
    expect(error.code).toBe('CONTENT_MISMATCH')
    // After the 412 it looks again: the object is not this upload's (not its multipart ETag).
    expect(error.observed).toEqual({ etag: createHash('md5').update(png(3000)).digest('hex') })
    expect(w.s3.ops()).toEqual([`ListParts ${ref.key}`, `HeadObject ${ref.key}`, `CompleteMultipartUpload ${ref.key}`, `HeadObject ${ref.key}`, `AbortMultipartUpload ${ref.key}`])
    expect(w.s3.objects.get(ref.key)?.size).toBe(3000)
    expect(await w.store.get(ref.key, T)).toMatchObject({ state: 'rejected', reason: 'CONTENT_MISMATCH' })
  })

  it("S3's 400 on completion (EntityTooSmall, or MpuObjectSize) → SIZE_MISMATCH, aborted", async () => {
    const { up, created, ref } = await started()
    uploadParts(created, SIZE)
    w.s3.intercept('CompleteMultipartUpload', async () => Promise.reject(Object.assign(new Error('EntityTooSmall'), { name: 'EntityTooSmall', $metadata: { httpStatusCode: 400 } })))
    const error = await failure(up.completeMultipart(ref))
    expect(error.code).toBe('SIZE_MISMATCH')
    expect(error.message).toContain(`the declared ${SIZE} bytes`)
    expect(w.s3.inputs('AbortMultipartUpload')).toHaveLength(1)
  })

  it('S3 fails otherwise (503) → S3_ERROR, nothing aborted, the record still pending', async () => {
    const { up, created, ref } = await started()
    uploadParts(created, SIZE)
    w.s3.intercept('CompleteMultipartUpload', async () => Promise.reject(Object.assign(new Error('SlowDown'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } })))
    expect((await failure(up.completeMultipart(ref))).code).toBe('S3_ERROR')
    expect(w.s3.inputs('AbortMultipartUpload')).toEqual([])
    expect((await w.store.get(ref.key, T))?.state).toBe('pending')
  })

  it('NoSuchUpload on ListParts and no object → UPLOAD_MISSING, the record rejected', async () => {
    const { up, created, ref } = await started()
    w.s3.uploads.delete(created.uploadId)
    const error = await failure(up.completeMultipart(ref))
    expect(error.code).toBe('UPLOAD_MISSING')
    expect(error.message).toContain('no longer exists in S3')
    expect(w.s3.ops()).toEqual([`ListParts ${ref.key}`, `HeadObject ${ref.key}`, `AbortMultipartUpload ${ref.key}`])
    expect(await w.store.get(ref.key, T)).toMatchObject({ state: 'rejected', reason: 'UPLOAD_MISSING' })
  })

  it("HTML bytes declared image/png → CONTENT_MISMATCH by complete()'s verification, the object deleted", async () => {
    const { up, created, ref } = await started({}, HTML.length)
    w.s3.uploadPart(created.uploadId, 1, HTML)
    const error = await failure(up.completeMultipart(ref))
    expect(error.code).toBe('CONTENT_MISMATCH')
    expect(w.s3.ops()).toEqual([`ListParts ${ref.key}`, `HeadObject ${ref.key}`, `CompleteMultipartUpload ${ref.key}`, `HeadObject ${ref.key}`, `GetObject ${ref.key}`, `DeleteObject ${ref.key}`])
    expect(w.s3.objects.has(ref.key)).toBe(false)
    expect(await w.store.get(ref.key, T)).toMatchObject({ state: 'rejected', reason: 'CONTENT_MISMATCH' })
    expect(w.events.map((e) => [e.type, e.reason])).toEqual([['upload.rejected', 'CONTENT_MISMATCH']])
  })
})

describe('who may complete', () => {
  it.each([
    { name: 'another owner', change: { owner: 'mallory' }, code: 'FORBIDDEN' },
    { name: 'another uploadId', change: { uploadId: '2~other' }, code: 'NOT_FOUND' },
    { name: 'an unknown key', change: { key: 'uploads/00000000-0000-4000-8000-0000000000ff.png' }, code: 'NOT_FOUND' },
  ])('$name → $code, nothing asked of S3, upload.denied', async ({ change, code }) => {
    const { up, created, ref } = await started()
    uploadParts(created, SIZE)
    const error = await failure(up.completeMultipart({ ...ref, ...change }))
    expect(error.code).toBe(code)
    expect(w.s3.calls).toEqual([])
    expect((await w.store.get(ref.key, T))?.state).toBe('pending')
    expect(w.events).toEqual([expect.objectContaining({ type: 'upload.denied', reason: code, method: 'MULTIPART' })])
  })

  it('a rejected record → UPLOAD_REJECTED without touching S3', async () => {
    const { up, ref } = await started()
    await up.abortMultipart(ref)
    w.s3.calls.length = 0
    expect((await failure(up.completeMultipart(ref))).code).toBe('UPLOAD_REJECTED')
    expect(w.s3.calls).toEqual([])
  })
})

describe('1,000 parts of 5 MiB (~5 GB declared), never read', () => {
  it('lists in pages and sniffs one range: commits without a full read', async () => {
    w.s3.restore()
    w = world({ listPartsPageSize: 600 })
    const size = 1000 * 5 * MiB
    const { up, created, ref } = await started({}, size, 5 * MiB)
    expect(created.partCount).toBe(1000)
    uploadParts(created, size)
    const result = await up.completeMultipart(ref)
    expect(result).toMatchObject({ state: 'committed', size, sniffedType: 'image/png' })
    expect(w.s3.violations).toEqual([])
    const lists = w.s3.inputs('ListParts')
    expect(lists.map((i) => [i.PartNumberMarker, i.MaxParts])).toEqual([
      [undefined, 1000],
      ['600', 1000],
    ])
    expect(w.s3.inputs('CompleteMultipartUpload')[0]!.MultipartUpload.Parts).toHaveLength(1000)
    const gets = w.s3.inputs('GetObject')
    expect(gets.length).toBeGreaterThan(0)
    for (const get of gets) {
      const m = /^bytes=(\d+)-(\d+)$/.exec(get.Range ?? '')
      expect(m, `GetObject without a Range: ${JSON.stringify(get)}`).not.toBeNull()
      expect(Number(m![2]) - Number(m![1]) + 1).toBeLessThanOrEqual(4100)
    }
  })

  it('an S3 that says truncated on a full page (then an empty one) is followed too', async () => {
    const { up, created, ref } = await started({}, 1000 * 5 * MiB, 5 * MiB)
    uploadParts(created, 1000 * 5 * MiB)
    w.s3.intercept('ListParts', async (input, original) => {
      const out = await original(input)
      return input.PartNumberMarker === undefined ? { ...out, IsTruncated: true, NextPartNumberMarker: '1000' } : out
    })
    await up.completeMultipart(ref)
    expect(w.s3.inputs('ListParts').map((i) => i.PartNumberMarker)).toEqual([undefined, '1000'])
    expect((await w.store.get(ref.key, T))?.state).toBe('committed')
  })
})

describe('the upload lifetime and concurrent settlements', () => {
  it('completing after expiresAt: UPLOAD_EXPIRED, the upload aborted and the record rejected (the sweep would abort it anyway)', async () => {
    const { up, created, ref } = await started()
    uploadParts(created, SIZE)
    w.clock.now = created.expiresAt
    const error = await failure(up.completeMultipart(ref))
    expect(error.code).toBe('UPLOAD_EXPIRED')
    expect(w.s3.ops()).toEqual([`ListParts ${ref.key}`, `AbortMultipartUpload ${ref.key}`])
    expect(await w.store.get(ref.key, created.expiresAt)).toMatchObject({ state: 'rejected', reason: 'UPLOAD_EXPIRED' })
  })

  it('a failed check whose record a concurrent call committed meanwhile reports that commit, not a rejection', async () => {
    const { up, created, ref } = await started()
    uploadParts(created, SIZE, { skip: [2] })
    // Between this call's read and its rejection, another call commits the record.
    w.s3.intercept('AbortMultipartUpload', async (input, original) => {
      await w.store.transition(ref.key, 'pending', 'committed', { purgeAt: undefined, settledAt: T, sniffedType: 'image/png' }, T)
      return original(input)
    })
    const result = await up.completeMultipart(ref)
    expect(result).toMatchObject({ key: ref.key, state: 'committed', alreadyCommitted: true })
    expect(w.events.map((e) => e.type)).not.toContain('upload.rejected')
  })
})
