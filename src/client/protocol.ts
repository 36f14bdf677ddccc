// The handler's JSON protocol (docs/protocol.md), as the client sees it: the answers' shapes and one
// POST helper that turns a refusal into a SafePresignClientError with the handler's code.
import { aborted, ClientErrorCode, SafePresignClientError } from './errors.js'
import { withRetries } from './retry.js'
import type { ChecksumRequirement, GrantAnswer, MultipartGrantAnswer, PostGrantAnswer, PutGrantAnswer } from '../handler/protocol.js'

// The grant answers are the handler's own types (type-only: nothing of the server is bundled).
export type { GrantAnswer, MultipartGrantAnswer, PostGrantAnswer, PutGrantAnswer }
export type Checksum = ChecksumRequirement

export interface PartUrl {
  partNumber: number
  url: string
  headers: Record<string, string>
  expiresAt: number
}
export interface PartsListAnswer {
  key: string
  uploadId: string
  partSize: number
  partCount: number
  parts: { partNumber: number; size: number; etag: string }[]
}
export interface CompleteAnswer {
  key: string
  state: 'committed'
  size: number
  contentType: string
  sniffedType: string
  alreadyCommitted: boolean
}

/** What every handler call needs: resolved from the options once per upload. */
export interface Context {
  endpoint: string
  headers: () => Record<string, string> | Promise<Record<string, string>>
  fetch: typeof fetch
  signal: AbortSignal | undefined
  retries: number
  retryDelay: number
}

/**
 * POST `{endpoint}/{route}` with a JSON body. `idempotent` calls (parts, list, complete) are retried
 * on network errors and 5xx; a grant is not, since a repeat would record a second one.
 */
export function call<T>(ctx: Context, route: string, body: unknown, idempotent = false): Promise<T> {
  const once = () => request<T>(ctx, route, body)
  return idempotent ? withRetries(ctx, once) : once()
}

async function request<T>(ctx: Context, route: string, body: unknown): Promise<T> {
  let res: Response
  try {
    res = await ctx.fetch(`${ctx.endpoint}/${route}`, {
      method: 'POST',
      headers: { ...(await ctx.headers()), 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: ctx.signal,
    })
  } catch (cause) {
    if (ctx.signal?.aborted) throw aborted()
    throw new SafePresignClientError(ClientErrorCode.NETWORK_ERROR, `the upload server could not be reached (${route})`, 0, { cause })
  }
  let json: unknown
  try {
    json = await res.json()
  } catch (cause) {
    if (ctx.signal?.aborted) throw aborted()
    json = undefined
  }
  if (res.ok && typeof json === 'object' && json !== null) return json as T
  const error = (json ?? {}) as { code?: unknown; message?: unknown; details?: unknown }
  if (!res.ok && typeof error.code === 'string') {
    const details = typeof error.details === 'object' && error.details !== null ? (error.details as Record<string, unknown>) : undefined
    throw new SafePresignClientError(error.code, typeof error.message === 'string' ? error.message : error.code, res.status, { details })
  }
  throw new SafePresignClientError(ClientErrorCode.BAD_RESPONSE, `the upload server answered ${route} with ${res.status} and no protocol JSON`, res.status)
}

/** Throws BAD_RESPONSE unless `ok`: the handler's answer misses what the protocol promises. */
export function expect(ok: boolean, what: string): asserts ok {
  if (!ok) throw new SafePresignClientError(ClientErrorCode.BAD_RESPONSE, `the upload server's answer has no valid ${what}`, 200)
}
