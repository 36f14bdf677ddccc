/**
 * The ownership store: who owns each key, what the upload grant allowed, and the single-use
 * download tickets. Every built-in store (memory, Redis, PostgreSQL, DynamoDB) runs the same
 * conformance suite, `testOwnershipStore` from `safe-presign/testing`, and so can yours.
 *
 * Times are milliseconds since the epoch, always passed in by the caller (the builders' `now`),
 * never read from the store's own clock, so that tests are deterministic and a store never
 * disagrees with the signer about what has expired.
 */

export type UploadState = 'pending' | 'committed' | 'rejected'

export interface UploadRecord {
  /** The object key the grant was issued for; the record's identity. */
  key: string
  /** The end-user the grant was issued to. */
  owner: string
  state: UploadState
  /** The user's filename, sanitized; only ever metadata. */
  filename?: string
  /** The Content-Type that was signed into the grant. */
  contentType: string
  /** Inclusive size bounds in bytes (equal when the exact size was signed). */
  minSize: number
  maxSize: number
  /** The digest that was signed into the grant, base64. */
  checksum?: { algorithm: 'md5' | 'sha256'; value: string }
  /**
   * Where the bytes physically land while pending, when it differs from `key` (quarantine).
   * Downloads always use `key`; `complete()` promotes `stagingKey` to `key`.
   */
  stagingKey?: string
  /**
   * Multipart uploads only: the S3 upload id and the part plan fixed at creation (every part
   * `partSize` bytes but the last; `partCount` parts; `maxSize` is the exact total).
   */
  multipart?: { uploadId: string; partSize: number; partCount: number }
  /** When the grant was issued (ms). */
  createdAt: number
  /** When the upload grant stops being valid (ms). */
  expiresAt: number
  /**
   * When the record itself stops existing (ms): a pending or rejected record is purged then;
   * a committed record has none. A store never returns a record at or past `purgeAt`.
   */
  purgeAt?: number
  /** When `complete()` committed or rejected it (ms). */
  settledAt?: number
  /** Why it was rejected: an ErrorCode such as `CONTENT_MISMATCH`. */
  reason?: string
  /** The type sniffed from the bytes at completion, or `unknown` when it could not be sniffed. */
  sniffedType?: string
}

/** A single-use download ticket. Only the SHA-256 of the ticket id is ever stored. */
export interface TicketRecord {
  /** Hex SHA-256 of the ticket id. The id itself is never stored. */
  hash: string
  key: string
  requester: string
  createdAt: number
  /** After this (ms) the ticket cannot be redeemed; the store may purge it. */
  expiresAt: number
  /** Set, once, by `consumeTicket` (ms). */
  usedAt?: number
}

export type ConsumeResult =
  | { status: 'ok'; ticket: TicketRecord }
  | { status: 'used'; ticket: TicketRecord }
  | { status: 'expired'; ticket: TicketRecord }
  | { status: 'missing' }

/** Limits `create` enforces atomically with the write. */
export interface CreateOptions {
  /** At most this many open grants (pending, `expiresAt` after `now`) per owner. Absent: no limit. */
  maxPendingPerOwner?: number
}

/** `true`: created; `false`: a live record holds the key; `'over-quota'`: the owner's quota is full. */
export type CreateResult = boolean | 'over-quota'

/** The fields a state transition may change besides `state`. */
export type RecordPatch = Partial<Pick<UploadRecord, 'purgeAt' | 'settledAt' | 'reason' | 'sniffedType'>>

/**
 * The contract every store keeps. A method that cannot reach its backend rejects (the builders
 * turn that into `STORE_UNAVAILABLE` and issue nothing); it never resolves with a guess.
 */
export interface OwnershipStore {
  /**
   * Atomically create `record` unless a live record with the same key exists, or, when
   * `options.maxPendingPerOwner` is given, unless `record.owner` already has that many open grants:
   * records in state `pending` whose `expiresAt` is after `now`. The count and the write are one
   * atomic step: of any number of concurrent creates for one owner, at most the quota succeed.
   * @returns `true` if it was created, `false` on a key conflict (the existing record is untouched),
   * `'over-quota'` when the owner's quota is full (nothing is written).
   * A record past its `purgeAt` counts as absent and may be replaced.
   */
  create(record: UploadRecord, now: number, options?: CreateOptions): Promise<CreateResult>

  /** The live record for `key`, or `undefined`. Never returns a record at or past its `purgeAt`. */
  get(key: string, now: number): Promise<UploadRecord | undefined>

  /**
   * The live records for `keys`, in one round trip to the backend. The result is keyed by key;
   * keys without a live record are absent. Duplicated keys are allowed.
   */
  getMany(keys: readonly string[], now: number): Promise<Map<string, UploadRecord>>

  /**
   * Compare-and-set: if the live record for `key` is in state `from`, atomically move it to `to`,
   * apply `patch` (a `purgeAt: undefined` in the patch removes the purge time) and return the
   * new record. Otherwise change nothing and return `undefined`.
   */
  transition(key: string, from: UploadState, to: UploadState, patch: RecordPatch, now: number): Promise<UploadRecord | undefined>

  /** Remove the record for `key`, if any. Idempotent. */
  delete(key: string): Promise<void>

  /**
   * Atomically store a ticket unless a live one with the same hash exists. A ticket at or past its
   * `expiresAt` counts as absent and may be replaced (as an expired record does for `create`).
   * @returns `true` if created, `false` on a conflict.
   */
  putTicket(ticket: TicketRecord, now: number): Promise<boolean>

  /**
   * Atomically consume a ticket: exactly one of any number of concurrent callers, across
   * processes, gets `ok`; the others get `used`. A ticket at or past `expiresAt` gives `expired`
   * and is not consumed. A used ticket is kept (so later redeems say `used`) until it expires.
   */
  consumeTicket(hash: string, now: number): Promise<ConsumeResult>

  /**
   * Remove records at or past their `purgeAt` and tickets at or past their `expiresAt`.
   * @returns how many records and tickets were removed.
   */
  sweep(now: number): Promise<number>
}
