// The handler's JSON protocol (docs/protocol.md), as the Uppy adapter speaks it: one POST per route,
// the caller's headers on each, and every refusal turned back into a SafePresignError with the
// handler's code. Browser code: no Node built-ins, no AWS SDK, nothing from Uppy.
import { ErrorCode, SafePresignError } from '../errors.js'
import type { ChecksumRequirement, GrantAnswer, MultipartGrantAnswer, PostGrantAnswer, PutGrantAnswer } from '../handler/protocol.js'

// The grant answers are the handler's own types (type-only: nothing of the server is bundled).
export type Checksum = ChecksumRequirement
export type PutGrantWire = PutGrantAnswer
export type PostGrantWire = PostGrantAnswer
export type MultipartGrantWire = MultipartGrantAnswer
export type GrantWire = GrantAnswer

export interface GrantRequestWire {
  filename?: string
  contentType: string
  size: number
  checksum?: string
  multipart?: boolean
}
export interface PartWire {
  partNumber: number
  url: string
  headers: Record<string, string>
  expiresAt: number
}
export interface ListedPartsWire {
  key: string
  uploadId: string
  partSize: number
  partCount: number
  parts: { partNumber: number; size: number; etag: string }[]
}
/** What `POST {base}/complete` answers: the committed, verified upload. */
export interface Completion {
  key: string
  state: 'committed'
  size: number | undefined
  contentType: string
  sniffedType: string
  alreadyCommitted: boolean
}

export interface ProtocolOptions {
  /** The handler's base URL, e.g. `/uploads` or `https://api.example.com/uploads`. */
  endpoint: string
  /** Sent with every request to the handler (an Authorization or CSRF header). */
  headers?: Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>)
  /** @default globalThis.fetch */
  fetch?: typeof fetch
}

/** A refusal from the handler, with the status it came with and its JSON body (code, message, details). */
export interface HandlerFailure {
  status: number
  body: { name: 'SafePresignError'; code: string; message: string; details?: Record<string, unknown> }
}

const CODES = new Set<string>(Object.values(ErrorCode))

/**
 * The error an adapter callback throws: the handler's code and message. `details` stays off the error
 * (Uppy appends `error.details` to its message as a string); it is kept on `failure`.
 */
export function handlerError(failure: HandlerFailure): SafePresignError & { failure: HandlerFailure } {
  const code = (CODES.has(failure.body.code) ? failure.body.code : 'INTERNAL') as ErrorCode
  return Object.assign(new SafePresignError(code, failure.body.message), { failure })
}

export interface ProtocolClient {
  grant(body: GrantRequestWire, signal?: AbortSignal): Promise<GrantWire>
  parts(body: { key: string; uploadId: string; parts: { partNumber: number; checksum?: string }[] }, signal?: AbortSignal): Promise<{ parts: PartWire[] }>
  listParts(body: { key: string; uploadId: string }, signal?: AbortSignal): Promise<ListedPartsWire>
  complete(body: { key: string; uploadId?: string }, signal?: AbortSignal): Promise<Completion>
  abort(body: { key: string; uploadId: string }, signal?: AbortSignal): Promise<{ key: string; state: 'rejected' }>
  /** The handler's download route for `key` (what a committed upload's `location` points at). */
  downloadUrl(key: string): string
}

export function protocolClient(options: ProtocolOptions): ProtocolClient {
  const base = options.endpoint.replace(/\/+$/, '')
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init))

  async function call<T>(route: string, body: unknown, signal?: AbortSignal): Promise<T> {
    const extra = typeof options.headers === 'function' ? await options.headers() : options.headers
    const res = await doFetch(`${base}/${route}`, {
      method: 'POST',
      headers: { ...extra, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'same-origin',
      signal,
    })
    const text = await res.text()
    let json: unknown
    try {
      json = text === '' ? undefined : JSON.parse(text)
    } catch {
      json = undefined
    }
    if (res.ok && json !== undefined) return json as T
    const refusal = json as Partial<HandlerFailure['body']> | undefined
    if (refusal?.name === 'SafePresignError' && typeof refusal.code === 'string') {
      throw handlerError({ status: res.status, body: refusal as HandlerFailure['body'] })
    }
    // Not the handler answering (a proxy, a wrong endpoint): say where, never echo the body.
    throw handlerError({
      status: res.status,
      body: { name: 'SafePresignError', code: 'INTERNAL', message: `POST ${base}/${route} answered ${res.status} without a safe-presign JSON body` },
    })
  }

  return {
    grant: (body, signal) => call('grant', body, signal),
    parts: (body, signal) => call('parts', body, signal),
    listParts: (body, signal) => call('parts/list', body, signal),
    complete: (body, signal) => call('complete', body, signal),
    abort: (body, signal) => call('abort', body, signal),
    downloadUrl: (key) => `${base}/download?key=${encodeURIComponent(key)}`,
  }
}
