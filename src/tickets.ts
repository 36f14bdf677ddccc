// Single-use download tickets: authorize now, hand out an opaque ticket, and sign the link only when
// it is redeemed, exactly once. Loaded on first use by createSafeDownload (import()), so an app that
// only signs links does not carry it, nor the encoders it needs.
//   ticket: request → decide (one store read) → 256 random bits → store only their SHA-256
//   redeem: format check → consume by hash (atomic, once) → re-read the record → sign ≤ 30 s
import { isSafePresignError, SafePresignError } from './errors.js'
import type { DownloadLink, DownloadTicket, TicketRequest } from './download.js'
import type { emitter } from './events.js'
import { MAX_TICKET_LINK_EXPIRY_SECONDS } from './limits.js'
import type { ResolvedDownloadConfig } from './policy/download-config.js'
import type { UploadRecord } from './stores/types.js'
import { sha256Hex, toBase64Url } from './_internal/bytes.js'
import { storeCall } from './_internal/store-call.js'

/** What createSafeDownload shares with its tickets: the same decision and signing as a link. */
export interface TicketContext {
  cfg: ResolvedDownloadConfig
  emit: ReturnType<typeof emitter>
  decide<T>(type: 'ticket.issued', subject: unknown, key: unknown, now: number, run: () => Promise<T & { expiresAt: number }>): Promise<T & { expiresAt: number }>
  decideOne(request: unknown, lifetime: 'ttl', cap: number, fallback: number, now: number): Promise<{ record: UploadRecord; requester: string; key: string; seconds: number }>
  authorize(key: string, record: UploadRecord | undefined, requester: string): Promise<UploadRecord>
  sign(record: UploadRecord, expiresIn: number, nowMs: number): Promise<DownloadLink>
}

const TICKET_FORMAT = /^[A-Za-z0-9_-]{43}$/

export function issueTicket({ cfg, decide, decideOne }: TicketContext, request: TicketRequest): Promise<DownloadTicket> {
  const now = cfg.now()
  return decide('ticket.issued', request?.requester, request?.key, now, async () => {
    const { requester, key, seconds: ttl } = await decideOne(request, 'ttl', cfg.ticketTtl, cfg.ticketTtl, now)
    const ticket = toBase64Url(globalThis.crypto.getRandomValues(new Uint8Array(32)))
    const expiresAt = now + ttl * 1000
    const hash = await hashTicket(ticket)
    const created = await storeCall('putTicket', () => cfg.store.putTicket({ hash, key, requester, createdAt: now, expiresAt }, now))
    if (!created) throw new SafePresignError('STORE_UNAVAILABLE', 'the store refused a fresh ticket as a duplicate; nothing was issued')
    return { ticket, expiresAt }
  })
}

export async function redeemTicket({ cfg, emit, authorize, sign }: TicketContext, ticket: string): Promise<DownloadLink & { key: string }> {
  const now = cfg.now()
  if (typeof ticket !== 'string' || !TICKET_FORMAT.test(ticket)) {
    emit({ type: 'download.denied', time: now, reason: 'TICKET_INVALID', method: 'GET' })
    throw new SafePresignError('TICKET_INVALID', 'the ticket is malformed')
  }
  const hash = await hashTicket(ticket)
  const consumed = await storeCall('consumeTicket', () => cfg.store.consumeTicket(hash, now))
  if (consumed.status !== 'ok') {
    const code = consumed.status === 'used' ? 'TICKET_USED' : consumed.status === 'expired' ? 'TICKET_EXPIRED' : 'TICKET_INVALID'
    const t = consumed.status === 'missing' ? undefined : consumed.ticket
    emit({ type: 'download.denied', time: now, subject: t?.requester, key: t?.key, reason: code, method: 'GET' })
    throw new SafePresignError(code, code === 'TICKET_USED' ? 'the ticket was already redeemed' : code === 'TICKET_EXPIRED' ? 'the ticket has expired' : 'the ticket is unknown')
  }
  const { key, requester } = consumed.ticket
  try {
    // Re-read the record: it may have been deleted or rejected since the ticket was issued.
    const record = await authorize(key, await storeCall('get', () => cfg.store.get(key, now)), requester)
    const link = await sign(record, Math.min(MAX_TICKET_LINK_EXPIRY_SECONDS, cfg.expiresIn), now)
    emit({ type: 'ticket.redeemed', time: now, subject: requester, key, reason: 'ok', expiresAt: link.expiresAt, method: 'GET' })
    return { key, ...link }
  } catch (error) {
    emit({ type: 'download.denied', time: now, subject: requester, key, reason: isSafePresignError(error) ? error.code : 'INTERNAL', method: 'GET' })
    throw error
  }
}

/** Tickets are stored by hash only: a leaked store cannot be replayed. Hex SHA-256 of the UTF-8 ticket. */
export function hashTicket(ticket: string): Promise<string> {
  return sha256Hex(ticket)
}
