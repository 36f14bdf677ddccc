/**
 * An ownership store in this process's memory: for tests, demos and single-process tools.
 * Nothing survives a restart and nothing is shared between processes, so it must not back a
 * deployment with more than one instance (a ticket could then be redeemed once per instance).
 */
import { SafePresignError } from '../errors.js'
import { openUntil, quotaOf } from './quota.js'
import type { ConsumeResult, OwnershipStore, RecordPatch, TicketRecord, UploadRecord, UploadState } from './types.js'

// Records and tickets are flat but for `checksum` and `multipart`: a spread copy (with those objects
// copied too) isolates callers from the stored state at a fraction of structuredClone's cost on the
// grant path. A new nested field of UploadRecord must be copied here as well.
function copyRecord(record: UploadRecord): UploadRecord {
  const copy = { ...record }
  if (record.checksum) copy.checksum = { ...record.checksum }
  if (record.multipart) copy.multipart = { ...record.multipart }
  return copy
}
const copyTicket = (ticket: TicketRecord): TicketRecord => ({ ...ticket })

export interface MemoryStoreOptions {
  /**
   * How many upload records the store holds. When it is full, records past their `purgeAt` are
   * dropped; if it is still full, `create` rejects with `STORE_UNAVAILABLE`. A live record is
   * never evicted: that would lose an owner.
   * @default 100_000
   */
  maxRecords?: number
  /**
   * How many download tickets the store holds. When it is full, tickets past their `expiresAt`
   * are dropped; if it is still full, `putTicket` rejects with `STORE_UNAVAILABLE`.
   * @default 100_000
   */
  maxTickets?: number
}

export const DEFAULT_MEMORY_MAX_RECORDS = 100_000
export const DEFAULT_MEMORY_MAX_TICKETS = 100_000

/** The only fields `transition` may change besides `state`; anything else in a patch is ignored. */
const PATCHABLE = ['purgeAt', 'settledAt', 'reason', 'sniffedType'] as const satisfies readonly (keyof RecordPatch)[]

/**
 * A bounded, in-process {@link OwnershipStore}. Every method is trivially atomic (one thread,
 * no `await` inside a method), and every object going in or out is copied, so a caller mutating
 * a returned record cannot change what is stored.
 */
export function memoryStore(options: MemoryStoreOptions = {}): OwnershipStore {
  const maxRecords = limit('maxRecords', options.maxRecords, DEFAULT_MEMORY_MAX_RECORDS)
  const maxTickets = limit('maxTickets', options.maxTickets, DEFAULT_MEMORY_MAX_TICKETS)
  const records = new Map<string, UploadRecord>()
  const tickets = new Map<string, TicketRecord>()
  // Lower bounds on the earliest deadline held, so that a full store holding only live entries
  // rejects in O(1) instead of scanning every entry on every call.
  let nextPurgeAt = Infinity
  let nextTicketExpiry = Infinity
  // Every pending record, by owner: key → the moment it stops counting (`openUntil`). The quota
  // check reads only this owner's entries, never all records; an owner without any is dropped.
  const pendingByOwner = new Map<string, OwnerIndex>()

  function index(record: UploadRecord): void {
    if (record.state !== 'pending') return
    let entry = pendingByOwner.get(record.owner)
    if (entry === undefined) pendingByOwner.set(record.owner, (entry = { keys: new Map(), earliest: Infinity }))
    const until = openUntil(record)
    entry.keys.set(record.key, until)
    entry.earliest = Math.min(entry.earliest, until)
  }

  function unindex(record: UploadRecord | undefined): void {
    if (record?.state !== 'pending') return
    const entry = pendingByOwner.get(record.owner)
    if (entry?.keys.delete(record.key) && entry.keys.size === 0) pendingByOwner.delete(record.owner)
  }

  /** True when `owner` holds `max` open grants. O(1) below the limit; at it, O(the owner's entries) at most. */
  function ownerFull(owner: string, max: number, now: number): boolean {
    const entry = pendingByOwner.get(owner)
    if (entry === undefined || entry.keys.size < max) return false
    // At the limit by entry count: drop the entries that stopped counting, unless none can have.
    if (entry.earliest > now) return true
    entry.earliest = Infinity
    for (const [key, until] of entry.keys) {
      if (until <= now) entry.keys.delete(key)
      else entry.earliest = Math.min(entry.earliest, until)
    }
    return entry.keys.size >= max
  }

  const live = (record: UploadRecord | undefined, now: number): UploadRecord | undefined =>
    record !== undefined && (record.purgeAt === undefined || record.purgeAt > now) ? record : undefined

  function dropExpiredRecords(now: number): number {
    if (nextPurgeAt > now) return 0
    let removed = 0
    nextPurgeAt = Infinity
    for (const [key, record] of records) {
      if (record.purgeAt === undefined) continue
      if (record.purgeAt <= now) {
        records.delete(key)
        unindex(record)
        removed++
      } else nextPurgeAt = Math.min(nextPurgeAt, record.purgeAt)
    }
    return removed
  }

  function dropExpiredTickets(now: number): number {
    if (nextTicketExpiry > now) return 0
    let removed = 0
    nextTicketExpiry = Infinity
    for (const [hash, ticket] of tickets) {
      if (ticket.expiresAt <= now) {
        tickets.delete(hash)
        removed++
      } else nextTicketExpiry = Math.min(nextTicketExpiry, ticket.expiresAt)
    }
    return removed
  }

  return {
    async create(record, now, options) {
      const max = quotaOf('memoryStore', options)
      // The quota is checked first: an owner at the limit hears 'over-quota' even on a key conflict.
      if (max !== undefined && ownerFull(record.owner, max, now)) return 'over-quota'
      const existing = records.get(record.key)
      if (live(existing, now)) return false
      if (existing === undefined && records.size >= maxRecords) {
        dropExpiredRecords(now)
        if (records.size >= maxRecords) throw storeFull('maxRecords', maxRecords, 'upload records', 'create')
      }
      unindex(existing)
      const stored = copyRecord(record)
      records.set(record.key, stored)
      index(stored)
      if (record.purgeAt !== undefined) nextPurgeAt = Math.min(nextPurgeAt, record.purgeAt)
      return true
    },

    async get(key, now) {
      const record = live(records.get(key), now)
      return record && copyRecord(record)
    },

    async getMany(keys, now) {
      const found = new Map<string, UploadRecord>()
      for (const key of keys) {
        const record = live(records.get(key), now)
        if (record) found.set(key, copyRecord(record))
      }
      return found
    },

    async transition(key: string, from: UploadState, to: UploadState, patch: RecordPatch, now: number) {
      const current = live(records.get(key), now)
      if (current === undefined || current.state !== from) return undefined
      const next: UploadRecord & RecordPatch = { ...current, state: to }
      for (const field of PATCHABLE) {
        if (!(field in patch)) continue
        // `{ purgeAt: undefined }` removes the field rather than storing an explicit undefined,
        // so a memory record deep-equals the same record read back from any other store.
        if (patch[field] === undefined) delete next[field]
        else Object.assign(next, { [field]: patch[field] })
      }
      unindex(current)
      records.set(key, next)
      index(next)
      if (next.purgeAt !== undefined) nextPurgeAt = Math.min(nextPurgeAt, next.purgeAt)
      return copyRecord(next)
    },

    async delete(key) {
      unindex(records.get(key))
      records.delete(key)
    },

    async putTicket(ticket, now) {
      const existing = tickets.get(ticket.hash)
      // An expired ticket counts as absent, as an expired record does for `create`.
      if (existing !== undefined && existing.expiresAt > now) return false
      if (existing === undefined && tickets.size >= maxTickets) {
        dropExpiredTickets(now)
        if (tickets.size >= maxTickets) throw storeFull('maxTickets', maxTickets, 'download tickets', 'putTicket')
      }
      tickets.set(ticket.hash, copyTicket(ticket))
      nextTicketExpiry = Math.min(nextTicketExpiry, ticket.expiresAt)
      return true
    },

    async consumeTicket(hash, now): Promise<ConsumeResult> {
      const ticket = tickets.get(hash)
      if (ticket === undefined) return { status: 'missing' }
      if (ticket.expiresAt <= now) return { status: 'expired', ticket: copyTicket(ticket) }
      if (ticket.usedAt !== undefined) return { status: 'used', ticket: copyTicket(ticket) }
      ticket.usedAt = now
      return { status: 'ok', ticket: copyTicket(ticket) }
    },

    async sweep(now) {
      return dropExpiredRecords(now) + dropExpiredTickets(now)
    },
  } satisfies OwnershipStore
}

interface OwnerIndex {
  keys: Map<string, number>
  /** A lower bound on the earliest `openUntil` in `keys`, so a full owner is refused in O(1). */
  earliest: number
}

function limit(option: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new SafePresignError('INVALID_CONFIG', `memoryStore: \`${option}\` is ${String(value)}; it must be a whole number of at least 1`, {
      details: { option, value },
    })
  }
  return value
}

function storeFull(option: string, max: number, what: string, operation: string): SafePresignError {
  return new SafePresignError(
    'STORE_UNAVAILABLE',
    `memoryStore: ${operation} refused: the store holds \`${option}\` = ${max} live ${what} and none has expired; raise \`${option}\` or use a shared store`,
    { details: { operation, option, limit: max } },
  )
}
