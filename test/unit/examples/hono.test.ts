// examples/hono/server.ts: through app.fetch (as Bun, Deno and Workers call it) and served on Node
// through safe-presign/node, against the S3 emulator.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { S3Client } from '@aws-sdk/client-s3'
import type { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEmulator, type Emulator } from '../../../examples/demo/emulator.js'
import { createApp, createHandler } from '../../../examples/hono/server.js'
import { toNodeListener } from '../../../src/adapters/node.js'
import { createSafeDownload, createSafeUpload, memoryStore } from '../../../src/index.js'
import { roundTrip } from './flow.js'

let emulator: Emulator
let app: Hono

beforeAll(async () => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
  emulator = await startEmulator({ buckets: ['uploads'] })
  const client = new S3Client({ endpoint: emulator.endpoint, forcePathStyle: true, region: emulator.region, credentials: emulator.credentials })
  const store = memoryStore()
  const uploads = createSafeUpload({ client, bucket: 'uploads', store, allowedContentTypes: ['image/png'], maxSize: 1024 * 1024 })
  const downloads = createSafeDownload({ client, bucket: 'uploads', store })
  app = createApp(createHandler({ uploads, downloads }))
})

afterAll(async () => {
  await emulator?.close()
})

describe('examples/hono', () => {
  it('app.fetch serves the protocol: grant → PUT → complete → download, and its refusals', async () => {
    await roundTrip(async (request) => app.fetch(request), 'http://app.test/uploads')
    expect(await (await app.fetch(new Request('http://app.test/health'))).json()).toEqual({ ok: true })
  })

  it('runs on node:http through toNodeListener(app.fetch)', async () => {
    const server: Server = createServer(toNodeListener(app.fetch))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      await roundTrip((request) => fetch(request), `http://127.0.0.1:${(server.address() as AddressInfo).port}/uploads`)
    } finally {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  })
})
