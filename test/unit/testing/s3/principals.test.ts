// Principals and faults: the split setup's three roles, each an IAM user whose identity policy is
// exactly what signerPolicy({ role }) generates, doing what its role may and refused the rest; and the
// fault injection users' retry tests rely on.
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signerPolicy } from '../../../../src/index.js'
import { startTestS3, type TestS3, type TestS3Principal } from '../../../../src/testing/s3/index.js'
import { outcome, signedFetch } from './helpers.js'

const B = 'split-bucket'
let s3: TestS3
const roles = {} as Record<'upload' | 'download' | 'worker', TestS3Principal>

beforeAll(async () => {
  s3 = await startTestS3({ buckets: [B] })
  for (const role of ['upload', 'download', 'worker'] as const) {
    roles[role] = s3.addPrincipal({ name: `${role}-signer`, policy: signerPolicy({ role, bucket: B, prefix: 'uploads/', quarantinePrefix: 'quarantine/', maxSignatureAgeSeconds: 600 }) })
  }
  const root = s3.client()
  await root.send(new PutObjectCommand({ Bucket: B, Key: 'uploads/committed.png', Body: 'png' }))
  await root.send(new PutObjectCommand({ Bucket: B, Key: 'quarantine/staged.png', Body: 'staged' }))
  await root.send(new PutObjectCommand({ Bucket: B, Key: 'private/secret.txt', Body: 'secret' }))
  root.destroy()
})
afterAll(() => s3.close())

const url = (key: string) => `${s3.endpoint}/${B}/${key}`
const put = (who: TestS3Principal, key: string, headers: Record<string, string> = {}, signingDate?: Date) =>
  signedFetch(who, { method: 'PUT', url: url(key), body: 'x', headers: { 'content-length': '1', ...headers }, signingDate })
const get = (who: TestS3Principal, key: string) => signedFetch(who, { method: 'GET', url: url(key) })
const del = (who: TestS3Principal, key: string) => signedFetch(who, { method: 'DELETE', url: url(key) })
const copy = (who: TestS3Principal, key: string, source: string) => signedFetch(who, { method: 'PUT', url: url(key), headers: { 'content-length': '0', 'x-amz-copy-source': `${B}/${source}` } })

describe('the split setup, with the policies signerPolicy() generates', () => {
  const cases: { name: string; send: () => Promise<Response>; status: number; code: string }[] = [
    { name: 'upload signer: PutObject into quarantine/', send: () => put(roles.upload, 'quarantine/new.png'), status: 200, code: '' },
    { name: 'upload signer: PutObject with x-amz-acl bucket-owner-full-control', send: () => put(roles.upload, 'quarantine/acl.png', { 'x-amz-acl': 'bucket-owner-full-control' }), status: 200, code: '' },
    { name: 'upload signer: PutObject with x-amz-acl public-read (the policy\'s condition)', send: () => put(roles.upload, 'quarantine/public.png', { 'x-amz-acl': 'public-read' }), status: 403, code: 'AccessDenied' },
    { name: 'upload signer: PutObject into uploads/ (the committed prefix)', send: () => put(roles.upload, 'uploads/direct.png'), status: 403, code: 'AccessDenied' },
    { name: 'upload signer: GetObject of an object it could have written', send: () => get(roles.upload, 'quarantine/staged.png'), status: 403, code: 'AccessDenied' },
    { name: 'upload signer: CopyObject from another user\'s committed upload', send: () => copy(roles.upload, 'quarantine/stolen.png', 'uploads/committed.png'), status: 403, code: 'AccessDenied' },
    { name: 'upload signer: CopyObject from outside the prefixes', send: () => copy(roles.upload, 'quarantine/stolen2.png', 'private/secret.txt'), status: 403, code: 'AccessDenied' },
    { name: 'upload signer: DeleteObject', send: () => del(roles.upload, 'quarantine/staged.png'), status: 403, code: 'AccessDenied' },
    { name: 'upload signer: a signature older than maxSignatureAgeSeconds (presigned)', send: async () => {
      const { getSignedUrl } = await import('@aws-sdk/s3-request-presigner')
      const c = s3.client({ credentials: roles.upload })
      const link = await getSignedUrl(c, new PutObjectCommand({ Bucket: B, Key: 'quarantine/old.png' }), { expiresIn: 3600, signingDate: new Date(Date.now() - 700_000) })
      return fetch(link, { method: 'PUT', body: 'x' })
    }, status: 403, code: 'AccessDenied' },
    { name: 'download signer: GetObject under uploads/', send: () => get(roles.download, 'uploads/committed.png'), status: 200, code: '' },
    { name: 'download signer: GetObject outside uploads/', send: () => get(roles.download, 'private/secret.txt'), status: 403, code: 'AccessDenied' },
    { name: 'download signer: PutObject', send: () => put(roles.download, 'uploads/x.png'), status: 403, code: 'AccessDenied' },
    { name: 'download signer: DeleteObject', send: () => del(roles.download, 'uploads/committed.png'), status: 403, code: 'AccessDenied' },
    { name: 'worker: GetObject in quarantine/', send: () => get(roles.worker, 'quarantine/staged.png'), status: 200, code: '' },
    { name: 'worker: CopyObject quarantine/ → uploads/ (the promotion)', send: () => copy(roles.worker, 'uploads/promoted.png', 'quarantine/staged.png'), status: 200, code: '' },
    { name: 'worker: GetObject outside the prefixes', send: () => get(roles.worker, 'private/secret.txt'), status: 403, code: 'AccessDenied' },
    { name: 'worker: ListObjectsV2 of uploads/', send: () => signedFetch(roles.worker, { method: 'GET', url: `${s3.endpoint}/${B}?list-type=2&prefix=uploads%2F` }), status: 200, code: '' },
    { name: 'worker: ListObjectsV2 of the whole bucket', send: () => signedFetch(roles.worker, { method: 'GET', url: `${s3.endpoint}/${B}?list-type=2` }), status: 403, code: 'AccessDenied' },
    { name: 'worker: DeleteObject in quarantine/', send: () => del(roles.worker, 'quarantine/acl.png'), status: 204, code: '' },
  ]
  it.each(cases)('$name → $status $code', async ({ send, status, code }) => {
    const res = await outcome(await send())
    expect({ status: res.status, code: res.code }).toEqual({ status, code })
  })

  it('a principal without any policy may do nothing (implicit deny)', async () => {
    const nobody = s3.addPrincipal({ name: 'nobody' })
    expect((await outcome(await get(nobody, 'uploads/committed.png'))).code).toBe('AccessDenied')
  })
})

describe('faults', () => {
  it('the next N matching requests answer 503 SlowDown; the SDK\'s retries then succeed', async () => {
    s3.faults.inject({ count: 2, status: 503, match: { operation: 'GetObject' } })
    expect(s3.faults.pending).toBe(2)
    const retrying = s3.client({ maxAttempts: 3 })
    const out = await retrying.send(new GetObjectCommand({ Bucket: B, Key: 'uploads/committed.png' }))
    expect(await out.Body!.transformToString()).toBe('png')
    expect(s3.requests.filter((r) => r.operation === 'GetObject').slice(-3).map((r) => r.status)).toEqual([503, 503, 200])
    retrying.destroy()
  })

  it('500 InternalError for a method and key; other requests pass', async () => {
    s3.faults.inject({ status: 500, match: { method: 'PUT', key: /^quarantine\/flaky/ } })
    expect((await put(roles.upload, 'quarantine/other.png')).status).toBe(200)
    const res = await outcome(await put(roles.upload, 'quarantine/flaky.png'))
    expect([res.status, res.code, s3.faults.pending]).toEqual([500, 'InternalError', 0])
  })

  it('drop: the connection is destroyed without an answer', async () => {
    s3.faults.inject({ drop: true })
    await expect(get(roles.download, 'uploads/committed.png')).rejects.toThrow()
    expect((await get(roles.download, 'uploads/committed.png')).status).toBe(200)
  })

  it('delayMs: the delayed answer comes after a later request\'s, and is unchanged', async () => {
    s3.faults.inject({ delayMs: 300, match: { key: 'uploads/committed.png' } })
    const order: string[] = []
    const slow = get(roles.download, 'uploads/committed.png').then(async (r) => (order.push('delayed'), [r.status, await r.text()]))
    const fast = get(roles.worker, 'quarantine/staged.png').then((r) => (order.push('other'), r.status))
    expect([await slow, await fast, order]).toEqual([[200, 'png'], 200, ['other', 'delayed']])
  })

  it('a fault without an effect, or with a bad count, is refused with a message naming it', () => {
    expect(() => s3.faults.inject({})).toThrow(/needs `status`, `delayMs` or `drop`/)
    expect(() => s3.faults.inject({ status: 404 as 500 })).toThrow(/`status` is 404/)
    expect(() => s3.faults.inject({ status: 500, count: 0 })).toThrow(/`count` is 0/)
  })

  it('reset() empties buckets, faults and the log; the start buckets come back empty', async () => {
    s3.faults.inject({ status: 500, count: 5 })
    s3.reset()
    const c = new S3Client({ endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, credentials: s3.credentials, maxAttempts: 1 })
    await expect(c.send(new GetObjectCommand({ Bucket: B, Key: 'uploads/committed.png' }))).rejects.toMatchObject({ name: 'NoSuchKey' })
    expect([s3.faults.pending, s3.requests.length]).toEqual([0, 1])
    c.destroy()
  })
})
