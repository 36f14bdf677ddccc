// Shared by the client's and the React hook's Chromium tests (not a test file): Debian's Chromium through
// playwright-core, one node:http server that serves the page, its esbuild bundle, the fixtures and the
// handler (toNodeListener), and PNGs of an exact size.
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { deflateSync } from 'node:zlib'
import { build } from 'esbuild'
import { chromium, type Browser } from 'playwright-core'
import { toNodeListener } from '../../../src/adapters/node.js'
import type { UploadHandler } from '../../../src/handler/index.js'
import { freePort } from '../../helpers/env.js'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..')
export const CHROMIUM = '/usr/bin/chromium'
export const chromiumMissing = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} not found (apt-get install --no-install-recommends chromium)`
// Without the background-networking flags Chromium keeps dialling Google on a closed network.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
export const MiB = 1024 * 1024

export const launchChromium = (): Promise<Browser> => chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })

/** `source` (ESM, may import files of the repo by absolute path) bundled for the browser, minified as a production build. */
export async function bundle(source: string): Promise<string> {
  const out = await build({
    stdin: { contents: source, resolveDir: ROOT, loader: 'ts' },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    define: { 'process.env.NODE_ENV': '"production"' },
    write: false,
    logLevel: 'silent',
  })
  return out.outputFiles[0]!.text
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  let c = 0xffffffff
  for (const b of body) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8)
  const out = Buffer.alloc(12 + data.length)
  out.writeUInt32BE(data.length, 0)
  body.copy(out, 4)
  out.writeUInt32BE((c ^ 0xffffffff) >>> 0, 8 + data.length)
  return out
}

/** A valid PNG of exactly `size` bytes: a 1×1 grayscale image and a private ancillary chunk of random bytes. */
export function pngOfSize(size: number): Buffer {
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0])
  const idat = chunk('IDAT', deflateSync(Buffer.from([0, 0x80]))) // filter byte, one gray pixel
  const head = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', ihdr)])
  const end = chunk('IEND', Buffer.alloc(0))
  const filler = size - head.length - idat.length - end.length - 12
  if (filler < 0) throw new Error(`pngOfSize: ${size} bytes is too small`)
  return Buffer.concat([head, chunk('prVt', randomBytes(filler)), idat, end])
}

export interface AppServer {
  server: Server
  origin: string
  stop(): Promise<void>
}

/**
 * One server for everything the page talks to but S3. `routes(origin)` gets the server's origin (for
 * allowedOrigins and the bucket's CORS rule) and returns the handlers by path prefix (each handler's
 * basePath is that prefix + '/uploads') and the files by exact path.
 */
export async function appServer(
  routes: (origin: string) => { handlers: Record<string, UploadHandler>; files: Record<string, { type: string; body: string | Buffer }> },
): Promise<AppServer> {
  const port = await freePort()
  const origin = `http://127.0.0.1:${port}`
  const { handlers, files } = routes(origin)
  const listeners = Object.entries(handlers).map(([prefix, handler]) => [prefix, toNodeListener(handler)] as const)
  const server = createServer((req, res) => {
    const url = req.url ?? '/'
    const listener = listeners.find(([prefix]) => url.startsWith(`${prefix}/`))
    if (listener) return listener[1](req, res)
    const file = files[url.split('?')[0]!]
    if (!file) return void res.writeHead(404).end()
    res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' }).end(file.body)
  })
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve))
  return {
    server,
    origin,
    stop: () =>
      new Promise<void>((resolve) => {
        if (!server.listening) return resolve()
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

/** What the page saw of each request to S3 or the handler, with the headers Chromium really sent. */
export interface SeenRequest {
  method: string
  url: string
  headers: Record<string, string>
}

/** Records every request `page` sends whose URL starts with one of `prefixes`. */
export function recordRequests(page: import('playwright-core').Page, prefixes: string[]): SeenRequest[] {
  const seen: SeenRequest[] = []
  page.on('request', (request) => {
    if (!prefixes.some((p) => request.url().startsWith(p))) return
    const entry: SeenRequest = { method: request.method(), url: request.url(), headers: {} }
    seen.push(entry)
    void request.allHeaders().then((h) => Object.assign(entry.headers, h), () => {})
  })
  return seen
}
