// A browser page that uploads straight to S3 with safe-presign/client, behind one node:http server:
//
//   GET  /                 the page (index.html), and GET /app.js: app.js with src/client, bundled by esbuild at start
//   *    /uploads/*        the library's handler (docs/protocol.md): grant, parts, complete, abort, download
//   GET  /api/files        this example's own route: the signed-in user's committed uploads, as JSON
//
// Run it: `npm run example:browser` (the strict test S3, in this process), or against RGW, MinIO or S3 with
// S3_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and S3_BUCKET set. Open the URL it prints.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { readFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { CreateBucketCommand, HeadBucketCommand, PutBucketCorsCommand, S3Client } from '@aws-sdk/client-s3'
import { build } from 'esbuild'
// In your project: from 'safe-presign', 'safe-presign/handler' and 'safe-presign/node'.
import { corsConfiguration, createSafeDownload, createSafeUpload, memoryStore, type OwnershipStore } from '../../src/index.js'
import { createUploadHandler, type CompleteAnswer, type UploadHandler } from '../../src/handler/index.js'
import { toNodeListener } from '../../src/adapters/node.js'

const HERE = dirname(fileURLToPath(import.meta.url))
const MiB = 1024 * 1024

export interface ListedFile {
  key: string
  filename: string
  size: number
  contentType: string
  committedAt: number
  /** The handler's download route: it checks the owner, then redirects to a 60 s link. */
  download: string
}

// STAND-IN FOR REAL AUTHENTICATION. The user is whatever the `user` cookie (or an `x-user` header)
// says, so anyone can claim to be anyone. In your app, look the user up from your session instead.
const USER = /^[a-z0-9_-]{1,32}$/
export function userFrom(headers: Headers): string | null {
  const header = headers.get('x-user')
  if (header !== null) return USER.test(header) ? header : null
  const cookie = /(?:^|;\s*)user=([^;]*)/.exec(headers.get('cookie') ?? '')?.[1]
  return cookie !== undefined && USER.test(cookie) ? cookie : null
}

export interface ExampleOptions {
  client: S3Client
  bucket: string
  /** The client that applies the CORS rule at start. @default client */
  corsClient?: S3Client
  /** @default 0 (a free port) */
  port?: number
}

export interface RunningExample {
  /** The page's URL. Open exactly this: its origin is the one CORS and the handler allow. */
  url: string
  close(): Promise<void>
}

export async function startBrowserExample({ client, bucket, corsClient = client, port = 0 }: ExampleOptions): Promise<RunningExample> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  try {
    // The page PUTs to the bucket from this origin: without a CORS rule the browser refuses. This
    // replaces the bucket's CORS configuration.
    await corsClient.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: corsConfiguration({ origins: [origin] }) }))
    const [script, page] = await Promise.all([bundleClient(), readFile(join(HERE, 'index.html'), 'utf8')])
    // memoryStore is for one process; use safe-presign/stores/redis, /postgres or /dynamodb in production.
    const store = memoryStore()
    const uploads = createSafeUpload({
      client,
      bucket,
      store,
      allowedContentTypes: ['image/png', 'image/jpeg', 'application/pdf'],
      maxSize: 64 * MiB,
      // From 8 MiB up the page uploads in 5 MiB parts (S3's smallest), signed just in time.
      multipart: { partSize: 5 * MiB, threshold: 8 * MiB },
      // Bytes land under quarantine/ and only reach uploads/ once complete() has checked them.
      quarantine: { prefix: 'quarantine/' },
    })
    const downloads = createSafeDownload({ client, bucket, store })
    const files = new Map<string, ListedFile[]>()
    const handler = createUploadHandler({ uploads, downloads, authenticate: (request) => userFrom(request.headers), allowedOrigins: [origin] })
    const api = toNodeListener(recordCommits(handler, store, files))
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', origin)
      if (url.pathname.startsWith('/uploads/')) return api(req, res)
      if (req.method !== 'GET') return void res.writeHead(405, { allow: 'GET' }).end()
      if (url.pathname === '/') return servePage(req, res, url, page)
      if (url.pathname === '/app.js') return void res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' }).end(script)
      if (url.pathname === '/api/files') {
        const user = userFrom(nodeHeaders(req))
        if (!user) return sendJson(res, 401, { code: 'UNAUTHENTICATED', message: 'no user cookie: open / first' })
        return sendJson(res, 200, { user, files: files.get(user) ?? [] })
      }
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found')
    })
  } catch (error) {
    await close(server)
    throw error
  }
  return { url: `${origin}/`, close: () => close(server) }
}

/** The page; `/?as=bob` signs in as bob (stand-in), and a visitor without a cookie becomes alice. */
function servePage(req: IncomingMessage, res: ServerResponse, url: URL, page: string): void {
  const as = url.searchParams.get('as')
  const user = as !== null && USER.test(as) ? as : userFrom(nodeHeaders(req)) ? undefined : 'alice'
  const cookie = user === undefined ? {} : { 'set-cookie': `user=${user}; Path=/; HttpOnly; SameSite=Strict` }
  if (as !== null) return void res.writeHead(303, { location: '/', ...cookie }).end()
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...cookie }).end(page)
}

/**
 * The handler's answer to `complete` is the verified fact (size and type checked, bytes sniffed): record
 * the file for its owner then. A repeated complete (`alreadyCommitted`) is not listed twice.
 */
function recordCommits(handler: UploadHandler, store: OwnershipStore, files: Map<string, ListedFile[]>): UploadHandler {
  return async (request) => {
    const response = await handler(request)
    const owner = userFrom(request.headers)
    if (!response.ok || !owner || new URL(request.url).pathname !== '/uploads/complete') return response
    const done = (await response.clone().json()) as CompleteAnswer
    const list = files.get(owner) ?? []
    if (!list.some((f) => f.key === done.key)) {
      const record = await store.get(done.key, Date.now())
      const download = `/uploads/download?key=${encodeURIComponent(done.key)}&redirect=1`
      list.push({ key: done.key, filename: record?.filename ?? done.key.split('/').pop()!, size: done.size ?? record?.maxSize ?? 0, contentType: done.contentType, committedAt: Date.now(), download })
      files.set(owner, list)
    }
    return response
  }
}

/** src/client and the page's script in one ES module. In your project, your bundler does this. */
async function bundleClient(): Promise<string> {
  const out = await build({ entryPoints: [join(HERE, 'app.js')], bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, logLevel: 'warning' })
  return out.outputFiles[0]!.text
}

const nodeHeaders = (req: IncomingMessage) => new Headers(Object.entries(req.headers).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : [])))

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify(body))
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve()
    server.close(() => resolve())
    server.closeAllConnections()
  })
}

/** S3 from the environment, or the strict test S3 in this process when S3_ENDPOINT is not set. */
async function connect(): Promise<{ client: S3Client; bucket: string; description: string; close?: () => Promise<void> }> {
  const env = process.env
  if (!env.S3_ENDPOINT) {
    // For trying it out only: not part of what you copy. In your tests: from 'safe-presign/testing/s3'.
    const { startTestS3 } = await import('../../src/testing/s3/index.js')
    const s3 = await startTestS3({ buckets: ['browser'] })
    const client = s3.client()
    const close = async () => {
      client.destroy()
      await s3.close()
    }
    return { client, bucket: 'browser', description: `the strict test S3 (safe-presign/testing/s3, in-process) at ${s3.endpoint}, bucket "browser"`, close }
  }
  if (!env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY) throw new Error('S3_ENDPOINT is set, so AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be too')
  const region = env.AWS_REGION ?? 'us-east-1'
  // Checksums only where an operation requires one: older RGW and MinIO reject the SDK's default CRC32.
  const client = new S3Client({ endpoint: env.S3_ENDPOINT, forcePathStyle: true, region, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' })
  const bucket = env.S3_BUCKET ?? 'safe-presign-browser'
  const exists = await client.send(new HeadBucketCommand({ Bucket: bucket })).then(() => true, (e: { $metadata?: { httpStatusCode?: number } }) => {
    if (e.$metadata?.httpStatusCode === 404) return false
    throw e
  })
  if (!exists) await client.send(new CreateBucketCommand({ Bucket: bucket }))
  return { client, bucket, description: `${env.S3_ENDPOINT} (path-style), bucket "${bucket}"${exists ? '' : ' (created)'}` }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
  const s3 = await connect()
  const example = await startBrowserExample({ client: s3.client, bucket: s3.bucket, port: Number(process.env.PORT ?? 3000) }).catch(async (error: unknown) => {
    await s3.close?.()
    throw error
  })
  console.log(`S3: ${s3.description}`)
  console.log(`safe-presign browser example at ${example.url}`)
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void example.close().then(() => s3.close?.()).finally(() => process.exit(0)))
  }
}
