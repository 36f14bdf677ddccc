// safe-presign/node: the web-standard handler on node:http and Express. A thin conversion both ways:
// IncomingMessage → Request (headers as sent, the body streamed with backpressure, aborted when the
// client goes away), Response → ServerResponse (streamed, honouring the socket's backpressure).
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { TLSSocket } from 'node:tls'

type FetchHandler = (request: Request) => Promise<Response> | Response

/** A `node:http` request listener, also usable as Express middleware (`app.use(listener)`). */
export type NodeListener = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void

/**
 * Serves `handler` (createUploadHandler's, or any fetch-style handler) from node:http or Express.
 * Under Express, mount it before any body parser (`express.json()` would consume the body first) and
 * give the handler the full path as its `basePath`: the URL is Express's `originalUrl`.
 * @example createServer(toNodeListener(handler)).listen(3000)
 */
export function toNodeListener(handler: FetchHandler): NodeListener {
  return (req, res, next) => {
    const controller = new AbortController()
    let cancelled = false
    // 'close' before the response finished: the client went away. Stop the handler's work and reads.
    res.once('close', () => {
      if (!res.writableFinished) controller.abort()
    })
    const request = toRequest(req, controller.signal, () => (cancelled = true))
    Promise.resolve()
      .then(() => handler(request))
      .then((response) => send(response, res, controller.signal, cancelled))
      .catch((error: unknown) => {
        if (next) return next(error)
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('internal error')
        else res.destroy()
      })
  }
}

function toRequest(req: IncomingMessage, signal: AbortSignal, onCancel: () => void): Request {
  const secure = (req.socket as TLSSocket).encrypted === true
  // The host only completes the URL: the handler routes on the path and never trusts the host.
  const host = /^[A-Za-z0-9.:[\]-]+$/.test(req.headers.host ?? '') ? req.headers.host : 'localhost'
  const path = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/'
  const url = new URL(path.startsWith('/') ? path : `/${path}`, `${secure ? 'https' : 'http'}://${host}`)
  const headers = new Headers()
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!
    if (!name.startsWith(':')) headers.append(name, req.rawHeaders[i + 1]!)
  }
  const method = req.method ?? 'GET'
  const hasBody = method !== 'GET' && method !== 'HEAD'
  const init: RequestInit & { duplex?: 'half' } = { method, headers, signal }
  if (hasBody) {
    init.body = bodyStream(req, onCancel)
    init.duplex = 'half'
  }
  return new Request(url, init)
}

/** The request body as a pull stream: Node reads the socket only as fast as the handler consumes. */
function bodyStream(req: IncomingMessage, onCancel: () => void): ReadableStream<Uint8Array> {
  const chunks = req[Symbol.asyncIterator]()
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await chunks.next()
        if (done) controller.close()
        else controller.enqueue(new Uint8Array(value.buffer, value.byteOffset, value.byteLength))
      } catch (error) {
        controller.error(error)
      }
    },
    cancel() {
      // The handler stopped reading (the body is over its cap): answer, then close the connection
      // rather than drain an unbounded rest.
      onCancel()
      req.pause()
    },
  })
}

async function send(response: Response, res: ServerResponse, signal: AbortSignal, cancelledBody: boolean): Promise<void> {
  const headers: Record<string, string | string[]> = {}
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value
  })
  const cookies = response.headers.getSetCookie?.() ?? []
  if (cookies.length > 0) headers['set-cookie'] = cookies
  if (cancelledBody) headers.connection = 'close'
  res.writeHead(response.status, response.statusText || undefined, headers)
  if (!response.body) return void res.end()
  const reader = response.body.getReader()
  const abort = () => void reader.cancel().catch(() => {})
  signal.addEventListener('abort', abort, { once: true })
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      if (!res.write(value)) await new Promise<void>((resolve) => (res.once('drain', resolve), res.once('close', resolve)))
      if (signal.aborted) return
    }
    res.end()
  } finally {
    signal.removeEventListener('abort', abort)
  }
}
