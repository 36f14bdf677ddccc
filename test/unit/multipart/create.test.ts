// createMultipart(): the server creates the upload in S3 with the signer (type, filename, ACL and
// checksum algorithm fixed here, never by the client), then records the plan. A refusal after S3
// created it (quota, store) aborts it, so nothing is left billed and unrecorded.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { memoryStore } from '../../../src/stores/memory.js'
import { failure, T } from '../core/fixtures.js'
import { BUCKET, CLIENT, id, MiB, SIGNER, world, type World } from './setup.js'

let w: World
beforeEach(() => (w = world()))
afterEach(() => w.s3.restore())

const KEY = `uploads/${id(1)}.png`
const STAGING = `quarantine/${id(1)}.png`
const request = { owner: 'alice', filename: 'Holiday photo (1).png', contentType: 'image/png', size: 20 * MiB }

describe('the CreateMultipartUpload call', () => {
  it.each([
    {
      name: 'a separate signer: the ACL keeps the bucket owner in control',
      config: {},
      input: { Bucket: BUCKET, Key: KEY, ContentType: 'image/png', Metadata: { filename: 'Holiday%20photo%20(1).png' }, ACL: 'bucket-owner-full-control' },
    },
    {
      name: 'one client: no ACL',
      config: { signer: undefined },
      input: { Bucket: BUCKET, Key: KEY, ContentType: 'image/png', Metadata: { filename: 'Holiday%20photo%20(1).png' } },
    },
    {
      name: 'a separate signer with bucketOwnerAcl: false',
      config: { bucketOwnerAcl: false },
      input: { Bucket: BUCKET, Key: KEY, ContentType: 'image/png', Metadata: { filename: 'Holiday%20photo%20(1).png' } },
    },
    {
      name: 'one client with bucketOwnerAcl: true',
      config: { signer: undefined, bucketOwnerAcl: true },
      input: { Bucket: BUCKET, Key: KEY, ContentType: 'image/png', Metadata: { filename: 'Holiday%20photo%20(1).png' }, ACL: 'bucket-owner-full-control' },
    },
    {
      name: "checksum 'sha256': created for per-part SHA-256",
      config: { checksum: 'sha256' as const },
      input: { Bucket: BUCKET, Key: KEY, ContentType: 'image/png', Metadata: { filename: 'Holiday%20photo%20(1).png' }, ACL: 'bucket-owner-full-control', ChecksumAlgorithm: 'SHA256' },
    },
    {
      name: "checksum 'md5': no checksum algorithm (Content-MD5 is per request)",
      config: { checksum: 'md5' as const },
      input: { Bucket: BUCKET, Key: KEY, ContentType: 'image/png', Metadata: { filename: 'Holiday%20photo%20(1).png' }, ACL: 'bucket-owner-full-control' },
    },
    {
      name: 'quarantine: the staging key',
      config: { quarantine: { prefix: 'quarantine/' } },
      input: { Bucket: BUCKET, Key: STAGING, ContentType: 'image/png', Metadata: { filename: 'Holiday%20photo%20(1).png' }, ACL: 'bucket-owner-full-control' },
    },
  ])('$name', async ({ config, input }) => {
    const up = w.uploader(config)
    const separate = up.config.signer !== up.config.client
    const created = await up.createMultipart(request)
    expect(created.key).toBe(KEY)
    expect(w.s3.inputs('CreateMultipartUpload')).toEqual([input])
    // Sent by the signer: the object will be the signer's, as with a PUT grant.
    expect(w.s3.senders('CreateMultipartUpload')).toEqual([separate ? SIGNER : CLIENT])
    expect(w.s3.calls).toHaveLength(1)
  })

  it('a filename with characters a header cannot carry is sanitized, then percent-encoded', async () => {
    await w.uploader().createMultipart({ ...request, filename: 'résumé «final».png' })
    const sent = w.s3.inputs('CreateMultipartUpload')[0]!.Metadata.filename as string
    expect(sent).toMatch(/^[\x21-\x7e]+$/)
    expect(decodeURIComponent(sent)).toBe('résumé «final».png')
  })

  it('no filename: no Metadata at all', async () => {
    await w.uploader().createMultipart({ owner: 'alice', contentType: 'image/png', size: 1000 })
    expect(w.s3.inputs('CreateMultipartUpload')[0]).not.toHaveProperty('Metadata')
  })
})

describe('the record and the answer', () => {
  it('records the plan, min = max = size, and expiresAt = now + multipart.expiresIn', async () => {
    const up = w.uploader({ multipart: { expiresIn: 7200 }, pendingTtl: 600 })
    const created = await up.createMultipart({ ...request, size: 20 * MiB + 1 })
    const [uploadId] = [...w.s3.uploads.keys()]
    expect(created).toEqual({ key: KEY, uploadId, partSize: 8 * MiB, partCount: 3, expiresAt: T + 7_200_000 })
    expect(await w.store.get(KEY, T)).toEqual({
      key: KEY,
      owner: 'alice',
      state: 'pending',
      filename: 'Holiday photo (1).png',
      contentType: 'image/png',
      minSize: 20 * MiB + 1,
      maxSize: 20 * MiB + 1,
      createdAt: T,
      expiresAt: T + 7_200_000,
      purgeAt: T + 7_200_000 + 600_000,
      multipart: { uploadId, partSize: 8 * MiB, partCount: 3 },
    })
  })

  it('an explicit partSize is the plan', async () => {
    const created = await w.uploader().createMultipart({ ...request, size: 100 * MiB, partSize: 16 * MiB })
    expect(created).toMatchObject({ partSize: 16 * MiB, partCount: 7 })
    expect((await w.store.get(KEY, T))?.multipart).toEqual({ uploadId: created.uploadId, partSize: 16 * MiB, partCount: 7 })
  })

  it('quarantine: the record keeps the staging key', async () => {
    await w.uploader({ quarantine: { prefix: 'quarantine/' } }).createMultipart(request)
    expect(await w.store.get(KEY, T)).toMatchObject({ key: KEY, stagingKey: STAGING })
  })

  it('a whole-file digest is recorded for complete() to compare', async () => {
    const digest = Buffer.alloc(32, 7).toString('base64')
    await w.uploader({ checksum: 'sha256' }).createMultipart({ ...request, checksum: digest })
    expect((await w.store.get(KEY, T))?.checksum).toEqual({ algorithm: 'sha256', value: digest })
  })
})

describe('refused before S3 is asked', () => {
  it.each([
    { name: 'a wildcard type', change: { contentType: 'video/*' }, code: 'CONTENT_TYPE_NOT_ALLOWED', option: 'contentType' },
    { name: 'a type off the allowlist', change: { contentType: 'text/html' }, code: 'CONTENT_TYPE_NOT_ALLOWED', option: 'contentType' },
    { name: 'no size', change: { size: undefined }, code: 'INVALID_REQUEST', option: 'size' },
    { name: 'size 0', change: { size: 0 }, code: 'INVALID_REQUEST', option: 'size' },
    { name: 'a fractional size', change: { size: 1.5 }, code: 'INVALID_REQUEST', option: 'size' },
    { name: 'a partSize under 5 MiB', change: { partSize: MiB }, code: 'INVALID_REQUEST', option: 'partSize' },
    { name: 'no owner', change: { owner: undefined }, code: 'INVALID_REQUEST', option: 'owner' },
    { name: 'a checksum on a builder without one', change: { checksum: Buffer.alloc(16).toString('base64') }, code: 'INVALID_REQUEST', option: 'checksum' },
  ])('$name → $code naming `$option`', async ({ change, code, option }) => {
    const error = await failure(w.uploader().createMultipart({ ...request, ...change } as never))
    expect(error.code).toBe(code)
    expect(error.details?.option).toBe(option)
    expect(w.s3.calls).toEqual([])
    expect(await w.store.get(KEY, T)).toBeUndefined()
  })

  it('a malformed whole-file digest on a sha256 builder → CHECKSUM_REQUIRED', async () => {
    const error = await failure(w.uploader({ checksum: 'sha256' }).createMultipart({ ...request, checksum: 'not base64!' }))
    expect(error.code).toBe('CHECKSUM_REQUIRED')
    expect(w.s3.calls).toEqual([])
  })

  it('a builder without multipart → INVALID_CONFIG naming `multipart`', async () => {
    const up = w.uploader({ multipart: undefined, maxSize: 100 * MiB })
    const error = await failure(up.createMultipart(request))
    expect(error.code).toBe('INVALID_CONFIG')
    expect(error.details?.option).toBe('multipart')
    expect(error.message).toContain('without `multipart`')
    expect(w.s3.calls).toEqual([])
  })
})

describe('refused after S3 created it: the upload is aborted, nothing recorded', () => {
  it('over quota (maxPendingPerOwner) → TOO_MANY_PENDING, AbortMultipartUpload by the worker', async () => {
    const up = w.uploader({ maxPendingPerOwner: 2 })
    await up.createMultipart(request)
    await up.createMultipart(request)
    const error = await failure(up.createMultipart(request))
    expect(error.code).toBe('TOO_MANY_PENDING')
    expect(error.details).toMatchObject({ option: 'maxPendingPerOwner', limit: 2 })
    const third = `uploads/${id(3)}.png`
    const created = w.s3.calls.filter((c) => c.command === 'CreateMultipartUpload')
    expect(created).toHaveLength(3)
    expect(w.s3.inputs('AbortMultipartUpload')).toEqual([{ Bucket: BUCKET, Key: third, UploadId: expect.stringMatching(/./) }])
    // By the worker: on RGW the upload signer may not abort its own upload under signerPolicy.
    expect(w.s3.senders('AbortMultipartUpload')).toEqual([CLIENT])
    // The aborted one is the third upload S3 created, and only it is gone.
    expect([...w.s3.uploads.values()].map((u) => u.key)).toEqual([`uploads/${id(1)}.png`, `uploads/${id(2)}.png`])
    expect(await w.store.get(third, T)).toBeUndefined()
  })

  it('another owner is not affected by alice’s quota', async () => {
    const up = w.uploader({ maxPendingPerOwner: 1 })
    await up.createMultipart(request)
    await expect(up.createMultipart({ ...request, owner: 'bob' })).resolves.toMatchObject({ key: `uploads/${id(2)}.png` })
    expect(w.s3.inputs('AbortMultipartUpload')).toEqual([])
  })

  it.each([
    { name: 'a store whose create throws', create: async () => Promise.reject(new Error('ECONNRESET')) },
    { name: 'a store whose create throws synchronously', create: () => { throw new Error('pool closed') } },
  ])('$name → STORE_UNAVAILABLE, the upload aborted', async ({ create }) => {
    w.store = { ...memoryStore(), create: create as never }
    const error = await failure(w.uploader().createMultipart(request))
    expect(error.code).toBe('STORE_UNAVAILABLE')
    expect(w.s3.ops()).toEqual([`CreateMultipartUpload ${KEY}`, `AbortMultipartUpload ${KEY}`])
    expect(w.s3.uploads.size).toBe(0)
  })

  it('S3 fails to create → S3_ERROR naming the operation, nothing recorded', async () => {
    w.s3.intercept('CreateMultipartUpload', async () => Promise.reject(Object.assign(new Error('AccessDenied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } })))
    const error = await failure(w.uploader().createMultipart(request))
    expect(error.code).toBe('S3_ERROR')
    expect(error.details).toMatchObject({ operation: 'CreateMultipartUpload' })
    expect(await w.store.get(KEY, T)).toBeUndefined()
  })

  it('S3 answers without an UploadId → S3_ERROR, nothing recorded', async () => {
    w.s3.intercept('CreateMultipartUpload', async () => ({}))
    const error = await failure(w.uploader().createMultipart(request))
    expect(error.code).toBe('S3_ERROR')
    expect(error.message).toContain('no UploadId')
    expect(await w.store.get(KEY, T)).toBeUndefined()
  })
})

describe('events', () => {
  it('multipart.created with the key, subject and method', async () => {
    await w.uploader().createMultipart(request)
    expect(w.events).toEqual([{ type: 'multipart.created', time: T, subject: 'alice', key: KEY, reason: 'ok', method: 'MULTIPART' }])
  })

  it.each([
    { name: 'a wildcard type', change: { contentType: 'video/*' }, reason: 'CONTENT_TYPE_NOT_ALLOWED' },
    { name: 'over maxSize', change: { size: 7 * 1024 ** 3 }, reason: 'FILE_TOO_LARGE' },
  ])('upload.denied with method MULTIPART on $name', async ({ change, reason }) => {
    await failure(w.uploader().createMultipart({ ...request, ...change }))
    expect(w.events).toEqual([{ type: 'upload.denied', time: T, subject: 'alice', reason, method: 'MULTIPART' }])
  })
})
