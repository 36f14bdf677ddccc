// Differential tests: our signing (a hand-built request through S3RequestPresigner, no middleware
// stack) must produce byte-for-byte the URL and POST fields the SDK's own getSignedUrl and
// createPresignedPost produce for the equivalent command, for fixed signing dates.
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { createPresignedPost } from '@aws-sdk/s3-presigned-post'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createSafeUpload, type SafeUploadConfig } from '../../../src/upload.js'
import { presign } from '../../../src/sign/presign.js'
import { presignPost, type PostCondition } from '../../../src/sign/post.js'
import { memoryStore } from '../../../src/stores/memory.js'
import { ID, localClient, params, s3Client, sessionCredentials, signedHeaders, T, failure } from '../core/fixtures.js'

const MD5 = Buffer.alloc(16, 7).toString('base64')
const SHA256 = Buffer.alloc(32, 9).toString('base64')

const clients = {
  'virtual-host eu-west-1': () => s3Client(),
  'virtual-host eu-west-1, session token': () => s3Client({ credentials: sessionCredentials }),
  'virtual-host us-east-1': () => s3Client({ region: 'us-east-1' }),
  'path-style 127.0.0.1:9000': () => localClient(),
  'path-style 127.0.0.1:9000, session token': () => localClient({ credentials: sessionCredentials }),
} satisfies Record<string, () => S3Client>

function uploader(client: S3Client, config: Partial<SafeUploadConfig> = {}) {
  return createSafeUpload({
    client,
    bucket: 'photos-bucket',
    store: memoryStore(),
    allowedContentTypes: ['image/png', 'image/*'],
    maxSize: 10_000_000,
    now: () => T,
    generateId: () => ID,
    ...config,
  })
}

const UNHOISTED = new Set(['x-amz-checksum-sha256', 'x-amz-meta-filename'])

// POST and overwriting PUT grants must land in quarantine (INVALID_CONFIG otherwise): they sign the
// staging key, while the grant still names the final key.
const QUARANTINE = { quarantine: { prefix: 'quarantine/' } } as const
const STAGING = `quarantine/${ID}.png`

describe('PUT grants are byte-identical to getSignedUrl(PutObjectCommand)', () => {
  const cases: {
    name: string
    client: () => S3Client
    bucket?: string
    checksum?: 'md5' | 'sha256'
    overwrite?: boolean
    filename?: string
    expiresIn?: number
    at?: number
  }[] = [
    { name: 'virtual-host, minimal', client: clients['virtual-host eu-west-1'] },
    { name: 'virtual-host, session token, MD5, unicode filename', client: clients['virtual-host eu-west-1, session token'], checksum: 'md5', filename: 'Photo été 🌄 (1).png' },
    { name: 'virtual-host us-east-1, SHA-256, 60 s', client: clients['virtual-host us-east-1'], checksum: 'sha256', filename: 'a.png', expiresIn: 60 },
    { name: 'path-style, SHA-256, reserved chars in filename', client: clients['path-style 127.0.0.1:9000'], checksum: 'sha256', filename: "it's 100% [draft] #1; a=b & c.png" },
    { name: 'path-style, session token, overwrite (quarantined)', client: clients['path-style 127.0.0.1:9000, session token'], overwrite: true, filename: 'x.png' },
    { name: 'path-style, bucket with dots', client: clients['path-style 127.0.0.1:9000'], bucket: 'my.dotted.bucket', checksum: 'md5' },
    { name: 'AWS, bucket with dots (the SDK falls back to path-style over https)', client: clients['virtual-host eu-west-1'], bucket: 'my.dotted.bucket' },
    { name: 'a signing date that is not a whole second', client: clients['virtual-host eu-west-1'], at: T + 987, filename: 'late.png' },
    { name: 'a signing date on another day', client: clients['path-style 127.0.0.1:9000'], at: Date.UTC(2031, 11, 31, 23, 59, 59), checksum: 'sha256' },
  ]

  it.each(cases)('$name', async (c) => {
    const client = c.client()
    const at = c.at ?? T
    const bucket = c.bucket ?? 'photos-bucket'
    const checksum = c.checksum === 'md5' ? MD5 : c.checksum === 'sha256' ? SHA256 : undefined
    const upload = uploader(client, { bucket, checksum: c.checksum ?? false, overwrite: c.overwrite ?? false, now: () => at, ...(c.overwrite ? QUARANTINE : {}) })
    const grant = await upload.presign({ owner: 'alice', contentType: 'image/png', size: 4242, filename: c.filename, checksum, expiresIn: c.expiresIn })
    expect(grant.method).toBe('PUT')

    const sdk = await getSignedUrl(
      client,
      new PutObjectCommand({
        Bucket: bucket,
        // An overwriting grant is quarantined: the URL writes the staging key, never the final one.
        Key: c.overwrite ? STAGING : grant.key,
        ContentType: 'image/png',
        ContentLength: 4242,
        ...(c.overwrite ? {} : { IfNoneMatch: '*' }),
        ...(c.checksum === 'md5' ? { ContentMD5: MD5 } : {}),
        ...(c.checksum === 'sha256' ? { ChecksumSHA256: SHA256 } : {}),
        ...(c.filename === undefined ? {} : { Metadata: { filename: encodeURIComponent(c.filename) } }),
      }),
      { expiresIn: c.expiresIn ?? 300, signingDate: new Date(at), signableHeaders: new Set(['content-type']), unhoistableHeaders: UNHOISTED },
    )
    expect(grant.url).toBe(sdk)
    expect(grant.key).toBe(`uploads/${ID}.png`)
  })

  it('keeps the bucket in the path for path-style and in the host for virtual-host', async () => {
    const local = await uploader(localClient(), { bucket: 'my.dotted.bucket' }).presign({ owner: 'a', contentType: 'image/png', size: 1 })
    expect(local.url.startsWith(`http://127.0.0.1:9000/my.dotted.bucket/uploads/${ID}.png?`)).toBe(true)
    const aws = await uploader(s3Client()).presign({ owner: 'a', contentType: 'image/png', size: 1 })
    expect(aws.url.startsWith(`https://photos-bucket.s3.eu-west-1.amazonaws.com/uploads/${ID}.png?`)).toBe(true)
  })
})

// Keys as the signer may see them: any code point (astral and controls included), S3's awkward
// characters, spaces, and several non-empty segments.
const RESERVED = [..."!'()*+,;=:@&$ ~%#?[]"]
const codePoint = fc.nat({ max: 0x10ffff - 0x800 }).map((n) => String.fromCodePoint(n >= 0xd800 ? n + 0x800 : n))
const keyChar = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...RESERVED) },
  { weight: 3, arbitrary: fc.constantFrom('a', 'Z', '0', '-', '_', '.') },
  { weight: 2, arbitrary: codePoint },
  { weight: 1, arbitrary: fc.constantFrom('é', '日本', '🌍', '𝕏', '\u{10FFFD}', 'e\u0301') },
)
const segment = fc.string({ unit: keyChar, minLength: 1, maxLength: 10 })
const objectKey = fc.array(segment, { minLength: 1, maxLength: 5 }).map((segments) => segments.join('/'))

describe('presign() matches getSignedUrl for any key', () => {
  const signingDate = new Date(T)

  it.each(Object.keys(clients) as (keyof typeof clients)[])('PUT with signed content-type and content-length, %s', async (name) => {
    const client = clients[name]()
    await fc.assert(
      fc.asyncProperty(objectKey, fc.integer({ min: 1, max: 5 * 1024 ** 3 }), async (key, size) => {
        const ours = await presign(client, {
          method: 'PUT',
          bucket: 'photos-bucket',
          key,
          headers: { 'content-type': 'image/png', 'content-length': String(size) },
          expiresIn: 300,
          signingDate,
        })
        const sdk = await getSignedUrl(client, new PutObjectCommand({ Bucket: 'photos-bucket', Key: key, ContentType: 'image/png', ContentLength: size }), {
          expiresIn: 300,
          signingDate,
          signableHeaders: new Set(['content-type']),
        })
        expect(ours.url).toBe(sdk)
      }),
      { numRuns: 150 },
    )
  })

  it.each(Object.keys(clients) as (keyof typeof clients)[])('GET with response-content-disposition and -type, %s', async (name) => {
    const client = clients[name]()
    await fc.assert(
      fc.asyncProperty(objectKey, fc.string({ maxLength: 40 }), async (key, filename) => {
        const disposition = `attachment; filename*=UTF-8''${encodeURIComponent(filename)}`
        const ours = await presign(client, {
          method: 'GET',
          bucket: 'photos-bucket',
          key,
          query: { 'response-content-disposition': disposition, 'response-content-type': 'image/png' },
          expiresIn: 60,
          signingDate,
        })
        const sdk = await getSignedUrl(
          client,
          new GetObjectCommand({ Bucket: 'photos-bucket', Key: key, ResponseContentDisposition: disposition, ResponseContentType: 'image/png' }),
          { expiresIn: 60, signingDate, signableHeaders: new Set(['content-type']) },
        )
        expect(ours.url).toBe(sdk)
      }),
      { numRuns: 150 },
    )
  })

  it('GET matches the SDK on a client with its default response checksum validation too', async () => {
    // The SDK adds x-amz-checksum-mode=ENABLED to GETs then; we must sign the same request.
    const client = s3Client({ requestChecksumCalculation: undefined })
    const key = `uploads/${ID}.png`
    const ours = await presign(client, { method: 'GET', bucket: 'photos-bucket', key, query: { 'response-content-type': 'image/png' }, expiresIn: 60, signingDate })
    const sdk = await getSignedUrl(client, new GetObjectCommand({ Bucket: 'photos-bucket', Key: key, ResponseContentType: 'image/png' }), { expiresIn: 60, signingDate })
    expect(params(sdk).get('x-amz-checksum-mode')).toBe('ENABLED')
    expect(ours.url).toBe(sdk)
  })
})

describe('PUT grants never carry the SDK checksum of an empty body', () => {
  it('getSignedUrl on a default client (WHEN_SUPPORTED) adds x-amz-checksum-crc32 and x-amz-sdk-checksum-algorithm: the pitfall is real', async () => {
    const client = s3Client({ requestChecksumCalculation: 'WHEN_SUPPORTED' })
    const sdk = await getSignedUrl(client, new PutObjectCommand({ Bucket: 'photos-bucket', Key: `uploads/${ID}.png`, ContentType: 'image/png', ContentLength: 4242 }), {
      expiresIn: 300,
      signingDate: new Date(T),
      signableHeaders: new Set(['content-type']),
    })
    // CRC32 of zero bytes, hoisted into the query: any real file then fails the check.
    expect(params(sdk).get('x-amz-checksum-crc32')).toBe('AAAAAA==')
    expect(params(sdk).get('x-amz-sdk-checksum-algorithm')).toBe('CRC32')
  })

  it.each([
    { requestChecksumCalculation: 'WHEN_SUPPORTED' as const, checksum: false as const },
    { requestChecksumCalculation: 'WHEN_SUPPORTED' as const, checksum: 'md5' as const },
    { requestChecksumCalculation: 'WHEN_SUPPORTED' as const, checksum: 'sha256' as const },
    { requestChecksumCalculation: undefined, checksum: false as const },
    { requestChecksumCalculation: 'WHEN_REQUIRED' as const, checksum: 'sha256' as const },
  ])('createSafeUpload on a client with requestChecksumCalculation $requestChecksumCalculation, checksum $checksum: none', async (c) => {
    const client = s3Client({ requestChecksumCalculation: c.requestChecksumCalculation })
    const checksum = c.checksum === 'md5' ? MD5 : c.checksum === 'sha256' ? SHA256 : undefined
    const grant = await uploader(client, { checksum: c.checksum }).presign({ owner: 'alice', contentType: 'image/png', size: 4242, checksum })
    if (grant.method !== 'PUT') throw new Error('expected a PUT grant')
    const everything = `${grant.url} ${JSON.stringify(grant.headers)}`.toLowerCase()
    expect(everything).not.toContain('x-amz-checksum-crc32')
    expect(everything).not.toContain('x-amz-sdk-checksum-algorithm')
    expect(signedHeaders(grant.url).filter((h) => h.startsWith('x-amz-checksum') || h.startsWith('x-amz-sdk'))).toEqual(
      c.checksum === 'sha256' ? ['x-amz-checksum-sha256'] : [],
    )
  })
})

describe('X-Amz-SignedHeaders of a PUT grant: exactly the headers the client must send, plus host', () => {
  const cases = [
    { checksum: false, overwrite: false, filename: undefined, signed: ['content-length', 'content-type', 'host', 'if-none-match'] },
    { checksum: false, overwrite: true, filename: undefined, signed: ['content-length', 'content-type', 'host'] },
    { checksum: 'md5', overwrite: false, filename: 'a.png', signed: ['content-length', 'content-md5', 'content-type', 'host', 'if-none-match', 'x-amz-meta-filename'] },
    { checksum: 'sha256', overwrite: false, filename: undefined, signed: ['content-length', 'content-type', 'host', 'if-none-match', 'x-amz-checksum-sha256'] },
    { checksum: 'sha256', overwrite: true, filename: 'ünï cödé.png', signed: ['content-length', 'content-type', 'host', 'x-amz-checksum-sha256', 'x-amz-meta-filename'] },
  ] as const

  it.each(cases)('checksum $checksum, overwrite $overwrite, filename $filename → $signed', async (c) => {
    const checksum = c.checksum === 'md5' ? MD5 : c.checksum === 'sha256' ? SHA256 : undefined
    const grant = await uploader(s3Client(), { checksum: c.checksum, overwrite: c.overwrite, ...(c.overwrite ? QUARANTINE : {}) }).presign({
      owner: 'alice',
      contentType: 'image/png',
      size: 4242,
      checksum,
      filename: c.filename,
    })
    if (grant.method !== 'PUT') throw new Error('expected a PUT grant')
    expect(signedHeaders(grant.url)).toEqual(c.signed)
    expect(Object.keys(grant.headers).sort()).toEqual(c.signed.filter((h) => h !== 'host'))
    // Signed headers stay headers: none of them is hoisted into the query, where S3 would not enforce it.
    for (const name of c.signed) expect(params(grant.url).has(name)).toBe(false)
    expect(grant.headers['content-length']).toBe('4242')
    if (c.filename !== undefined) expect(decodeURIComponent(grant.headers['x-amz-meta-filename']!)).toBe(c.filename)
    // Without If-None-Match the URL can write again: it must target the staging key only.
    expect(new URL(grant.url).pathname).toBe(c.overwrite ? `/${STAGING}` : `/uploads/${ID}.png`)
    expect(grant.key).toBe(`uploads/${ID}.png`)
  })
})

describe('POST: presignPost is byte-identical to createPresignedPost', () => {
  afterEach(() => vi.useRealTimers())

  const conditions: PostCondition[] = [
    ['content-length-range', 1, 10_000_000],
    ['starts-with', '$Content-Type', 'image/'],
  ]
  const cases: { name: string; client: () => S3Client; fields: Record<string, string> }[] = [
    { name: 'virtual-host, static credentials', client: clients['virtual-host eu-west-1'], fields: { success_action_status: '201' } },
    { name: 'virtual-host, session token', client: clients['virtual-host eu-west-1, session token'], fields: { success_action_status: '201', 'x-amz-meta-filename': 'a%20b.png' } },
    { name: 'path-style, static credentials', client: clients['path-style 127.0.0.1:9000'], fields: { success_action_status: '201', 'Content-Type': 'image/png' } },
    { name: 'path-style, session token', client: clients['path-style 127.0.0.1:9000, session token'], fields: {} },
  ]

  it.each(cases)('$name', async (c) => {
    const client = c.client()
    const key = `uploads/${ID}.png`
    const ours = await presignPost(client, { bucket: 'photos-bucket', key, fields: c.fields, conditions, expiresIn: 300, signingDate: new Date(T) })
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date(T))
    const sdk = await createPresignedPost(client, { Bucket: 'photos-bucket', Key: key, Conditions: conditions as never, Fields: c.fields, Expires: 300 })
    vi.useRealTimers()
    expect(ours.url).toBe(sdk.url)
    expect(ours.fields).toEqual(sdk.fields)
    expect(Object.keys(ours.fields)).toEqual(Object.keys(sdk.fields))
    expect(ours.expiresIn).toBe(300)
  })
})

describe('a quarantined POST grant is byte-identical to createPresignedPost for the staging key', () => {
  afterEach(() => vi.useRealTimers())

  const filename = 'Übersicht 2024 (final).png'
  it.each([
    { name: 'exact type, filename, session token', contentType: 'image/png', filename, client: clients['virtual-host eu-west-1, session token'], staging: STAGING },
    { name: 'image/*, path-style', contentType: 'image/*', filename: undefined, client: clients['path-style 127.0.0.1:9000'], staging: `quarantine/${ID}` },
  ])('$name', async (c) => {
    const client = c.client()
    const grant = await uploader(client, { method: 'POST', ...QUARANTINE }).presign({ owner: 'alice', contentType: c.contentType, filename: c.filename })
    if (grant.method !== 'POST') throw new Error('expected a POST grant')
    const wildcard = c.contentType.endsWith('/*')
    const fields: Record<string, string> = { success_action_status: '201' }
    if (!wildcard) fields['Content-Type'] = c.contentType
    if (c.filename !== undefined) fields['x-amz-meta-filename'] = encodeURIComponent(c.filename)
    const conditions = [['content-length-range', 1, 10_000_000], ...(wildcard ? [['starts-with', '$Content-Type', 'image/']] : [])]
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date(T))
    const sdk = await createPresignedPost(client, { Bucket: 'photos-bucket', Key: c.staging, Conditions: conditions as never, Fields: fields, Expires: 300 })
    vi.useRealTimers()
    expect(grant.url).toBe(sdk.url)
    expect(grant.fields).toEqual(sdk.fields)
    expect(Object.keys(grant.fields)).toEqual(Object.keys(sdk.fields))
    expect(grant.fields.key).toBe(c.staging)
    expect(grant.key).toBe(c.staging.replace(/^quarantine\//, 'uploads/'))
  })
})

describe('the policy of a POST grant holds exactly the conditions the design requires', () => {
  const filename = 'Übersicht 2024 (final).png'
  const cases = [
    { name: 'known size, exact type, filename', size: 2048, contentType: 'image/png', filename, session: false },
    { name: 'unknown size, exact type', size: undefined, contentType: 'image/png', filename: undefined, session: false },
    { name: 'unknown size, image/*, filename, session token', size: undefined, contentType: 'image/*', filename, session: true },
    { name: 'known size, image/*', size: 10, contentType: 'image/*', filename: undefined, session: true },
  ]

  it.each(cases)('$name', async (c) => {
    const client = s3Client(c.session ? { credentials: sessionCredentials } : {})
    const upload = uploader(client, { method: 'POST', maxSize: 5_000_000, ...QUARANTINE })
    const grant = await upload.presign({ owner: 'alice', contentType: c.contentType, size: c.size, filename: c.filename })
    if (grant.method !== 'POST') throw new Error('expected a POST grant')
    const policy = JSON.parse(Buffer.from(grant.fields.Policy!, 'base64').toString('utf8')) as { expiration: string; conditions: unknown[] }

    expect(policy.expiration).toBe(new Date(grant.expiresAt).toISOString().replace('.000Z', 'Z'))
    expect(grant.expiresAt).toBe(T + 300_000)
    const wildcard = c.contentType === 'image/*'
    const expected: unknown[] = [
      ['content-length-range', c.size ?? 1, c.size ?? 5_000_000],
      ...(wildcard ? [['starts-with', '$Content-Type', 'image/']] : []),
      { success_action_status: '201' },
      ...(wildcard ? [] : [{ 'Content-Type': c.contentType }]),
      ...(c.filename ? [{ 'x-amz-meta-filename': encodeURIComponent(c.filename) }] : []),
      { bucket: 'photos-bucket' },
      { 'X-Amz-Algorithm': 'AWS4-HMAC-SHA256' },
      { 'X-Amz-Credential': `AKIAIOSFODNN7EXAMPLE/20250115/eu-west-1/s3/aws4_request` },
      { 'X-Amz-Date': '20250115T120000Z' },
      ...(c.session ? [{ 'X-Amz-Security-Token': sessionCredentials.sessionToken }] : []),
      // createPresignedPost's form of an exact match: the key cannot be chosen by the client. It is
      // the staging key: the form can never write the final key that complete() promotes to.
      { key: wildcard ? `quarantine/${ID}` : STAGING },
    ]
    expect(policy.conditions).toEqual(expected)
    expect(policy.conditions).not.toContainEqual(expect.arrayContaining(['starts-with', '$key']))
    // Every signed exact-match field is in the form the client sends, with the same value.
    for (const condition of expected) {
      if (!Array.isArray(condition)) for (const [k, v] of Object.entries(condition as object)) expect(grant.fields[k]).toBe(v)
    }
    expect(grant.key).toBe(wildcard ? `uploads/${ID}` : `uploads/${ID}.png`)
    expect(grant.fields.key).toBe(wildcard ? `quarantine/${ID}` : STAGING)
  })

  it('pins the quarantine key in the policy while the grant names the final key', async () => {
    const upload = uploader(s3Client(), { method: 'POST', quarantine: { prefix: 'quarantine/' } })
    const grant = await upload.presign({ owner: 'alice', contentType: 'image/png' })
    if (grant.method !== 'POST') throw new Error('expected a POST grant')
    const policy = JSON.parse(Buffer.from(grant.fields.Policy!, 'base64').toString('utf8')) as { conditions: unknown[] }
    expect(grant.key).toBe(`uploads/${ID}.png`)
    expect(grant.fields.key).toBe(`quarantine/${ID}.png`)
    expect(policy.conditions.at(-1)).toEqual({ key: `quarantine/${ID}.png` })
  })
})

describe('temporary credentials that expire before the grant would', () => {
  const expiring = (expiration: number) =>
    s3Client({ credentials: async () => ({ ...sessionCredentials, expiration: new Date(expiration) }) })

  const cases = [
    { expiration: T + 3_600_000, signed: 300 },
    { expiration: T + 300_000, signed: 300 },
    { expiration: T + 299_999, signed: 299 },
    { expiration: T + 100_500, signed: 100 },
    { expiration: T + 1_000, signed: 1 },
  ]

  it.each(cases)('PUT: credentials expiring at T+$expiration ms → X-Amz-Expires $signed', async ({ expiration, signed }) => {
    const grant = await uploader(expiring(expiration)).presign({ owner: 'alice', contentType: 'image/png', size: 1 })
    expect(params(grant.url).get('X-Amz-Expires')).toBe(String(signed))
    expect(grant.expiresAt).toBe(T + signed * 1000)
    // Never claims more than the credentials allow: the expiry truncated to the second, or the grant's own.
    expect(grant.expiresAt).toBe(Math.min(Math.floor(expiration / 1000) * 1000, T + 300_000))
  })

  it.each(cases)('POST: credentials expiring at T+$expiration ms → policy expiration shortened to $signed s', async ({ expiration, signed }) => {
    const grant = await uploader(expiring(expiration), { method: 'POST', ...QUARANTINE }).presign({ owner: 'alice', contentType: 'image/png' })
    if (grant.method !== 'POST') throw new Error('expected a POST grant')
    const policy = JSON.parse(Buffer.from(grant.fields.Policy!, 'base64').toString('utf8')) as { expiration: string }
    expect(grant.expiresAt).toBe(T + signed * 1000)
    expect(policy.expiration).toBe(new Date(T + signed * 1000).toISOString().replace('.000Z', 'Z'))
  })

  it.each([T + 999, T + 1, T, T - 60_000])('credentials expiring at %i (less than 1 s left) → CREDENTIALS_EXPIRING, nothing recorded', async (expiration) => {
    const store = memoryStore()
    for (const method of ['PUT', 'POST'] as const) {
      const error = await failure(uploader(expiring(expiration), { method, store, ...(method === 'POST' ? QUARANTINE : {}) }).presign({ owner: 'alice', contentType: 'image/png', size: 1 }))
      expect(error.code).toBe('CREDENTIALS_EXPIRING')
      expect(error.message).toContain(new Date(expiration).toISOString())
      expect(await store.get(`uploads/${ID}.png`, T)).toBeUndefined()
    }
  })
})

describe('a rotating credential provider', () => {
  // Credentials expiring within the SDK's 5-minute refresh window are fetched again on every call,
  // as with an STS role near the end of its session. Their lifetimes alternate: 200 s, 20 s, ...
  function rotating(now: number) {
    const expirations = new Map<string, number>()
    const client = s3Client({
      credentials: async () => {
        const n = expirations.size + 1
        const accessKeyId = `AKIAROTATED${n}`
        expirations.set(accessKeyId, now + (n % 2 === 1 ? 200_000 : 20_000))
        return { accessKeyId, secretAccessKey: `secret-${n}`, sessionToken: `token-${n}`, expiration: new Date(expirations.get(accessKeyId)!) }
      },
    })
    return { client, expirations }
  }

  it.each(['PUT', 'POST'] as const)('%s: each grant is signed with the current credentials, and its lifetime is clamped to those same credentials', async (method) => {
    const now = Math.floor(Date.now() / 1000) * 1000
    const { client, expirations } = rotating(now)
    const upload = uploader(client, { method, now: () => now, generateId: undefined, ...(method === 'POST' ? QUARANTINE : {}) })
    const used: string[] = []
    for (let i = 0; i < 4; i++) {
      const grant = await upload.presign({ owner: 'alice', contentType: 'image/png', size: 1 })
      const credential = grant.method === 'PUT' ? params(grant.url).get('X-Amz-Credential')! : grant.fields['X-Amz-Credential']!
      const accessKeyId = credential.split('/')[0]!
      used.push(accessKeyId)
      // The grant may not outlive the credentials that signed it: 200 s or 20 s, never mixed up.
      expect(grant.expiresAt).toBe(expirations.get(accessKeyId))
      if (grant.method === 'PUT') expect(params(grant.url).get('X-Amz-Security-Token')).toBe(`token-${accessKeyId.slice('AKIAROTATED'.length)}`)
    }
    expect(new Set(used).size).toBe(4)
  })
})
