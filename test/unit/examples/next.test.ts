// examples/next: the App Router route file's exported GET and POST, called with Requests as Next calls
// them (no Next install), against the strict test S3 that examples/next/lib/uploads.ts starts on first use.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type * as Route from '../../../examples/next/app/api/uploads/[...path]/route.js'
import { roundTrip } from './flow.js'

let route: typeof Route
let closeUploads: () => Promise<void>

beforeAll(async () => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
  // The test S3, not whatever S3 this shell points at.
  delete process.env.S3_BUCKET
  route = await import('../../../examples/next/app/api/uploads/[...path]/route.js')
  ;({ closeUploads } = await import('../../../examples/next/lib/uploads.js'))
})

afterAll(async () => {
  await closeUploads?.()
})

describe('examples/next', () => {
  it('declares the Node.js runtime and no caching', () => {
    expect(route.runtime).toBe('nodejs')
    expect(route.dynamic).toBe('force-dynamic')
  })

  it('GET and POST serve the protocol under /api/uploads: grant → PUT → complete → download, and its refusals', async () => {
    await roundTrip((request) => (request.method === 'GET' ? route.GET(request) : route.POST(request)), 'http://localhost:3000/api/uploads')
  })

  it('answers a route outside the handler with 404 ROUTE_NOT_FOUND', async () => {
    const res = await route.POST(new Request('http://localhost:3000/api/uploads/nope', { method: 'POST', headers: { 'x-user': 'alice', 'content-type': 'application/json' }, body: '{}' }))
    expect(res.status).toBe(404)
    expect(((await res.json()) as { code: string }).code).toBe('ROUTE_NOT_FOUND')
  })
})
