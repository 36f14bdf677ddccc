// safe-presign/client in a real browser: headless Chromium runs a page whose script is the client bundled
// by esbuild, served by the same node:http server as the handler (toNodeListener), and uploads to RGW
// through CORS: a 1 MiB PNG by PUT, one by POST through quarantine, a 12 MiB file by multipart (5 MiB
// parts), a builder with `checksum: 'md5'` (the client's MD5, checked by RGW itself), and a type changed
// on the wire, which RGW refuses with a 403 the page cannot read.
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { PutBucketCorsCommand, type S3Client } from '@aws-sdk/client-s3'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { MOST_LIKELY } from '../../../src/client/index.js'
import { createUploadHandler } from '../../../src/handler/index.js'
import { corsConfiguration, createSafeUpload, memoryStore, type OwnershipStore, type SafeUploadConfig } from '../../../src/index.js'
import { describeWithServer } from '../../helpers/env.js'
import { freshBucket, removeBucket, rgwPeer, s3ClientFor } from '../../helpers/rgw.js'
import { appServer, bundle, chromiumMissing, launchChromium, MiB, pngOfSize, recordRequests, ROOT, type AppServer, type SeenRequest } from './browser-support.js'
import { enforcementTable, head } from './support.js'

const peer = rgwPeer()
const missing = peer.missing ?? chromiumMissing
const SMALL = pngOfSize(1 * MiB)
const LARGE = pngOfSize(12 * MiB)
const md5 = (b: Buffer) => createHash('md5').update(b).digest('base64')

// The page: the client, and one function the test calls. A `wireType` replaces the Content-Type the
// XHR sends to S3 (the client sends the granted one; this stands in for a file whose type differs).
const SCRIPT = `
import { uploadFile } from ${JSON.stringify(join(ROOT, 'src/client/index.ts'))}
const real = XMLHttpRequest.prototype.setRequestHeader
window.upload = async ({ endpoint, fixture, name, type, options, wireType }) => {
  const bytes = await (await fetch(fixture)).arrayBuffer()
  const file = new File([bytes], name, { type })
  const progress = []
  if (wireType) XMLHttpRequest.prototype.setRequestHeader = function (n, v) { return real.call(this, n, n.toLowerCase() === 'content-type' ? wireType : v) }
  try {
    const result = await uploadFile(file, { endpoint, headers: { 'x-user': 'alice' }, retryDelay: 50, onProgress: (p) => progress.push(p), ...options })
    return { ok: true, result, progress }
  } catch (e) {
    return { ok: false, error: { name: e.name, code: e.code, status: e.status, message: e.message }, progress }
  } finally {
    XMLHttpRequest.prototype.setRequestHeader = real
  }
}
`
type Outcome = {
  ok: boolean
  result?: { key: string; size: number; contentType: string }
  error?: { name: string; code: string; status: number; message: string }
  progress: { loaded: number; total: number }[]
}

describeWithServer('safe-presign/client in Chromium, through the handler, on RGW', missing, () => {
  let client: S3Client
  let bucket: string
  let store: OwnershipStore
  let browser: Browser | undefined
  let app: AppServer | undefined
  let page: Page
  let seen: SeenRequest[]
  const table = enforcementTable('client-browser')

  beforeAll(async () => {
    client = s3ClientFor(peer)
    bucket = await freshBucket(client)
    store = memoryStore()
    const script = await bundle(SCRIPT)
    const builder = (extra: Partial<SafeUploadConfig>) => createSafeUpload({ client, bucket, store, allowedContentTypes: ['image/png'], maxSize: 64 * MiB, ...extra })
    const multipart = { partSize: 5 * MiB, threshold: 8 * MiB }
    app = await appServer((origin) => {
      const handler = (prefix: string, extra: Partial<SafeUploadConfig>) =>
        createUploadHandler({ uploads: builder(extra), authenticate: (r) => r.headers.get('x-user'), basePath: `${prefix}/uploads`, allowedOrigins: [origin] })
      return {
        handlers: { '/put': handler('/put', { multipart }), '/post': handler('/post', { method: 'POST', quarantine: { prefix: 'quarantine/' } }), '/md5': handler('/md5', { checksum: 'md5', multipart }) },
        files: {
          '/': { type: 'text/html; charset=utf-8', body: '<!doctype html><meta charset="utf-8"><title>client</title><script src="/client.js"></script>' },
          '/client.js': { type: 'text/javascript', body: script },
          '/small.png': { type: 'image/png', body: SMALL },
          '/large.png': { type: 'image/png', body: LARGE },
        },
      }
    })
    await client.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: corsConfiguration({ origins: [app.origin] }) }))
    browser = await launchChromium()
    page = await browser.newPage()
    seen = recordRequests(page, [peer.endpoint!, `${app.origin}/put/`, `${app.origin}/post/`, `${app.origin}/md5/`])
    await page.goto(`${app.origin}/`)
  })
  afterAll(async () => {
    table.flush()
    await browser?.close()
    await app?.stop()
    if (bucket) await createSafeUpload({ client, bucket, store, allowedContentTypes: ['image/png'], maxSize: 1, multipart: true }).sweepMultipart({ now: Date.now() + 1e12 })
    if (bucket) await removeBucket(client, bucket)
    client?.destroy()
  })

  const upload = async (args: { endpoint: string; fixture: string; name?: string; type?: string; options?: Record<string, unknown>; wireType?: string }): Promise<{ out: Outcome; requests: SeenRequest[] }> => {
    const from = seen.length
    const out = (await page.evaluate((a) => (globalThis as unknown as { upload(a: unknown): Promise<unknown> }).upload(a), { name: 'photo.png', type: 'image/png', ...args })) as Outcome
    await new Promise((r) => setTimeout(r, 50)) // allHeaders() resolves just after the request
    return { out, requests: seen.slice(from) }
  }
  const toS3 = (requests: SeenRequest[]) => requests.filter((r) => r.url.startsWith(peer.endpoint!) && r.method !== 'OPTIONS')
  const routes = (requests: SeenRequest[]) => requests.filter((r) => !r.url.startsWith(peer.endpoint!)).map((r) => new URL(r.url).pathname.replace(/^\/\w+\/uploads\//, ''))

  function expectProgress(out: Outcome, size: number) {
    expect(out.progress.length).toBeGreaterThan(0)
    expect(out.progress.every((p) => p.total === size)).toBe(true)
    for (let i = 1; i < out.progress.length; i++) expect(out.progress[i]!.loaded).toBeGreaterThan(out.progress[i - 1]!.loaded)
    expect(out.progress.at(-1)).toEqual({ loaded: size, total: size })
  }
  async function expectCommitted(key: string, size: number) {
    expect((await store.get(key, Date.now()))?.state).toBe('committed')
    const stored = await head(client, bucket, key)
    expect(stored).toMatchObject({ ContentLength: size, ContentType: 'image/png' })
    return stored!
  }

  it('1 MiB PNG by PUT: exactly the grant\'s headers (Chromium adds Cache-Control: max-age=0, RGW stores it), progress to the end, committed', async () => {
    const { out, requests } = await upload({ endpoint: '/put/uploads', fixture: '/small.png' })
    expect(out.error).toBeUndefined()
    expect(out.result).toEqual({ key: expect.stringMatching(/^uploads\/[0-9a-f-]{36}\.png$/), size: SMALL.length, contentType: 'image/png' })
    expectProgress(out, SMALL.length)
    expect(routes(requests)).toEqual(['grant', 'complete'])
    const [put] = toS3(requests)
    expect(put!.method).toBe('PUT')
    expect(put!.headers).toMatchObject({ 'content-type': 'image/png', 'if-none-match': '*', 'x-amz-meta-filename': 'photo.png', 'content-length': String(SMALL.length) })
    const stored = await expectCommitted(out.result!.key, SMALL.length)
    table.note('client PUT 1 MiB (XHR)', `${out.progress.length} progress events; Chromium sent cache-control: ${put!.headers['cache-control'] ?? 'none'}; stored CacheControl ${stored.CacheControl ?? 'none'}`)
    expect(put!.headers['cache-control']).toBe('max-age=0')
    expect(stored.CacheControl).toBe('max-age=0')
  })

  it('1 MiB PNG by POST: the fields and the file as a form, completed under the grant\'s key; the quarantine copy is gone', async () => {
    const { out, requests } = await upload({ endpoint: '/post/uploads', fixture: '/small.png' })
    expect(out.error).toBeUndefined()
    expect(out.result).toMatchObject({ key: expect.stringMatching(/^uploads\//), size: SMALL.length, contentType: 'image/png' })
    expectProgress(out, SMALL.length)
    expect(routes(requests)).toEqual(['grant', 'complete'])
    expect(toS3(requests).map((r) => [r.method, r.headers['content-type']?.split(';')[0]])).toEqual([['POST', 'multipart/form-data']])
    await expectCommitted(out.result!.key, SMALL.length)
    const record = await store.get(out.result!.key, Date.now())
    expect(record?.stagingKey).toMatch(/^quarantine\//)
    expect(await head(client, bucket, record!.stagingKey!)).toBeUndefined()
  })

  it('12 MiB by multipart: 3 parts of the 5 MiB plan, URLs in one batch, progress advancing, completed by the server', async () => {
    const { out, requests } = await upload({ endpoint: '/put/uploads', fixture: '/large.png', name: 'large.png' })
    expect(out.error).toBeUndefined()
    expect(out.result).toMatchObject({ size: LARGE.length, contentType: 'image/png' })
    expectProgress(out, LARGE.length)
    expect(new Set(out.progress.map((p) => p.loaded)).size).toBeGreaterThanOrEqual(3)
    expect(routes(requests)).toEqual(['grant', 'parts', 'complete'])
    const parts = toS3(requests)
    expect(parts.map((r) => Number(new URL(r.url).searchParams.get('partNumber'))).sort()).toEqual([1, 2, 3])
    expect(parts.map((r) => Number(r.headers['content-length'])).sort((a, b) => a - b)).toEqual([LARGE.length - 10 * MiB, 5 * MiB, 5 * MiB])
    const stored = await expectCommitted(out.result!.key, LARGE.length)
    expect(stored.ETag).toMatch(/-3"$/)
    table.note('client multipart 12 MiB (3 × XHR)', `${out.progress.length} progress events; ETag ${stored.ETag}`)
  })

  it("checksum: 'md5': the grant asks again after CHECKSUM_REQUIRED; the client's MD5 of the PUT and of each part is the one RGW checks", async () => {
    const single = await upload({ endpoint: '/md5/uploads', fixture: '/small.png' })
    expect(single.out.error).toBeUndefined()
    expect(routes(single.requests)).toEqual(['grant', 'grant', 'complete'])
    expect(toS3(single.requests)[0]!.headers['content-md5']).toBe(md5(SMALL))
    await expectCommitted(single.out.result!.key, SMALL.length)

    const multi = await upload({ endpoint: '/md5/uploads', fixture: '/large.png' })
    expect(multi.out.error).toBeUndefined()
    const parts = toS3(multi.requests).sort((a, b) => Number(new URL(a.url).searchParams.get('partNumber')) - Number(new URL(b.url).searchParams.get('partNumber')))
    expect(parts.map((r) => r.headers['content-md5'])).toEqual([0, 1, 2].map((i) => md5(LARGE.subarray(i * 5 * MiB, (i + 1) * 5 * MiB))))
    await expectCommitted(multi.out.result!.key, LARGE.length)
    table.note("client md5 builder (PUT + 3 parts)", 'CHECKSUM_REQUIRED then the MD5 grant; RGW accepted every Content-MD5')
  })

  it('a type that differs from the granted one on the wire: RGW\'s 403 has no CORS headers, and the error says what most likely happened', async () => {
    const { out, requests } = await upload({ endpoint: '/put/uploads', fixture: '/small.png', wireType: 'image/jpeg', options: { retries: 1 } })
    expect(out.ok).toBe(false)
    expect(out.error).toMatchObject({ name: 'SafePresignClientError', code: 'S3_NO_RESPONSE', status: 0 })
    expect(out.error!.message).toContain(`most likely ${MOST_LIKELY}`)
    expect(out.error!.message).not.toMatch(/X-Amz-Signature/i)
    const puts = toS3(requests)
    expect(puts).toHaveLength(2) // the first attempt and one retry: status 0 may be a lost connection
    expect(puts.every((r) => r.headers['content-type'] === 'image/jpeg')).toBe(true)
    expect(routes(requests)).toEqual(['grant'])
    table.note('client PUT, Content-Type changed on the wire', `${out.error!.code} (status ${out.error!.status}): ${out.error!.message}`)
  })
})
