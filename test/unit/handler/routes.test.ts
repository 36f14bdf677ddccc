// Every route's happy path through the handler, with the builders behind it real and S3 faked.
import { describe, expect, it } from 'vitest'
import { T } from '../core/fixtures.js'
import { handlerWorld, MiB, PNG, type HandlerWorld } from './setup.js'

const KEY = /^uploads\/00000000-0000-4000-8000-0000000000\d\d\.png$/

async function grantPng(w: HandlerWorld, user = 'alice', extra: Record<string, unknown> = {}) {
  const res = await w.call('POST', '/uploads/grant', { user, json: { filename: 'cat.png', contentType: 'image/png', size: PNG.length, ...extra } })
  expect(res.status).toBe(200)
  return res.body
}

async function committedPng(w: HandlerWorld, user = 'alice'): Promise<string> {
  const grant = await grantPng(w, user)
  w.putObject(grant.key, PNG, 'image/png')
  const done = await w.call('POST', '/uploads/complete', { user, json: { key: grant.key } })
  expect(done.status).toBe(200)
  return grant.key
}

describe('POST /grant', () => {
  it('answers a PUT grant with the final key, the headers to send and checksum null', async () => {
    const w = handlerWorld()
    const res = await w.call('POST', '/uploads/grant', { user: 'alice', json: { filename: 'cat.png', contentType: 'image/png', size: PNG.length } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect(res.body).toEqual({ kind: 'put', key: expect.stringMatching(KEY), url: expect.stringContaining('X-Amz-Signature='), headers: expect.any(Object), expiresAt: expect.any(Number), checksum: null })
    expect(res.body.headers).toMatchObject({ 'content-type': 'image/png', 'content-length': String(PNG.length), 'if-none-match': '*', 'x-amz-meta-filename': 'cat.png' })
    expect((await w.store.get(res.body.key, T))?.owner).toBe('alice')
  })

  it('takes the owner from authenticate(), never from the body; extra fields are ignored', async () => {
    const w = handlerWorld()
    const grant = await grantPng(w, 'alice', { owner: 'mallory', keyPrefix: 'evil/', method: 'POST', expiresIn: 99999 })
    expect(grant.kind).toBe('put')
    expect(grant.key).toMatch(KEY)
    expect((await w.store.get(grant.key, T))?.owner).toBe('alice')
  })

  it('says which digest the builder requires', async () => {
    const w = handlerWorld({ upload: { checksum: 'sha256' } })
    const digest = Buffer.alloc(32, 7).toString('base64')
    const grant = await grantPng(w, 'alice', { checksum: digest })
    expect(grant.checksum).toBe('sha256')
    expect(grant.headers['x-amz-checksum-sha256']).toBe(digest)
  })

  it('answers a POST grant whose key is the final one, not the quarantine key in its fields', async () => {
    const w = handlerWorld({ upload: { method: 'POST', quarantine: { prefix: 'quarantine/' } } })
    const res = await w.call('POST', '/uploads/grant', { user: 'alice', json: { contentType: 'image/png' } })
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ kind: 'post', key: expect.stringMatching(KEY), url: expect.any(String), fields: expect.any(Object), expiresAt: expect.any(Number), checksum: null })
    expect(res.body.fields.key).toBe(res.body.key.replace(/^uploads\//, 'quarantine/'))
  })

  it('picks multipart at the threshold, above 5 GiB, or when asked; PUT below the threshold', async () => {
    const w = handlerWorld({ upload: { multipart: { partSize: 5 * MiB, threshold: 8 * MiB }, maxSize: 6 * 1024 ** 3 } })
    const cases: [string, Record<string, unknown>, string, number | undefined][] = [
      ['below the threshold', { size: 8 * MiB - 1 }, 'put', undefined],
      ['at the threshold', { size: 8 * MiB }, 'multipart', 2],
      ['12 MiB', { size: 12 * MiB }, 'multipart', 3],
      ['small, asked for', { size: 1 * MiB, multipart: true }, 'multipart', 1],
      ['asked not to, at the threshold', { size: 8 * MiB, multipart: false }, 'multipart', 2],
    ]
    for (const [what, fields, kind, partCount] of cases) {
      const res = await w.call('POST', '/uploads/grant', { user: 'alice', json: { contentType: 'application/pdf', ...fields } })
      expect({ what, status: res.status, kind: res.body.kind }).toEqual({ what, status: 200, kind })
      if (kind === 'multipart') {
        expect(res.body).toEqual({ kind, key: expect.stringMatching(/^uploads\/.+\.pdf$/), uploadId: expect.stringMatching(/^2~fake-upload-/), partSize: 5 * MiB, partCount, expiresAt: expect.any(Number), checksum: null })
      }
    }
    expect(w.s3.inputs('CreateMultipartUpload')).toHaveLength(4)
  })
})

describe('POST /complete and GET /download', () => {
  it('completes, idempotently, then links to the file as JSON or as a 302', async () => {
    const w = handlerWorld()
    const grant = await grantPng(w)
    w.putObject(grant.key, PNG, 'image/png')
    const first = await w.call('POST', '/uploads/complete', { user: 'alice', json: { key: grant.key } })
    expect(first).toMatchObject({ status: 200, body: { key: grant.key, state: 'committed', size: PNG.length, contentType: 'image/png', sniffedType: 'image/png', alreadyCommitted: false } })
    const again = await w.call('POST', '/uploads/complete', { user: 'alice', json: { key: grant.key } })
    expect(again.body.alreadyCommitted).toBe(true)

    const link = await w.call('GET', `/uploads/download?key=${encodeURIComponent(grant.key)}`, { user: 'alice' })
    expect(link.status).toBe(200)
    expect(link.body).toEqual({ url: expect.stringContaining(`/${grant.key}?`), expiresAt: expect.any(Number) })
    expect(link.body.url).toContain('response-content-disposition=attachment')

    const redirected = await w.call('GET', `/uploads/download?key=${encodeURIComponent(grant.key)}&redirect=1`, { user: 'alice' })
    expect(redirected.status).toBe(302)
    expect(redirected.headers.get('location')).toBe(link.body.url)
    expect(redirected.headers.get('cache-control')).toBe('no-store')
  })

  it("refuses another user's file with 403 FORBIDDEN, and their completion too", async () => {
    const w = handlerWorld()
    const key = await committedPng(w, 'alice')
    const bob = await w.call('GET', `/uploads/download?key=${encodeURIComponent(key)}&redirect=1`, { user: 'bob' })
    expect(bob).toMatchObject({ status: 403, body: { name: 'SafePresignError', code: 'FORBIDDEN' } })
    expect(bob.headers.get('location')).toBeNull()
    const grant = await grantPng(w, 'alice')
    w.putObject(grant.key, PNG, 'image/png')
    expect((await w.call('POST', '/uploads/complete', { user: 'bob', json: { key: grant.key } })).body.code).toBe('FORBIDDEN')
  })
})

describe('multipart routes', () => {
  const setup = async () => {
    const w = handlerWorld({ upload: { multipart: { partSize: 5 * MiB, threshold: 8 * MiB } } })
    const res = await w.call('POST', '/uploads/grant', { user: 'alice', json: { filename: 'big.png', contentType: 'image/png', size: 12 * MiB } })
    expect(res.body.kind).toBe('multipart')
    return { w, grant: res.body as { key: string; uploadId: string } }
  }

  it('signs parts, lists them, completes with the uploadId, then downloads', async () => {
    const { w, grant } = await setup()
    const { key, uploadId } = grant
    const signed = await w.call('POST', '/uploads/parts', { user: 'alice', json: { key, uploadId, parts: [{ partNumber: 1 }, { partNumber: 2 }, { partNumber: 3 }] } })
    expect(signed.status).toBe(200)
    expect(signed.body.parts.map((p: { partNumber: number }) => p.partNumber)).toEqual([1, 2, 3])
    for (const part of signed.body.parts) {
      const url = new URL(part.url)
      expect(url.searchParams.get('partNumber')).toBe(String(part.partNumber))
      expect(url.searchParams.get('uploadId')).toBe(uploadId)
      expect(part).toEqual({ partNumber: part.partNumber, url: part.url, headers: expect.any(Object), expiresAt: expect.any(Number) })
    }
    w.s3.uploadPart(uploadId, 1, { size: 5 * MiB, head: PNG })
    const listed = await w.call('POST', '/uploads/parts/list', { user: 'alice', json: { key, uploadId } })
    expect(listed).toMatchObject({ status: 200, body: { key, uploadId, partSize: 5 * MiB, partCount: 3, parts: [{ partNumber: 1, size: 5 * MiB, etag: expect.any(String) }] } })
    w.s3.uploadPart(uploadId, 2, { size: 5 * MiB })
    w.s3.uploadPart(uploadId, 3, { size: 2 * MiB })
    const done = await w.call('POST', '/uploads/complete', { user: 'alice', json: { key, uploadId } })
    expect(done).toMatchObject({ status: 200, body: { key, state: 'committed', size: 12 * MiB, sniffedType: 'image/png', alreadyCommitted: false } })
    expect(w.s3.inputs('CompleteMultipartUpload')).toHaveLength(1)
    expect((await w.call('GET', `/uploads/download?key=${key}`, { user: 'alice' })).status).toBe(200)
  })

  it('aborts', async () => {
    const { w, grant } = await setup()
    const res = await w.call('POST', '/uploads/abort', { user: 'alice', json: grant })
    expect(res).toEqual({ status: 200, headers: expect.anything(), body: { key: grant.key, state: 'rejected' } })
    expect(w.s3.uploads.size).toBe(0)
  })

  it("refuses another user's upload on every multipart route", async () => {
    const { w, grant } = await setup()
    for (const [path, extra] of [['/parts', { parts: [{ partNumber: 1 }] }], ['/parts/list', {}], ['/complete', {}], ['/abort', {}]] as const) {
      const res = await w.call('POST', `/uploads${path}`, { user: 'bob', json: { ...grant, ...extra, owner: 'alice' } })
      expect({ path, status: res.status, code: res.body.code }).toEqual({ path, status: 403, code: 'FORBIDDEN' })
    }
    expect(w.s3.uploads.size).toBe(1)
  })
})

describe('basePath', () => {
  it('serves the routes under another path, and the root', async () => {
    const api = handlerWorld({ handler: { basePath: '/api/uploads/' } })
    expect((await api.call('POST', '/api/uploads/grant', { user: 'a', json: { contentType: 'image/png', size: 1 } })).status).toBe(200)
    expect((await api.call('POST', '/uploads/grant', { user: 'a', json: { contentType: 'image/png', size: 1 } })).body.code).toBe('ROUTE_NOT_FOUND')
    const root = handlerWorld({ handler: { basePath: '/' } })
    expect((await root.call('POST', '/grant', { user: 'a', json: { contentType: 'image/png', size: 1 } })).status).toBe(200)
  })
})
