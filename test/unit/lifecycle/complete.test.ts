// upload.complete() against a mocked S3 (aws-sdk-client-mock): which checks run, in which order,
// what is deleted, copied and recorded. The same flows against a real S3 peer are in
// test/integration/s3/lifecycle.test.ts.
import { createHash } from 'node:crypto'
import { CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { SafePresignEvent } from '../../../src/events.js'
import type { ScanHook, ScanTarget } from '../../../src/lifecycle/types.js'
import { SNIFF_BYTES } from '../../../src/limits.js'
import { memoryStore } from '../../../src/stores/memory.js'
import type { OwnershipStore } from '../../../src/stores/types.js'
import { createSafeUpload, type SafeUploadConfig } from '../../../src/upload.js'
import { failure, ID, s3Client, T } from '../core/fixtures.js'
import { jpeg, png } from './bytes.js'
import { fakeS3, type FakeS3 } from './fake-s3.js'

const KEY = `uploads/${ID}.png`
const STAGING = `quarantine/${ID}.png`
const HTML = '<!DOCTYPE html><html><script>alert(document.domain)</script></html>'
const SVG = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)"><circle r="5"/></svg>'
/** POST builders must land in quarantine (INVALID_CONFIG otherwise). */
const POST = { method: 'POST', quarantine: { prefix: 'quarantine/' } } as const

let s3: FakeS3
let store: OwnershipStore
let clock: number
const client = s3Client()

beforeEach(() => {
  s3 = fakeS3(client)
  store = memoryStore()
  clock = T
})
afterEach(() => s3.mock.restore())

function uploader(config: Partial<SafeUploadConfig> = {}) {
  return createSafeUpload({
    client,
    bucket: 'photos-bucket',
    store,
    allowedContentTypes: ['image/png', 'image/jpeg', 'image/*'],
    maxSize: 100_000,
    now: () => clock,
    generateId: () => ID,
    ...config,
  })
}

/** A pending grant for `size` bytes of image/png, owned by alice. */
async function granted(config: Partial<SafeUploadConfig> = {}, request: { size?: number; checksum?: string; contentType?: string } = {}) {
  const upload = uploader(config)
  const method = config.method ?? 'PUT'
  await upload.presign({ owner: 'alice', contentType: request.contentType ?? 'image/png', size: request.size ?? (method === 'PUT' ? 2000 : undefined), checksum: request.checksum })
  return upload
}

describe('a clean upload commits', () => {
  it('verifies head → type → first bytes, then commits, without copying or deleting', async () => {
    const upload = await granted()
    s3.put(KEY, png(2000), 'image/png')
    const result = await upload.complete({ key: KEY, owner: 'alice' })
    expect(result).toEqual({ key: KEY, state: 'committed', size: 2000, contentType: 'image/png', sniffedType: 'image/png', alreadyCommitted: false })
    expect(s3.ops()).toEqual([`HeadObject ${KEY}`, `GetObject ${KEY}`])
    expect(s3.inputs(HeadObjectCommand)).toEqual([{ Bucket: 'photos-bucket', Key: KEY, ChecksumMode: 'ENABLED' }])
    // The sniffed bytes are pinned to the ETag HeadObject saw: a rewrite in between fails with 412.
    expect(s3.inputs(GetObjectCommand)).toEqual([{ Bucket: 'photos-bucket', Key: KEY, Range: 'bytes=0-1999', IfMatch: `"${createHash('md5').update(png(2000)).digest('hex')}"` }])
    const stored = await store.get(KEY, T + 365 * 86_400_000)
    expect(stored).toMatchObject({ state: 'committed', settledAt: T, sniffedType: 'image/png' })
    expect(stored).not.toHaveProperty('purgeAt')
  })

  it(`reads at most the first ${SNIFF_BYTES} bytes of a large object`, async () => {
    const upload = await granted({}, { size: 50_000 })
    s3.put(KEY, png(50_000), 'image/png')
    await upload.complete({ key: KEY, owner: 'alice' })
    expect(s3.inputs(GetObjectCommand)[0]?.Range).toBe(`bytes=0-${SNIFF_BYTES - 1}`)
  })

  it('is idempotent: completing a committed upload again does nothing and says so', async () => {
    const upload = await granted()
    s3.put(KEY, png(2000), 'image/png')
    await upload.complete({ key: KEY, owner: 'alice' })
    const calls = s3.ops().length
    const again = await upload.complete({ key: KEY, owner: 'alice' })
    expect(again).toEqual({ key: KEY, state: 'committed', size: 2000, contentType: 'image/png', sniffedType: 'image/png', alreadyCommitted: true })
    expect(s3.ops()).toHaveLength(calls)
  })

  it('two concurrent completes: both report committed, exactly one did the work', async () => {
    const upload = await granted()
    s3.put(KEY, png(2000), 'image/png')
    const results = await Promise.all([upload.complete({ key: KEY, owner: 'alice' }), upload.complete({ key: KEY, owner: 'alice' })])
    expect(results.map((r) => r.state)).toEqual(['committed', 'committed'])
    expect(results.filter((r) => !r.alreadyCommitted)).toHaveLength(1)
  })
})

describe('who and what may be completed', () => {
  it('a non-owner → FORBIDDEN, nothing asked of S3, the record still pending', async () => {
    const upload = await granted()
    s3.put(KEY, png(2000), 'image/png')
    expect((await failure(upload.complete({ key: KEY, owner: 'mallory' }))).code).toBe('FORBIDDEN')
    expect(s3.ops()).toEqual([])
    expect((await store.get(KEY, T))?.state).toBe('pending')
  })

  it.each([
    { key: `uploads/${'0'.repeat(8)}-0000-4000-8000-000000000000.png`, code: 'NOT_FOUND' },
    { key: `other/${ID}.png`, code: 'INVALID_KEY' },
    { key: `uploads/../${ID}.png`, code: 'INVALID_KEY' },
    { key: 'uploads/photo.png', code: 'INVALID_KEY' },
  ])('$key → $code without touching S3', async ({ key, code }) => {
    const upload = await granted()
    expect((await failure(upload.complete({ key, owner: 'alice' }))).code).toBe(code)
    expect(s3.ops()).toEqual([])
  })

  it.each([undefined, '', ' ', 'alice\ud800'])('owner %j → INVALID_REQUEST', async (owner) => {
    const upload = await granted()
    expect((await failure(upload.complete({ key: KEY, owner: owner as string }))).code).toBe('INVALID_REQUEST')
  })

  it('an already rejected upload → UPLOAD_REJECTED with its reason', async () => {
    const upload = await granted({}, { size: HTML.length })
    s3.put(KEY, HTML, 'image/png')
    await failure(upload.complete({ key: KEY, owner: 'alice' }))
    const error = await failure(upload.complete({ key: KEY, owner: 'alice' }))
    expect(error.code).toBe('UPLOAD_REJECTED')
    expect(error.message).toContain('CONTENT_MISMATCH')
  })
})

describe('a failed check deletes the object, then rejects the record', () => {
  const cases: {
    name: string
    config?: Partial<SafeUploadConfig>
    request?: { size?: number; checksum?: string; contentType?: string }
    object: () => { body: Uint8Array | string; type: string | undefined; etag?: string; checksumSHA256?: string }
    code: string
    /** What the message says: the check and the grant's own bound, never what was observed. */
    says: string
    /** What `error.observed` holds for the server (and neither the message nor toJSON() shows). */
    observed: Record<string, unknown>
    sniffedType?: string
  }[] = [
    { name: 'one byte short of the signed size', object: () => ({ body: png(1999), type: 'image/png' }), code: 'SIZE_MISMATCH', says: "the object's size is outside the grant's 2000..2000 bytes", observed: { size: 1999 } },
    { name: 'one byte over the signed size', object: () => ({ body: png(2001), type: 'image/png' }), code: 'SIZE_MISMATCH', says: "outside the grant's 2000..2000 bytes", observed: { size: 2001 } },
    { name: 'over maxSize on a POST grant', config: { ...POST, maxSize: 1000 }, object: () => ({ body: png(1001), type: 'image/png' }), code: 'SIZE_MISMATCH', says: "outside the grant's 1..1000 bytes", observed: { size: 1001 } },
    { name: 'stored as text/html', object: () => ({ body: png(2000), type: 'text/html' }), code: 'TYPE_MISMATCH', says: "the object's stored Content-Type is not the grant's image/png", observed: { contentType: 'text/html' } },
    { name: 'stored as image/jpeg', object: () => ({ body: png(2000), type: 'image/jpeg' }), code: 'TYPE_MISMATCH', says: "not the grant's image/png", observed: { contentType: 'image/jpeg' } },
    { name: 'stored without a Content-Type', object: () => ({ body: png(2000), type: undefined }), code: 'TYPE_MISMATCH', says: "not the grant's image/png", observed: { contentType: '' } },
    { name: 'HTML bytes declared image/png', request: { size: HTML.length }, object: () => ({ body: HTML, type: 'image/png' }), code: 'CONTENT_MISMATCH', says: "the object's bytes are not what the grant's image/png allows", observed: { sniffedType: 'text/html', why: expect.stringContaining('markup a browser would render') }, sniffedType: 'text/html' },
    { name: 'JPEG bytes declared image/png', request: { size: jpeg().length }, object: () => ({ body: jpeg(), type: 'image/png' }), code: 'CONTENT_MISMATCH', says: "not what the grant's image/png allows", observed: { sniffedType: 'image/jpeg', why: expect.stringContaining('the bytes are image/jpeg') }, sniffedType: 'image/jpeg' },
    // An image/* POST policy is a starts-with on Content-Type: S3 accepts any image/..., including
    // SVG. A wildcard never covers active content, so complete() refuses it before sniffing.
    ...['image/svg+xml', 'IMAGE/SVG+XML', 'image/svg+xml; charset=utf-8', 'image/*'].map((type) => ({
      name: `an image/* POST grant, stored as ${type}`,
      config: POST,
      request: { contentType: 'image/*' },
      object: () => ({ body: SVG, type }),
      code: 'TYPE_MISMATCH',
      says: "the object's stored Content-Type is not the grant's image/*",
      observed: { contentType: type },
    })),
    {
      name: 'an image/* POST grant on an allowlist that also lists image/svg+xml, stored as image/svg+xml',
      config: { ...POST, allowedContentTypes: ['image/*', 'image/svg+xml'] },
      request: { contentType: 'image/*' },
      object: () => ({ body: SVG, type: 'image/svg+xml' }),
      code: 'TYPE_MISMATCH',
      says: "not the grant's image/*",
      observed: { contentType: 'image/svg+xml' },
    },
    {
      name: 'a text/* POST grant, stored as text/html',
      config: { ...POST, allowedContentTypes: ['text/*'] },
      request: { contentType: 'text/*' },
      object: () => ({ body: HTML, type: 'text/html' }),
      code: 'TYPE_MISMATCH',
      says: "not the grant's text/*",
      observed: { contentType: 'text/html' },
    },
    {
      name: 'an MD5 ETag that is not the signed MD5',
      config: { checksum: 'md5' },
      request: { checksum: createHash('md5').update('other bytes').digest('base64') },
      object: () => ({ body: png(2000), type: 'image/png' }),
      code: 'CHECKSUM_MISMATCH',
      says: "the object's md5 is not the digest the grant bound",
      observed: { md5: createHash('md5').update(png(2000)).digest('base64') },
    },
    {
      name: 'a stored SHA-256 that is not the signed one',
      config: { checksum: 'sha256' },
      request: { checksum: Buffer.alloc(32, 1).toString('base64') },
      object: () => ({ body: png(2000), type: 'image/png', checksumSHA256: Buffer.alloc(32, 2).toString('base64') }),
      code: 'CHECKSUM_MISMATCH',
      says: "the object's sha256 is not the digest the grant bound",
      observed: { sha256: Buffer.alloc(32, 2).toString('base64') },
    },
    {
      name: 'a multipart ETag: the bytes are hashed, and differ',
      config: { checksum: 'md5' },
      request: { checksum: Buffer.alloc(16, 3).toString('base64') },
      object: () => ({ body: png(2000), type: 'image/png', etag: '"0123456789abcdef0123456789abcdef-2"' }),
      code: 'CHECKSUM_MISMATCH',
      says: "the object's md5 is not the digest the grant bound",
      observed: { md5: createHash('md5').update(png(2000)).digest('base64') },
    },
  ]

  it.each(cases)('$name → $code', async ({ config, request, object, code, says, observed, sniffedType }) => {
    const upload = await granted({ pendingTtl: 600, ...config }, request)
    // A type/* grant has no extension; a quarantined one is uploaded to (and verified at) its staging key.
    const key = request?.contentType?.endsWith('/*') ? `uploads/${ID}` : KEY
    const at = config?.quarantine ? key.replace(/^uploads\//, 'quarantine/') : key
    const o = object()
    s3.put(at, o.body, o.type, { etag: o.etag, checksumSHA256: o.checksumSHA256 })
    clock = T + 5_000
    const error = await failure(upload.complete({ key, owner: 'alice' }))
    expect(error.code).toBe(code)
    expect(error.message).toContain(says)
    // No oracle: what was observed stays on the server, out of the message and out of toJSON().
    expect(error.observed).toMatchObject(observed)
    const declared = request?.contentType ?? 'image/png'
    for (const value of Object.values(error.observed ?? {})) {
      if (value === declared) continue // the grant's own type is no secret
      if (typeof value === 'number' || (typeof value === 'string' && value.length > 3)) {
        expect(error.message).not.toContain(String(value))
        expect(JSON.stringify(error)).not.toContain(String(value))
      }
    }
    expect(JSON.stringify(error)).not.toContain('observed')
    expect(s3.inputs(DeleteObjectCommand)).toEqual([{ Bucket: 'photos-bucket', Key: at }])
    expect(s3.objects.size).toBe(0)
    expect(s3.inputs(CopyObjectCommand)).toEqual([])
    expect(await store.get(key, clock)).toMatchObject({ state: 'rejected', reason: code, settledAt: clock, purgeAt: clock + 600_000, ...(sniffedType ? { sniffedType } : {}) })
  })

  it('an image/* POST grant: image/png bytes stored as image/png commit, promoted from quarantine', async () => {
    const upload = await granted(POST, { contentType: 'image/*' })
    s3.put(`quarantine/${ID}`, png(2000), 'image/png')
    const result = await upload.complete({ key: `uploads/${ID}`, owner: 'alice' })
    expect(result).toMatchObject({ state: 'committed', contentType: 'image/png', sniffedType: 'image/png' }) // the verified type, not the wildcard
    expect([...s3.objects.keys()]).toEqual([`uploads/${ID}`])
  })

  it('an image/svg+xml grant (listed explicitly): SVG bytes stored as image/svg+xml commit', async () => {
    const upload = await granted({ ...POST, allowedContentTypes: ['image/*', 'image/svg+xml'] }, { contentType: 'image/svg+xml' })
    const key = `uploads/${ID}.svg`
    s3.put(`quarantine/${ID}.svg`, SVG, 'image/svg+xml')
    expect(await upload.complete({ key, owner: 'alice' })).toMatchObject({ state: 'committed', contentType: 'image/svg+xml', sniffedType: 'image/svg+xml' })
    expect([...s3.objects.keys()]).toEqual([key])
  })

  it.each([
    { name: 'a single-part MD5 ETag', config: { checksum: 'md5' as const }, checksum: createHash('md5').update(png(2000)).digest('base64'), gets: 1 },
    { name: 'a multipart ETag, hashed over the stream', config: { checksum: 'md5' as const }, checksum: createHash('md5').update(png(2000)).digest('base64'), etag: '"0123456789abcdef0123456789abcdef-2"', gets: 2 },
    { name: 'a SHA-256 S3 kept', config: { checksum: 'sha256' as const }, checksum: createHash('sha256').update(png(2000)).digest('base64'), stored: true, gets: 1 },
    { name: 'a SHA-256 S3 did not keep, hashed over the stream', config: { checksum: 'sha256' as const }, checksum: createHash('sha256').update(png(2000)).digest('base64'), gets: 2 },
  ])('a matching checksum ($name) commits', async ({ config, checksum, etag, stored, gets }) => {
    const upload = await granted(config, { checksum })
    s3.put(KEY, png(2000), 'image/png', { etag, checksumSHA256: stored ? checksum : undefined })
    expect((await upload.complete({ key: KEY, owner: 'alice' })).state).toBe('committed')
    expect(s3.inputs(GetObjectCommand)).toHaveLength(gets)
  })
})

describe('a missing object', () => {
  it('while the grant is live → UPLOAD_MISSING, nothing deleted, the record stays pending for a retry', async () => {
    const upload = await granted()
    clock = T + 299_999
    const error = await failure(upload.complete({ key: KEY, owner: 'alice' }))
    expect(error.code).toBe('UPLOAD_MISSING')
    expect(error.message).toContain('valid until')
    expect(s3.inputs(DeleteObjectCommand)).toEqual([])
    expect((await store.get(KEY, clock))?.state).toBe('pending')
    s3.put(KEY, png(2000), 'image/png')
    expect((await upload.complete({ key: KEY, owner: 'alice' })).state).toBe('committed')
  })

  it('after the grant expired → UPLOAD_MISSING and the record is rejected', async () => {
    const upload = await granted()
    clock = T + 300_000
    const error = await failure(upload.complete({ key: KEY, owner: 'alice' }))
    expect(error.code).toBe('UPLOAD_MISSING')
    expect(error.message).toContain('before the grant expired')
    expect(await store.get(KEY, clock)).toMatchObject({ state: 'rejected', reason: 'UPLOAD_MISSING' })
  })

  it('an S3 failure (not a 404) → S3_ERROR, nothing deleted, the record unchanged', async () => {
    const upload = await granted()
    s3.mock.on(HeadObjectCommand).rejects(Object.assign(new Error('SlowDown'), { $metadata: { httpStatusCode: 503 } }))
    const error = await failure(upload.complete({ key: KEY, owner: 'alice' }))
    expect(error.code).toBe('S3_ERROR')
    expect(s3.inputs(DeleteObjectCommand)).toEqual([])
    expect((await store.get(KEY, T))?.state).toBe('pending')
  })
})

describe('quarantine: verify and scan under the staging key, then promote', () => {
  function quarantined(scan?: ScanHook, scanTimeoutMs?: number) {
    return granted({ quarantine: { prefix: 'quarantine/', scan, scanTimeoutMs } })
  }

  it('the staging object is rewritten during the scan (a replayed grant): the copy is deleted, CONTENT_MISMATCH, nothing promoted', async () => {
    const spoof = Buffer.from(png(2000))
    spoof[1000] = spoof[1000]! ^ 0xff // same size, same signature, same stored type: other bytes
    const upload = await quarantined(() => {
      s3.put(STAGING, spoof, 'image/png')
      return 'clean'
    })
    s3.put(STAGING, png(2000), 'image/png')
    await expect(upload.complete({ key: KEY, owner: 'alice' })).rejects.toMatchObject({ code: 'CONTENT_MISMATCH' })
    expect([...s3.objects.keys()]).toEqual([])
    expect(await store.get(KEY, T)).toMatchObject({ state: 'rejected', reason: 'CONTENT_MISMATCH' })
  })

  it('clean: CopyObject to the final key, then DeleteObject of the staging key', async () => {
    const scanned: ScanTarget[] = []
    const upload = await quarantined((target) => (scanned.push(target), 'clean'))
    s3.put(STAGING, png(2000), 'image/png')
    const result = await upload.complete({ key: KEY, owner: 'alice' })
    expect(result).toMatchObject({ key: KEY, state: 'committed', alreadyCommitted: false })
    expect(s3.ops()).toEqual([`HeadObject ${STAGING}`, `GetObject ${STAGING}`, `CopyObject ${KEY}`, `DeleteObject ${STAGING}`])
    // Only the verified bytes are promoted: the copy is conditional on the ETag that was checked.
    expect(s3.inputs(CopyObjectCommand)).toEqual([
      { Bucket: 'photos-bucket', Key: KEY, CopySource: `photos-bucket/${STAGING}`, CopySourceIfMatch: `"${createHash('md5').update(png(2000)).digest('hex')}"`, MetadataDirective: 'COPY' },
    ])
    expect(scanned).toEqual([{ bucket: 'photos-bucket', key: STAGING, finalKey: KEY, contentType: 'image/png', size: 2000, owner: 'alice' }])
    expect([...s3.objects.keys()]).toEqual([KEY])
  })

  it('without a scan hook: verified, then promoted', async () => {
    const upload = await quarantined()
    s3.put(STAGING, png(2000), 'image/png')
    await upload.complete({ key: KEY, owner: 'alice' })
    expect([...s3.objects.keys()]).toEqual([KEY])
  })

  it.each([
    { name: "'infected'", scan: () => 'infected' as const, says: 'did not report the object clean', observed: { verdict: 'infected' } },
    { name: 'an unexpected verdict', scan: (() => 'CLEAN') as unknown as ScanHook, says: 'did not report the object clean', observed: { verdict: 'CLEAN' } },
    { name: 'undefined', scan: (() => undefined) as unknown as ScanHook, says: 'did not report the object clean', observed: { verdict: 'undefined' } },
    { name: 'a throw', scan: () => { throw new Error('clamd unreachable') }, says: 'the scan failed or timed out', observed: { scanError: 'clamd unreachable' } },
    { name: 'a rejection', scan: async () => Promise.reject(new Error('quota')), says: 'the scan failed or timed out', observed: { scanError: 'quota' } },
    { name: 'a timeout', scan: () => new Promise<'clean'>(() => {}), says: 'the scan failed or timed out', observed: { scanError: 'scan timed out after 20 ms' } },
  ])('a scan that gives $name → SCAN_FAILED, nothing copied, the staging object deleted', async ({ scan, says, observed }) => {
    const upload = await quarantined(scan, 20)
    s3.put(STAGING, png(2000), 'image/png')
    const error = await failure(upload.complete({ key: KEY, owner: 'alice' }))
    expect(error.code).toBe('SCAN_FAILED')
    expect(error.message).toContain(says)
    expect(error.observed).toEqual(observed)
    expect(JSON.stringify(error)).not.toContain(String(Object.values(observed)[0]))
    expect(s3.inputs(CopyObjectCommand)).toEqual([])
    expect(s3.inputs(DeleteObjectCommand)).toEqual([{ Bucket: 'photos-bucket', Key: STAGING }])
    expect(s3.objects.size).toBe(0)
    expect(await store.get(KEY, T)).toMatchObject({ state: 'rejected', reason: 'SCAN_FAILED' })
  })

  it('a failed check before the scan: the scan is not called, the staging object is deleted', async () => {
    let scans = 0
    const upload = await quarantined(() => (scans++, 'clean'))
    s3.put(STAGING, HTML, 'image/png')
    expect((await failure(upload.complete({ key: KEY, owner: 'alice' }))).code).toBe('SIZE_MISMATCH')
    expect(scans).toBe(0)
    expect(s3.ops()).toEqual([`HeadObject ${STAGING}`, `DeleteObject ${STAGING}`])
  })

  it('the store fails to commit after the copy: the promoted copy is deleted, the record stays pending', async () => {
    const inner = store
    store = { ...inner, transition: async (...args) => (args[2] === 'committed' ? Promise.reject(new Error('connection lost')) : inner.transition(...args)) }
    const upload = await quarantined(() => 'clean')
    s3.put(STAGING, png(2000), 'image/png')
    const error = await failure(upload.complete({ key: KEY, owner: 'alice' }))
    expect(error.code).toBe('STORE_UNAVAILABLE')
    expect(s3.ops()).toEqual([`HeadObject ${STAGING}`, `GetObject ${STAGING}`, `CopyObject ${KEY}`, `DeleteObject ${KEY}`])
    // Nothing unrecorded is readable under the final key; the staging copy remains for a retry.
    expect([...s3.objects.keys()]).toEqual([STAGING])
    expect((await inner.get(KEY, T))?.state).toBe('pending')
  })

  it('the store applies the commit but the answer is lost (a timeout): the promoted object stays, and complete() reports it committed', async () => {
    // Redis, PostgreSQL and DynamoDB calls race a deadline: a write can land after the caller was told
    // it failed. Deleting the promoted copy then would leave a committed record pointing at nothing.
    const inner = store
    store = {
      ...inner,
      transition: async (...args) => {
        const out = await inner.transition(...args)
        if (args[2] === 'committed') throw new Error('no answer within timeoutMs (2000 ms)')
        return out
      },
    }
    const upload = await quarantined(() => 'clean')
    s3.put(STAGING, png(2000), 'image/png')
    const result = await upload.complete({ key: KEY, owner: 'alice' })
    expect(result).toMatchObject({ key: KEY, state: 'committed' })
    expect((await inner.get(KEY, T))?.state).toBe('committed')
    expect(s3.objects.has(KEY)).toBe(true)
    expect(s3.inputs(DeleteObjectCommand).map((i) => i.Key)).not.toContain(KEY)
  })

  it('a second complete() that read the record before the first committed, after the grant expired: committed, not rejected', async () => {
    // A double-click after a slow upload: B reads the record while it is pending, A promotes, commits
    // and deletes the staging object, then B finds no staging object and the grant expired.
    const events: SafePresignEvent[] = []
    const upload = await granted({ quarantine: { prefix: 'quarantine/' }, onEvent: (e) => void events.push(e) })
    s3.put(STAGING, png(2000), 'image/png')
    clock = T + 300_000
    const stale = await store.get(KEY, clock)
    const inner = store
    let staleReads = 1
    store = { ...inner, get: async (...args) => (staleReads-- > 0 ? stale : inner.get(...args)) }
    const a = uploader({ quarantine: { prefix: 'quarantine/' }, onEvent: (e) => void events.push(e) })
    store = inner
    expect((await upload.complete({ key: KEY, owner: 'alice' })).alreadyCommitted).toBe(false)
    const b = await a.complete({ key: KEY, owner: 'alice' })
    expect(b).toMatchObject({ key: KEY, state: 'committed', alreadyCommitted: true })
    expect(events.map((e) => e.type)).toEqual(['upload.granted', 'upload.completed'])
    expect(await store.get(KEY, clock)).toMatchObject({ state: 'committed' })
    expect([...s3.objects.keys()]).toEqual([KEY])
  })

  it('two completes disagree (one scan clean, one not): the loser of the commit race removes its promoted copy', async () => {
    // B's scan says clean and B copies; while the copy is in flight, A's scan says infected, A deletes
    // the staging object and rejects the record. B's commit then fails: its copy must not stay.
    let copyStarted!: () => void
    let releaseCopy!: () => void
    const copying = new Promise<void>((resolve) => (copyStarted = resolve))
    const copyMayFinish = new Promise<void>((resolve) => (releaseCopy = resolve))
    let scans = 0
    const upload = await quarantined(async () => {
      const call = ++scans
      if (call === 1) return 'clean'
      await copying
      return 'infected'
    })
    s3.put(STAGING, png(2000), 'image/png')
    s3.mock.on(CopyObjectCommand).callsFake(async ({ Key }: { Key: string }) => {
      s3.objects.set(Key, { ...s3.objects.get(STAGING)! })
      copyStarted()
      await copyMayFinish
      return {}
    })
    const b = upload.complete({ key: KEY, owner: 'alice' })
    const a = upload.complete({ key: KEY, owner: 'alice' })
    expect((await failure(a)).code).toBe('SCAN_FAILED')
    releaseCopy()
    expect((await failure(b)).code).toBe('UPLOAD_REJECTED')
    expect(s3.inputs(CopyObjectCommand)).toHaveLength(1)
    expect(s3.inputs(DeleteObjectCommand).map((i) => i.Key)).toEqual([STAGING, KEY])
    expect(await store.get(KEY, T)).toMatchObject({ state: 'rejected', reason: 'SCAN_FAILED' })
    expect([...s3.objects.keys()]).toEqual([])
  })

  it('a failed copy → S3_ERROR, the record still pending', async () => {
    const upload = await quarantined(() => 'clean')
    s3.put(STAGING, png(2000), 'image/png')
    s3.mock.on(CopyObjectCommand).rejects(new Error('AccessDenied'))
    expect((await failure(upload.complete({ key: KEY, owner: 'alice' }))).code).toBe('S3_ERROR')
    expect((await store.get(KEY, T))?.state).toBe('pending')
  })
})
