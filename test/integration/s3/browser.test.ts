// The upload flow and corsConfiguration() (risk 11) in a real browser: headless Chromium, driven by
// playwright-core, runs a page served from http://127.0.0.1:<port> whose inline script sends a grant
// exactly as an app would (fetch PUT with the grant's headers; FormData POST with the file last) to RGW.
// The preflight, the forbidden Content-Length, the CORS verdict and which response headers a script
// may read are the browser's decisions, which no Node-side request can stand in for.
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { GetObjectCommand, PutBucketCorsCommand, type S3Client } from '@aws-sdk/client-s3'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { corsConfiguration, createSafeUpload, memoryStore, type OwnershipStore, type PostGrant, type PutGrant } from '../../../src/index.js'
import { describeWithServer, freePort } from '../../helpers/env.js'
import { freshBucket, removeBucket, rgwPeer, s3ClientFor } from '../../helpers/rgw.js'
import { asPost, asPut, enforcementTable, head, minimalPng } from './support.js'

const peer = rgwPeer()
const CHROMIUM = '/usr/bin/chromium'
const missing = peer.missing ?? (existsSync(CHROMIUM) ? undefined : `${CHROMIUM} not found (apt-get install --no-install-recommends chromium)`)
// Without the background-networking flags Chromium keeps dialling Google on a closed network. No
// --user-data-dir: playwright-core refuses it in launch() and gives every launch a new empty one itself.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
const PNG = minimalPng(4)
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('base64')

/** What the page's script saw: a response it may read, or the error fetch rejected with. */
type Seen = { ok: true; status: number; etag: string | null; requestId: string | null; body: string } | { ok: false; error: string; message: string }

interface PageApi {
  putUpload(grant: PutGrant, bytes: number[], type: string): Promise<Seen>
  postUpload(grant: PostGrant, bytes: number[], type: string, filename: string): Promise<Seen>
}

// What an app's upload code does with a grant, and nothing more. No bundler: plain inline script.
const PAGE = `<!doctype html><meta charset="utf-8"><title>safe-presign upload</title>
<script>
async function outcome(request) {
  try {
    const res = await request
    const body = await res.text()
    return { ok: true, status: res.status, etag: res.headers.get('etag'), requestId: res.headers.get('x-amz-request-id'), body }
  } catch (error) {
    return { ok: false, error: error.name, message: error.message }
  }
}
window.putUpload = (grant, bytes, type) => {
  const headers = { ...grant.headers }
  delete headers['content-length'] // a forbidden header name: the browser sets it from the Blob
  return outcome(fetch(grant.url, { method: 'PUT', headers, body: new Blob([new Uint8Array(bytes)], { type }) }))
}
window.postUpload = (grant, bytes, type, filename) => {
  const form = new FormData()
  for (const [name, value] of Object.entries(grant.fields)) form.append(name, value)
  form.append('file', new Blob([new Uint8Array(bytes)], { type }), filename) // last: S3 ignores fields after the file
  return outcome(fetch(grant.url, { method: 'POST', body: form }))
}
</script>`

/** Serves PAGE on 127.0.0.1 at a free port; resolves to the server and its origin. */
async function pageServer(): Promise<{ server: Server; origin: string }> {
  const port = await freePort()
  const server = createServer((req, res) => {
    if (req.url !== '/') return void res.writeHead(404).end()
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(PAGE)
  })
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve))
  return { server, origin: `http://127.0.0.1:${port}` }
}

const stop = (server: Server | undefined) =>
  new Promise<void>((resolve) => {
    if (!server?.listening) return resolve()
    server.close(() => resolve())
    server.closeAllConnections()
  })

describeWithServer('browser uploads through CORS on RGW', missing, () => {
  let client: S3Client
  let bucket: string
  let store: OwnershipStore
  let browser: Browser | undefined
  let allowed: { server: Server; origin: string } | undefined
  let other: { server: Server; origin: string } | undefined
  let app: Page // a page of the origin the CORS rule lists
  let elsewhere: Page // the same page from an origin it does not list
  const table = enforcementTable('browser')

  beforeAll(async () => {
    const t0 = performance.now()
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
    console.log(`[browser] Chromium ${browser.version()} launched in ${Math.round(performance.now() - t0)} ms`)
    allowed = await pageServer()
    other = await pageServer()
    client = s3ClientFor(peer)
    bucket = await freshBucket(client)
    store = memoryStore()
    await client.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: corsConfiguration({ origins: [allowed.origin] }) }))
    app = await browser.newPage()
    await app.goto(`${allowed.origin}/`)
    elsewhere = await browser.newPage()
    await elsewhere.goto(`${other.origin}/`)
  })
  afterAll(async () => {
    table.flush()
    await browser?.close()
    await Promise.all([stop(allowed?.server), stop(other?.server)])
    if (bucket) await removeBucket(client, bucket)
    client?.destroy()
  })

  const put = (page: Page, grant: PutGrant, bytes = PNG) =>
    page.evaluate(({ grant, bytes }) => (globalThis as unknown as PageApi).putUpload(grant, bytes, 'image/png'), { grant, bytes: [...bytes] })
  const post = (page: Page, grant: PostGrant, bytes = PNG) =>
    page.evaluate(({ grant, bytes }) => (globalThis as unknown as PageApi).postUpload(grant, bytes, 'image/png', 'photo.png'), { grant, bytes: [...bytes] })
  const seen = (s: Seen) => (s.ok ? `status ${s.status}, ETag ${s.etag ?? 'null (not readable)'}` : `${s.error}: ${s.message}`)

  const putUploads = () => createSafeUpload({ client, bucket, store, allowedContentTypes: ['image/png'], maxSize: 1024, checksum: 'sha256' })
  const putGrant = async () =>
    asPut(await putUploads().presign({ owner: 'alice', filename: 'photo.png', contentType: 'image/png', size: PNG.length, checksum: sha256(PNG) }))

  it('PUT from the allowed origin: 200, the browser reads the exposed ETag, the bytes and type are stored, complete() commits', async () => {
    const grant = await putGrant()
    // Every header the browser must preflight: all of them are in the rule's AllowedHeaders.
    expect(Object.keys(grant.headers).sort()).toEqual(['content-length', 'content-type', 'if-none-match', 'x-amz-checksum-sha256', 'x-amz-meta-filename'])
    const res = await put(app, grant)
    table.note('fetch PUT with the grant headers, allowed origin', seen(res))
    expect(res).toMatchObject({ ok: true, status: 200 })
    if (!res.ok) return

    const stored = await head(client, bucket, grant.key)
    expect(stored).toMatchObject({ ContentLength: PNG.length, ContentType: 'image/png', Metadata: { filename: 'photo.png' } })
    // ExposeHeaders: ['ETag'] is what lets the script read it; a header not exposed stays hidden.
    expect(res.etag).toBe(stored?.ETag)
    expect(res.requestId).toBeNull()
    table.note('ETag / x-amz-request-id readable by the script', `ETag yes (= HeadObject), x-amz-request-id no`)
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: grant.key }))
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(PNG)).toBe(true)

    expect(await putUploads().complete({ key: grant.key, owner: 'alice' })).toMatchObject({ state: 'committed', size: PNG.length, sniffedType: 'image/png' })
  })

  it('POST form from the allowed origin: 201 under quarantine/, complete() promotes it', async () => {
    const up = createSafeUpload({ client, bucket, store, method: 'POST', quarantine: { prefix: 'quarantine/' }, allowedContentTypes: ['image/png'], maxSize: 1024 })
    const grant = asPost(await up.presign({ owner: 'alice', filename: 'photo.png', contentType: 'image/png' }))
    const staged = grant.fields.key!
    expect(staged).toBe(grant.key.replace(/^uploads\//, 'quarantine/'))
    const res = await post(app, grant)
    // RGW sends the ETag only in the 201's XML body, not as a header; the body is readable because the
    // origin is allowed.
    table.note('fetch POST FormData (fields, file last), allowed origin', `${seen(res)}; XML body readable`)
    expect(res).toMatchObject({ ok: true, status: 201 })
    if (res.ok) expect(res.body).toContain(`<Key>${staged}</Key>`)
    expect(await head(client, bucket, staged)).toMatchObject({ ContentLength: PNG.length, ContentType: 'image/png' })
    expect(await head(client, bucket, grant.key)).toBeUndefined()

    expect(await up.complete({ key: grant.key, owner: 'alice' })).toMatchObject({ state: 'committed', sniffedType: 'image/png' })
    expect(await head(client, bucket, grant.key)).toMatchObject({ ContentLength: PNG.length, ContentType: 'image/png', Metadata: { filename: 'photo.png' } })
    expect(await head(client, bucket, staged)).toBeUndefined()
  })

  it('PUT from an origin the rule does not list: the browser blocks it (TypeError) and nothing is stored; the same grant works from the allowed origin', async () => {
    const grant = await putGrant()
    expect(await elsewhere.evaluate(() => (globalThis as unknown as { location: { origin: string } }).location.origin)).toBe(other!.origin)
    const blocked = await put(elsewhere, grant)
    table.note(`fetch PUT with the grant headers, unlisted origin (${other!.origin})`, seen(blocked))
    expect(blocked).toMatchObject({ ok: false, error: 'TypeError' })
    // The preflight failed, so the PUT itself was never sent.
    expect(await head(client, bucket, grant.key)).toBeUndefined()

    // Control: the grant was good; only the origin was wrong.
    const control = await put(app, grant)
    expect(control).toMatchObject({ ok: true, status: 200 })
    expect(await head(client, bucket, grant.key)).toMatchObject({ ContentLength: PNG.length })
  })

  it('POST form from an origin the rule does not list: the script cannot read the answer, yet S3 stored the file (CORS is not access control)', async () => {
    // multipart/form-data is a "simple" request: no preflight, so the browser sends it and only hides
    // the response. What keeps such an upload out of uploads/ is quarantine and complete(), not CORS.
    const up = createSafeUpload({ client, bucket, store, method: 'POST', quarantine: { prefix: 'quarantine/' }, allowedContentTypes: ['image/png'], maxSize: 1024 })
    const grant = asPost(await up.presign({ owner: 'alice', contentType: 'image/png' }))
    const res = await post(elsewhere, grant)
    table.note(`fetch POST FormData, unlisted origin (${other!.origin})`, `${seen(res)}; object stored under quarantine/`)
    expect(res).toMatchObject({ ok: false, error: 'TypeError' })
    expect(await head(client, bucket, grant.fields.key!)).toMatchObject({ ContentLength: PNG.length })
    expect(await head(client, bucket, grant.key)).toBeUndefined()
  })
})
