// safe-presign/handler: one web-standard `(Request) => Promise<Response>` that speaks the JSON protocol
// of docs/protocol.md over the builders. No Node built-ins: it runs on Node (through safe-presign/node),
// Workers, Deno, Bun and in any framework that hands over a Request.
//   route → method → Origin → Content-Type → authenticate → body (capped) → builder → JSON
import type { SafeDownload } from '../download.js'
import { SafePresignError } from '../errors.js'
import type { SafeUpload } from '../upload.js'
import { invalid, quote } from '../_internal/validate.js'
import { assertJsonContentType, readJsonBody } from './body.js'
import { errorResponse, type ErrorHook } from './respond.js'
import { routeTable } from './routes.js'

export { ERROR_STATUS } from './status.js'
export type * from './protocol.js'

/** The largest JSON body the handler reads by default: 64 KiB, room for 100 part digests many times over. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024
export const DEFAULT_BASE_PATH = '/uploads'

export type UploadHandler = (request: Request) => Promise<Response>

export interface UploadHandlerOptions {
  /** The upload builder (`createSafeUpload`). Its rules decide every grant. */
  uploads: SafeUpload
  /** The download builder (`createSafeDownload`); without it, `GET {base}/download` is 404 ROUTE_NOT_FOUND. */
  downloads?: SafeDownload
  /**
   * The end-user this request is from (your session or token check), or null: then 401 UNAUTHENTICATED.
   * This is the only owner the handler uses; an `owner` in a body is ignored.
   * @example (request) => sessions.userIdFrom(request.headers.get('cookie'))
   */
  authenticate: (request: Request) => string | null | undefined | Promise<string | null | undefined>
  /** Where the routes live: `POST {basePath}/grant` and so on. The full path as the request URL has it. @default '/uploads' */
  basePath?: string
  /**
   * Origins (`https://app.example.com`) a browser request may come from; a request whose Origin header is
   * another one is refused with 403 ORIGIN_NOT_ALLOWED (no Origin header: not a browser's cross-site
   * request, allowed). @default undefined (no Origin check; the JSON-only bodies still stop forged forms)
   */
  allowedOrigins?: readonly string[]
  /** The largest JSON body in bytes, counted while it streams. @default 65536 */
  maxBodyBytes?: number
  /** Receives every error answered with a 5xx (for a non-library error the client only sees INTERNAL): log it here. */
  onError?: ErrorHook
}

export function createUploadHandler(options: UploadHandlerOptions): UploadHandler {
  const { uploads, downloads, authenticate, onError } = checkOptions(options)
  const basePath = normalizeBasePath(options.basePath)
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  const origins = options.allowedOrigins === undefined ? undefined : new Set(options.allowedOrigins)
  const routes = routeTable(uploads, downloads)

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url)
    const path = url.pathname.startsWith(`${basePath}/`) ? url.pathname.slice(basePath.length) : undefined
    const route = path === undefined ? undefined : routes.get(path)
    if (!route) throw new SafePresignError('ROUTE_NOT_FOUND', `no route ${quote(request.method)} ${quote(url.pathname)}; the routes are under ${quote(basePath)}`)
    if (request.method !== route.method) {
      return errorResponse(new SafePresignError('METHOD_NOT_ALLOWED', `${quote(path)} takes ${route.method}, not ${quote(request.method)}`, { details: { allow: route.method } }), request, onError, { allow: route.method })
    }
    const origin = request.headers.get('origin')
    if (origins && origin !== null && !origins.has(origin)) {
      throw new SafePresignError('ORIGIN_NOT_ALLOWED', `requests from the origin ${quote(origin)} are not accepted`)
    }
    if (route.method === 'POST') assertJsonContentType(request)
    const owner = await authenticate(request)
    if (owner === null || owner === undefined || owner === '') throw new SafePresignError('UNAUTHENTICATED', 'sign in first: the server could not tell who sent this request')
    if (typeof owner !== 'string') throw new TypeError(`authenticate() returned a ${typeof owner}; it must return the user id as a string, or null`)
    const body = route.method === 'POST' ? await readJsonBody(request, maxBodyBytes) : {}
    return route.run({ owner, body, url })
  }

  return async (request) => {
    try {
      return await handle(request)
    } catch (error) {
      return errorResponse(error, request, onError)
    }
  }
}

function checkOptions(options: UploadHandlerOptions): UploadHandlerOptions {
  if (typeof options !== 'object' || options === null) invalid('INVALID_CONFIG', 'options', options, 'createUploadHandler needs { uploads, authenticate, ... }')
  const { uploads, downloads, authenticate, onError, maxBodyBytes, allowedOrigins } = options
  if (typeof uploads?.presign !== 'function' || typeof uploads.config !== 'object') invalid('INVALID_CONFIG', 'uploads', uploads, 'it must be what createSafeUpload() returned')
  if (downloads !== undefined && typeof downloads?.presign !== 'function') invalid('INVALID_CONFIG', 'downloads', downloads, 'it must be what createSafeDownload() returned')
  if (typeof authenticate !== 'function') invalid('INVALID_CONFIG', 'authenticate', authenticate, 'it must be a function (request) => user id or null')
  if (onError !== undefined && typeof onError !== 'function') invalid('INVALID_CONFIG', 'onError', onError, 'it must be a function')
  if (maxBodyBytes !== undefined && (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 1)) invalid('INVALID_CONFIG', 'maxBodyBytes', maxBodyBytes, 'it must be a whole number of bytes, at least 1')
  if (allowedOrigins !== undefined) {
    if (!Array.isArray(allowedOrigins)) invalid('INVALID_CONFIG', 'allowedOrigins', allowedOrigins, 'it must be an array of origins such as "https://app.example.com"')
    for (const origin of allowedOrigins) {
      // Compared with the Origin header byte for byte: a trailing slash or a path would never match.
      if (typeof origin !== 'string' || !isOrigin(origin)) invalid('INVALID_CONFIG', 'allowedOrigins', origin, 'each must be an origin as browsers send it: scheme://host[:port], no path or trailing slash')
    }
  }
  return options
}

function isOrigin(value: string): boolean {
  try {
    return new URL(value).origin === value
  } catch {
    return false
  }
}

function normalizeBasePath(basePath: unknown): string {
  if (basePath === undefined) return DEFAULT_BASE_PATH
  if (typeof basePath !== 'string' || !/^(\/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)*\/?$/.test(basePath)) {
    invalid('INVALID_CONFIG', 'basePath', basePath, 'it must be a path such as "/uploads" or "/api/uploads" ("/" for the root)')
  }
  return basePath.replace(/\/$/, '')
}
