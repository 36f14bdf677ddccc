// safe-presign/node over real sockets: node:http and Express, the body streamed and capped, client
// aborts reaching the handler's Request.signal, and the Response written back as it was.
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import { afterEach, describe, expect, it } from 'vitest'
import { toNodeListener, type NodeListener } from '../../../src/adapters/node.js'
import { handlerWorld, PNG } from './setup.js'

const servers: Server[] = []
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
})

async function listen(listener: NodeListener | express.Express): Promise<string> {
  const server = createServer(listener as NodeListener)
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const grantBody = JSON.stringify({ filename: 'cat.png', contentType: 'image/png', size: PNG.length })

describe('toNodeListener on node:http', () => {
  it('serves the handler: a grant, then a 302 download with its headers', async () => {
    const w = handlerWorld()
    const base = await listen(toNodeListener(w.handler))
    const res = await fetch(`${base}/uploads/grant`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-user': 'alice' }, body: grantBody })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(res.headers.get('cache-control')).toBe('no-store')
    const grant = (await res.json()) as { kind: string; key: string }
    expect(grant.kind).toBe('put')
    w.putObject(grant.key, PNG, 'image/png')
    const done = await fetch(`${base}/uploads/complete`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-user': 'alice' }, body: JSON.stringify({ key: grant.key }) })
    expect(((await done.json()) as { state: string }).state).toBe('committed')
    const link = await fetch(`${base}/uploads/download?key=${encodeURIComponent(grant.key)}&redirect=1`, { headers: { 'x-user': 'alice' }, redirect: 'manual' })
    expect(link.status).toBe(302)
    expect(link.headers.get('location')).toContain(grant.key)
  })

  it('passes every header through, both ways, including repeated Set-Cookie', async () => {
    let seen: Headers | undefined
    const base = await listen(
      toNodeListener(async (request) => {
        seen = request.headers
        const headers = new Headers({ 'x-one': '1' })
        headers.append('set-cookie', 'a=1')
        headers.append('set-cookie', 'b=2')
        return new Response(await request.text(), { status: 201, headers })
      }),
    )
    const res = await fetch(`${base}/x?y=1`, { method: 'POST', headers: { 'x-user': 'alice', 'content-type': 'application/json' }, body: '{"a":1}' })
    expect(res.status).toBe(201)
    expect(await res.text()).toBe('{"a":1}')
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2'])
    expect(seen?.get('x-user')).toBe('alice')
  })

  it('answers 413 to an endless chunked body and closes the connection instead of draining it', async () => {
    const w = handlerWorld()
    const base = await listen(toNodeListener(w.handler))
    const { status, body, connection, sent } = await new Promise<{ status: number; body: string; connection: string | undefined; sent: number }>((resolve, reject) => {
      const req = httpRequest(`${base}/uploads/grant`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-user': 'alice' } })
      let sent = 0
      const chunk = Buffer.alloc(16 * 1024, 0x20)
      const pump = () => {
        // Stop after 64 MiB: a server that drained the body would still answer, but far later than this.
        while (sent < 64 * 1024 * 1024 && !req.destroyed) {
          sent += chunk.length
          if (!req.write(chunk)) return void req.once('drain', pump)
        }
      }
      req.on('response', (res: IncomingMessage) => {
        let text = ''
        res.setEncoding('utf8').on('data', (d: string) => (text += d))
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body: text, connection: res.headers.connection, sent })
          req.destroy()
        })
      })
      req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' || error.code === 'EPIPE' ? undefined : reject(error)))
      pump()
    })
    expect(status).toBe(413)
    expect(JSON.parse(body)).toMatchObject({ name: 'SafePresignError', code: 'BODY_TOO_LARGE' })
    expect(connection).toBe('close')
    expect(sent).toBeLessThan(64 * 1024 * 1024)
  })

  it("aborts the handler's Request.signal when the client goes away", async () => {
    let aborted!: () => void
    const wasAborted = new Promise<void>((resolve) => (aborted = resolve))
    let started!: () => void
    const hasStarted = new Promise<void>((resolve) => (started = resolve))
    const base = await listen(
      toNodeListener((request) => {
        request.signal.addEventListener('abort', () => aborted())
        started()
        return new Promise<Response>(() => {}) // never answers
      }),
    )
    const client = new AbortController()
    const pending = fetch(`${base}/uploads/grant`, { signal: client.signal }).catch((e: Error) => e.name)
    await hasStarted
    client.abort()
    expect(await pending).toBe('AbortError')
    await wasAborted
  })

  it('answers a plain 500 when the handler itself throws', async () => {
    const base = await listen(toNodeListener(() => Promise.reject(new Error('secret'))))
    const res = await fetch(`${base}/x`)
    expect(res.status).toBe(500)
    expect(await res.text()).toBe('internal error')
  })
})

describe('toNodeListener as Express middleware', () => {
  it('sees the full path under app.use(mount) and leaves other routes to Express', async () => {
    const w = handlerWorld()
    const app = express()
    app.use('/uploads', toNodeListener(w.handler))
    app.get('/health', (_req, res) => void res.send('ok'))
    const base = await listen(app)
    const res = await fetch(`${base}/uploads/grant`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-user': 'alice' }, body: grantBody })
    expect(res.status).toBe(200)
    expect(((await res.json()) as { kind: string }).kind).toBe('put')
    expect(await (await fetch(`${base}/health`)).text()).toBe('ok')
    const missing = await fetch(`${base}/uploads/nope`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-user': 'alice' }, body: '{}' })
    expect(missing.status).toBe(404)
    expect(((await missing.json()) as { code: string }).code).toBe('ROUTE_NOT_FOUND')
  })

  it("hands a handler's throw to Express's error middleware", async () => {
    const app = express()
    app.use(toNodeListener(() => Promise.reject(new Error('boom'))))
    app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => void res.status(599).send(`caught ${error.message}`))
    const base = await listen(app)
    const res = await fetch(`${base}/anything`)
    expect(res.status).toBe(599)
    expect(await res.text()).toBe('caught boom')
  })
})
