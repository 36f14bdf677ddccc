// The split setup in the builders: a separate `signer` signs every grant and link, `client` does
// complete()'s work, and upload grants then bind the canned ACL bucket-owner-full-control. The RGW proof
// that this stops the review's attacks is test/integration/s3/split-signers.test.ts.
import { describe, expect, it } from 'vitest'
import { createSafeDownload, createSafeUpload, memoryStore } from '../../../src/index.js'
import { failure, ID, params, record, s3Client, signedHeaders, T, thrown } from './fixtures.js'

const SIGNER_KEY = 'AKIASIGNERONLYEXAMPL'
const signer = s3Client({ credentials: { accessKeyId: SIGNER_KEY, secretAccessKey: 'signer-secret-key-for-unit-tests-only0000' } })
const client = s3Client()
const base = { bucket: 'photos-bucket', allowedContentTypes: ['image/png'], maxSize: 1000, now: () => T } as const
const credential = (url: string) => params(url).get('X-Amz-Credential') ?? ''

describe('createSafeUpload({ signer })', () => {
  it('PUT: the signer signs, and x-amz-acl: bucket-owner-full-control is a signed header (not in the query)', async () => {
    const up = createSafeUpload({ ...base, client, signer, store: memoryStore(), generateId: () => ID })
    const grant = await up.presign({ owner: 'alice', contentType: 'image/png', size: 10 })
    if (grant.method !== 'PUT') throw new Error('expected PUT')
    expect(credential(grant.url).startsWith(`${SIGNER_KEY}/`)).toBe(true)
    expect(grant.headers['x-amz-acl']).toBe('bucket-owner-full-control')
    expect(signedHeaders(grant.url)).toContain('x-amz-acl')
    expect(params(grant.url).has('x-amz-acl')).toBe(false)
    expect(up.config.bucketOwnerAcl).toBe(true)
  })

  it('POST: the policy holds an exact acl condition, and the field is in the form', async () => {
    const up = createSafeUpload({ ...base, client, signer, store: memoryStore(), method: 'POST', quarantine: { prefix: 'quarantine/' } })
    const grant = await up.presign({ owner: 'alice', contentType: 'image/png', size: 10 })
    if (grant.method !== 'POST') throw new Error('expected POST')
    expect(grant.fields.acl).toBe('bucket-owner-full-control')
    expect(grant.fields['X-Amz-Credential']?.startsWith(`${SIGNER_KEY}/`)).toBe(true)
    const policy = JSON.parse(Buffer.from(grant.fields.Policy!, 'base64').toString('utf8')) as { conditions: unknown[] }
    expect(policy.conditions).toContainEqual({ acl: 'bucket-owner-full-control' })
  })

  it('one client: no ACL by default; bucketOwnerAcl turns it on, and off again with a signer', async () => {
    const single = createSafeUpload({ ...base, client, store: memoryStore() })
    const plain = await single.presign({ owner: 'alice', contentType: 'image/png', size: 10 })
    expect(plain.method === 'PUT' && 'x-amz-acl' in plain.headers).toBe(false)
    expect(signedHeaders(plain.url)).not.toContain('x-amz-acl')
    expect(credential(plain.url).startsWith('AKIAIOSFODNN7EXAMPLE/')).toBe(true)
    const on = await createSafeUpload({ ...base, client, store: memoryStore(), bucketOwnerAcl: true }).presign({ owner: 'alice', contentType: 'image/png', size: 10 })
    expect(on.method === 'PUT' && on.headers['x-amz-acl']).toBe('bucket-owner-full-control')
    const off = await createSafeUpload({ ...base, client, signer, store: memoryStore(), bucketOwnerAcl: false }).presign({ owner: 'alice', contentType: 'image/png', size: 10 })
    expect(off.method === 'PUT' && 'x-amz-acl' in off.headers).toBe(false)
  })

  it('passing the client itself as signer is the single-client setup', () => {
    expect(createSafeUpload({ ...base, client, signer: client, store: memoryStore() }).config.bucketOwnerAcl).toBe(false)
  })

  it.each([
    { name: 'a signer that is not an S3Client', config: { signer: {} as never }, option: 'signer' },
    { name: 'bucketOwnerAcl not a boolean', config: { bucketOwnerAcl: 'yes' as never }, option: 'bucketOwnerAcl' },
    { name: 'maxPendingPerOwner 0', config: { maxPendingPerOwner: 0 }, option: 'maxPendingPerOwner' },
    { name: 'maxPendingPerOwner 1.5', config: { maxPendingPerOwner: 1.5 }, option: 'maxPendingPerOwner' },
  ])('$name → INVALID_CONFIG naming the option', ({ config, option }) => {
    const error = thrown(() => createSafeUpload({ ...base, client, store: memoryStore(), ...config }))
    expect(error.code).toBe('INVALID_CONFIG')
    expect(error.details?.option).toBe(option)
    expect(error.message).toContain(`\`${option}\``)
  })
})

describe('maxPendingPerOwner', () => {
  it('one grant beyond the quota is TOO_MANY_PENDING, nothing is recorded, and other owners still get grants', async () => {
    const store = memoryStore()
    let n = 0
    const up = createSafeUpload({ ...base, client, store, maxPendingPerOwner: 2, generateId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}` })
    await up.presign({ owner: 'alice', contentType: 'image/png', size: 10 })
    await up.presign({ owner: 'alice', contentType: 'image/png', size: 10 })
    const error = await failure(up.presign({ owner: 'alice', contentType: 'image/png', size: 10 }))
    expect(error.code).toBe('TOO_MANY_PENDING')
    expect(error.message).toContain('`maxPendingPerOwner` = 2')
    expect(error.details).toMatchObject({ option: 'maxPendingPerOwner', limit: 2 })
    expect(await store.get('uploads/00000000-0000-4000-8000-000000000003.png', T)).toBeUndefined()
    expect((await up.presign({ owner: 'bob', contentType: 'image/png', size: 10 })).key).toBe('uploads/00000000-0000-4000-8000-000000000004.png')
  })

  it('defaults to 100', () => {
    expect(createSafeUpload({ ...base, client, store: memoryStore() }).config.maxPendingPerOwner).toBe(100)
  })
})

describe('createSafeDownload({ signer })', () => {
  it('the link is signed by the signer', async () => {
    const store = memoryStore()
    await store.create(record('uploads/3b241101-e2bb-4255-8caf-4136c566a962.png'), T)
    const link = await createSafeDownload({ bucket: 'photos-bucket', client, signer, store, now: () => T }).presign({ key: 'uploads/3b241101-e2bb-4255-8caf-4136c566a962.png', requester: 'alice' })
    expect(credential(link.url).startsWith(`${SIGNER_KEY}/`)).toBe(true)
  })

  it('a signer that is not an S3Client → INVALID_CONFIG naming `signer`', () => {
    const error = thrown(() => createSafeDownload({ bucket: 'photos-bucket', client, signer: 'nope' as never, store: memoryStore() }))
    expect(error).toMatchObject({ code: 'INVALID_CONFIG', details: { option: 'signer' } })
  })
})
