// examples/node-http/server.ts, in-process against the strict test S3: the routes a user would copy
// must do what its header promises, over real HTTP, end to end.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestS3 } from '../../../src/testing/s3/index.js'
import { exampleBuilders } from './flow.js'
import { createHandler, STATUS } from '../../../examples/node-http/server.js'
import { ErrorCode, type PutGrant } from '../../../src/index.js'

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5e1b1d60000000049454e44ae426082',
  'hex',
)

let s3: TestS3
let server: Server
let base: string

beforeAll(async () => {
  const built = await exampleBuilders()
  s3 = built.s3
  const { uploads, downloads } = built
  server = createServer(createHandler({ uploads, downloads }))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server?.closeAllConnections()
  await new Promise((resolve) => server?.close(resolve))
  await s3?.close()
})

const call = (method: string, path: string, options: { user?: string; json?: unknown } = {}) =>
  fetch(base + path, {
    method,
    redirect: 'manual',
    headers: { ...(options.user ? { 'x-user': options.user } : {}), ...(options.json ? { 'content-type': 'application/json' } : {}) },
    body: options.json === undefined ? undefined : JSON.stringify(options.json),
  })

/** grant → PUT to S3 → complete: a committed key owned by `user`. */
async function uploadPng(user: string): Promise<string> {
  const res = await call('POST', '/uploads', { user, json: { filename: 'cat.png', contentType: 'image/png', size: PNG.length } })
  expect(res.status).toBe(201)
  const grant = (await res.json()) as PutGrant
  expect(grant.key).toMatch(/^uploads\/[0-9a-f-]{36}\.png$/)
  const put = await fetch(grant.url, { method: 'PUT', headers: grant.headers, body: PNG })
  expect(put.status).toBe(200)
  const done = await call('POST', `/uploads/${grant.key}/complete`, { user })
  expect(done.status).toBe(200)
  expect(await done.json()).toMatchObject({ key: grant.key, state: 'committed', sniffedType: 'image/png' })
  return grant.key
}

describe('examples/node-http', () => {
  it('grant → PUT → complete → GET /files/:key redirects to the bytes', async () => {
    const key = await uploadPng('alice')
    const res = await call('GET', `/files/${key}`, { user: 'alice' })
    expect(res.status).toBe(302)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const file = await fetch(res.headers.get('location')!)
    expect(file.status).toBe(200)
    expect(Buffer.from(await file.arrayBuffer()).equals(PNG)).toBe(true)
    expect(file.headers.get('content-disposition')).toBe(`attachment; filename="cat.png"; filename*=UTF-8''cat.png`)
    // The key percent-encoded as one path segment works the same.
    expect((await call('GET', `/files/${encodeURIComponent(key)}`, { user: 'alice' })).status).toBe(302)
  })

  it('a ticket redirects once, then answers 410 TICKET_USED', async () => {
    const key = await uploadPng('alice')
    const issued = await call('POST', `/files/${key}/ticket`, { user: 'alice' })
    expect(issued.status).toBe(201)
    const { url } = (await issued.json()) as { url: string }
    expect(url).toMatch(/^\/t\/[A-Za-z0-9_-]{43}$/)

    const first = await call('GET', url) // no x-user: the ticket is the credential
    expect(first.status).toBe(302)
    const file = await fetch(first.headers.get('location')!)
    expect(Buffer.from(await file.arrayBuffer()).equals(PNG)).toBe(true)

    const second = await call('GET', url)
    expect(second.status).toBe(410)
    expect(second.headers.get('location')).toBeNull()
    expect(await second.json()).toMatchObject({ name: 'SafePresignError', code: 'TICKET_USED' })
    expect((await call('GET', '/t/not-a-ticket')).status).toBe(404)
  })

  it('maps errors to statuses with error.toJSON() as the body', async () => {
    const key = await uploadPng('alice')
    const cases: [string, Promise<Response>, number, string][] = [
      ['another user', call('GET', `/files/${key}`, { user: 'bob' }), 403, 'FORBIDDEN'],
      ['a ticket for another user', call('POST', `/files/${key}/ticket`, { user: 'bob' }), 403, 'FORBIDDEN'],
      ['an unknown key', call('GET', '/files/uploads/8c6e2b8a-4c8e-4d7c-9a59-2f1d5e1f0a11.png', { user: 'alice' }), 404, 'NOT_FOUND'],
      ['a key outside the prefix', call('GET', '/files/etc/passwd', { user: 'alice' }), 400, 'INVALID_KEY'],
      ['too large', call('POST', '/uploads', { user: 'alice', json: { contentType: 'image/png', size: 2 * 1024 * 1024 } }), 413, 'FILE_TOO_LARGE'],
      ['a type off the allowlist', call('POST', '/uploads', { user: 'alice', json: { contentType: 'text/html', size: 10 } }), 400, 'CONTENT_TYPE_NOT_ALLOWED'],
      ['no size', call('POST', '/uploads', { user: 'alice', json: { contentType: 'image/png' } }), 400, 'INVALID_REQUEST'],
      ['complete before the upload', completeUnuploaded(), 409, 'UPLOAD_MISSING'],
    ]
    for (const [what, response, status, code] of cases) {
      const res = await response
      expect({ what, status: res.status }).toEqual({ what, status })
      const body = await res.json()
      expect(body).toMatchObject({ name: 'SafePresignError', code })
      expect(JSON.stringify(body)).not.toMatch(/X-Amz-Signature=[0-9a-f]|X-Amz-Credential=S3RVER/)
    }
    expect((await call('POST', '/uploads', { json: { contentType: 'image/png', size: 10 } })).status).toBe(401)
    expect((await call('GET', '/nowhere', { user: 'alice' })).status).toBe(404)
  })

  it('maps every error code to a status', () => {
    for (const code of Object.values(ErrorCode)) expect(STATUS[code], code).toBeGreaterThanOrEqual(400)
  })
})

async function completeUnuploaded(): Promise<Response> {
  const res = await call('POST', '/uploads', { user: 'carol', json: { contentType: 'image/png', size: 10 } })
  const { key } = (await res.json()) as PutGrant
  return call('POST', `/uploads/${key}/complete`, { user: 'carol' })
}
