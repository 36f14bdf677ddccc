/**
 * The conformance suite every OwnershipStore runs: the built-in ones, and yours. It registers
 * vitest `describe`/`it` blocks, so call it at the top level of a test file.
 *
 * Deadlines are set an hour or more after the real clock, even though every method takes `now`
 * from the caller: stores with native expiry (Redis PEXPIREAT, DynamoDB TTL) evict by their
 * own clock, and a record evicted early would pass for one correctly hidden.
 */
import { randomUUID } from 'node:crypto'
import { isSafePresignError } from '../errors.js'
import type { OwnershipStore, TicketRecord, UploadRecord } from '../stores/types.js'

// vitest is imported only if it is installed, so `safe-presign/testing` (which also exports
// startTestS3) loads under node:test or jest too; without it, testOwnershipStore says what is missing.
const vitest: typeof import('vitest') | undefined = await import('vitest').catch(() => undefined)
const needsVitest = (): never => {
  throw new TypeError('testOwnershipStore registers vitest tests, and vitest is not installed: npm install --save-dev vitest')
}
const { afterAll, beforeAll, describe, expect, it } = vitest ?? { afterAll: needsVitest, beforeAll: needsVitest, describe: needsVitest, expect: needsVitest as unknown as typeof import('vitest').expect, it: needsVitest }

export interface TestOwnershipStoreOptions {
  /** The name the suite is reported under, e.g. `'redis'`. */
  name: string
  /**
   * Builds a store. Called more than once: each call must return a store on its own client
   * connection to the same backend, because the race tests need two.
   */
  create: () => Promise<OwnershipStore> | OwnershipStore
  /** Releases a store built by `create` (close its client), so the test run can exit. */
  cleanup?: (store: OwnershipStore) => Promise<void> | void
  /** Outage hooks. When given, the suite stops the backend mid-run and checks that calls fail fast and recover. */
  fault?: {
    /** Makes the backend unreachable (stop the server). */
    stop: () => Promise<void>
    /** Brings it back where the store's client can reconnect (same host and port). */
    start: () => Promise<void>
    /**
     * The longest any one method may take to reject with `STORE_UNAVAILABLE` while the backend is down.
     * @default 5000
     */
    maxFailMs?: number
    /**
     * How long the same store instance may take to work again after `start()`.
     * @default 10000
     */
    maxRecoverMs?: number
  }
}

const HOUR = 3_600_000

/** Registers the OwnershipStore conformance suite for one store. */
export function testOwnershipStore(options: TestOwnershipStoreOptions): void {
  describe(`OwnershipStore conformance: ${options.name}`, () => {
    const run = `safe-presign-conformance/${randomUUID()}`
    const created: OwnershipStore[] = []
    let a: OwnershipStore
    let b: OwnershipStore

    beforeAll(async () => {
      a = await options.create()
      created.push(a)
      b = await options.create()
      created.push(b)
    })

    afterAll(async () => {
      // Cleanup runs once per distinct instance (a test may hand back one shared store).
      for (const store of new Set(created)) await options.cleanup?.(store)
    })

    // Each test gets its own key space, so tests never collide in a shared backend.
    let n = 0
    const space = (label: string) => `${run}/${++n}-${label}`
    const base = () => Date.now() + HOUR

    function record(key: string, t: number, extra: Partial<UploadRecord> = {}): UploadRecord {
      return {
        key,
        owner: 'user-1',
        state: 'pending',
        contentType: 'image/png',
        minSize: 1,
        maxSize: 5 * 1024 * 1024,
        createdAt: t,
        expiresAt: t + 300_000,
        purgeAt: t + HOUR,
        ...extra,
      }
    }

    function ticket(hash: string, t: number, extra: Partial<TicketRecord> = {}): TicketRecord {
      return { hash, key: `${hash}/object`, requester: 'user-2', createdAt: t, expiresAt: t + HOUR, ...extra }
    }

    const hashOf = (label: string) => `${space(label)}/${randomUUID().replaceAll('-', '')}`

    describe('records', () => {
      it('round-trips a record with every optional field through create, get, getMany and delete', async () => {
        const t = base()
        const key = `${space('roundtrip')}/Ünïcode file.png`
        const full = record(key, t, {
          filename: 'Résumé – 履歴書 😀.png',
          checksum: { algorithm: 'sha256', value: 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=' },
          stagingKey: `${key}.quarantine`,
          settledAt: t + 1,
          reason: 'CONTENT_MISMATCH',
          sniffedType: 'unknown',
        })
        const minimal = record(`${space('roundtrip')}/minimal`, t)

        expect(await a.create(full, t)).toBe(true)
        expect(await a.create(minimal, t)).toBe(true)
        expect(await a.get(key, t)).toEqual(full)
        expect(await b.get(key, t)).toEqual(full)
        expect(await a.get(minimal.key, t)).toEqual(minimal)
        const many = await b.getMany([key, minimal.key], t)
        expect(many).toBeInstanceOf(Map)
        expect(many).toEqual(new Map([[minimal.key, minimal], [key, full]]))

        await a.delete(key)
        expect(await a.get(key, t)).toBeUndefined()
        expect(await b.getMany([key], t)).toEqual(new Map())
        await expect(a.delete(key)).resolves.toBeUndefined()
        expect(await a.create(full, t)).toBe(true)
        expect(await a.get(key, t)).toEqual(full)
      })

      it('refuses a duplicate create and leaves the original untouched', async () => {
        const t = base()
        const original = record(`${space('dup')}/k`, t)
        expect(await a.create(original, t)).toBe(true)
        expect(await b.create({ ...original, owner: 'attacker', maxSize: 10 ** 12 }, t + 1)).toBe(false)
        expect(await a.get(original.key, t + 1)).toEqual(original)
      })

      it('lets a create replace a record at or past its purgeAt', async () => {
        const t = base()
        const old = record(`${space('replace')}/k`, t)
        expect(await a.create(old, t)).toBe(true)
        const fresh = record(old.key, old.purgeAt!, { owner: 'user-9' })
        expect(await a.create(fresh, old.purgeAt! - 1)).toBe(false)
        expect(await b.create(fresh, old.purgeAt!)).toBe(true)
        expect(await a.get(old.key, old.purgeAt!)).toEqual(fresh)
      })

      it('never returns a record at or past its purgeAt, even before a sweep', async () => {
        const t = base()
        const r = record(`${space('expiry')}/k`, t)
        const p = r.purgeAt!
        await a.create(r, t)
        expect(await a.get(r.key, p - 1)).toEqual(r)
        expect(await a.get(r.key, p)).toBeUndefined()
        expect(await a.get(r.key, p + 1)).toBeUndefined()
        expect((await a.getMany([r.key], p - 1)).get(r.key)).toEqual(r)
        expect((await a.getMany([r.key], p)).has(r.key)).toBe(false)
        expect((await b.getMany([r.key], p + 1)).has(r.key)).toBe(false)
        expect(await a.transition(r.key, 'pending', 'committed', {}, p)).toBeUndefined()
      })
    })

    describe('multipart records', () => {
      const TiB = 1024 ** 4
      const GiB = 1024 ** 3
      // S3 upload ids are opaque; this one is 1 KB of what they, and other S3 servers, use.
      const uploadId = `2~${'Zx9.q_W-v+Y/k='.repeat(80)}`.slice(0, 1024)
      const multipartRecord = (label: string, t: number): UploadRecord =>
        record(`${space(label)}/big.bin`, t, {
          contentType: 'application/octet-stream',
          minSize: 5 * TiB,
          maxSize: 5 * TiB,
          multipart: { uploadId, partSize: 5 * GiB, partCount: 1024 },
        })

      it('keeps multipart and 5 TiB sizes exactly through create, get and getMany', async () => {
        const t = base()
        const r = multipartRecord('multipart-roundtrip', t)
        expect(r.maxSize).toBe(5_497_558_138_880)
        expect(await a.create(r, t)).toBe(true)
        expect(await a.get(r.key, t)).toStrictEqual(r)
        expect(await b.get(r.key, t)).toStrictEqual(r)
        expect((await b.getMany([r.key], t)).get(r.key)).toStrictEqual(r)
        expect(await b.create({ ...r, multipart: { uploadId: 'other', partSize: 1, partCount: 1 } }, t)).toBe(false)
        expect((await a.get(r.key, t))?.multipart).toStrictEqual(r.multipart)
      })

      it('keeps multipart unchanged through pending → committed and pending → rejected', async () => {
        const t = base()
        const committed = multipartRecord('multipart-commit', t)
        const rejected = multipartRecord('multipart-reject', t)
        await a.create(committed, t)
        await a.create(rejected, t)
        const { purgeAt: _, ...permanent } = committed
        const afterCommit: UploadRecord = { ...permanent, state: 'committed', settledAt: t + 1, sniffedType: 'unknown' }
        expect(await b.transition(committed.key, 'pending', 'committed', { purgeAt: undefined, settledAt: t + 1, sniffedType: 'unknown' }, t + 1)).toStrictEqual(afterCommit)
        expect(await a.get(committed.key, t + 2)).toStrictEqual(afterCommit)
        const patch = { reason: 'CONTENT_MISMATCH', settledAt: t + 1, purgeAt: t + 2 * HOUR }
        const afterReject: UploadRecord = { ...rejected, ...patch, state: 'rejected' }
        expect(await a.transition(rejected.key, 'pending', 'rejected', patch, t + 1)).toStrictEqual(afterReject)
        expect(await b.getMany([committed.key, rejected.key], t + 2)).toStrictEqual(new Map([[committed.key, afterCommit], [rejected.key, afterReject]]))
      })

      it('returns a record without multipart without the key (not `multipart: undefined`), also after a transition', async () => {
        const t = base()
        const r = record(`${space('multipart-absent')}/k`, t, { maxSize: 5 * TiB })
        await a.create(r, t)
        const got = await b.get(r.key, t)
        expect(got).not.toHaveProperty('multipart')
        expect(got).toStrictEqual(r)
        const many = (await b.getMany([r.key], t)).get(r.key)
        expect(many).not.toHaveProperty('multipart')
        expect(many).toStrictEqual(r)
        const moved = await a.transition(r.key, 'pending', 'rejected', { reason: 'X' }, t)
        expect(moved).not.toHaveProperty('multipart')
        expect(moved).toStrictEqual({ ...r, state: 'rejected', reason: 'X' })
      })
    })

    describe('transitions', () => {
      it('moves pending to committed once, removes the purge time, and refuses a second attempt', async () => {
        const t = base()
        const r = record(`${space('commit')}/k`, t, { checksum: { algorithm: 'md5', value: '1B2M2Y8AsgTpgAmY7PhCfg==' } })
        await a.create(r, t)
        const patch = { purgeAt: undefined, settledAt: t + 5, sniffedType: 'image/png' }
        const committed = await a.transition(r.key, 'pending', 'committed', patch, t + 5)
        const { purgeAt: _, ...rest } = r
        const expected = { ...rest, state: 'committed', settledAt: t + 5, sniffedType: 'image/png' }
        expect(committed).toEqual(expected)
        expect(committed).not.toHaveProperty('purgeAt')
        expect(await b.transition(r.key, 'pending', 'committed', patch, t + 6)).toBeUndefined()
        expect(await b.transition(r.key, 'pending', 'rejected', { reason: 'SCAN_FAILED' }, t + 6)).toBeUndefined()
        // A committed record has no purge time, so it never expires (read ten years on).
        expect(await b.get(r.key, t + 87_600 * HOUR)).toEqual(expected)
      })

      it('changes nothing when `from` does not match, or the key is missing', async () => {
        const t = base()
        const r = record(`${space('wrong-from')}/k`, t)
        await a.create(r, t)
        expect(await a.transition(r.key, 'committed', 'rejected', { reason: 'X' }, t)).toBeUndefined()
        expect(await a.transition(r.key, 'rejected', 'committed', { purgeAt: undefined }, t)).toBeUndefined()
        expect(await a.get(r.key, t)).toEqual(r)
        expect(await a.transition(`${r.key}/missing`, 'pending', 'committed', {}, t)).toBeUndefined()
        expect(await a.get(`${r.key}/missing`, t)).toBeUndefined()
      })

      it('rejects with a reason and a new purge time, after which the record is gone', async () => {
        const t = base()
        const r = record(`${space('reject')}/k`, t, { stagingKey: `${space('reject')}/staging` })
        await a.create(r, t)
        const patch = { reason: 'CONTENT_MISMATCH', settledAt: t + 7, sniffedType: 'application/x-msdownload', purgeAt: t + 2 * HOUR }
        const rejected = await b.transition(r.key, 'pending', 'rejected', patch, t + 7)
        expect(rejected).toEqual({ ...r, ...patch, state: 'rejected' })
        expect(await a.get(r.key, t + HOUR)).toEqual(rejected)
        expect(await a.get(r.key, t + 2 * HOUR)).toBeUndefined()
        expect(await a.transition(r.key, 'rejected', 'committed', {}, t + 8)).toEqual({ ...rejected, state: 'committed' })
      })

      it('lets exactly one of 50 concurrent transitions on one key win, across two store instances', async () => {
        const t = base()
        const r = record(`${space('cas')}/k`, t)
        await a.create(r, t)
        const attempts = Array.from({ length: 50 }, (_, i) => {
          const store = i % 2 === 0 ? a : b
          return i % 4 < 2
            ? store.transition(r.key, 'pending', 'committed', { purgeAt: undefined, settledAt: t + i }, t + 1)
            : store.transition(r.key, 'pending', 'rejected', { reason: `R${i}`, settledAt: t + i }, t + 1)
        })
        const winners = (await Promise.all(attempts)).filter((x) => x !== undefined)
        expect(winners).toHaveLength(1)
        expect(await a.get(r.key, t + 1)).toEqual(winners[0])
      })
    })

    describe('per-owner quota (maxPendingPerOwner)', () => {
      // Each test has its own owner, so records other tests create for 'user-1' never count here.
      const quota = (n: number) => ({ maxPendingPerOwner: n })
      const grants = (label: string, count: number, t: number, extra: Partial<UploadRecord> = {}) => {
        const s = space(label)
        return Array.from({ length: count }, (_, i) => record(`${s}/${i}`, t, { owner: `${s}/owner`, ...extra }))
      }

      it('lets exactly 10 of 200 concurrent creates for one owner succeed, across two store instances, and writes only those', async () => {
        const t = base()
        const all = grants('quota-race', 200, t)
        const results = await Promise.all(all.map((r, i) => (i % 2 ? a : b).create(r, t, quota(10))))
        expect(results.filter((x) => x === true)).toHaveLength(10)
        expect(results.filter((x) => x === 'over-quota')).toHaveLength(190)
        const stored = await a.getMany(all.map((r) => r.key), t)
        expect(stored.size).toBe(10)
        for (const [i, r] of all.entries()) {
          if (results[i] === true) expect(stored.get(r.key)).toEqual(r)
          else expect(stored.has(r.key)).toBe(false)
        }
        expect(await b.create(grants('quota-race-after', 1, t, { owner: all[0]!.owner })[0]!, t, quota(10))).toBe('over-quota')
      })

      it("answers 'over-quota' without writing anything, and the refused key can be created once a slot is free", async () => {
        const t = base()
        const [first, refused] = grants('quota-nothing', 2, t)
        expect(await a.create(first!, t, quota(1))).toBe(true)
        expect(await b.create(refused!, t, quota(1))).toBe('over-quota')
        expect(await a.get(refused!.key, t)).toBeUndefined()
        expect(await b.getMany([refused!.key], t)).toEqual(new Map())
        await a.transition(first!.key, 'pending', 'committed', { purgeAt: undefined }, t)
        expect(await b.create(refused!, t, quota(1))).toBe(true)
        expect(await a.get(refused!.key, t)).toEqual(refused)
      })

      it('does not count grants whose expiresAt has passed', async () => {
        const t = base()
        const early = grants('quota-expired', 3, t, { expiresAt: t + 100 })
        const owner = early[0]!.owner
        const later = grants('quota-expired-later', 4, t + 100, { owner })
        for (const r of early) expect(await a.create(r, t, quota(3))).toBe(true)
        expect(await b.create(later[0]!, t + 99, quota(3))).toBe('over-quota')
        // At expiresAt the three grants are closed, though their records still exist (pending, unpurged).
        for (const r of later.slice(0, 3)) expect(await b.create(r, t + 100, quota(3))).toBe(true)
        expect(await a.create(later[3]!, t + 100, quota(3))).toBe('over-quota')
        expect((await a.getMany(early.map((r) => r.key), t + 100)).size).toBe(3)
      })

      it('does not count a record at or past its purgeAt, even when its expiresAt is later', async () => {
        const t = base()
        const [odd, next] = grants('quota-purged', 2, t, { expiresAt: t + 2 * HOUR, purgeAt: t + HOUR })
        expect(await a.create(odd!, t, quota(1))).toBe(true)
        expect(await b.create(next!, t + HOUR - 1, quota(1))).toBe('over-quota')
        expect(await b.create(next!, t + HOUR, quota(1))).toBe(true)
      })

      it('frees a slot when a grant is committed or rejected, not when a transition fails', async () => {
        const t = base()
        const [k1, k2, k3, k4, k5] = grants('quota-transition', 5, t)
        expect(await a.create(k1!, t, quota(2))).toBe(true)
        expect(await b.create(k2!, t, quota(2))).toBe(true)
        expect(await a.create(k3!, t, quota(2))).toBe('over-quota')
        expect(await b.transition(k1!.key, 'committed', 'rejected', { reason: 'X' }, t)).toBeUndefined()
        expect(await a.create(k3!, t, quota(2))).toBe('over-quota')
        expect(await b.transition(k1!.key, 'pending', 'committed', { purgeAt: undefined, settledAt: t }, t)).toMatchObject({ state: 'committed' })
        expect(await a.create(k3!, t, quota(2))).toBe(true)
        expect(await b.create(k4!, t, quota(2))).toBe('over-quota')
        expect(await a.transition(k2!.key, 'pending', 'rejected', { reason: 'CONTENT_MISMATCH', purgeAt: t + 2 * HOUR }, t)).toMatchObject({ state: 'rejected' })
        expect(await b.create(k4!, t, quota(2))).toBe(true)
        expect(await a.create(k5!, t, quota(2))).toBe('over-quota')
      })

      it('frees a slot when a pending record is deleted', async () => {
        const t = base()
        const [k1, k2, k3] = grants('quota-delete', 3, t)
        expect(await a.create(k1!, t, quota(2))).toBe(true)
        expect(await a.create(k2!, t, quota(2))).toBe(true)
        expect(await b.create(k3!, t, quota(2))).toBe('over-quota')
        await b.delete(k1!.key)
        expect(await a.create(k3!, t, quota(2))).toBe(true)
        await a.delete(k1!.key)
        expect(await b.create(grants('quota-delete-more', 1, t, { owner: k1!.owner })[0]!, t, quota(2))).toBe('over-quota')
      })

      it('counts each owner on its own', async () => {
        const t = base()
        const mine = grants('quota-owner-a', 3, t)
        const theirs = grants('quota-owner-b', 2, t)
        expect(await a.create(mine[0]!, t, quota(2))).toBe(true)
        expect(await b.create(mine[1]!, t, quota(2))).toBe(true)
        expect(await a.create(theirs[0]!, t, quota(2))).toBe(true)
        expect(await b.create(theirs[1]!, t, quota(2))).toBe(true)
        expect(await a.create(mine[2]!, t, quota(2))).toBe('over-quota')
      })

      it('still answers false on a key conflict, and a refused duplicate takes no slot', async () => {
        const t = base()
        const [k1, k2, k3] = grants('quota-conflict', 3, t)
        expect(await a.create(k1!, t, quota(2))).toBe(true)
        expect(await b.create({ ...k1!, maxSize: 10 ** 12 }, t, quota(2))).toBe(false)
        expect(await a.get(k1!.key, t)).toEqual(k1)
        expect(await b.create(k2!, t, quota(2))).toBe(true)
        expect(await a.create(k3!, t, quota(2))).toBe('over-quota')
      })

      it('sets no limit without options, and what was created without one still counts against a later limit', async () => {
        const t = base()
        const all = grants('quota-none', 16, t)
        const results = await Promise.all(all.slice(0, 15).map((r, i) => (i % 2 ? a : b).create(r, t)))
        expect(results).toEqual(Array.from({ length: 15 }, () => true))
        expect(await a.create(all[15]!, t, quota(15))).toBe('over-quota')
        expect(await b.create(all[15]!, t, quota(16))).toBe(true)
      })
    })

    describe('tickets', () => {
      it('stores a ticket once, consumes it once, then reports it used', async () => {
        const t = base()
        const tk = ticket(hashOf('ticket'), t)
        expect(await a.putTicket(tk, t)).toBe(true)
        expect(await b.putTicket({ ...tk, requester: 'attacker' }, t)).toBe(false)
        expect(await b.consumeTicket(tk.hash, t + 10)).toEqual({ status: 'ok', ticket: { ...tk, usedAt: t + 10 } })
        expect(await a.consumeTicket(tk.hash, t + 20)).toEqual({ status: 'used', ticket: { ...tk, usedAt: t + 10 } })
        expect(await a.putTicket(tk, t + 30)).toBe(false)
      })

      it('reports an expired ticket as expired without consuming it, and an unknown one as missing', async () => {
        const t = base()
        const tk = ticket(hashOf('expired'), t)
        await a.putTicket(tk, t)
        expect(await a.consumeTicket(tk.hash, tk.expiresAt)).toEqual({ status: 'expired', ticket: tk })
        expect(await b.consumeTicket(tk.hash, tk.expiresAt + 1)).toEqual({ status: 'expired', ticket: tk })
        // Not consumed: a caller whose clock is still before the deadline can redeem it.
        expect(await b.consumeTicket(tk.hash, tk.expiresAt - 1)).toEqual({ status: 'ok', ticket: { ...tk, usedAt: tk.expiresAt - 1 } })
        expect(await a.consumeTicket(hashOf('missing'), t)).toEqual({ status: 'missing' })
      })

      it('lets putTicket replace a ticket at or past its expiresAt, as create does an expired record', async () => {
        const t = base()
        const old = ticket(hashOf('replace'), t, { expiresAt: t + 10, usedAt: t + 1 })
        expect(await a.putTicket(old, t)).toBe(true)
        const fresh = ticket(old.hash, t + 10, { key: 'k2', requester: 'u2', expiresAt: t + 20 })
        expect(await b.putTicket(fresh, t + 9)).toBe(false)
        expect(await b.putTicket(fresh, t + 10)).toBe(true)
        expect(await a.consumeTicket(old.hash, t + 11)).toEqual({ status: 'ok', ticket: { ...fresh, usedAt: t + 11 } })
      })

      it('gives exactly one ok among 200 concurrent redeems split across two store instances', async () => {
        const t = base()
        const tk = ticket(hashOf('race'), t)
        await a.putTicket(tk, t)
        const results = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).consumeTicket(tk.hash, t + 1)))
        expect(results.filter((x) => x.status === 'ok')).toHaveLength(1)
        expect(results.filter((x) => x.status === 'used')).toHaveLength(199)
      })
    })

    describe('sweep', () => {
      it('removes exactly the expired records and tickets and keeps committed and live ones', async () => {
        // Everything else in this run expires an hour or more from now, so sweeping at `now`
        // (after clearing leftovers of earlier runs) counts only what this test created.
        const now = Date.now() + 10 * 60_000
        await a.sweep(now)
        const s = space('sweep')
        const expired = [1, 2, 3].map((i) => record(`${s}/expired-${i}`, now - 60_000, { purgeAt: now - 60_000 + i * 10_000 }))
        const atDeadline = record(`${s}/at-deadline`, now - 60_000, { purgeAt: now })
        const rejected = record(`${s}/rejected`, now - 60_000)
        const liveRecord = record(`${s}/live`, now, { purgeAt: now + 1 })
        const committed = record(`${s}/committed`, now - 60_000, { purgeAt: now })
        for (const r of [...expired, atDeadline, rejected, liveRecord, committed]) expect(await a.create(r, r.createdAt)).toBe(true)
        await a.transition(committed.key, 'pending', 'committed', { purgeAt: undefined }, now - 1)
        await a.transition(rejected.key, 'pending', 'rejected', { reason: 'X', purgeAt: now - 1 }, now - 1)
        const oldTickets = [1, 2].map((i) => ticket(hashOf(`sweep-t${i}`), now - HOUR, { expiresAt: now - i }))
        const liveTicket = ticket(hashOf('sweep-live'), now)
        for (const tk of [...oldTickets, liveTicket]) expect(await b.putTicket(tk, tk.createdAt)).toBe(true)
        await b.consumeTicket(oldTickets[0]!.hash, now - HOUR)

        expect(await b.sweep(now)).toBe(expired.length + 2 + oldTickets.length)
        expect(await a.sweep(now)).toBe(0)
        const left = await a.getMany([...expired, atDeadline, rejected, liveRecord, committed].map((r) => r.key), now - HOUR)
        expect([...left.keys()].sort()).toEqual([committed.key, liveRecord.key].sort())
        expect(await a.consumeTicket(oldTickets[0]!.hash, now - HOUR)).toEqual({ status: 'missing' })
        expect((await a.consumeTicket(liveTicket.hash, now)).status).toBe('ok')
      })
    })

    describe('keys', () => {
      it('keeps keys with unicode, reserved characters and 1000 bytes apart and intact', async () => {
        const t = base()
        const s = space('keys')
        const keys = [`${s}/uploads/ü/😀/a b+c%20?#&=:*"'\\`, `${s}/uploads/ü/😀/a b+c%20?#&=:*"'\\/`, `${s}/UPLOADS/Ü`, `${s}/uploads/u\u0308`]
        keys.push(`${s}/` + 'k'.repeat(1000 - Buffer.byteLength(`${s}/`)))
        expect(Buffer.byteLength(keys[4]!)).toBe(1000)
        for (const [i, key] of keys.entries()) expect(await a.create(record(key, t, { owner: `owner-${i}` }), t)).toBe(true)
        for (const [i, key] of keys.entries()) expect(await b.get(key, t)).toEqual(record(key, t, { owner: `owner-${i}` }))
        const many = await b.getMany(keys, t)
        expect([...many.keys()].sort()).toEqual([...keys].sort())
      })

      it('returns 1000 keys from one getMany, skipping missing keys and allowing a duplicate', async () => {
        const t = base()
        const s = space('many')
        const stored = Array.from({ length: 990 }, (_, i) => record(`${s}/${i}`, t, { owner: `o${i}` }))
        for (let i = 0; i < stored.length; i += 50) {
          const ok = await Promise.all(stored.slice(i, i + 50).map((r) => a.create(r, t)))
          expect(ok.every(Boolean)).toBe(true)
        }
        const missing = Array.from({ length: 9 }, (_, i) => `${s}/missing-${i}`)
        const keys = [...stored.map((r) => r.key), ...missing, stored[0]!.key]
        expect(keys).toHaveLength(1000)
        const many = await b.getMany(keys, t)
        expect(many.size).toBe(990)
        for (const r of stored) expect(many.get(r.key)).toEqual(r)
        for (const key of missing) expect(many.has(key)).toBe(false)
      })
    })

    if (options.fault) registerFaultTest(options.fault, () => a, space)
  })
}

function registerFaultTest(fault: NonNullable<TestOwnershipStoreOptions['fault']>, store: () => OwnershipStore, space: (label: string) => string): void {
  const maxFailMs = fault.maxFailMs ?? 5000
  const maxRecoverMs = fault.maxRecoverMs ?? 10_000

  it('rejects every method with STORE_UNAVAILABLE while the backend is down, then works again on the same instance', async (ctx) => {
    const s = store()
    const t = Date.now() + HOUR
    const key = `${space('fault')}/k`
    const r: UploadRecord = { key, owner: 'u', state: 'pending', contentType: 'text/plain', minSize: 1, maxSize: 10, createdAt: t, expiresAt: t + 1, purgeAt: t + HOUR }
    const tk: TicketRecord = { hash: `${key}/ticket`, key, requester: 'u', createdAt: t, expiresAt: t + HOUR }
    const calls: [string, () => Promise<unknown>][] = [
      ['create', () => s.create(r, t)],
      ['get', () => s.get(key, t)],
      ['getMany', () => s.getMany([key, `${key}/2`], t)],
      ['transition', () => s.transition(key, 'pending', 'committed', { purgeAt: undefined }, t)],
      ['delete', () => s.delete(key)],
      ['putTicket', () => s.putTicket(tk, t)],
      ['consumeTicket', () => s.consumeTicket(tk.hash, t)],
      ['sweep', () => s.sweep(t - 2 * HOUR)],
    ]
    const times: Record<string, number> = {}
    await fault.stop()
    try {
      for (const [name, call] of calls) {
        const started = performance.now()
        const error = await call().then(
          (value) => new Error(`${name} resolved with ${JSON.stringify(value)} while the backend was down`),
          (e: unknown) => e,
        )
        times[name] = Math.round(performance.now() - started)
        expect(error, `${name} rejects with STORE_UNAVAILABLE`).toSatisfy((e: unknown) => isSafePresignError(e) && e.code === 'STORE_UNAVAILABLE')
        expect(times[name], `${name} rejects within maxFailMs`).toBeLessThanOrEqual(maxFailMs)
      }
    } finally {
      await fault.start()
    }

    const restarted = performance.now()
    let lastError: unknown
    for (;;) {
      try {
        await s.get(key, t)
        break
      } catch (e) {
        lastError = e
        if (performance.now() - restarted > maxRecoverMs) throw new Error(`the store did not recover within maxRecoverMs (${maxRecoverMs} ms)`, { cause: lastError })
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    }
    const recoverMs = Math.round(performance.now() - restarted)
    await ctx.annotate(`STORE_UNAVAILABLE after (ms): ${JSON.stringify(times)}; working again ${recoverMs} ms after start()`)

    // Fresh names: the backend may have lost its data in the restart, or may still apply a call
    // that was queued while it was down. What matters is that every method works again.
    const r2 = { ...r, key: `${key}/after` }
    const tk2 = { ...tk, hash: `${tk.hash}/after` }
    expect(await s.create(r2, t)).toBe(true)
    expect(await s.get(r2.key, t)).toEqual(r2)
    expect((await s.getMany([r2.key], t)).get(r2.key)).toEqual(r2)
    expect(await s.transition(r2.key, 'pending', 'committed', { purgeAt: undefined }, t)).toMatchObject({ state: 'committed' })
    expect(await s.putTicket(tk2, t)).toBe(true)
    expect((await s.consumeTicket(tk2.hash, t)).status).toBe('ok')
    expect(typeof (await s.sweep(t - 2 * HOUR))).toBe('number')
    await s.delete(r2.key)
    expect(await s.get(r2.key, t)).toBeUndefined()
  })
}
