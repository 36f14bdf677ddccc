// examples/express/server.ts over a real socket, against the strict test S3.
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestS3 } from '../../../src/testing/s3/index.js'
import { createApp, createHandler } from '../../../examples/express/server.js'
import { exampleBuilders, roundTrip } from './flow.js'

let s3: TestS3
let server: Server
let origin: string

beforeAll(async () => {
  const built = await exampleBuilders()
  s3 = built.s3
  const { uploads, downloads } = built
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
