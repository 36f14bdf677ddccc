// safe-presign/uppy in a real browser, for each Uppy major: headless Chromium runs a page bundled by
// esbuild (@uppy/core + @uppy/aws-s3 of that major + src/uppy), served from the same node:http server as
// the handler, and uploads to RGW through CORS. Each major sends a PNG through a PUT grant, one through a
// POST grant with quarantine, a 12 MiB file through multipart (sha256 per part), and a PUT whose first
// attempt "lost its response" (the object is already stored, so Uppy's PUT gets 412).
import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { deflateSync } from 'node:zlib'
import { PutBucketCorsCommand, type S3Client } from '@aws-sdk/client-s3'
import { build } from 'esbuild'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { corsConfiguration, createSafeUpload, memoryStore, type OwnershipStore, type SafeUpload, type SafeUploadConfig } from '../../../src/index.js'
import { describeWithServer, freePort } from '../../helpers/env.js'
import { freshBucket, removeBucket, rgwPeer, s3ClientFor } from '../../helpers/rgw.js'
import { enforcementTable, head } from './support.js'
import { toNodeListener } from '../../../src/adapters/node.js'
import { createUploadHandler } from '../../../src/handler/index.js'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..')
const UPPY5_DIR = join(ROOT, 'test/browser/uppy5')
const peer = rgwPeer()
const CHROMIUM = '/usr/bin/chromium'
const missing =
  peer.missing ??
  (existsSync(CHROMIUM) ? undefined : `${CHROMIUM} not found (apt-get install --no-install-recommends chromium)`) ??
  (existsSync(join(UPPY5_DIR, 'node_modules/@uppy/aws-s3')) ? undefined : 'Uppy 5 not installed: npm ci --prefix test/browser/uppy5')
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
const MiB = 1024 * 1024

/** A valid PNG of exactly `size` bytes: a 1×1 image, then a private ancillary chunk of random bytes. */
function pngOfSize(size: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    return c >>> 0
  })
  const crc = (buf: Buffer) => {
    let c = 0xffffffff
    for (const b of buf) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8)
    return (c ^ 0xffffffff) >>> 0
  }
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
    const out = Buffer.alloc(12 + data.length)
    out.writeUInt32BE(data.length, 0)
    body.copy(out, 4)
    out.writeUInt32BE(crc(body), 8 + data.length)
    return out
  }
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0])
  const head = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.from([0, 0x80])))])
  const tail = chunk('IEND', Buffer.alloc(0))
  return Buffer.concat([head, chunk('ruNd', randomBytes(size - head.length - tail.length - 12)), tail])
}

const FIXTURES: Record<string, Buffer> = { 'photo.png': pngOfSize(MiB), 'form.png': pngOfSize(MiB), 'lost.png': pngOfSize(MiB), 'big.png': pngOfSize(12 * MiB), 'fake.png': Buffer.from('<!doctype html><script>alert(document.domain)</script>'.padEnd(4096, ' ')) }

// What an app does with the adapter, and what the test reads back. `uppyOptions` picks the major itself.
const ENTRY = (adapter: string) => `
import Uppy from '@uppy/core'
import AwsS3 from '@uppy/aws-s3'
import { uppyOptions } from ${JSON.stringify(adapter)}
window.runUpload = async ({ endpoint, fixture, multipart, checksum }) => {
  const data = await (await fetch('/fixture/' + fixture)).blob()
  const uppy = new Uppy()
  uppy.use(AwsS3, { ...uppyOptions({ uppy, endpoint, checksum, shouldUseMultipart: multipart ? () => true : undefined }), limit: 4 })
  const events = []
  uppy.on('upload-success', (f, r) => events.push({ event: 'upload-success', key: r?.body?.key ?? null }))
  uppy.on('upload-error', (f, e, r) => events.push({ event: 'upload-error', name: e?.name ?? null, message: e?.message ?? String(e), status: e?.status ?? null, code: r?.body?.code ?? null }))
  uppy.on('postprocess-complete', () => events.push({ event: 'postprocess-complete' }))
  const id = uppy.addFile({ name: fixture, type: 'image/png', data: new File([data], fixture, { type: 'image/png' }) })
  const result = await uppy.upload()
  const pick = (f) => ({ error: f.error ?? null, response: f.response ?? null })
  return { version: Uppy.VERSION, successful: result.successful.map(pick), failed: result.failed.map(pick), file: JSON.stringify(uppy.getFile(id)), events }
}
`

interface Outcome {
  version: string
  successful: { error: string | null; response: { status: number; body: Record<string, unknown>; uploadURL?: string } | null }[]
  failed: { error: string | null; response: unknown }[]
  file: string
  events: Record<string, unknown>[]
}

async function bundle(major: 5 | 6): Promise<string> {
  const out = await build({
    stdin: { contents: ENTRY(join(ROOT, 'src/uppy/index.ts')), resolveDir: major === 5 ? UPPY5_DIR : ROOT, loader: 'js' },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    write: false,
    logLevel: 'silent',
  })
  return out.outputFiles[0]!.text
}

describeWithServer('safe-presign/uppy: Uppy 5 and 6 in Chromium against RGW', missing, () => {
  let client: S3Client
  let bucket: string
  let store: OwnershipStore
  let browser: Browser | undefined
  let server: Server | undefined
  let origin: string
  const builders: Record<string, SafeUpload> = {}
  const pages: Record<number, string> = {}
  const table = enforcementTable('uppy-browser')

  beforeAll(async () => {
    const t0 = performance.now()
    const [five, six] = await Promise.all([bundle(5), bundle(6)])
    pages[5] = five
    pages[6] = six
    client = s3ClientFor(peer)
    bucket = await freshBucket(client)
    store = memoryStore()
    const base: SafeUploadConfig = { client, bucket, store, allowedContentTypes: ['image/png'], maxSize: 16 * MiB }
    builders.put = createSafeUpload({ ...base, checksum: 'sha256' })
    builders.lost = createSafeUpload({ ...base, checksum: 'sha256' })
    builders.post = createSafeUpload({ ...base, method: 'POST', quarantine: { prefix: 'quarantine/' } })
    builders.mp = createSafeUpload({ ...base, checksum: 'sha256', multipart: { partSize: 5 * MiB } })
    const listeners = Object.fromEntries(
      Object.entries(builders).map(([name, uploads]) => {
        const handler = createUploadHandler({ uploads, authenticate: () => 'alice', basePath: `/${name}` })
        // /lost: the handler's PUT grant is used once by the node side before the page gets it.
        const wrapped = async (request: Request) => {
          const response = await handler(request)
          return name === 'lost' && response.ok && new URL(request.url).pathname === '/lost/grant' ? storeFirstAttempt(response) : response
        }
        return [name, toNodeListener(wrapped)]
      }),
    )

    const port = await freePort()
    origin = `http://127.0.0.1:${port}`
    server = createServer((req, res) => {
      void (async () => {
        const url = new URL(req.url ?? '/', origin)
        const page = /^\/page\/(5|6)$/.exec(url.pathname)
        if (page) {
          const html = `<!doctype html><meta charset="utf-8"><title>uppy ${page[1]}</title><script>${pages[Number(page[1])]}</script>`
          return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html)
        }
        const fixture = /^\/fixture\/([a-z.]+)$/.exec(url.pathname)?.[1]
        if (fixture && FIXTURES[fixture]) return void res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(FIXTURES[fixture])
        const listener = listeners[url.pathname.split('/')[1] ?? '']
        if (!listener) return void res.writeHead(404).end()
        listener(req, res)
      })().catch((error) => res.writeHead(500).end(String(error)))
    })
    await new Promise<void>((resolve, reject) => server!.once('error', reject).listen(port, '127.0.0.1', resolve))
    await client.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: corsConfiguration({ origins: [origin] }) }))
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
    console.log(`[uppy-browser] bundles built and Chromium ${browser.version()} launched in ${Math.round(performance.now() - t0)} ms`)
  })
  afterAll(async () => {
    table.flush()
    await browser?.close()
    if (server?.listening) {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server!.close(() => resolve()))
    }
    if (bucket) await removeBucket(client, bucket)
    client?.destroy()
  })

  /** A PUT grant whose first attempt stored the object and lost its answer: the node side sends it now. */
  async function storeFirstAttempt(response: Response): Promise<Response> {
    const grant = (await response.json()) as { kind: string; url: string; headers: Record<string, string> }
    const put = await fetch(grant.url, { method: 'PUT', headers: grant.headers, body: FIXTURES['lost.png'] })
    expect(put.status).toBe(200)
    return Response.json(grant)
  }

  /** Runs one upload in a fresh page of `major`; records the S3 requests the page sent. */
  async function run(major: 5 | 6, args: { endpoint: string; fixture: string; multipart?: boolean; checksum?: 'sha256' }) {
    const page: Page = await browser!.newPage()
    const s3: string[] = []
    // Every answer S3 gave the page: method, the query names (x-id with its value), the status.
    page.on('response', (r) => {
      const u = new URL(r.url())
      const query = [...u.searchParams].filter(([k]) => !k.startsWith('X-Amz-')).map(([k, v]) => (k === 'x-id' ? `${k}=${v}` : k))
      if (u.protocol === 'http:' && u.origin !== origin) s3.push(`${r.request().method()} ${query.join('&') || '(object)'} ${r.status()}`)
    })
    try {
      await page.goto(`${origin}/page/${major}`)
      const outcome = await page.evaluate((a) => (globalThis as unknown as { runUpload(a: unknown): Promise<Outcome> }).runUpload(a), args)
      return { outcome, s3 }
    } finally {
      await page.close()
    }
  }

  const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('base64')

  async function expectCommitted(key: unknown, fixture: string) {
    expect(typeof key).toBe('string')
    expect(key).toMatch(/^uploads\//)
    const record = await store.get(key as string, Date.now())
    expect(record?.state).toBe('committed')
    const stored = await head(client, bucket, key as string)
    expect(stored).toMatchObject({ ContentLength: FIXTURES[fixture]!.length, ContentType: 'image/png' })
    return record!
  }

  for (const major of [5, 6] as const) {
    it(`Uppy ${major}: PUT grant; upload() resolves with the committed final key, verified by the handler's complete`, async () => {
      const { outcome, s3 } = await run(major, { endpoint: '/put', fixture: 'photo.png' })
      expect(outcome.version.split('.')[0]).toBe(String(major))
      table.note(`Uppy ${major} PUT`, `S3 saw [${s3.join(', ')}]; events ${outcome.events.map((e) => e.event).join(' → ')}`)
      expect(outcome.failed).toEqual([])
      expect(outcome.successful).toHaveLength(1)
      const { response } = outcome.successful[0]!
      expect(response?.body).toMatchObject({ state: 'committed', contentType: 'image/png', sniffedType: 'image/png', size: FIXTURES['photo.png']!.length, alreadyCommitted: false })
      const record = await expectCommitted(response?.body.key, 'photo.png')
      // The grant required the file's SHA-256 (learned from CHECKSUM_REQUIRED); the record holds it.
      expect(record.checksum).toEqual({ algorithm: 'sha256', value: sha256(FIXTURES['photo.png']!) })
      expect(s3).toEqual(['PUT x-id=PutObject 200'])
    })

    it(`Uppy ${major}: POST grant with quarantine; the file reports the final key, never the quarantine key`, async () => {
      const { outcome, s3 } = await run(major, { endpoint: '/post', fixture: 'form.png' })
      table.note(`Uppy ${major} POST`, `S3 saw [${s3.join(', ')}]; events ${outcome.events.map((e) => e.event + (e.key ? ` (${String(e.key).split('/')[0]}/…)` : '')).join(' → ')}`)
      expect(outcome.failed).toEqual([])
      const key = outcome.successful[0]?.response?.body.key as string
      expect(outcome.successful[0]?.response?.body).toMatchObject({ state: 'committed', sniffedType: 'image/png' })
      await expectCommitted(key, 'form.png')
      const staged = key.replace(/^uploads\//, 'quarantine/')
      expect(await head(client, bucket, staged)).toBeUndefined() // promoted, so gone from quarantine
      expect(outcome.file).not.toContain(staged)
      expect(outcome.file).not.toContain('quarantine/')
      expect(s3).toEqual(['POST (object) 201'])
    })

    it(`Uppy ${major}: 12 MiB multipart (5 MiB parts, sha256 each); parts go to S3, create and complete go to the handler`, async () => {
      const { outcome, s3 } = await run(major, { endpoint: '/mp', fixture: 'big.png', multipart: true, checksum: 'sha256' })
      table.note(`Uppy ${major} multipart`, `S3 saw [${s3.join(', ')}]`)
      expect(outcome.failed).toEqual([])
      const body = outcome.successful[0]?.response?.body
      expect(body).toMatchObject({ state: 'committed', sniffedType: 'image/png', size: 12 * MiB })
      const record = await expectCommitted(body?.key, 'big.png')
      expect(record.multipart?.partCount).toBe(3)
      // Three part PUTs and nothing else: no CreateMultipartUpload, Complete or Abort reached S3 from the page.
      expect(s3.sort()).toEqual([...Array(3).fill('PUT partNumber&uploadId&x-id=UploadPart 200')])
    })

    it(`Uppy ${major}: a create-once PUT answered 412 (the first attempt stored the object) is completed, not failed`, async () => {
      const { outcome, s3 } = await run(major, { endpoint: '/lost', fixture: 'lost.png', checksum: 'sha256' })
      table.note(`Uppy ${major} PUT after a lost response`, `S3 saw [${s3.join(', ')}]; events ${outcome.events.map((e) => e.event + (e.status ? ` ${e.status}` : '')).join(' → ')}`)
      expect(s3).toEqual(['PUT x-id=PutObject 412'])
      expect(outcome.failed).toEqual([])
      expect(outcome.successful[0]?.response?.body).toMatchObject({ state: 'committed', sniffedType: 'image/png' })
      await expectCommitted(outcome.successful[0]?.response?.body.key, 'lost.png')
    })

    it(`Uppy ${major}: bytes that are not the declared PNG reach S3, then the handler refuses them: the file fails with CONTENT_MISMATCH`, async () => {
      const { outcome, s3 } = await run(major, { endpoint: '/put', fixture: 'fake.png' })
      table.note(`Uppy ${major} PUT of HTML as image/png`, `S3 saw [${s3.join(', ')}]; events ${outcome.events.map((e) => e.event + (e.code ? ` ${e.code}` : '')).join(' → ')}`)
      expect(s3).toEqual(['PUT x-id=PutObject 200'])
      expect(outcome.successful).toEqual([])
      expect(outcome.failed).toHaveLength(1)
      const failure = outcome.failed[0]!.response as { status: number; body: { code: string; details?: { key?: string } } }
      expect(failure).toMatchObject({ status: 422, body: { name: 'SafePresignError', code: 'CONTENT_MISMATCH' } })
      expect(outcome.failed[0]!.error).toMatch(/image\/png/)
      const key = failure.body.details?.key
      expect(key).toMatch(/^uploads\//)
      expect((await store.get(key!, Date.now()))?.state).toBe('rejected')
      expect(await head(client, bucket, key!)).toBeUndefined() // deleted on rejection
    })
  }
})
