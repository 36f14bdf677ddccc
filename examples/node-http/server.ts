// safe-presign behind a plain node:http server, no framework. Copy `createHandler` into your app.
//
//   POST /uploads                 {filename, contentType, size} → 201 upload grant (PUT it to S3)
//   POST /uploads/:key/complete   → 200 verified and committed, or the reason it was rejected
//   GET  /files/:key              → 302 to a fresh short-lived download link
//   POST /files/:key/ticket       → 201 {ticket, url}: a single-use link to hand to someone else
//   GET  /t/:ticket               → 302 to a download link, once
//
// `:key` is the object key from the grant, e.g. /files/uploads/0b5…e1.png (or percent-encoded).
// The user comes from an `x-user` header: a stand-in for your real authentication.
//
// Run it: `npx tsx examples/node-http/server.ts` (starts the strict test S3 in this process), or with
// S3_ENDPOINT, S3_BUCKET, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set, against that endpoint.
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http'
import { pathToFileURL } from 'node:url'
// In your project: from 'safe-presign'.
import { isSafePresignError, type ErrorCode, type SafeDownload, type SafeUpload, type UploadRequest } from '../../src/index.js'

/** HTTP status per error code. Typed as a complete map: a new code fails to compile until it is mapped. */
export const STATUS: Record<ErrorCode, number> = {
  INVALID_REQUEST: 400,
  CONTENT_TYPE_NOT_ALLOWED: 400,
  EXPIRY_TOO_LONG: 400,
  CHECKSUM_REQUIRED: 400,
  INVALID_FILENAME: 400,
  INVALID_KEY: 400,
  FORBIDDEN: 403,
  ORIGIN_NOT_ALLOWED: 403,
  UNAUTHENTICATED: 401,
  ROUTE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  UNSUPPORTED_MEDIA_TYPE: 415,
  BODY_TOO_LARGE: 413,
  INTERNAL: 500,
  // Too many open grants for this user: slow down, retry after one completes or expires.
  TOO_MANY_PENDING: 429,
  NOT_FOUND: 404,
  TICKET_INVALID: 404,
  NOT_COMMITTED: 409,
  UPLOAD_MISSING: 409,
  // The multipart upload's time is up: start again.
  UPLOAD_EXPIRED: 410,
  SIZE_MISMATCH: 409,
  TYPE_MISMATCH: 409,
  CONTENT_MISMATCH: 409,
  CHECKSUM_MISMATCH: 409,
  SCAN_FAILED: 409,
  OBJECT_UNREADABLE: 409,
  UPLOAD_REJECTED: 409,
  // A ticket that was used or has expired is gone for good: 410, so clients do not retry.
  TICKET_USED: 410,
  TICKET_EXPIRED: 410,
  FILE_TOO_LARGE: 413,
  // Ours or S3's trouble, not the request's: retry later.
  STORE_UNAVAILABLE: 503,
  S3_ERROR: 503,
  CREDENTIALS_EXPIRING: 503,
  SIGNING_FAILED: 503,
  INVALID_CONFIG: 500,
}

const MAX_BODY_BYTES = 16 * 1024

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

export function createHandler({ uploads, downloads }: { uploads: SafeUpload; downloads: SafeDownload }): RequestListener {
  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname
    let m: RegExpExecArray | null
    if (req.method === 'POST' && path === '/uploads') {
      const owner = user(req)
      const { filename, contentType, size } = await readJson(req)
      // Passed as they came: presign() checks every field and throws a typed error.
      return send(res, 201, await uploads.presign({ owner, filename, contentType, size } as UploadRequest))
    }
    if (req.method === 'POST' && (m = /^\/uploads\/(.+)\/complete$/.exec(path))) {
      return send(res, 200, await uploads.complete({ key: decode(m[1]!), owner: user(req) }))
    }
    if (req.method === 'GET' && (m = /^\/files\/(.+)$/.exec(path))) {
      const link = await downloads.presign({ key: decode(m[1]!), requester: user(req) })
      return redirect(res, link.url)
    }
    if (req.method === 'POST' && (m = /^\/files\/(.+)\/ticket$/.exec(path))) {
      const { ticket, expiresAt } = await downloads.ticket({ key: decode(m[1]!), requester: user(req) })
      return send(res, 201, { ticket, expiresAt, url: `/t/${ticket}` })
    }
    if (req.method === 'GET' && (m = /^\/t\/([^/]+)$/.exec(path))) {
      // No x-user: the ticket is the credential, and it works once.
      return redirect(res, (await downloads.redeem(m[1]!)).url)
    }
    throw new HttpError(404, 'NO_ROUTE', `no route for ${req.method} ${path}`)
  }

  return (req, res) => {
    route(req, res).catch((error: unknown) => {
      if (isSafePresignError(error)) return send(res, STATUS[error.code] ?? 500, error.toJSON())
      if (error instanceof HttpError) return send(res, error.status, { code: error.code, message: error.message })
      // Unknown errors stay in the server log; the client learns nothing about them.
      console.error(error)
      send(res, 500, { code: 'INTERNAL', message: 'internal error' })
    })
  }
}

function user(req: IncomingMessage): string {
  const name = req.headers['x-user']
  if (typeof name !== 'string' || name === '') throw new HttpError(401, 'UNAUTHENTICATED', 'send an x-user header')
  return name
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    throw new HttpError(400, 'INVALID_KEY', 'the key in the path is not valid percent-encoding')
  }
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  let length = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    length += chunk.length
    if (length > MAX_BODY_BYTES) throw new HttpError(413, 'BODY_TOO_LARGE', `the JSON body is over ${MAX_BODY_BYTES} bytes`)
    chunks.push(chunk)
  }
  let body: unknown
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    body = undefined
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'INVALID_JSON', 'the body must be a JSON object')
  return body as Record<string, unknown>
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body))
}

function redirect(res: ServerResponse, url: string): void {
  // no-store: a cached redirect would hand out a link after it expired, or to someone else.
  res.writeHead(302, { location: url, 'cache-control': 'no-store' }).end()
}

// Run directly: a server on http://127.0.0.1:3000 (PORT to change it).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { localSetup } = await import('../demo/local.js')
  const { uploads, downloads, port, stopOnSignal } = await localSetup()
  const server = createServer(createHandler({ uploads, downloads }))
  server.listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port}`))
  stopOnSignal(server)
}
