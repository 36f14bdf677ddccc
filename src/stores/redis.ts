/**
 * An ownership store in Redis (standalone or Sentinel; see docs/stores/redis.md for Cluster).
 * Every write is one Lua script, so each method is atomic and costs one round trip.
 *
 * Layout, under `keyPrefix`:
 * - `r:<key>`  string: `<state JSON>\n<record JSON>`. The state JSON holds what `transition` may
 *              change (`state`, `purgeAt`, `settledAt`, `reason`, `sniffedType`) and what the quota
 *              index needs (`owner`, `expiresAt`), every value a string; the record JSON holds
 *              everything else (sizes, `checksum`, `multipart`) and is never touched by Lua.
 *              PEXPIREAT at `purgeAt`; no TTL without one.
 * - `o:<owner>` sorted set of the owner's pending record keys, scored by when each stops counting
 *              against `maxPendingPerOwner` (`expiresAt`, or `purgeAt` if earlier). `create` prunes and
 *              counts it in the same script that writes; PEXPIREAT at its highest score.
 * - `t:<hash>` hash: `tkt` (JSON of the ticket without `usedAt`), `expiresAt`, `usedAt`. PEXPIREAT an hour
 *   after `expiresAt`, so that a late redeem still hears `expired`.
 * - `exp`      sorted set of `r:<key>` / `t:<hash>` scored by their deadline, so `sweep` can count.
 * Redis' Lua cjson prints numbers with 14 significant digits, so Lua only ever decodes and
 * re-encodes the string-only state JSON; numbers round-trip exactly. One string per record keeps
 * `get` a GET and `getMany` a single MGET.
 */
import { createHash } from 'node:crypto'
import type { Redis } from 'ioredis'
import { isSafePresignError, SafePresignError } from '../errors.js'
import { quotaOf } from './quota.js'
import type { ConsumeResult, OwnershipStore, RecordPatch, TicketRecord, UploadRecord, UploadState } from './types.js'

export interface RedisStoreOptions {
  /**
   * An ioredis client you built. Build it to fail fast, or an outage costs `timeoutMs` per call:
   * @example new Redis({ host, port, enableOfflineQueue: false, maxRetriesPerRequest: 0 })
   */
  client: Redis
  /**
   * Prepended to every Redis key this store writes.
   * @default 'safe-presign:'
   */
  keyPrefix?: string
  /**
   * How long one round trip may take before the call rejects with `STORE_UNAVAILABLE`
   * (`sweep` makes one round trip per 500 expired entries, each bounded by this).
   * @default 2000
   */
  timeoutMs?: number
}

/** How many expired entries one `sweep` round trip removes. */
const SWEEP_BATCH = 500
const MUTABLE = ['purgeAt', 'settledAt', 'reason', 'sniffedType'] as const satisfies readonly (keyof RecordPatch)[]

// The state JSON of a record value, decoded in Lua. A record is live while it has no purgeAt or
// its purgeAt is after the caller's `now`.
const STATE = `
local function state(value)
  return cjson.decode(string.sub(value, 1, string.find(value, '\\n', 1, true) - 1))
end`

// The owner's quota index. An owner set expires at its highest score: by then nothing in it counts.
const OWNERS = `
local function owners(prefix, s) return prefix .. 'o:' .. s.owner end
local function count(owner, key, s)
  local untl = s.expiresAt
  if s.purgeAt and tonumber(s.purgeAt) < tonumber(untl) then untl = s.purgeAt end
  redis.call('ZADD', owner, untl, key)
  local top = redis.call('ZRANGE', owner, -1, -1, 'WITHSCORES')
  redis.call('PEXPIREAT', owner, string.format('%.0f', math.ceil(tonumber(top[2]))))
end`

// KEYS: record, exp index, owner set. ARGV: now, member, purgeAt ('' for none), purgeAt for
// PEXPIREAT, value, maxPendingPerOwner ('' for none), keyPrefix, key.
// Returns 1 created, 0 key conflict, 2 over quota. The quota is checked first.
const CREATE = lua(`${STATE}${OWNERS}
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', ARGV[1])
if ARGV[6] ~= '' and redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[6]) then return 2 end
local cur = redis.call('GET', KEYS[1])
if cur then
  local s = state(cur)
  if not s.purgeAt or tonumber(s.purgeAt) > tonumber(ARGV[1]) then return 0 end
  -- An expired record is replaced: it leaves its owner's set (records from 0.1.0 have no owner there).
  if s.state == 'pending' and s.owner then redis.call('ZREM', owners(ARGV[7], s), ARGV[8]) end
end
redis.call('SET', KEYS[1], ARGV[5])
local s = state(ARGV[5])
if s.state == 'pending' then count(KEYS[3], ARGV[8], s) end
if ARGV[3] ~= '' then
  redis.call('PEXPIREAT', KEYS[1], ARGV[4])
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
else
  redis.call('ZREM', KEYS[2], ARGV[2])
end
return 1`)

// ARGV: now, member, from, to, purge op (keep|set|del), purgeAt, purgeAt for PEXPIREAT,
// JSON of the fields to set, keyPrefix, key, then the names of the fields to remove.
const TRANSITION = lua(`${STATE}${OWNERS}
local cur = redis.call('GET', KEYS[1])
if not cur then return false end
local s = state(cur)
if s.state ~= ARGV[3] then return false end
if s.purgeAt and tonumber(s.purgeAt) <= tonumber(ARGV[1]) then return false end
s.state = ARGV[4]
for field, value in pairs(cjson.decode(ARGV[8])) do s[field] = value end
for i = 11, #ARGV do s[ARGV[i]] = nil end
-- Out of pending frees the owner's slot; into (or staying in) pending counts it, by its new purgeAt.
if s.owner then
  if s.state == 'pending' then count(owners(ARGV[9], s), ARGV[10], s)
  elseif ARGV[3] == 'pending' then redis.call('ZREM', owners(ARGV[9], s), ARGV[10]) end
end
local value = cjson.encode(s) .. string.sub(cur, (string.find(cur, '\\n', 1, true)))
redis.call('SET', KEYS[1], value, 'KEEPTTL')
if ARGV[5] == 'set' then
  redis.call('PEXPIREAT', KEYS[1], ARGV[7])
  redis.call('ZADD', KEYS[2], ARGV[6], ARGV[2])
elseif ARGV[5] == 'del' then
  redis.call('PERSIST', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[2])
end
return value`)

// ARGV: member, keyPrefix, key.
const DELETE = lua(`${STATE}${OWNERS}
local cur = redis.call('GET', KEYS[1])
if cur then
  local s = state(cur)
  if s.state == 'pending' and s.owner then redis.call('ZREM', owners(ARGV[2], s), ARGV[3]) end
end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])`)

const PUT_TICKET = lua(`
local exp = redis.call('HGET', KEYS[1], 'expiresAt')
if exp and tonumber(exp) > tonumber(ARGV[1]) then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 5))
redis.call('PEXPIREAT', KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
return 1`)

const CONSUME = lua(`
local t = redis.call('HMGET', KEYS[1], 'tkt', 'expiresAt', 'usedAt')
if not t[1] then return {'missing'} end
if tonumber(t[2]) <= tonumber(ARGV[1]) then return {'expired', t[1], t[3]} end
if t[3] then return {'used', t[1], t[3]} end
redis.call('HSET', KEYS[1], 'usedAt', ARGV[1])
return {'ok', t[1], ARGV[1]}`)

// Counts index entries whose deadline passed, including those Redis' own TTL already evicted.
// An entry whose key says otherwise (no deadline, or a later one) is re-indexed, not removed.
const SWEEP = lua(`${STATE}
local members = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local removed = 0
for _, m in ipairs(members) do
  local key = ARGV[3] .. m
  local deadline
  if string.sub(m, 1, 2) == 'r:' then
    local cur = redis.call('GET', key)
    deadline = cur and (state(cur).purgeAt or 'none')
  else
    deadline = redis.call('HGET', key, 'expiresAt')
  end
  if deadline == 'none' then
    redis.call('ZREM', KEYS[1], m)
  elseif deadline and tonumber(deadline) > tonumber(ARGV[1]) then
    redis.call('ZADD', KEYS[1], deadline, m)
  else
    redis.call('DEL', key)
    redis.call('ZREM', KEYS[1], m)
    removed = removed + 1
  end
end
return {removed, #members}`)

/** An {@link OwnershipStore} in Redis, through a client you built and own (the store never closes it). */
export function redisStore(options: RedisStoreOptions): OwnershipStore {
  const { client, keyPrefix = 'safe-presign:', timeoutMs = 2000 } = options ?? ({} as RedisStoreOptions)
  if (typeof client?.evalsha !== 'function') config('client', 'not an ioredis client', 'pass `new Redis(...)` from ioredis')
  if (typeof keyPrefix !== 'string') config('keyPrefix', String(keyPrefix), 'it must be a string')
  // `sweep` builds key names inside Redis, where ioredis' own prefix would not be applied.
  if (client.options?.keyPrefix) config('client.options.keyPrefix', JSON.stringify(client.options.keyPrefix), "ioredis' own prefix is not supported; pass it as `keyPrefix` to redisStore instead")
  // Above 2^31 - 1 ms, setTimeout fires at once.
  if (!(timeoutMs > 0 && timeoutMs <= 2_147_483_647)) config('timeoutMs', String(timeoutMs), 'it must be a positive number of milliseconds, at most 2147483647')
  const index = `${keyPrefix}exp`

  async function call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(unavailable(operation, `got no answer within \`timeoutMs\` (${timeoutMs} ms)`)), timeoutMs)
    })
    try {
      // A command that loses the race may still reach Redis later; the caller was told it failed.
      return await Promise.race([run(), timeout])
    } catch (error) {
      if (isSafePresignError(error)) throw error
      throw unavailable(operation, `failed: ${error instanceof Error ? error.message : String(error)} (\`timeoutMs\` ${timeoutMs} ms)`, error)
    } finally {
      clearTimeout(timer)
    }
  }

  function unavailable(operation: string, what: string, cause?: unknown): SafePresignError {
    return new SafePresignError('STORE_UNAVAILABLE', `redisStore: ${operation} ${what}`, { cause, details: { operation, timeoutMs } })
  }

  async function script(s: Script, keys: string[], args: string[]): Promise<unknown> {
    try {
      return await client.evalsha(s.sha, keys.length, ...keys, ...args)
    } catch (error) {
      // The script cache is empty after a restart or SCRIPT FLUSH: EVAL sends the source and caches it.
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error
      return client.eval(s.source, keys.length, ...keys, ...args)
    }
  }

  const recordKey = (key: string) => `${keyPrefix}r:${checkKey('key', key)}`
  const ticketKey = (hash: string) => `${keyPrefix}t:${checkKey('hash', hash)}`
  // The owner is part of a key and of the state JSON that Lua decodes: well-formed Unicode only.
  const ownerKey = (owner: string) => `${keyPrefix}o:${text('owner', owner)}`

  return {
    async create(record, now, options) {
      const key = recordKey(record.key)
      const max = quotaOf('redisStore', options)
      const { state, purgeAt, settledAt, reason, sniffedType, owner, expiresAt, ...fixed } = record
      const value = `${JSON.stringify(stateFields({ state, purgeAt, settledAt, reason, sniffedType, owner, expiresAt }))}\n${JSON.stringify(fixed)}`
      const deadline = purgeAt === undefined ? ['', ''] : [ms('purgeAt', purgeAt), expireAt(purgeAt)]
      const args = [ms('now', now), `r:${record.key}`, ...deadline, value, max === undefined ? '' : String(max), keyPrefix, record.key]
      const created = await call('create', () => script(CREATE, [key, index, ownerKey(owner)], args))
      return created === 2 ? 'over-quota' : created === 1
    },

    async get(key, now) {
      const redisKey = recordKey(key)
      const t = Number(ms('now', now))
      // Decoding runs inside `call`: a value it cannot parse is a store failure, not a TypeError.
      return call('get', async () => decodeRecord(await client.get(redisKey), t))
    },

    async getMany(keys, now) {
      const unique = [...new Set(keys)]
      const redisKeys = unique.map(recordKey)
      const t = Number(ms('now', now))
      const found = new Map<string, UploadRecord>()
      if (unique.length === 0) return found
      return call('getMany', async () => {
        const values = await client.mget(redisKeys)
        unique.forEach((key, i) => {
          const record = decodeRecord(values[i] ?? null, t)
          if (record) found.set(key, record)
        })
        return found
      })
    },

    async transition(key: string, from: UploadState, to: UploadState, patch, now) {
      const redisKey = recordKey(key)
      const set: Partial<Record<keyof RecordPatch, unknown>> = {}
      const unset: string[] = []
      for (const field of MUTABLE) {
        if (!(field in patch)) continue
        if (patch[field] === undefined) unset.push(field)
        else set[field] = patch[field]
      }
      const purge = !('purgeAt' in patch) ? ['keep', '', ''] : patch.purgeAt === undefined ? ['del', '', ''] : ['set', ms('purgeAt', patch.purgeAt), expireAt(patch.purgeAt)]
      const args = [ms('now', now), `r:${key}`, text('from', from), text('to', to), ...purge, JSON.stringify(stateFields(set)), keyPrefix, key, ...unset]
      // Decoded without the `now` filter: the transition happened even if its new purgeAt has passed.
      return call('transition', async () => decodeRecord((await script(TRANSITION, [redisKey, index], args)) as string | null, -Infinity))
    },

    async delete(key) {
      const redisKey = recordKey(key)
      await call('delete', () => script(DELETE, [redisKey, index], [`r:${key}`, keyPrefix, key]))
    },

    async putTicket(ticket, now) {
      const key = ticketKey(ticket.hash)
      const { usedAt, ...fixed } = ticket
      const fields = ['tkt', JSON.stringify(fixed), 'expiresAt', ms('expiresAt', ticket.expiresAt), ...optional({ usedAt })]
      // Redis keeps an expired ticket a while longer, so a late redeem hears `expired`, not `missing`
      // (the contract); reads compare expiresAt themselves, and sweep() removes it at expiresAt.
      const args = [ms('now', now), `t:${ticket.hash}`, ms('expiresAt', ticket.expiresAt), expireAt(ticket.expiresAt + EXPIRED_TICKET_RETENTION_MS), ...fields]
      return (await call('putTicket', () => script(PUT_TICKET, [key, index], args))) === 1
    },

    async consumeTicket(hash, now): Promise<ConsumeResult> {
      const key = ticketKey(hash)
      const args = [ms('now', now)]
      return call('consumeTicket', async () => {
        const [status, json, usedAt] = (await script(CONSUME, [key], args)) as [ConsumeResult['status'], string?, string?]
        if (status === 'missing') return { status }
        const ticket = JSON.parse(json!) as TicketRecord
        if (usedAt != null) ticket.usedAt = Number(usedAt)
        return { status, ticket }
      })
    },

    async sweep(now) {
      const args = [ms('now', now), String(SWEEP_BATCH), keyPrefix]
      let removed = 0
      for (;;) {
        const [count, examined] = (await call('sweep', () => script(SWEEP, [index], args))) as [number, number]
        removed += count
        if (examined < SWEEP_BATCH) return removed
      }
    },
  } satisfies OwnershipStore
}

interface Script {
  source: string
  sha: string
}

function lua(source: string): Script {
  return { source: source.trim(), sha: createHash('sha1').update(source.trim()).digest('hex') }
}

/** `<state JSON>\n<record JSON>` back into a record; undefined when absent or at/past purgeAt. */
function decodeRecord(value: string | null, now: number): UploadRecord | undefined {
  if (value == null) return undefined
  const split = value.indexOf('\n')
  if (split < 0) throw new Error('the value is not a safe-presign record (no state line)')
  const state = JSON.parse(value.slice(0, split)) as Record<string, string | undefined>
  if (state.purgeAt !== undefined && Number(state.purgeAt) <= now) return undefined
  const record = JSON.parse(value.slice(split + 1)) as UploadRecord
  record.state = state.state as UploadState
  // Records written before 0.2 keep `owner` and `expiresAt` in the record JSON.
  if (state.owner !== undefined) record.owner = state.owner
  if (state.expiresAt !== undefined) record.expiresAt = Number(state.expiresAt)
  if (state.purgeAt !== undefined) record.purgeAt = Number(state.purgeAt)
  if (state.settledAt !== undefined) record.settledAt = Number(state.settledAt)
  if (state.reason !== undefined) record.reason = state.reason
  if (state.sniffedType !== undefined) record.sniffedType = state.sniffedType
  return record
}

/**
 * The state JSON's fields, every value a string: numbers exactly as JavaScript prints them, so that
 * Lua's cjson never formats a number. Undefined fields are left out.
 */
function stateFields(values: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [field, value] of Object.entries(values)) {
    if (value === undefined) continue
    out[field] = typeof value === 'number' ? ms(field, value) : text(field, value as string)
  }
  return out
}

/** Hash field/value pairs for the optional ticket fields that are set. */
function optional(values: Record<string, number | undefined>): string[] {
  return Object.entries(values).flatMap(([field, value]) => (value === undefined ? [] : [field, ms(field, value)]))
}

/** A time in ms, exactly as JavaScript prints it (it parses back to the same number). */
function ms(field: string, value: number): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new SafePresignError('INVALID_REQUEST', `redisStore: \`${field}\` is ${String(value)}; it must be a finite number`, { details: { field } })
  }
  return String(value)
}

/** How long Redis keeps a ticket past its `expiresAt` (unless sweep() removes it first): one hour. */
export const EXPIRED_TICKET_RETENTION_MS = 3_600_000

/** PEXPIREAT takes whole ms; rounding up keeps the key until its deadline has fully passed. */
const expireAt = (deadline: number) => String(Math.ceil(deadline))

/** Keys and the strings Lua decodes must be well-formed Unicode. */
function checkKey(field: string, value: string): string {
  // Redis keys are bytes: a lone surrogate would encode as U+FFFD and collide with other keys.
  if (typeof value !== 'string' || /\p{Cs}/u.test(value)) {
    throw new SafePresignError('INVALID_KEY', `redisStore: \`${field}\` is not a well-formed Unicode string`, { details: { field } })
  }
  return value
}

/** A string field of the state JSON: Lua's cjson refuses the escape of a lone surrogate. */
function text(field: string, value: string): string {
  if (typeof value !== 'string' || /\p{Cs}/u.test(value)) {
    throw new SafePresignError('INVALID_REQUEST', `redisStore: \`${field}\` must be a well-formed Unicode string`, { details: { field } })
  }
  return value
}

function config(option: string, value: string, rule: string): never {
  throw new SafePresignError('INVALID_CONFIG', `redisStore: \`${option}\` is ${value}; ${rule}`, { details: { option } })
}
