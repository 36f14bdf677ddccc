// safe-presign/handler in an Express app: the upload protocol (docs/protocol.md) under /uploads, in
// front of your own routes. Copy `createApp` and `createHandler` into your app.
//
//   POST /uploads/grant, /uploads/parts, /uploads/parts/list, /uploads/complete, /uploads/abort
//   GET  /uploads/download?key=…[&redirect=1]
//
// The user comes from an `x-user` header: a stand-in for your real authentication (a session cookie).
//
// Run it: `npx tsx examples/express/server.ts` (starts the strict test S3 in this process), or with
// S3_ENDPOINT, S3_BUCKET, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set, against that endpoint.
import { pathToFileURL } from 'node:url'
import express, { type Express } from 'express'
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

export function createApp(handler: UploadHandler): Express {
  const app = express()
  // Before any body parser: the handler reads, caps and parses its own JSON bodies. Mounted at
  // /uploads, it still sees the full path (Express's originalUrl), so basePath stays '/uploads'.
  app.use('/uploads', toNodeListener(handler))
  // Your own routes, with whatever parsers they need.
  app.use(express.json())
  app.get('/health', (_req, res) => void res.json({ ok: true }))
  return app
}

// Run directly: a server on http://127.0.0.1:3000 (PORT to change it).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { localSetup } = await import('../demo/local.js')
  const { uploads, downloads, port, stopOnSignal } = await localSetup()
  const server = createApp(createHandler({ uploads, downloads })).listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port}`))
  stopOnSignal(server)
}
