// examples/express/server.ts over a real socket, against the S3 emulator.
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEmulator, type Emulator } from '../../../examples/demo/emulator.js'
import { createApp, createHandler } from '../../../examples/express/server.js'
import { createSafeDownload, createSafeUpload, memoryStore } from '../../../src/index.js'
import { roundTrip } from './flow.js'

let emulator: Emulator
let server: Server
let origin: string

beforeAll(async () => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
  emulator = await startEmulator({ buckets: ['uploads'] })
  const client = new S3Client({ endpoint: emulator.endpoint, forcePathStyle: true, region: emulator.region, credentials: emulator.credentials })
  const store = memoryStore()
  const uploads = createSafeUpload({ client, bucket: 'uploads', store, allowedContentTypes: ['image/png'], maxSize: 1024 * 1024 })
  const downloads = createSafeDownload({ client, bucket: 'uploads', store })
  server = createApp(createHandler({ uploads, downloads })).listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server?.closeAllConnections()
  await new Promise((resolve) => server?.close(resolve))
  await emulator?.close()
})

describe('examples/express', () => {
  it('serves the protocol under /uploads: grant → PUT → complete → download, and its refusals', async () => {
    await roundTrip((request) => fetch(request), `${origin}/uploads`)
  })

  it('keeps its own routes, and a body parser after the handler does not take its bodies', async () => {
    expect(await (await fetch(`${origin}/health`)).json()).toEqual({ ok: true })
    const big = await fetch(`${origin}/uploads/grant`, { method: 'POST', headers: { 'x-user': 'alice', 'content-type': 'application/json' }, body: JSON.stringify({ pad: 'x'.repeat(70_000) }) })
    expect(big.status).toBe(413)
  })
})
