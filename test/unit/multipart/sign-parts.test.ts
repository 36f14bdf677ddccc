// signParts(): part URLs signed just in time for one upload of one owner, each with its part's exact
// Content-Length (and digest, and the owner ACL in a split setup) as signed headers, never longer
// than a grant and never past the upload's own deadline. Signing asks nothing of S3.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MAX_PARTS_PER_SIGN } from '../../../src/limits.js'
import type { SafeUploadConfig } from '../../../src/upload.js'
import { ACCESS_KEY, failure, params, signedHeaders, T } from '../core/fixtures.js'
import { md5, MiB, sha256, SIGNER_KEY, world, type World } from './setup.js'

let w: World
beforeEach(() => (w = world()))
afterEach(() => w.s3.restore())

const SIZE = 20 * MiB + 1 // 8 MiB, 8 MiB, 4 MiB + 1
const LENGTHS = [8 * MiB, 8 * MiB, 4 * MiB + 1]

async function started(config: Partial<SafeUploadConfig> = {}, size = SIZE, partSize?: number) {
  const up = w.uploader({ multipart: { expiresIn: 3600 }, ...config })
  const created = await up.createMultipart({ owner: 'alice', contentType: 'image/png', size, partSize })
  const ref = { key: created.key, uploadId: created.uploadId, owner: 'alice' }
  w.events.length = 0
  return { up, created, ref }
}

describe('each URL signs its part, and nothing else', () => {
  it('three parts: the exact lengths (the last smaller), partNumber, uploadId and x-id=UploadPart in the query, the signer’s credential', async () => {
    const { up, created, ref } = await started()
    const calls = w.s3.calls.length
    const grants = await up.signParts({ ...ref, parts: [{ partNumber: 3 }, { partNumber: 1 }, { partNumber: 2 }] })
    expect(grants.map((g) => g.partNumber)).toEqual([3, 1, 2])
    for (const grant of grants) {
      const q = params(grant.url)
      const length = LENGTHS[grant.partNumber - 1]!
      expect(grant.headers).toEqual({ 'content-length': String(length), 'x-amz-acl': 'bucket-owner-full-control' })
      expect(signedHeaders(grant.url)).toEqual(['content-length', 'host', 'x-amz-acl'])
      expect(new URL(grant.url).pathname).toBe(`/${created.key}`)
      expect(q.get('partNumber')).toBe(String(grant.partNumber))
      expect(q.get('uploadId')).toBe(created.uploadId)
      expect(q.get('x-id')).toBe('UploadPart')
      expect(q.get('X-Amz-Credential')).toMatch(new RegExp(`^${SIGNER_KEY}/20250115/eu-west-1/s3/aws4_request$`))
      expect(q.get('X-Amz-Credential')).not.toContain(ACCESS_KEY)
      expect(q.get('X-Amz-Date')).toBe('20250115T120000Z')
      expect(q.get('X-Amz-Expires')).toBe('300')
      // Kept a header: in the query, RGW would ignore the ACL and a client header of its own would win.
      expect(q.has('x-amz-acl')).toBe(false)
      expect(grant.expiresAt).toBe(T + 300_000)
    }
    expect(w.s3.calls.length).toBe(calls)
  })

  it('one client (no separate signer): only content-length and host are signed', async () => {
    const { up, ref } = await started({ signer: undefined })
    const [grant] = await up.signParts({ ...ref, parts: [{ partNumber: 1 }] })
    expect(grant!.headers).toEqual({ 'content-length': String(8 * MiB) })
    expect(signedHeaders(grant!.url)).toEqual(['content-length', 'host'])
    expect(params(grant!.url).get('X-Amz-Credential')).toMatch(new RegExp(`^${ACCESS_KEY}/`))
  })

  it('a one-part upload of 1 byte signs content-length 1', async () => {
    const { up, ref } = await started({}, 1)
    const [grant] = await up.signParts({ ...ref, parts: [{ partNumber: 1 }] })
    expect(grant!.headers['content-length']).toBe('1')
  })

  it('100 parts in one call, each its own URL', async () => {
    const { up, ref } = await started({}, 600 * MiB, 5 * MiB)
    const grants = await up.signParts({ ...ref, parts: Array.from({ length: MAX_PARTS_PER_SIGN }, (_, i) => ({ partNumber: i + 21 })) })
    expect(grants).toHaveLength(100)
    expect(new Set(grants.map((g) => g.url)).size).toBe(100)
    expect(grants.map((g) => params(g.url).get('partNumber'))).toEqual(Array.from({ length: 100 }, (_, i) => String(i + 21)))
  })
})

describe('checksums: signed headers, never hoisted into the query', () => {
  const part = Buffer.alloc(100, 1)
  it.each([
    { checksum: 'md5' as const, digest: md5(part), header: 'content-md5' },
    { checksum: 'sha256' as const, digest: sha256(part), header: 'x-amz-checksum-sha256' },
  ])('$checksum → $header', async ({ checksum, digest, header }) => {
    const { up, ref } = await started({ checksum })
    const [grant] = await up.signParts({ ...ref, parts: [{ partNumber: 2, checksum: digest }] })
    expect(grant!.headers[header]).toBe(digest)
    expect(signedHeaders(grant!.url)).toContain(header)
    expect(params(grant!.url).has(header)).toBe(false)
    expect(grant!.url).not.toContain(encodeURIComponent(digest))
  })

  it.each([
    { checksum: 'md5' as const, value: undefined, why: 'missing' },
    { checksum: 'md5' as const, value: sha256('x'), why: 'a SHA-256 on an MD5 builder' },
    { checksum: 'md5' as const, value: 'not base64!', why: 'malformed' },
    { checksum: 'sha256' as const, value: undefined, why: 'missing' },
    { checksum: 'sha256' as const, value: md5('x'), why: 'an MD5 on a SHA-256 builder' },
    { checksum: 'sha256' as const, value: 42, why: 'a number' },
  ])('$checksum builder, a part checksum that is $why → CHECKSUM_REQUIRED naming parts[1].checksum', async ({ checksum, value }) => {
    const { up, ref } = await started({ checksum })
    const good = checksum === 'md5' ? md5('a') : sha256('a')
    const error = await failure(up.signParts({ ...ref, parts: [{ partNumber: 1, checksum: good }, { partNumber: 2, checksum: value as string }] }))
    expect(error.code).toBe('CHECKSUM_REQUIRED')
    expect(error.details?.option).toBe('parts[1].checksum')
  })

  it('a checksum on a builder without one → INVALID_REQUEST', async () => {
    const { up, ref } = await started()
    const error = await failure(up.signParts({ ...ref, parts: [{ partNumber: 1, checksum: md5('a') }] }))
    expect(error.code).toBe('INVALID_REQUEST')
    expect(error.details?.option).toBe('parts[0].checksum')
  })
})

describe('refused requests', () => {
  it.each([
    { name: 'part 0', parts: [{ partNumber: 0 }], option: 'parts[0].partNumber' },
    { name: 'partCount + 1', parts: [{ partNumber: 1 }, { partNumber: 4 }], option: 'parts[1].partNumber' },
    { name: 'a negative part', parts: [{ partNumber: -1 }], option: 'parts[0].partNumber' },
    { name: 'a fraction', parts: [{ partNumber: 1.5 }], option: 'parts[0].partNumber' },
    { name: 'a string', parts: [{ partNumber: '1' }], option: 'parts[0].partNumber' },
    { name: 'NaN', parts: [{ partNumber: Number.NaN }], option: 'parts[0].partNumber' },
    { name: 'a duplicate', parts: [{ partNumber: 2 }, { partNumber: 1 }, { partNumber: 2 }], option: 'parts[2].partNumber' },
    { name: 'a null part', parts: [null], option: 'parts[0].partNumber' },
    { name: 'no parts', parts: [], option: 'parts' },
    { name: '101 parts', parts: Array.from({ length: 101 }, (_, i) => ({ partNumber: i + 1 })), option: 'parts' },
    { name: 'parts not an array', parts: { partNumber: 1 }, option: 'parts' },
  ])('$name → INVALID_REQUEST naming $option', async ({ parts, option }) => {
    const { up, ref } = await started()
    const error = await failure(up.signParts({ ...ref, parts } as never))
    expect(error.code).toBe('INVALID_REQUEST')
    expect(error.details?.option).toBe(option)
    if (option === 'parts') expect(error.details?.limit).toBe(100)
    else if (!option.startsWith('parts[2]')) expect(error.details?.limit).toBe(3)
  })

  it.each([
    { name: 'another owner', change: { owner: 'mallory' }, code: 'FORBIDDEN' },
    { name: 'an unknown key', change: { key: 'uploads/00000000-0000-4000-8000-0000000000ff.png' }, code: 'NOT_FOUND' },
    { name: 'another uploadId', change: { uploadId: '2~someone-elses' }, code: 'NOT_FOUND' },
    { name: 'a key outside the prefix', change: { key: 'other/00000000-0000-4000-8000-000000000001.png' }, code: 'INVALID_KEY' },
    { name: 'an uploadId with a space', change: { uploadId: 'a b' }, code: 'INVALID_REQUEST' },
    { name: 'no uploadId', change: { uploadId: undefined }, code: 'INVALID_REQUEST' },
  ])('$name → $code, nothing signed', async ({ change, code }) => {
    const { up, ref } = await started()
    const error = await failure(up.signParts({ ...ref, ...change, parts: [{ partNumber: 1 }] } as never))
    expect(error.code).toBe(code)
    expect(JSON.stringify(error)).not.toContain('X-Amz-Signature')
  })

  it.each([
    { state: 'committed' as const, patch: { settledAt: T, purgeAt: undefined } },
    { state: 'rejected' as const, patch: { reason: 'ABORTED', settledAt: T } },
  ])('a $state record → UPLOAD_REJECTED', async ({ state, patch }) => {
    const { up, ref } = await started()
    await w.store.transition(ref.key, 'pending', state, patch, T)
    const error = await failure(up.signParts({ ...ref, parts: [{ partNumber: 1 }] }))
    expect(error.code).toBe('UPLOAD_REJECTED')
  })
})

describe('lifetime: at most the builder’s expiresIn, never past the upload’s expiresAt', () => {
  it.each([
    { name: 'an hour left', left: 3_600_000, expires: 300 },
    { name: '300 s left', left: 300_000, expires: 300 },
    { name: '100.5 s left', left: 100_500, expires: 100 },
    { name: '1 s left', left: 1000, expires: 1 },
  ])('$name → X-Amz-Expires $expires', async ({ left, expires }) => {
    const { up, created, ref } = await started()
    w.clock.now = created.expiresAt - left
    const [grant] = await up.signParts({ ...ref, parts: [{ partNumber: 1 }] })
    expect(params(grant!.url).get('X-Amz-Expires')).toBe(String(expires))
    expect(grant!.expiresAt).toBeLessThanOrEqual(created.expiresAt)
    // Valid from X-Amz-Date, a whole second.
    expect(grant!.expiresAt).toBe(Math.floor(w.clock.now / 1000) * 1000 + expires * 1000)
  })

  it.each([
    { name: 'half a second left', after: -500 },
    { name: 'at expiresAt', after: 0 },
    { name: 'half an hour after (the record outlives it by pendingTtl)', after: 1_800_000 },
  ])('$name → UPLOAD_EXPIRED with the deadline', async ({ after }) => {
    const { up, created, ref } = await started()
    w.clock.now = created.expiresAt + after
    const error = await failure(up.signParts({ ...ref, parts: [{ partNumber: 1 }] }))
    expect(error.code).toBe('UPLOAD_EXPIRED')
    expect(error.details).toMatchObject({ key: ref.key, expiresAt: after < 0 ? w.clock.now : created.expiresAt })
  })

  it('after expiresAt + pendingTtl the record is gone → NOT_FOUND', async () => {
    const { up, created, ref } = await started()
    w.clock.now = created.expiresAt + 3_600_000
    expect((await failure(up.signParts({ ...ref, parts: [{ partNumber: 1 }] }))).code).toBe('NOT_FOUND')
  })
})

describe('store calls and events', () => {
  it('one store get per call, whatever the number of parts', async () => {
    const { ref } = await started()
    const inner = w.store
    let gets = 0
    w.store = { ...inner, get: (...args) => (gets++, inner.get(...args)) }
    const counted = w.uploader({ multipart: { expiresIn: 3600 } })
    await counted.signParts({ ...ref, parts: [{ partNumber: 1 }, { partNumber: 2 }, { partNumber: 3 }] })
    await counted.signParts({ ...ref, parts: [{ partNumber: 1 }] })
    expect(gets).toBe(2)
  })

  it('multipart.signed with the key', async () => {
    const { up, ref } = await started()
    await up.signParts({ ...ref, parts: [{ partNumber: 1 }] })
    expect(w.events).toEqual([{ type: 'multipart.signed', time: T, subject: 'alice', key: ref.key, reason: 'ok', method: 'MULTIPART' }])
  })

  it.each([
    { name: 'another owner', change: { owner: 'mallory' }, subject: 'mallory', reason: 'FORBIDDEN' },
    { name: 'part 0', change: { parts: [{ partNumber: 0 }] }, subject: 'alice', reason: 'INVALID_REQUEST' },
  ])('upload.denied with method MULTIPART on $name, no URL in it', async ({ change, subject, reason }) => {
    const { up, ref } = await started()
    await failure(up.signParts({ ...ref, parts: [{ partNumber: 1 }], ...change }))
    expect(w.events).toEqual([{ type: 'upload.denied', time: T, subject, key: ref.key, reason, method: 'MULTIPART' }])
  })

  it('after expiresAt: upload.denied with UPLOAD_EXPIRED', async () => {
    const { up, created, ref } = await started()
    w.clock.now = created.expiresAt
    await failure(up.signParts({ ...ref, parts: [{ partNumber: 1 }] }))
    expect(w.events).toEqual([{ type: 'upload.denied', time: created.expiresAt, subject: 'alice', key: ref.key, reason: 'UPLOAD_EXPIRED', method: 'MULTIPART' }])
  })
})
