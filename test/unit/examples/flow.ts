// The protocol round trip every handler example must serve, against the strict test S3: what a browser
// would do with it (grant → PUT with the grant's headers → complete → download), and the refusals a
// user would notice. `send` is how one example takes a Request (over a socket, or a route function).
import { expect } from 'vitest'
import { createSafeDownload, createSafeUpload, memoryStore } from '../../../src/index.js'
import { startTestS3 } from '../../../src/testing/s3/index.js'

/** What every example is built over: a test S3 with an `uploads` bucket, and the two builders on one memory store. */
export async function exampleBuilders() {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
  const s3 = await startTestS3({ buckets: ['uploads'] })
  const client = s3.client()
  const store = memoryStore()
  const uploads = createSafeUpload({ client, bucket: 'uploads', store, allowedContentTypes: ['image/png'], maxSize: 1024 * 1024 })
  const downloads = createSafeDownload({ client, bucket: 'uploads', store })
  return { s3, uploads, downloads }
}

export type Send = (request: Request) => Promise<Response>

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5e1b1d60000000049454e44ae426082',
  'hex',
)

function request(base: string, method: string, path: string, user: string | undefined, json?: unknown): Request {
  return new Request(base + path, {
    method,
    headers: { ...(user ? { 'x-user': user } : {}), ...(json !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: json === undefined ? undefined : JSON.stringify(json),
    redirect: 'manual',
  })
}

/** grant → PUT → complete → download (JSON and 302) → the bytes; then another user, no user, a form. */
export async function roundTrip(send: Send, base: string): Promise<void> {
  const call = (method: string, path: string, user: string | undefined, json?: unknown) => send(request(base, method, path, user, json))

  const granted = await call('POST', '/grant', 'alice', { filename: 'cat.png', contentType: 'image/png', size: PNG.length })
  expect(granted.status).toBe(200)
  expect(granted.headers.get('cache-control')).toBe('no-store')
  const grant = (await granted.json()) as { kind: string; key: string; url: string; headers: Record<string, string>; checksum: unknown }
  expect(grant).toMatchObject({ kind: 'put', key: expect.stringMatching(/^uploads\/[0-9a-f-]{36}\.png$/), checksum: null })
  const headers = { ...grant.headers }
  delete headers['content-length']
  expect((await fetch(grant.url, { method: 'PUT', headers, body: PNG })).status).toBe(200)

  const done = await call('POST', '/complete', 'alice', { key: grant.key })
  expect(done.status).toBe(200)
  expect(await done.json()).toMatchObject({ key: grant.key, state: 'committed', sniffedType: 'image/png', alreadyCommitted: false })

  const link = await call('GET', `/download?key=${encodeURIComponent(grant.key)}`, 'alice')
  expect(link.status).toBe(200)
  const { url } = (await link.json()) as { url: string }
  const file = await fetch(url)
  expect(file.status).toBe(200)
  expect(Buffer.from(await file.arrayBuffer()).equals(PNG)).toBe(true)
  const redirected = await call('GET', `/download?key=${encodeURIComponent(grant.key)}&redirect=1`, 'alice')
  expect(redirected.status).toBe(302)
  expect(Buffer.from(await (await fetch(redirected.headers.get('location')!)).arrayBuffer()).equals(PNG)).toBe(true)

  const bob = await call('GET', `/download?key=${encodeURIComponent(grant.key)}&redirect=1`, 'bob')
  expect(bob.status).toBe(403)
  expect(await bob.json()).toMatchObject({ name: 'SafePresignError', code: 'FORBIDDEN' })
  const anonymous = await call('POST', '/grant', undefined, { contentType: 'image/png', size: 10 })
  expect(anonymous.status).toBe(401)
  expect(((await anonymous.json()) as { code: string }).code).toBe('UNAUTHENTICATED')
  // What a cross-site HTML form can send: refused before it is read.
  const form = await send(new Request(`${base}/grant`, { method: 'POST', headers: { 'x-user': 'alice' }, body: new URLSearchParams({ contentType: 'image/png', size: '10' }) }))
  expect(form.status).toBe(415)
  expect(((await form.json()) as { code: string }).code).toBe('UNSUPPORTED_MEDIA_TYPE')
}
