// safe-presign/handler in a Hono app: Hono hands over the web Request, so the handler is passed as is.
// The same app runs on Bun, Deno and Workers (`export default app`); on Node, safe-presign/node serves
// it (or @hono/node-server's serve()). Copy `createApp` and `createHandler` into your app.
//
//   POST /uploads/grant, /uploads/parts, /uploads/parts/list, /uploads/complete, /uploads/abort
//   GET  /uploads/download?key=…[&redirect=1]
//
// The user comes from an `x-user` header: a stand-in for your real authentication.
//
// Run it: `npx tsx examples/hono/server.ts` (starts the strict test S3 in this process), or with
// S3_ENDPOINT, S3_BUCKET, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set, against that endpoint.
import { createServer } from 'node:http'
import { pathToFileURL } from 'node:url'
import { Hono } from 'hono'
// In your project: from 'safe-presign', 'safe-presign/handler' and 'safe-presign/node'.
import type { SafeDownload, SafeUpload } from '../../src/index.js'
import { createUploadHandler, type UploadHandler } from '../../src/handler/index.js'
import { toNodeListener } from '../../src/adapters/node.js'

export function createHandler({ uploads, downloads }: { uploads: SafeUpload; downloads: SafeDownload }): UploadHandler {
  return createUploadHandler({
    uploads,
    downloads,
    // Your session check goes here; return null for "not signed in" (→ 401).
    authenticate: (request) => request.headers.get('x-user'),
    onError: (error) => console.error(error),
  })
}

export function createApp(handler: UploadHandler): Hono {
  const app = new Hono()
  // c.req.raw is the untouched Request: its body has not been read, so the handler's cap applies.
  app.all('/uploads/*', (c) => handler(c.req.raw))
  app.get('/health', (c) => c.json({ ok: true }))
  return app
}

// Run directly: a server on http://127.0.0.1:3000 (PORT to change it).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { localSetup } = await import('../demo/local.js')
  const { uploads, downloads, port, stopOnSignal } = await localSetup()
  const app = createApp(createHandler({ uploads, downloads }))
  const server = createServer(toNodeListener(app.fetch)).listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port}`))
  stopOnSignal(server)
}
