// examples/express/server.ts over a real socket, against the S3 s3.
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestS3, type TestS3 } from '../../../src/testing/s3/index.js'
import { createApp, createHandler } from '../../../examples/express/server.js'
import { createSafeDownload, createSafeUpload, memoryStore } from '../../../src/index.js'
import { roundTrip } from './flow.js'

let s3: TestS3
let server: Server
let origin: string

beforeAll(async () => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
  s3 = await startTestS3({ buckets: ['uploads'] })
  const client = s3.client()
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
  await s3?.close()
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
