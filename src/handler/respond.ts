// Every response the handler writes. JSON bodies are never cached (they hold signed URLs and
// per-user decisions) and never sniffed as anything but JSON.
import { isSafePresignError, SafePresignError } from '../errors.js'
import type { ErrorAnswer } from './protocol.js'
import { ERROR_STATUS } from './status.js'

const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
} as const

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } })
}

/** A 302 to a signed download link. no-store: a cached redirect would hand out the link after it expired, or to someone else. */
export function redirect(url: string): Response {
  return new Response(null, { status: 302, headers: { location: url, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' } })
}

export type ErrorHook = (error: unknown, request: Request) => void

/**
 * The refusal for `error`: a library error as its `toJSON()` with its code's status; anything else as
 * 500 INTERNAL with a generic message (its own message or stack could hold paths, SQL, credentials).
 * Every 5xx goes to `onError`, which is where the server logs the cause.
 */
export function errorResponse(error: unknown, request: Request, onError: ErrorHook | undefined, headers: Record<string, string> = {}): Response {
  const known = isSafePresignError(error) && Object.prototype.hasOwnProperty.call(ERROR_STATUS, error.code)
  const status = known ? ERROR_STATUS[error.code] : 500
  if (status >= 500 && onError) {
    try {
      onError(error, request)
    } catch {
      // A throwing logger never changes the answer.
    }
  }
  const body: ErrorAnswer = known ? toJSON(error) : INTERNAL.toJSON()
  return json(status, body, headers)
}

const INTERNAL = new SafePresignError('INTERNAL', 'the server failed to handle the request; its log has the details')

// A copy of the library from another realm may predate toJSON(): rebuild the same safe shape.
function toJSON(error: SafePresignError): ErrorAnswer {
  if (typeof error.toJSON === 'function') return error.toJSON()
  return new SafePresignError(error.code, String(error.message), { details: error.details }).toJSON()
}
