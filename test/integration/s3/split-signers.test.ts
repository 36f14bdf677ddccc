// The split setup on each S3 peer (peers.ts), attacked as the review did: a grant plus one unsigned header. RGW obeys
// unsigned x-amz-* headers on presigned requests (AWS refuses them: "There were headers present in the
// request which were not signed"), so here only the signer's rights stand between a grant and the
// bucket. With the split signers every attack is refused; with one client, the second part of this file
// records what RGW lets through (the table in docs/threat-model.md).
import { createHash } from 'node:crypto'
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSafeDownload, createSafeUpload, memoryStore, type OwnershipStore, type PutGrant, type SafeUploadConfig } from '../../../src/index.js'
import { describePeers } from '../../helpers/peers.js'
import { expectFor } from './deviations.js'
import { httpRequest, postForm } from '../../helpers/rgw.js'
import { asPost, asPut, enforcementTable, head, minimalPng, putWith } from './support.js'
import { splitSetup, type SplitSetup } from './split.js'

const PNG = minimalPng(8)
const OTHER_PNG = minimalPng(9)
const SECRET = Buffer.from('the bucket owner\'s private notes\n', 'utf8')
const md5 = (body: Buffer) => createHash('md5').update(body).digest('base64')
const ALL_USERS = 'uri="http://acs.amazonaws.com/groups/global/AllUsers"'

/** What an SDK call answered: 'ok', or the HTTP status and error name. */
async function outcome(call: () => Promise<unknown>): Promise<string> {
  try {
    const out = (await call()) as { Body?: { transformToByteArray(): Promise<Uint8Array> } }
    await out?.Body?.transformToByteArray()
    return 'ok'
  } catch (error) {
    const e = error as { name?: string; $metadata?: { httpStatusCode?: number } }
    return `${e.$metadata?.httpStatusCode ?? '?'} ${e.name ?? ''}`.trim()
  }
}

describePeers('split signers: a grant can do only its one upload', (peer) => {
  let worker: S3Client
  let split: SplitSetup
  let otherBucket: string
  let store: OwnershipStore
  const table = enforcementTable(`split-signers [${peer.name}]`)

  beforeAll(async () => {
    worker = peer.client()
    split = await splitSetup(peer, worker)
    otherBucket = await peer.freshBucket()
    await worker.send(new PutObjectCommand({ Bucket: split.bucket, Key: 'private/secret.txt', Body: SECRET, ContentType: 'text/plain' }))
    await worker.send(new PutObjectCommand({ Bucket: otherBucket, Key: 'uploads/secret.txt', Body: SECRET, ContentType: 'text/plain' }))
    store = memoryStore()
  })
  afterAll(async () => {
    table.flush()
    await split?.remove()
    if (otherBucket) await peer.removeBucket(worker, otherBucket)
    worker?.destroy()
  })

  const uploads = (extra: Partial<SafeUploadConfig> = {}) =>
    createSafeUpload({ client: worker, signer: split.uploadSigner, bucket: split.bucket, store, allowedContentTypes: ['image/png'], maxSize: 1 << 20, checksum: 'md5', ...extra })
  const downloads = () => createSafeDownload({ client: worker, signer: split.downloadSigner, bucket: split.bucket, store })
  const grantFor = async (owner: string, body = PNG) => asPut(await uploads().presign({ owner, contentType: 'image/png', size: body.length, checksum: md5(body) }))
  const anonymousGet = (key: string, bucket = split.bucket) => httpRequest(`${peer.endpoint}/${bucket}/${key}`)
  /** The object's bytes as the bucket owner reads them, or undefined. */
  async function bytesOf(key: string): Promise<Buffer | undefined> {
    const out = await worker.send(new GetObjectCommand({ Bucket: split.bucket, Key: key })).catch(() => undefined)
    return out?.Body ? Buffer.from(await out.Body.transformToByteArray()) : undefined
  }
  async function committedUpload(owner: string, body: Buffer): Promise<PutGrant> {
    const grant = await grantFor(owner, body)
    expect((await putWith(grant, body)).status).toBe(200)
    await uploads().complete({ key: grant.key, owner })
    return grant
  }

  it('an honest PUT carries a signed x-amz-acl: bucket-owner-full-control (200), the owner can read it, complete() commits, the download signer serves it', async () => {
    const grant = await grantFor('alice')
    expect(grant.headers['x-amz-acl']).toBe('bucket-owner-full-control')
    expect(new URL(grant.url).searchParams.get('X-Amz-SignedHeaders')?.split(';')).toContain('x-amz-acl')
    expect(new URL(grant.url).searchParams.has('x-amz-acl')).toBe(false) // a header, not hoisted into the query
    table.http('split: honest PUT', await putWith(grant, PNG), [200, undefined])
    table.note('split: bucket owner HeadObject of the signer-written object', await outcome(() => worker.send(new HeadObjectCommand({ Bucket: split.bucket, Key: grant.key }))))
    expect(await outcome(() => worker.send(new HeadObjectCommand({ Bucket: split.bucket, Key: grant.key })))).toBe('ok')
    expect(await uploads().complete({ key: grant.key, owner: 'alice' })).toMatchObject({ state: 'committed', sniffedType: 'image/png' })
    const { url } = await downloads().presign({ key: grant.key, requester: 'alice' })
    expect(new URL(url).searchParams.get('X-Amz-Credential')).toContain(split.users.download.credentials.accessKeyId)
    const got = await httpRequest(url)
    table.http('split: download link signed by the download signer', got, [200, undefined])
    expect(got.body.equals(PNG)).toBe(true)
  })

  it('+ x-amz-copy-source (another owner\'s upload, an object outside the prefix, another bucket): 403, nothing stored', async () => {
    const bob = await committedUpload('bob', OTHER_PNG)
    const grant = await grantFor('alice')
    const sources = {
      "another owner's committed upload": `/${split.bucket}/${bob.key}`,
      'an object outside the prefix': `/${split.bucket}/private/secret.txt`,
      'an object in another bucket': `/${otherBucket}/uploads/secret.txt`,
    }
    for (const [name, source] of Object.entries(sources)) {
      table.http(`split: grant + unsigned x-amz-copy-source (${name})`, await putWith(grant, PNG, { headers: { 'x-amz-copy-source': source } }), [403, 'AccessDenied'])
    }
    expect(await head(worker, split.bucket, grant.key)).toBeUndefined()
    // The grant itself still works: the refusals came from the header alone.
    expect((await putWith(grant, PNG)).status).toBe(200)
  })

  it('x-amz-acl changed (403), + x-amz-grant-read/-write/-full-control (RGW 400, AWS 403): nothing stored, an anonymous GET is 403', async () => {
    const grant = await grantFor('alice')
    table.http('split: x-amz-acl changed to public-read', await putWith(grant, PNG, { headers: { 'x-amz-acl': 'public-read' } }), [403, 'SignatureDoesNotMatch'])
    for (const header of ['x-amz-grant-read', 'x-amz-grant-write', 'x-amz-grant-full-control']) {
      table.http(`split: + unsigned ${header} AllUsers`, await putWith(grant, PNG, { headers: { [header]: ALL_USERS } }), expectFor(peer, 'unsigned-grant-with-signed-acl'))
    }
    expect(await head(worker, split.bucket, grant.key)).toBeUndefined()
    table.http('split: anonymous GET of the key after those attempts', await anonymousGet(grant.key), [403, 'AccessDenied'])
  })

  it('a copy-source replay of a committed key\'s grant is refused, and the committed bytes are unchanged', async () => {
    const bob = await committedUpload('bob', OTHER_PNG)
    const alice = await committedUpload('alice', PNG)
    table.http('split: committed key, its grant replayed + x-amz-copy-source', await putWith(alice, PNG, { headers: { 'x-amz-copy-source': `/${split.bucket}/${bob.key}` } }), [403, 'AccessDenied'])
    table.http('split: committed key, its grant replayed as issued', await putWith(alice, PNG), [412, 'PreconditionFailed'])
    expect((await bytesOf(alice.key))?.equals(PNG)).toBe(true)
  })

  it('the upload signer cannot GET, HEAD or List; the download signer cannot PUT or DELETE', async () => {
    const alice = await committedUpload('alice', PNG)
    const up = split.uploadSigner
    const down = split.downloadSigner
    const cases: [string, () => Promise<unknown>, string][] = [
      ['upload signer GetObject (an object it wrote)', () => up.send(new GetObjectCommand({ Bucket: split.bucket, Key: alice.key })), '403 AccessDenied'],
      ['upload signer HeadObject (an object it wrote)', () => up.send(new HeadObjectCommand({ Bucket: split.bucket, Key: alice.key })), '403'],
      ['upload signer ListObjectsV2', () => up.send(new ListObjectsV2Command({ Bucket: split.bucket })), '403 AccessDenied'],
      ['upload signer DeleteObject', () => up.send(new DeleteObjectCommand({ Bucket: split.bucket, Key: alice.key })), '403 AccessDenied'],
      ['download signer PutObject', () => down.send(new PutObjectCommand({ Bucket: split.bucket, Key: 'uploads/x.png', Body: PNG })), '403 AccessDenied'],
      ['download signer DeleteObject', () => down.send(new DeleteObjectCommand({ Bucket: split.bucket, Key: alice.key })), '403 AccessDenied'],
      ['download signer GetObject outside the prefix', () => down.send(new GetObjectCommand({ Bucket: split.bucket, Key: 'private/secret.txt' })), '403 AccessDenied'],
    ]
    for (const [name, call, expected] of cases) {
      const got = await outcome(call)
      table.note(`split: ${name}`, got)
      // HeadObject has no body, so the SDK names the error by status alone ('403 Unknown' or '403 Forbidden').
      expect(got.startsWith(expected), `${name}: ${got}`).toBe(true)
    }
    expect((await bytesOf(alice.key))?.equals(PNG)).toBe(true)
  })

  it('POST through quarantine: the policy carries acl=bucket-owner-full-control, the form is accepted, complete() promotes it', async () => {
    const q = await splitSetup(peer, worker, { quarantinePrefix: 'quarantine/' })
    try {
      const qStore = memoryStore()
      const up = createSafeUpload({ client: worker, signer: q.uploadSigner, bucket: q.bucket, store: qStore, method: 'POST', quarantine: { prefix: 'quarantine/' }, allowedContentTypes: ['image/png'], maxSize: 1 << 20 })
      const grant = asPost(await up.presign({ owner: 'alice', contentType: 'image/png', size: PNG.length }))
      expect(grant.fields.acl).toBe('bucket-owner-full-control')
      expect(JSON.parse(Buffer.from(grant.fields.Policy!, 'base64').toString('utf8')).conditions).toContainEqual({ acl: 'bucket-owner-full-control' })
      table.http('split, quarantine: honest POST', await postForm(grant.url, grant.fields, { body: PNG, contentType: 'image/png', filename: 'a.png' }), [201, undefined])
      table.http('split, quarantine: POST with acl=public-read', await postForm(grant.url, { ...grant.fields, acl: 'public-read' }, { body: PNG, contentType: 'image/png', filename: 'a.png' }), [403, 'AccessDenied'])
      expect(await up.complete({ key: grant.key, owner: 'alice' })).toMatchObject({ state: 'committed' })
      const link = await createSafeDownload({ client: worker, signer: q.downloadSigner, bucket: q.bucket, store: qStore }).presign({ key: grant.key, requester: 'alice' })
      const got = await httpRequest(link.url)
      table.http('split, quarantine: download of the promoted object', got, [200, undefined])
      expect(got.body.equals(PNG)).toBe(true)
    } finally {
      await q.remove()
    }
  })
}, { users: true })

// The same attacks with one client that signs and completes (the 0.1.0 setup). Each assertion is what
// RGW 16 did; AWS refuses every one of these requests (unsigned x-amz-* headers). probeBucket() flags it.
describePeers('one client: what the same attacks do without a separate signer (RGW deviates from AWS, which refuses every one)', (peer) => {
  let client: S3Client
  let bucket: string
  let otherBucket: string
  let store: OwnershipStore
  const table = enforcementTable(`single-client [${peer.name}]`)

  beforeAll(async () => {
    client = peer.client()
    bucket = await peer.freshBucket()
    otherBucket = await peer.freshBucket()
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'private/secret.txt', Body: SECRET, ContentType: 'text/plain' }))
    await client.send(new PutObjectCommand({ Bucket: otherBucket, Key: 'uploads/secret.txt', Body: SECRET, ContentType: 'text/plain' }))
    store = memoryStore()
  })
  afterAll(async () => {
    table.flush()
    if (bucket) await peer.removeBucket(client, bucket)
    if (otherBucket) await peer.removeBucket(client, otherBucket)
    client?.destroy()
  })

  const uploads = () => createSafeUpload({ client, bucket, store, allowedContentTypes: ['image/png', 'text/plain'], maxSize: 1 << 20 })
  const grantFor = async (owner: string, body = PNG) => asPut(await uploads().presign({ owner, contentType: 'image/png', size: body.length }))
  const bytesOf = async (key: string) => {
    const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key })).catch(() => undefined)
    return out?.Body ? Buffer.from(await out.Body.transformToByteArray()) : undefined
  }

  describe('x-amz-copy-source', () => {
    it.each([
      ['an object outside the prefix', () => `/${bucket}/private/secret.txt`],
      ['an object in another bucket', () => `/${otherBucket}/uploads/secret.txt`],
    ])('RGW copies %s into the grant\'s key (200, the source\'s bytes); AWS refuses the header (403, nothing stored)', async (name, source) => {
      const grant = await grantFor('alice')
      const copy = expectFor(peer, 'unsigned-copy-source')
      table.http(`one client: grant + unsigned x-amz-copy-source (${name})`, await putWith(grant, PNG, { headers: { 'x-amz-copy-source': source() } }), copy.put)
      expect((await bytesOf(grant.key))?.equals(SECRET)).toBe(copy.copied ? true : undefined)
    })

    it('RGW replaces a committed key\'s verified bytes through its create-once grant (200, where the plain replay gets 412); AWS refuses (403)', async () => {
      const grant = await grantFor('alice')
      await putWith(grant, PNG)
      await uploads().complete({ key: grant.key, owner: 'alice' })
      const copy = expectFor(peer, 'unsigned-copy-source')
      table.http('one client: committed key, its grant replayed as issued', await putWith(grant, PNG), [412, 'PreconditionFailed'])
      table.http('one client: committed key, its grant replayed + x-amz-copy-source', await putWith(grant, PNG, { headers: { 'x-amz-copy-source': `/${bucket}/private/secret.txt` } }), copy.put)
      expect((await bytesOf(grant.key))?.equals(copy.copied ? SECRET : PNG)).toBe(true)
    })
  })

  it.each([
    ['x-amz-acl', 'public-read'],
    ['x-amz-grant-read', ALL_USERS],
  ])('+ unsigned %s: RGW makes the pending object readable anonymously (200); AWS refuses the header (403)', async (header, value) => {
    const grant = await grantFor('alice')
    const acl = expectFor(peer, header === 'x-amz-acl' ? 'unsigned-acl' : 'unsigned-grant')
    table.http(`one client: grant + unsigned ${header}`, await putWith(grant, PNG, { headers: { [header]: value } }), acl.put)
    const anon = await httpRequest(`${peer.endpoint}/${bucket}/${grant.key}`)
    table.http(`one client: anonymous GET after ${header}`, anon, acl.anonymousGet)
    expect(anon.body.equals(PNG)).toBe(acl.anonymousGet[0] === 200)
  })

  it('+ unsigned x-amz-grant-write: RGW locks the bucket owner out, complete() rejects it (OBJECT_UNREADABLE) and deletes the object; AWS refuses the header (403, nothing stored)', async () => {
    const grant = await grantFor('alice')
    const write = expectFor(peer, 'unsigned-grant')
    table.http('one client: grant + unsigned x-amz-grant-write AllUsers', await putWith(grant, PNG, { headers: { 'x-amz-grant-write': ALL_USERS } }), write.put)
    if (write.put[0] !== 200) {
      expect(await head(client, bucket, grant.key)).toBeUndefined()
      return
    }
    table.note('one client: bucket owner HeadObject after x-amz-grant-write', await outcome(() => client.send(new HeadObjectCommand({ Bucket: bucket, Key: grant.key }))))
    const error = await uploads().complete({ key: grant.key, owner: 'alice' }).catch((e: unknown) => e)
    table.library('one client: complete() of the locked-out object', (error as { code?: string }).code ?? 'ok', 'OBJECT_UNREADABLE')
    expect((await store.get(grant.key, Date.now()))?.state).toBe('rejected')
    const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: grant.key }))
    table.note('one client: the locked-out object after complete()', listed.KeyCount ? 'still listed' : 'deleted')
    expect(listed.KeyCount ?? 0).toBe(0)
  })
})
