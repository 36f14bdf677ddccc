// createSafeDownload: every link is checked against the ownership store first.
//   request → key check → store (one round trip) → authorize → sign GET (attachment, pinned type)
import { emitter } from './events.js'
import { registerSdk } from './_internal/s3-commands.js'
import { SDK } from './sign/commands.js'
import { isSafePresignError, SafePresignError } from './errors.js'
import { contentDisposition } from './key/content-disposition.js'
import { keyProblem } from './key/key.js'
import { MAX_BATCH_KEYS } from './limits.js'
import { resolveDownloadConfig, type ResolvedDownloadConfig, type SafeDownloadConfig } from './policy/download-config.js'
import { presignWith } from './sign/presign.js'
import type { SignLink } from './sign/batch.js'
import { signingContext } from './sign/target.js'
import type { UploadRecord } from './stores/types.js'
import type { TicketContext } from './tickets.js'
import { storeCall } from './_internal/store-call.js'
import { requestLifetime, checkSubject, invalid, quote } from './_internal/validate.js'

export type { SafeDownloadConfig } from './policy/download-config.js'

export interface DownloadRequest {
  key: string
  /** The end-user asking. Must own the key, or be allowed by `authorize`. */
  requester: string
  /** Lifetime in seconds, at most the builder's `expiresIn`. @default min(60, expiresIn) */
  expiresIn?: number
}

export interface DownloadLink {
  url: string
  /** The true end of validity (ms since the epoch). */
  expiresAt: number
}

export type BatchResult = ({ key: string; ok: true } & DownloadLink) | { key: string; ok: false; error: SafePresignError }

export interface TicketRequest {
  key: string
  requester: string
  /** Seconds the ticket may wait before it is redeemed, at most the builder's `ticketTtl`. */
  ttl?: number
}

export interface DownloadTicket {
  /** Opaque, 256 random bits, base64url. Only its SHA-256 is stored. Treat it as a secret. */
  ticket: string
  expiresAt: number
}

export interface SafeDownload {
  /** A short-lived GET link for one key, after checking ownership. */
  presign(request: DownloadRequest): Promise<DownloadLink>
  /** Links for many keys with one store round trip; one denied key never fails the others. */
  presignMany(request: { keys: readonly string[]; requester: string; expiresIn?: number }): Promise<BatchResult[]>
  /** Authorizes now and returns a single-use ticket, to be redeemed later for a link. */
  ticket(request: TicketRequest): Promise<DownloadTicket>
  /** Consumes a ticket (exactly once, across processes) and returns a link valid for ≤ 30 s. */
  redeem(ticket: string): Promise<DownloadLink & { key: string }>
  readonly config: Readonly<ResolvedDownloadConfig>
}

// Tickets load with the first ticket or redemption, and the batch signer with the first presignMany, out
// of a link-only app's start bundle.
let deferredModule: Promise<typeof import('./deferred.js')> | undefined
const loadDeferred = () => (deferredModule ??= import('./deferred.js'))

export function createSafeDownload(config: SafeDownloadConfig): SafeDownload {
  registerSdk(SDK)
  const cfg = resolveDownloadConfig(config)
  const emit = emitter(cfg.onEvent)
  const defaultExpiry = Math.min(60, cfg.expiresIn)

  function checkRequester(requester: unknown): string {
    return checkSubject('requester', requester)
  }

  function checkRequest<R>(request: R, shape: string): NonNullable<R> {
    if (typeof request !== 'object' || request === null) invalid('INVALID_REQUEST', 'request', request, `it must be ${shape}`)
    return request as NonNullable<R>
  }

  function checkKey(key: unknown): string {
    const problem = keyProblem(key, cfg.keyPrefix)
    if (problem) invalid('INVALID_KEY', 'key', key, problem)
    return key as string
  }

  /** The decision for one record: throws the reason, or returns the record. */
  async function authorize(key: string, record: UploadRecord | undefined, requester: string): Promise<UploadRecord> {
    if (!record || record.state === 'rejected') throw new SafePresignError('NOT_FOUND', `no upload is recorded under ${quote(key)}`, { details: { key } })
    if (record.owner !== requester) {
      let allowed = false
      if (cfg.authorize) {
        try {
          allowed = (await cfg.authorize(Object.freeze({ ...record }), requester)) === true
        } catch (cause) {
          throw new SafePresignError('FORBIDDEN', `\`authorize\` threw for ${quote(key)}; denied`, { cause, details: { key } })
        }
      }
      if (!allowed) throw new SafePresignError('FORBIDDEN', `${quote(requester)} may not read ${quote(key)}`, { details: { key } })
    }
    if (record.state !== 'committed') {
      throw new SafePresignError('NOT_COMMITTED', `the upload ${quote(key)} has not been completed and verified yet`, { details: { key } })
    }
    return record
  }

  /** The response overrides every link carries: served as an attachment, as the verified type, never cached. */
  function linkQuery(record: UploadRecord): Record<string, string> {
    // A wildcard grant ('image/*') is served as the type the bytes were verified as.
    const type = record.contentType.endsWith('/*') ? (record.sniffedType && record.sniffedType !== 'unknown' ? record.sniffedType : 'application/octet-stream') : record.contentType
    // Cache-Control is pinned too: a client may have stored its own with the upload (unsigned headers
    // are kept), and a shared cache must never keep a private file.
    return { 'response-cache-control': 'private, no-store', 'response-content-disposition': contentDisposition(record.filename), 'response-content-type': type }
  }

  /** One link. */
  async function sign(record: UploadRecord, expiresIn: number, nowMs: number): Promise<DownloadLink> {
    const signed = await presignWith(await signingContext(cfg.signer, cfg.bucket), { method: 'GET', bucket: cfg.bucket, key: record.key, query: linkQuery(record), expiresIn, signingDate: new Date(nowMs) })
    return { url: signed.url, expiresAt: signed.expiresAt }
  }

  /** The signer of one presignMany call: the same links as sign(), with one signing key for all. */
  async function batchLinks(nowMs: number, expiresIn: number): Promise<SignLink> {
    const { batchSigner } = await loadDeferred()
    return batchSigner(cfg.signer, await signingContext(cfg.signer, cfg.bucket), expiresIn, new Date(nowMs))
  }

  async function decide<T>(type: 'download.granted' | 'ticket.issued', subject: unknown, key: unknown, now: number, run: () => Promise<T & { expiresAt: number }>): Promise<T & { expiresAt: number }> {
    try {
      const out = await run()
      emit({ type, time: now, subject: subject as string, key: key as string, reason: 'ok', expiresAt: out.expiresAt, method: 'GET' })
      return out
    } catch (error) {
      emit({ type: 'download.denied', time: now, subject: typeof subject === 'string' ? subject : undefined, key: typeof key === 'string' ? key : undefined, reason: isSafePresignError(error) ? error.code : 'INTERNAL', method: 'GET' })
      throw error
    }
  }

  /** A single-key request, validated, then the whole decision with one store read. */
  async function decideOne(request: unknown, lifetime: 'expiresIn' | 'ttl', cap: number, fallback: number, now: number) {
    checkRequest(request, `{ key, requester, ${lifetime}? }`)
    const { key: rawKey, requester: rawRequester, [lifetime]: value } = request as Record<string, unknown>
    const requester = checkRequester(rawRequester)
    const key = checkKey(rawKey)
    const seconds = requestLifetime(lifetime, value, cap, fallback)
    const record = await authorize(key, await storeCall('get', () => cfg.store.get(key, now)), requester)
    return { record, requester, key, seconds }
  }

  const tickets: TicketContext = { cfg, emit, decide, decideOne, authorize, sign }

  return {
    presign(request) {
      const now = cfg.now()
      return decide('download.granted', request?.requester, request?.key, now, async () => {
        const { record, seconds } = await decideOne(request, 'expiresIn', cfg.expiresIn, defaultExpiry, now)
        return sign(record, seconds, now)
      })
    },

    async presignMany(request) {
      const now = cfg.now()
      checkRequest(request, '{ keys, requester, expiresIn? }')
      const requester = checkRequester(request.requester)
      if (!Array.isArray(request.keys)) invalid('INVALID_REQUEST', 'keys', request.keys, 'it must be an array of keys')
      if (request.keys.length > MAX_BATCH_KEYS) {
        invalid('INVALID_REQUEST', 'keys', `${request.keys.length} keys`, `the maximum for one presignMany call is ${MAX_BATCH_KEYS}`, { limit: MAX_BATCH_KEYS })
      }
      const expiresIn = requestLifetime('expiresIn', request.expiresIn, cfg.expiresIn, defaultExpiry)
      const problems = request.keys.map((key) => keyProblem(key, cfg.keyPrefix))
      const valid = request.keys.filter((_, i) => problems[i] === undefined)
      const records = valid.length > 0 ? await storeCall('getMany', () => cfg.store.getMany(valid, now)) : new Map<string, UploadRecord>()
      // One signing key for the batch (sign/batch.ts), made when the first key needs a link. The keys
      // are signed one after another, not with Promise.all: a thousand concurrent signatures cost more
      // per key than the same thousand in turn, and signing is CPU work that concurrency cannot speed up.
      let link: SignLink | undefined
      const results: BatchResult[] = []
      for (const [i, key] of request.keys.entries()) {
        try {
          const out = await decide('download.granted', requester, key, now, async () => {
            if (problems[i] !== undefined) invalid('INVALID_KEY', 'key', key, problems[i]!)
            const record = await authorize(key, records.get(key), requester)
            link ??= await batchLinks(now, expiresIn)
            return link(record.key, linkQuery(record))
          })
          results.push({ key, ok: true, url: out.url, expiresAt: out.expiresAt })
        } catch (error) {
          if (!isSafePresignError(error)) throw error
          results.push({ key: String(key), ok: false, error })
        }
      }
      return results
    },

    ticket: async (request) => (await loadDeferred()).issueTicket(tickets, request),
    redeem: async (ticket) => (await loadDeferred()).redeemTicket(tickets, ticket),
    config: Object.freeze({ ...cfg }),
  }
}
