// safe-presign/handler end to end: a real node:http server (toNodeListener) in front of the builders,
// an S3 peer (RGW and the test S3: peers.ts) behind them, and the client's side sent over plain HTTP exactly as the protocol tells a browser:
// grant → bytes to S3 with what the grant says → complete → download link → the bytes back.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { toNodeListener } from '../../../src/adapters/node.js'
import { createUploadHandler, type GrantAnswer, type MultipartGrantAnswer, type PostGrantAnswer, type PutGrantAnswer } from '../../../src/handler/index.js'
import { createSafeDownload, createSafeUpload, memoryStore, type OwnershipStore, type SafeUploadConfig } from '../../../src/index.js'
import { describePeers } from '../../helpers/peers.js'
import { httpRequest, postForm } from '../../helpers/rgw.js'
import { minimalPng } from './support.js'

const MiB = 1024 ** 2
const PNG = minimalPng(16)

describePeers('safe-presign/handler over node:http', (peer) => {
  let client: S3Client
  let bucket: string
  let store: OwnershipStore
  const servers: Server[] = []

  beforeAll(async () => {
    client = peer.client()
    bucket = await peer.freshBucket()
    store = memoryStore()
  })
  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
    if (bucket) await createSafeUpload({ client, bucket, store, allowedContentTypes: ['image/png'], maxSize: 1, multipart: true }).sweepMultipart({ now: Date.now() + 1e12 })
    if (bucket) await peer.removeBucket(client, bucket)
    client?.destroy()
  })

  /** A server for one builder configuration; the user is the x-user header. Returns `call`. */
  async function app(extra: Partial<SafeUploadConfig> = {}) {
    const uploads = createSafeUpload({ client, bucket, store, allowedContentTypes: ['image/png'], maxSize: 64 * MiB, ...extra })
    const downloads = createSafeDownload({ client, bucket, store })
    const handler = createUploadHandler({ uploads, downloads, authenticate: (request) => request.headers.get('x-user') })
    const server = createServer(toNodeListener(handler))
    servers.push(server)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/uploads`
    return async (method: string, path: string, user: string, json?: unknown) => {
      const res = await fetch(base + path, {
        method,
        redirect: 'manual',
        headers: { 'x-user': user, ...(json !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: json === undefined ? undefined : JSON.stringify(json),
      })
      const text = await res.text()
      return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined }
    }
  }
  type Call = Awaited<ReturnType<typeof app>>

  /** complete → JSON link → 302 link → the bytes, for `user`; and another user is refused with 403. */
  async function completeAndDownload(call: Call, key: string, body: Buffer, complete: Record<string, unknown> = {}) {
    const done = await call('POST', '/complete', 'alice', { key, ...complete })
    expect(done.status).toBe(200)
    expect(done.body).toMatchObject({ key, state: 'committed', size: body.length, contentType: 'image/png', sniffedType: 'image/png', alreadyCommitted: false })
    const link = await call('GET', `/download?key=${encodeURIComponent(key)}`, 'alice')
    expect(link.status).toBe(200)
    const file = await httpRequest(link.body.url)
    expect(file.status).toBe(200)
    expect(file.body.equals(body)).toBe(true)
    const redirected = await call('GET', `/download?key=${encodeURIComponent(key)}&redirect=1`, 'alice')
    expect(redirected.status).toBe(302)
    expect((await httpRequest(redirected.headers.get('location')!)).body.equals(body)).toBe(true)
    const bob = await call('GET', `/download?key=${encodeURIComponent(key)}&redirect=1`, 'bob')
    expect(bob).toMatchObject({ status: 403, body: { name: 'SafePresignError', code: 'FORBIDDEN' } })
    expect(bob.headers.get('location')).toBeNull()
  }

  it('PUT: grant → PUT with the grant’s headers → complete → download; another user gets 403', async () => {
    const call = await app()
    const res = await call('POST', '/grant', 'alice', { filename: 'cat.png', contentType: 'image/png', size: PNG.length })
    expect(res.status).toBe(200)
    const grant = res.body as GrantAnswer
    expect(grant.kind).toBe('put')
    const { url, headers, key } = grant as PutGrantAnswer
    const sent = { ...headers }
    delete sent['content-length'] // what a browser does: it sets the length from the body
    expect((await httpRequest(url, { method: 'PUT', headers: sent, body: PNG })).status).toBe(200)
    await completeAndDownload(call, key, PNG)
  })

  it('POST: the form lands in quarantine, complete promotes it to the final key the grant named', async () => {
    const call = await app({ method: 'POST', quarantine: { prefix: 'quarantine/' } })
    const res = await call('POST', '/grant', 'alice', { filename: 'cat.png', contentType: 'image/png', size: PNG.length })
    expect(res.status).toBe(200)
    const grant = res.body as PostGrantAnswer
    expect(grant.kind).toBe('post')
    expect(grant.fields.key).toMatch(/^quarantine\//)
    expect(grant.key).toMatch(/^uploads\//)
    const posted = await postForm(grant.url, grant.fields, { body: PNG, contentType: 'image/png', filename: 'cat.png' })
    expect(posted.status).toBe(201)
    // Not downloadable before completion.
    expect((await call('GET', `/download?key=${encodeURIComponent(grant.key)}`, 'alice')).body.code).toBe('NOT_COMMITTED')
    await completeAndDownload(call, grant.key, PNG)
  })

  it('multipart: 12 MiB in 3 parts of 5 MiB, parts signed and listed through the handler, completed by the server', async () => {
    const call = await app({ multipart: { partSize: 5 * MiB, threshold: 8 * MiB } })
    const body = Buffer.alloc(12 * MiB, 0x5a)
    PNG.copy(body, 0)
    const res = await call('POST', '/grant', 'alice', { filename: 'big.png', contentType: 'image/png', size: body.length })
    expect(res.status).toBe(200)
    const grant = res.body as MultipartGrantAnswer
    expect(grant).toMatchObject({ kind: 'multipart', partSize: 5 * MiB, partCount: 3, checksum: null })
    const { key, uploadId } = grant
    const signed = await call('POST', '/parts', 'alice', { key, uploadId, parts: [1, 2, 3].map((partNumber) => ({ partNumber })) })
    expect(signed.status).toBe(200)
    for (const part of signed.body.parts as { partNumber: number; url: string; headers: Record<string, string> }[]) {
      const headers = { ...part.headers }
      delete headers['content-length']
      const bytes = body.subarray((part.partNumber - 1) * grant.partSize, part.partNumber * grant.partSize)
      expect((await httpRequest(part.url, { method: 'PUT', headers, body: bytes })).status).toBe(200)
    }
    const listed = await call('POST', '/parts/list', 'alice', { key, uploadId })
    expect(listed.body.parts.map((p: { size: number }) => p.size)).toEqual([5 * MiB, 5 * MiB, 2 * MiB])
    // Another user cannot complete it, even naming the owner in the body.
    expect((await call('POST', '/complete', 'bob', { key, uploadId, owner: 'alice' })).status).toBe(403)
    await completeAndDownload(call, key, body, { uploadId })
  })

  it('abort: the multipart upload is gone from S3 and its record rejected', async () => {
    const call = await app({ multipart: { partSize: 5 * MiB, threshold: 8 * MiB } })
    const grant = (await call('POST', '/grant', 'alice', { contentType: 'image/png', size: 10 * MiB })).body as MultipartGrantAnswer
    const aborted = await call('POST', '/abort', 'alice', { key: grant.key, uploadId: grant.uploadId })
    expect(aborted).toMatchObject({ status: 200, body: { key: grant.key, state: 'rejected' } })
    const open = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }))
    expect((open.Uploads ?? []).map((u) => u.UploadId)).not.toContain(grant.uploadId)
    // It takes no more parts and cannot be completed. (Not /parts/list: RGW 16 answers ListParts on an
    // aborted upload with 404 NoSuchKey, not NoSuchUpload, which the core reports as S3_ERROR.)
    expect(await call('POST', '/parts', 'alice', { key: grant.key, uploadId: grant.uploadId, parts: [{ partNumber: 1 }] })).toMatchObject({ status: 409, body: { code: 'UPLOAD_REJECTED' } })
    expect(await call('POST', '/complete', 'alice', { key: grant.key, uploadId: grant.uploadId })).toMatchObject({ status: 409, body: { code: 'UPLOAD_REJECTED' } })
  })
})
