// Per-request checks of createSafeUpload().presign(): every error code a client can provoke, the
// key's shape (never the filename), the record written before the grant is returned, and what
// happens when the store fails.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import corpus from '../../fixtures/filenames.json' with { type: 'json' }
import type { SafePresignError } from '../../../src/errors.js'
import type { SafePresignEvent } from '../../../src/events.js'
import { sanitizeFilename } from '../../../src/key/filename.js'
import { ACTIVE_CONTENT_TYPES } from '../../../src/policy/content-type.js'
import { memoryStore } from '../../../src/stores/memory.js'
import type { OwnershipStore } from '../../../src/stores/types.js'
import { createSafeUpload, type SafeUploadConfig, type UploadRequest } from '../../../src/upload.js'
import { failure, ID, params, s3Client, SECRETS, sequentialIds, T } from './fixtures.js'

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}'
const MD5 = Buffer.alloc(16, 1).toString('base64')
const SHA256 = Buffer.alloc(32, 2).toString('base64')

const client = s3Client()
/** Every error this file provokes, for the toJSON check at the end. */
const seen: SafePresignError[] = []

/** POST builders must land uploads in quarantine (INVALID_CONFIG otherwise): see upload-config.test.ts. */
const QUARANTINE = { prefix: 'quarantine/' } as const

function uploader(config: Partial<SafeUploadConfig> = {}) {
  return createSafeUpload({
    client,
    bucket: 'photos-bucket',
    store: memoryStore(),
    allowedContentTypes: ['image/png', 'image/jpeg', 'application/pdf'],
    maxSize: 1_000_000,
    now: () => T,
    generateId: sequentialIds(),
    ...(config.method === 'POST' ? { quarantine: QUARANTINE } : {}),
    ...config,
  })
}

async function refused(config: Partial<SafeUploadConfig>, request: unknown): Promise<SafePresignError> {
  const error = await failure(uploader(config).presign(request as UploadRequest))
  seen.push(error)
  return error
}

const ok = { owner: 'alice', contentType: 'image/png', size: 1000 }

describe('CONTENT_TYPE_NOT_ALLOWED', () => {
  it.each([
    { method: 'PUT', allowed: ['image/png'], contentType: 'image/jpeg' },
    { method: 'PUT', allowed: ['image/png'], contentType: 'text/html' },
    { method: 'PUT', allowed: ['image/png'], contentType: 'image/png; charset=utf-8' },
    { method: 'PUT', allowed: ['image/png'], contentType: 'image/png, text/html' },
    { method: 'PUT', allowed: ['image/png'], contentType: '' },
    { method: 'PUT', allowed: ['image/png'], contentType: '*/*' },
    { method: 'PUT', allowed: ['image/*'], contentType: 'image/*' },
    { method: 'PUT', allowed: ['image/*'], contentType: 'imagex/png' },
    { method: 'PUT', allowed: ['image/*'], contentType: 'image/' },
    { method: 'POST', allowed: ['image/*'], contentType: 'video/*' },
    { method: 'POST', allowed: ['image/*'], contentType: '*/*' },
    { method: 'POST', allowed: ['image/png'], contentType: 'image/*' },
    // A wildcard never covers active content (a type a browser runs as script): list it to allow it.
    { method: 'PUT', allowed: ['image/*'], contentType: 'image/svg+xml' },
    { method: 'PUT', allowed: ['image/*'], contentType: 'IMAGE/SVG+XML' },
    { method: 'POST', allowed: ['image/*'], contentType: 'image/svg+xml' },
    { method: 'PUT', allowed: ['text/*'], contentType: 'text/html' },
    { method: 'POST', allowed: ['text/*'], contentType: 'text/html' },
    { method: 'PUT', allowed: ['text/*'], contentType: 'text/javascript' },
    { method: 'PUT', allowed: ['text/*', 'image/*'], contentType: 'text/xml' },
    { method: 'PUT', allowed: ['application/*'], contentType: 'application/xhtml+xml' },
    { method: 'PUT', allowed: ['application/*'], contentType: 'application/javascript' },
    { method: 'PUT', allowed: ['application/*'], contentType: 'application/xml' },
    { method: 'PUT', allowed: ['image/png', 'image/*'], contentType: 'image/svg+xml' },
  ] as const)('$method, allowed $allowed, declared $contentType', async ({ method, allowed, contentType }) => {
    const error = await refused({ method, allowedContentTypes: allowed }, { ...ok, contentType })
    expect(error.code).toBe('CONTENT_TYPE_NOT_ALLOWED')
    expect(error.message).toContain('`contentType`')
    expect(error.message).toContain(JSON.stringify(contentType))
    expect(error.message).toContain(`the allowed types are ${allowed.join(', ')}`)
    expect(error.details?.allowed).toEqual(allowed)
  })

  it.each([
    { allowed: ['image/png'], contentType: 'IMAGE/PNG', signed: 'image/png' },
    { allowed: ['image/png'], contentType: ' image/png ', signed: 'image/png' },
    { allowed: ['image/*'], contentType: 'image/webp', signed: 'image/webp' },
    { allowed: ['image/*'], contentType: 'image/svg', signed: 'image/svg' }, // the rule is by exact type, not by substring
    { allowed: ['text/*'], contentType: 'text/plain', signed: 'text/plain' },
    // Active content listed explicitly is allowed, next to a wildcard or alone.
    { allowed: ['image/*', 'image/svg+xml'], contentType: 'image/svg+xml', signed: 'image/svg+xml' },
    { allowed: ['image/svg+xml', 'image/*'], contentType: 'Image/SVG+xml', signed: 'image/svg+xml' },
    { allowed: ['text/*', 'text/html'], contentType: 'text/html', signed: 'text/html' },
  ])('accepts $contentType on $allowed and signs the normalized $signed', async ({ allowed, contentType, signed }) => {
    const grant = await uploader({ allowedContentTypes: allowed }).presign({ ...ok, contentType })
    expect(grant.method === 'PUT' && grant.headers['content-type']).toBe(signed)
  })

  it('a POST builder with image/* and image/svg+xml signs an exact image/svg+xml, never a starts-with', async () => {
    const grant = await uploader({ method: 'POST', allowedContentTypes: ['image/*', 'image/svg+xml'] }).presign({ owner: 'alice', contentType: 'image/svg+xml' })
    if (grant.method !== 'POST') throw new Error('expected a POST grant')
    expect(grant.fields['Content-Type']).toBe('image/svg+xml')
    const policy = JSON.parse(Buffer.from(grant.fields.Policy!, 'base64').toString('utf8')) as { conditions: unknown[] }
    expect(policy.conditions).toContainEqual({ 'Content-Type': 'image/svg+xml' })
    expect(JSON.stringify(policy.conditions)).not.toContain('starts-with')
  })

  const ACTIVE = [...ACTIVE_CONTENT_TYPES]
  it('ACTIVE_CONTENT_TYPES holds at least the browser-executable types named in the docs', () => {
    for (const type of ['image/svg+xml', 'text/html', 'application/xhtml+xml', 'text/xml', 'application/xml', 'text/javascript', 'application/javascript']) {
      expect(ACTIVE).toContain(type)
    }
  })

  it.each(ACTIVE)('%s: refused under its own type/* wildcard, allowed when listed explicitly', async (type) => {
    const wildcard = `${type.split('/')[0]}/*`
    for (const method of ['PUT', 'POST'] as const) {
      const error = await refused({ method, allowedContentTypes: [wildcard] }, { ...ok, contentType: type })
      expect(error.code).toBe('CONTENT_TYPE_NOT_ALLOWED')
      expect(error.details?.allowed).toEqual([wildcard])
      const grant = await uploader({ method, allowedContentTypes: [wildcard, type] }).presign({ ...ok, contentType: type })
      expect(grant.method === 'PUT' ? grant.headers['content-type'] : grant.fields['Content-Type']).toBe(type)
    }
  })

  // The WHATWG MIME Sniffing standard's 16 JavaScript MIME type essences, written out (not taken from
  // ACTIVE_CONTENT_TYPES), so a type missing from the source fails here.
  const JAVASCRIPT = [
    'application/ecmascript', 'application/javascript', 'application/x-ecmascript', 'application/x-javascript',
    'text/ecmascript', 'text/javascript', 'text/javascript1.0', 'text/javascript1.1', 'text/javascript1.2',
    'text/javascript1.3', 'text/javascript1.4', 'text/javascript1.5', 'text/jscript', 'text/livescript',
    'text/x-ecmascript', 'text/x-javascript',
  ]
  it.each(JAVASCRIPT)('%s (a JavaScript MIME type): refused under text/* and application/*, PUT and POST; granted when listed', async (type) => {
    for (const method of ['PUT', 'POST'] as const) {
      const error = await refused({ method, allowedContentTypes: ['text/*', 'application/*'] }, { ...ok, contentType: type })
      expect(error.code).toBe('CONTENT_TYPE_NOT_ALLOWED')
      expect(error.message).toContain(JSON.stringify(type))
      expect(error.details?.allowed).toEqual(['text/*', 'application/*'])
      const grant = await uploader({ method, allowedContentTypes: ['text/*', 'application/*', type] }).presign({ ...ok, contentType: type })
      expect(grant.method === 'PUT' ? grant.headers['content-type'] : grant.fields['Content-Type']).toBe(type)
    }
  })

  it.each(['application/rss+xml', 'application/atom+xml', 'image/foo+xml', 'application/vnd.wap.xhtml+xml'])(
    '%s: any +xml type is active content, refused under its wildcard',
    async (type) => {
      const error = await refused({ allowedContentTypes: [`${type.split('/')[0]}/*`] }, { ...ok, contentType: type })
      expect(error.code).toBe('CONTENT_TYPE_NOT_ALLOWED')
    },
  )

  it('for any allowlist of wildcards, an active type is granted only when it is listed exactly (fast-check)', async () => {
    const top = fc.constantFrom('image', 'text', 'application', 'video', 'audio')
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(top, { minLength: 1 }), fc.subarray(ACTIVE), fc.constantFrom(...ACTIVE), async (wildcards, exact, type) => {
        const allowed = [...wildcards.map((t) => `${t}/*`), ...exact]
        const outcome = await uploader({ allowedContentTypes: allowed }).presign({ ...ok, contentType: type }).then(
          () => 'granted',
          (error: SafePresignError) => error.code,
        )
        expect(outcome).toBe(exact.includes(type) ? 'granted' : 'CONTENT_TYPE_NOT_ALLOWED')
      }),
      { numRuns: 200 },
    )
  })
})

describe('sizes', () => {
  it('FILE_TOO_LARGE names `size`, the value and maxSize', async () => {
    const error = await refused({ maxSize: 1000 }, { ...ok, size: 1001 })
    expect(error.code).toBe('FILE_TOO_LARGE')
    expect(error.message).toBe('`size` is 1001; the maximum is 1000 bytes')
    expect(error.details).toMatchObject({ option: 'size', value: 1001, limit: 1000 })
  })

  it('accepts exactly maxSize', async () => {
    const grant = await uploader({ maxSize: 1000 }).presign({ ...ok, size: 1000 })
    expect(grant.method === 'PUT' && grant.headers['content-length']).toBe('1000')
  })

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '10', null])('INVALID_REQUEST for size %s', async (size) => {
    for (const method of ['PUT', 'POST'] as const) {
      const error = await refused({ method }, { ...ok, size })
      expect(error.code).toBe('INVALID_REQUEST')
      expect(error.message).toContain('`size`')
      expect(error.message).toContain('at least 1')
    }
  })

  it('INVALID_REQUEST for a PUT without a size; a POST without one gets 1..maxSize', async () => {
    const error = await refused({}, { owner: 'alice', contentType: 'image/png' })
    expect(error.code).toBe('INVALID_REQUEST')
    expect(error.message).toContain('`size` is undefined; a PUT grant signs the exact size')
    const store = memoryStore()
    const grant = await uploader({ method: 'POST', store }).presign({ owner: 'alice', contentType: 'image/png' })
    expect(await store.get(grant.key, T)).toMatchObject({ minSize: 1, maxSize: 1_000_000 })
  })
})

describe('expiry', () => {
  it('EXPIRY_TOO_LONG above the builder cap, naming the value and the cap', async () => {
    const error = await refused({ expiresIn: 120 }, { ...ok, expiresIn: 121 })
    expect(error.code).toBe('EXPIRY_TOO_LONG')
    expect(error.message).toBe('`expiresIn` is 121; the maximum is 120 s')
    expect(error.details?.limit).toBe(120)
  })

  it.each([0, -1, 2.5, '60'])('INVALID_REQUEST for expiresIn %j', async (expiresIn) => {
    const error = await refused({}, { ...ok, expiresIn })
    expect(error.code).toBe('INVALID_REQUEST')
    expect(error.message).toContain('`expiresIn`')
  })

  it.each([
    { requested: undefined, signed: 300 },
    { requested: 1, signed: 1 },
    { requested: 300, signed: 300 },
  ])('expiresIn $requested → X-Amz-Expires $signed and expiresAt now + $signed s', async ({ requested, signed }) => {
    const grant = await uploader().presign({ ...ok, expiresIn: requested })
    expect(params(grant.url).get('X-Amz-Expires')).toBe(String(signed))
    expect(grant.expiresAt).toBe(T + signed * 1000)
  })
})

describe('CHECKSUM_REQUIRED', () => {
  const cases = [
    { algorithm: 'md5', checksum: undefined, why: 'requires the base64 md5 digest' },
    { algorithm: 'md5', checksum: Buffer.alloc(15).toString('base64'), why: 'md5 digest (16 bytes)' },
    { algorithm: 'md5', checksum: SHA256, why: 'md5 digest (16 bytes)' },
    { algorithm: 'md5', checksum: 'd41d8cd98f00b204e9800998ecf8427e', why: 'md5 digest (16 bytes)' }, // hex, not base64
    { algorithm: 'md5', checksum: 'AAAAAAAAAAAAAAAAAAAAAA', why: 'md5 digest (16 bytes)' }, // unpadded
    { algorithm: 'md5', checksum: 'not base64 at all!!!!!==', why: 'md5 digest (16 bytes)' },
    { algorithm: 'md5', checksum: '', why: 'md5 digest (16 bytes)' },
    { algorithm: 'sha256', checksum: undefined, why: 'requires the base64 sha256 digest' },
    { algorithm: 'sha256', checksum: MD5, why: 'sha256 digest (32 bytes)' },
    { algorithm: 'sha256', checksum: SHA256.replace(/=$/, ''), why: 'sha256 digest (32 bytes)' },
    { algorithm: 'sha256', checksum: SHA256.replace(/\+|A/, '-'), why: 'sha256 digest (32 bytes)' }, // base64url alphabet
    { algorithm: 'sha256', checksum: 42, why: 'sha256 digest (32 bytes)' },
  ] as const

  it.each(cases)('$algorithm builder, checksum $checksum', async ({ algorithm, checksum, why }) => {
    const error = await refused({ checksum: algorithm }, { ...ok, checksum })
    expect(error.code).toBe('CHECKSUM_REQUIRED')
    expect(error.message).toContain('`checksum`')
    expect(error.message).toContain(why)
  })

  it('INVALID_REQUEST for a checksum sent to a builder that has none', async () => {
    const error = await refused({}, { ...ok, checksum: MD5 })
    expect(error.code).toBe('INVALID_REQUEST')
    expect(error.message).toContain('`checksum: false`')
  })
})

describe('INVALID_REQUEST for the request itself', () => {
  it.each([
    { name: 'no request', request: undefined, option: 'request' },
    { name: 'a string', request: 'alice', option: 'request' },
    { name: 'no owner', request: { contentType: 'image/png', size: 1 }, option: 'owner' },
    { name: 'an empty owner', request: { owner: '', contentType: 'image/png', size: 1 }, option: 'owner' },
    { name: 'a blank owner', request: { owner: '  \t', contentType: 'image/png', size: 1 }, option: 'owner' },
    { name: 'a numeric owner', request: { owner: 42, contentType: 'image/png', size: 1 }, option: 'owner' },
    // PostgreSQL (through node-postgres) stores a lone surrogate as U+FFFD: 'eve\ud800' would be read
    // back as 'eve\ufffd', the owner of another account. An owner must be well-formed Unicode.
    { name: 'an owner with a lone high surrogate', request: { owner: 'eve\ud800', contentType: 'image/png', size: 1 }, option: 'owner' },
    { name: 'an owner with a lone low surrogate', request: { owner: '\udc00eve', contentType: 'image/png', size: 1 }, option: 'owner' },
    { name: 'no contentType', request: { owner: 'alice', size: 1 }, option: 'contentType' },
    // A CR/LF in an id forges log lines and header values wherever the id is written.
    { name: 'an owner with CR/LF', request: { owner: 'alice\r\nbob', contentType: 'image/png', size: 1 }, option: 'owner' },
    { name: 'an owner with a NUL', request: { owner: 'alice\u0000', contentType: 'image/png', size: 1 }, option: 'owner' },
    { name: 'an owner with DEL', request: { owner: 'alice\u007f', contentType: 'image/png', size: 1 }, option: 'owner' },
    { name: 'an owner with a C1 control (NEL)', request: { owner: 'alice\u0085', contentType: 'image/png', size: 1 }, option: 'owner' },
    { name: 'an owner with U+2028', request: { owner: 'alice\u2028', contentType: 'image/png', size: 1 }, option: 'owner' },
    { name: 'an owner with U+2029', request: { owner: 'alice\u2029', contentType: 'image/png', size: 1 }, option: 'owner' },
    { name: 'an owner of 1025 UTF-16 units', request: { owner: 'o'.repeat(1025), contentType: 'image/png', size: 1 }, option: 'owner' },
  ])('$name', async ({ request, option }) => {
    const store = memoryStore()
    const error = await refused({ store, generateId: () => ID }, request)
    expect(error.code).toBe('INVALID_REQUEST')
    expect(error.details?.option).toBe(option)
    expect(error.message).toContain(`\`${option}\``)
    expect(error.message).not.toMatch(/[\r\n\u0000\u007f\u0085\u2028\u2029]/)
    expect(await store.get(`uploads/${ID}.png`, T)).toBeUndefined()
  })

  it('an owner of exactly 1024 UTF-16 units is accepted', async () => {
    const store = memoryStore()
    await uploader({ store, generateId: () => ID }).presign({ ...ok, owner: 'o'.repeat(1024) })
    expect((await store.get(`uploads/${ID}.png`, T))?.owner).toBe('o'.repeat(1024))
  })

  it.each([
    { name: 'a 1 MB array', owner: new Array(1024 * 1024).fill('alice') },
    { name: 'a deep object', owner: JSON.parse('{"a":'.repeat(2000) + '"alice"' + '}'.repeat(2000)) as unknown },
    { name: 'a wide object', owner: Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, 'v'.repeat(100)])) },
  ])('$name as the owner: the message and the JSON stay under a few hundred characters', async ({ owner }) => {
    const error = await refused({}, { ...ok, owner })
    expect(error).toMatchObject({ code: 'INVALID_REQUEST', details: { option: 'owner' } })
    expect(error.message).toMatch(/^`owner` is [[{].*; it must be a non-empty string$/)
    expect(error.message.length).toBeLessThan(300)
    expect(JSON.stringify(error).length).toBeLessThan(600)
  })
})

describe('filenames', () => {
  it.each(['...', ' . . ', '\u202E', '\u200B\u200D', '\u0000\u0007', '/', '\\', '//', '', 42])('INVALID_FILENAME when %j sanitizes to nothing; nothing is recorded', async (filename) => {
    const store = memoryStore()
    const error = await refused({ store, generateId: () => ID }, { ...ok, filename })
    expect(error.code).toBe('INVALID_FILENAME')
    expect(await store.get(`uploads/${ID}.png`, T)).toBeUndefined()
  })

  it('a 10 MB filename → INVALID_FILENAME naming the 4096-byte cap; nothing recorded', async () => {
    const store = memoryStore()
    const error = await refused({ store, generateId: () => ID }, { ...ok, filename: `${'a'.repeat(10 * 1024 * 1024)}.png` })
    expect(error).toMatchObject({ code: 'INVALID_FILENAME', details: { reason: 'TOO_LONG', limit: 4096 } })
    expect(error.message).toContain('longer than 4096 UTF-8 bytes')
    expect(JSON.stringify(error).length).toBeLessThan(500)
    expect(await store.get(`uploads/${ID}.png`, T)).toBeUndefined()
  })

  it('keeps the sanitized name as signed metadata only', async () => {
    const store = memoryStore()
    const grant = await uploader({ store }).presign({ ...ok, filename: '../../etc/passwd\u202Egnp.png' })
    if (grant.method !== 'PUT') throw new Error('expected PUT')
    expect(decodeURIComponent(grant.headers['x-amz-meta-filename']!)).toBe('passwdgnp.png')
    expect((await store.get(grant.key, T))?.filename).toBe('passwdgnp.png')
    expect(grant.key).toMatch(new RegExp(`^uploads/${UUID}\\.png$`))
  })
})

describe('keys: prefix + UUIDv4 + an extension from the content type, never the filename', () => {
  const QUERY = ['X-Amz-Algorithm', 'X-Amz-Content-Sha256', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-Signature', 'X-Amz-SignedHeaders', 'x-id']
  const inputs = corpus.map((entry: { input: string }) => entry.input)

  async function checkKey(upload: ReturnType<typeof uploader>, filename: string, method: 'PUT' | 'POST') {
    const grant = await upload.presign({ ...ok, filename }).catch((error: SafePresignError) => {
      expect(error.code).toBe('INVALID_FILENAME')
      return undefined
    })
    if (!grant) return
    expect(grant.key).toMatch(new RegExp(`^uploads/${UUID}\\.png$`))
    // Nothing of the name reaches the URL either: its path is the key, its query only the SigV4
    // parameters, and the name travels as a signed header (PUT) or a form field (POST).
    const url = new URL(grant.url)
    expect(url.pathname).toBe(method === 'PUT' ? `/${grant.key}` : '/')
    if (method === 'PUT') {
      expect([...url.searchParams.keys()]).toEqual(QUERY)
      expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host;if-none-match;x-amz-meta-filename')
    } else expect(url.search).toBe('')
    const name = sanitizeFilename(filename)
    if (method === 'PUT' && grant.method === 'PUT') expect(grant.headers['x-amz-meta-filename']).toBe(encodeURIComponent(name))
    if (method === 'POST' && grant.method === 'POST') {
      expect(grant.fields['x-amz-meta-filename']).toBe(encodeURIComponent(name))
      // The form writes the staging key of the same UUID; the name is in neither.
      expect(grant.fields.key).toBe(grant.key.replace(/^uploads\//, 'quarantine/'))
    }
  }

  // Hundreds of grants for one owner: lift the per-owner quota, which is not what these tests are about.
  const MANY = { generateId: undefined, maxPendingPerOwner: 10_000 }

  it.each(['PUT', 'POST'] as const)('%s: every name in the filename corpus', async (method) => {
    const upload = uploader({ method, ...MANY })
    for (const input of inputs) await checkKey(upload, input, method)
  })

  it.each(['PUT', 'POST'] as const)('%s: any filename (fast-check)', async (method) => {
    const upload = uploader({ method, ...MANY })
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 300 }), (filename) => checkKey(upload, filename, method)),
      { numRuns: 300 },
    )
  })

  it.each([
    { contentType: 'image/png', filename: 'photo.jpg', ext: '.png' },
    { contentType: 'image/jpeg', filename: 'photo.png.exe', ext: '.jpg' },
    { contentType: 'application/pdf', filename: 'invoice.html', ext: '.pdf' },
    { contentType: 'application/x-custom', filename: 'data.custom', ext: '' },
  ])('$contentType named $filename → key ends in "$ext"', async ({ contentType, filename, ext }) => {
    const grant = await uploader({ allowedContentTypes: [contentType], generateId: () => ID }).presign({ ...ok, contentType, filename })
    expect(grant.key).toBe(`uploads/${ID}${ext}`)
  })

  it('keyExtension: false → no extension', async () => {
    const grant = await uploader({ keyExtension: false, generateId: () => ID }).presign(ok)
    expect(grant.key).toBe(`uploads/${ID}`)
  })

  it.each([
    { keyPrefix: '', key: `${ID}.png` },
    { keyPrefix: 'a/b/c/', key: `a/b/c/${ID}.png` },
    { keyPrefix: ({ owner }: { owner: string }) => `users/${owner}/`, key: `users/alice/${ID}.png` },
  ])('keyPrefix $keyPrefix → $key (signed into the URL path)', async ({ keyPrefix, key }) => {
    const grant = await uploader({ keyPrefix, generateId: () => ID }).presign(ok)
    expect(grant.key).toBe(key)
    expect(new URL(grant.url).pathname).toBe(`/${key}`)
  })

  it('a keyPrefix function returning a lone surrogate (from the owner) → INVALID_CONFIG, not a URIError; nothing recorded', async () => {
    const store = memoryStore()
    const error = await refused({ store, keyPrefix: () => 'users/\ud800x/', generateId: () => ID }, ok)
    expect(error).toMatchObject({ code: 'INVALID_CONFIG', details: { option: 'keyPrefix' } })
    expect(error.message).toContain('lone UTF-16 surrogate')
  })

  it('a keyPrefix function returning a control or bidi character → INVALID_CONFIG whose message shows them escaped', async () => {
    const error = await refused({ keyPrefix: () => 'users/\u0085\u202e/' }, ok)
    expect(error).toMatchObject({ code: 'INVALID_CONFIG', details: { option: 'keyPrefix' } })
    expect(error.message).toBe('`keyPrefix` is "users/\\u0085\\u202e/": it must not contain control characters')
  })

  it('a keyPrefix function sees the owner of each request', async () => {
    const owners: string[] = []
    const upload = uploader({ keyPrefix: ({ owner }) => (owners.push(owner), `users/${owner}/`) })
    const a = await upload.presign({ ...ok, owner: 'alice' })
    const b = await upload.presign({ ...ok, owner: 'bob' })
    expect(owners).toEqual(['alice', 'bob'])
    expect([a.key.split('/')[1], b.key.split('/')[1]]).toEqual(['alice', 'bob'])
  })
})

describe('with a keyPrefix function, the owner is exactly one path segment (refused, never encoded)', () => {
  const perOwner = ({ owner }: { owner: string }) => `users/${owner}/`

  /** A memory store that counts create() calls: a refused request must record nothing. */
  function recording() {
    const inner = memoryStore()
    let creates = 0
    const store: OwnershipStore = { ...inner, create: (...args) => (creates++, inner.create(...args)) }
    return { store, creates: () => creates }
  }

  it.each([
    ['alice/evil', 'U+002F'],
    ['../bob', 'U+002F'],
    ['alice\u2215bob', 'U+2215'], // DIVISION SLASH
    ['alice\u2044bob', 'U+2044'], // FRACTION SLASH
    ['alice\uff0fbob', 'U+FF0F'], // FULLWIDTH SOLIDUS
    ['alice\\bob', 'U+005C'],
    ['alice\u2216bob', 'U+2216'], // SET MINUS
    ['alice\u29f5bob', 'U+29F5'], // REVERSE SOLIDUS OPERATOR
    ['alice\ufe68bob', 'U+FE68'], // SMALL REVERSE SOLIDUS
    ['alice\uff3cbob', 'U+FF3C'], // FULLWIDTH REVERSE SOLIDUS
    ['.', '"."'],
    ['..', '".."'],
    ['\uff0e\uff0e', '".."'],
    ['alice%2Fevil', 'U+0025'],
    ['%2e%2e', 'U+0025'],
    ['alice\u202e', 'U+202E'],
    ['alice\u2066x', 'U+2066'],
    ['alice\u200b', 'U+200B'],
    ['alice\u200d', 'U+200D'],
    ['\ufeffalice', 'U+FEFF'],
  ])('owner %j → INVALID_REQUEST naming `owner` (%s), nothing recorded, PUT and POST', async (owner, why) => {
    for (const method of ['PUT', 'POST'] as const) {
      const { store, creates } = recording()
      const events: SafePresignEvent[] = []
      const error = await refused({ method, store, keyPrefix: perOwner, onEvent: (e) => void events.push(e) }, { ...ok, owner })
      expect(error).toMatchObject({ code: 'INVALID_REQUEST', details: { option: 'owner' } })
      expect(error.message).toContain('`owner` is ')
      expect(error.message).toContain('the owner must be one path segment')
      expect(error.message).toContain(why)
      expect(error.message).not.toMatch(/[\u202e\u2066\u200b\u200d\ufeff]/)
      expect(creates()).toBe(0)
      expect(events.map((e) => [e.type, e.reason])).toEqual([['upload.denied', 'INVALID_REQUEST']])
    }
  })

  it.each(['alice@example.com', 'user-123', 'Zoë', 'auth0|5f7c8ec7', 'a.b'])('owner %j → users/%s/<id>.png', async (owner) => {
    const { store } = recording()
    const grant = await uploader({ store, keyPrefix: perOwner, generateId: () => ID }).presign({ ...ok, owner })
    expect(grant.key).toBe(`users/${owner}/${ID}.png`)
    expect(new URL(grant.url).pathname).toBe(`/users/${encodeURIComponent(owner)}/${ID}.png`)
    expect((await store.get(grant.key, T))?.owner).toBe(owner)
  })

  it('a string keyPrefix takes any valid owner: the owner never reaches the key', async () => {
    const grant = await uploader({ generateId: () => ID }).presign({ ...ok, owner: 'alice/evil\u202e' })
    expect(grant.key).toBe(`uploads/${ID}.png`)
  })

  it('for any owner that is accepted, the key is users/${owner}/<id>.png with exactly two "/" (fast-check)', async () => {
    const piece = fc.constantFrom('a', 'Zoë', '写真', '.', '..', '/', '\\', '%', '2F', '\u2215', '\uff0f', '\uff0e', '\u2025', '\u2105', '\u202e', '\u200b', '\u0308', '\r\n', '\ufe68', ' ', '@', '-')
    const owner = fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }), fc.array(piece, { minLength: 1, maxLength: 8 }).map((p) => p.join('')))
    const upload = uploader({ keyPrefix: perOwner, maxPendingPerOwner: 10_000 })
    let accepted = 0
    await fc.assert(
      fc.asyncProperty(owner, async (o) => {
        const outcome = await upload.presign({ ...ok, owner: o }).catch((error: SafePresignError) => error)
        if ('code' in outcome) {
          expect(outcome.code).toBe('INVALID_REQUEST')
          expect(outcome.details?.option).toBe('owner')
          return
        }
        accepted++
        const prefix = `users/${o}/`
        expect(outcome.key.startsWith(prefix)).toBe(true)
        expect(outcome.key.slice(prefix.length)).toMatch(new RegExp(`^${UUID}\\.png$`))
        expect(outcome.key.split('/')).toHaveLength(prefix.split('/').length)
        expect(outcome.key.split('/')).toHaveLength(3)
        // Nor after NFKC: no look-alike or compatibility form becomes a separator later.
        expect(outcome.key.normalize('NFKC').split('/')).toHaveLength(3)
      }),
      { numRuns: 400 },
    )
    expect(accepted).toBeGreaterThan(20) // the property was exercised, not vacuously true
  })
})

describe('a grant that can write more than once never targets the final key', () => {
  // POST has no create-once condition and `overwrite: true` drops If-None-Match: replayed after
  // complete(), such a grant would replace the verified object. Every combination either refuses at
  // creation, signs a create-once PUT, or writes under the quarantine prefix only.
  const combos = (['PUT', 'POST'] as const).flatMap((method) =>
    [undefined, false, true].flatMap((overwrite) => [false, true].map((quarantined) => ({ method, overwrite, quarantined }))),
  )

  it.each(combos)('method $method, overwrite $overwrite, quarantine $quarantined', async ({ method, overwrite, quarantined }) => {
    const config = { client, bucket: 'photos-bucket', store: memoryStore(), allowedContentTypes: ['image/png'], maxSize: 1000, method, overwrite, generateId: () => ID, now: () => T }
    let upload: ReturnType<typeof createSafeUpload>
    try {
      upload = createSafeUpload(quarantined ? { ...config, quarantine: QUARANTINE } : config)
    } catch (error) {
      expect(quarantined).toBe(false)
      expect(method === 'POST' || overwrite === true).toBe(true)
      expect(error).toMatchObject({ code: 'INVALID_CONFIG', details: { option: method === 'POST' ? 'method' : 'overwrite' } })
      return
    }
    const grant = await upload.presign({ owner: 'alice', contentType: 'image/png', size: 10 })
    expect(grant.key).toBe(`uploads/${ID}.png`)
    const target = grant.method === 'PUT' ? new URL(grant.url).pathname.slice(1) : (grant.fields.key ?? '')
    const createOnce = grant.method === 'PUT' && grant.headers['if-none-match'] === '*' && params(grant.url).get('X-Amz-SignedHeaders')!.split(';').includes('if-none-match')
    if (quarantined) expect(target).toBe(`quarantine/${ID}.png`)
    else {
      expect(createOnce).toBe(true)
      expect(target).toBe(`uploads/${ID}.png`)
    }
    if (!createOnce) expect(target.startsWith('quarantine/')).toBe(true)
  })
  it.each([
    { name: 'equal to the quarantine prefix (the grant would write the final key)', owner: 'quarantine' },
    // The owner itself may not hold a '/' with a keyPrefix function: the function adds the inner level.
    { name: 'inside the quarantine prefix (the lifecycle rule would expire committed objects)', owner: 'quarantine~x' },
  ])('a keyPrefix function result $name → INVALID_CONFIG, nothing signed or recorded', async ({ owner }) => {
    const store = memoryStore()
    const upload = createSafeUpload({
      client, bucket: 'photos-bucket', store, allowedContentTypes: ['image/png'], maxSize: 1000, method: 'POST',
      keyPrefix: ({ owner }) => `${owner.replace('~', '/')}/`, quarantine: QUARANTINE, generateId: () => ID, now: () => T,
    })
    const error = await failure(upload.presign({ owner, contentType: 'image/png', size: 10 }))
    seen.push(error)
    expect(error).toMatchObject({ code: 'INVALID_CONFIG', details: { option: 'keyPrefix' } })
    expect(await store.get(`${owner.replace('~', '/')}/${ID}.png`, T)).toBeUndefined()
    // A prefix that merely shares its first letters with the quarantine prefix is fine.
    expect((await upload.presign({ owner: 'quarantined', contentType: 'image/png', size: 10 })).key).toBe(`quarantined/${ID}.png`)
  })
})

describe('the record, written before the grant is returned', () => {
  it.each([
    { method: 'PUT', checksum: 'md5', quarantine: false },
    { method: 'PUT', checksum: 'sha256', quarantine: true },
    { method: 'POST', checksum: false, quarantine: true },
  ] as const)('$method, checksum $checksum, quarantine $quarantine: every field', async ({ method, checksum, quarantine }) => {
    const store = memoryStore()
    const upload = uploader({ method, checksum, store, pendingTtl: 600, generateId: () => ID, ...(quarantine ? { quarantine: { prefix: 'quarantine/' } } : {}) })
    const value = checksum === 'md5' ? MD5 : checksum === 'sha256' ? SHA256 : undefined
    const grant = await upload.presign({ owner: 'alice', contentType: 'image/png', size: 1000, filename: ' Ünïcode   name .png', checksum: value, expiresIn: 120 })
    expect(grant.expiresAt).toBe(T + 120_000)
    expect(await store.get(grant.key, T)).toEqual({
      key: `uploads/${ID}.png`,
      owner: 'alice',
      state: 'pending',
      filename: 'Ünïcode name .png',
      contentType: 'image/png',
      minSize: 1000,
      maxSize: 1000,
      createdAt: T,
      expiresAt: T + 120_000,
      purgeAt: T + 120_000 + 600_000,
      ...(value ? { checksum: { algorithm: checksum, value } } : {}),
      ...(quarantine ? { stagingKey: `quarantine/${ID}.png` } : {}),
    })
    // A quarantined grant is signed for the staging key (a PUT in its URL path, a POST in its form);
    // the grant names the final key.
    if (grant.method === 'PUT') expect(new URL(grant.url).pathname).toBe(quarantine ? `/quarantine/${ID}.png` : `/uploads/${ID}.png`)
    else {
      expect(new URL(grant.url).pathname).toBe('/')
      expect(grant.fields.key).toBe(`quarantine/${ID}.png`)
    }
  })

  it('injected now and generateId make grants deterministic: same inputs, same URL, same record', async () => {
    const make = () => uploader({ generateId: sequentialIds(), checksum: 'sha256' })
    const request = { ...ok, filename: 'x.png', checksum: SHA256 }
    const [a, b] = [await make().presign(request), await make().presign(request)]
    expect(a).toEqual(b)
    expect(a.key).toBe('uploads/00000000-0000-4000-8000-000000000001.png')
    expect(params(a.url).get('X-Amz-Date')).toBe('20250115T120000Z')
  })
})

describe('a failing store: fail closed, no grant', () => {
  function failing(create: OwnershipStore['create']): OwnershipStore {
    return { ...memoryStore(), create }
  }

  it.each([
    { name: 'rejects', create: async () => Promise.reject(new Error('ECONNREFUSED 10.0.0.5:6379')) },
    { name: 'throws synchronously', create: (() => { throw new TypeError('boom') }) as OwnershipStore['create'] },
    { name: 'rejects with a URL in its message', create: async () => Promise.reject(new Error('failed https://h/?X-Amz-Signature=abc&X-Amz-Credential=AKIA')) },
  ])('a store that $name → STORE_UNAVAILABLE, upload.denied, and the signed URL is never seen', async ({ create }) => {
    const events: SafePresignEvent[] = []
    const error = await refused({ store: failing(create), onEvent: (e) => void events.push(e) }, ok)
    expect(error.code).toBe('STORE_UNAVAILABLE')
    expect(error.message).toContain('during create')
    expect(error.cause).toBeInstanceOf(Error)
    expect(events).toEqual([{ type: 'upload.denied', time: T, subject: 'alice', reason: 'STORE_UNAVAILABLE', method: 'PUT' }])
    expect(JSON.stringify(error)).not.toMatch(/X-Amz|https?:/)
  })

  it('a store that answers false on create (a duplicate key) → no grant, INVALID_CONFIG naming generateId', async () => {
    const events: SafePresignEvent[] = []
    const error = await refused({ store: failing(async () => false), onEvent: (e) => void events.push(e) }, ok)
    expect(error.code).toBe('INVALID_CONFIG')
    expect(error.details?.option).toBe('generateId')
    expect(events.map((e) => [e.type, e.reason])).toEqual([['upload.denied', 'INVALID_CONFIG']])
  })
})

describe('errors are safe to send to a client', () => {
  it('toJSON of every error above carries no signature, credential or token', () => {
    expect(seen.length).toBeGreaterThan(50)
    for (const error of seen) {
      const json = JSON.stringify(error)
      for (const secret of SECRETS) expect(json).not.toContain(secret)
      expect(JSON.parse(json)).toEqual({ name: 'SafePresignError', code: error.code, message: error.message, ...(error.details ? { details: expect.any(Object) } : {}) })
      expect(json).not.toContain('stack')
    }
  })
})
