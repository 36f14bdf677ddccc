// examples/hono/server.ts: through app.fetch (as Bun, Deno and Workers call it) and served on Node
// through safe-presign/node, against the strict test S3.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestS3 } from '../../../src/testing/s3/index.js'
import { createApp, createHandler } from '../../../examples/hono/server.js'
import { toNodeListener } from '../../../src/adapters/node.js'
import { exampleBuilders, roundTrip } from './flow.js'

let s3: TestS3
let app: Hono

beforeAll(async () => {
  const built = await exampleBuilders()
  s3 = built.s3
  const { uploads, downloads } = built
  app = createApp(createHandler({ uploads, downloads }))
})

afterAll(async () => {
  await s3?.close()
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
