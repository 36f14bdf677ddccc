// The PostgreSQL store's tables: names, DDL and the row ↔ record mapping. `sql/postgres.sql` is
// `postgresSchema()` with the default names; a test keeps the two identical.
import { SafePresignError } from '../errors.js'
import type { TicketRecord, UploadRecord, UploadState } from './types.js'

export const DEFAULT_TABLE = 'safe_presign_records'
export const DEFAULT_TICKET_TABLE = 'safe_presign_tickets'

// 48 so that `<name>_expires_at_idx` (and `<name>_pending_idx`) still fits PostgreSQL's 63-byte identifiers: a longer name
// would be truncated silently and two derived index names could collide.
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,47}$/

export interface TableName {
  /** Quoted, ready for SQL: `"schema"."name"` or `"name"`. */
  sql: string
  /** The unqualified name, unquoted: the base of the index names. */
  name: string
}

/** Validates `table`/`ticketTable`: an identifier, optionally schema-qualified. */
export function tableName(option: string, value: unknown): TableName {
  const parts = typeof value === 'string' ? value.split('.') : []
  if (parts.length === 0 || parts.length > 2 || !parts.every((p) => IDENTIFIER.test(p))) {
    throw new SafePresignError(
      'INVALID_CONFIG',
      `postgresStore: \`${option}\` is ${JSON.stringify(value) ?? String(value)}; it must be a SQL identifier ` +
        '(a letter or _, then letters, digits or _, at most 48 characters), optionally schema-qualified as schema.table',
      { details: { option, value: String(value) } },
    )
  }
  // Quoted, so the case is kept and reserved words are safe; the regex already excludes quotes.
  return { sql: parts.map((p) => `"${p}"`).join('.'), name: parts[parts.length - 1]! }
}

/** CREATE TABLE IF NOT EXISTS + indexes for both tables. Times are bigint milliseconds. */
export function postgresSchema(records: TableName, tickets: TableName): string {
  return `-- safe-presign ownership store for PostgreSQL (11+). Apply once, or call store.migrate().
-- Times are bigint milliseconds since the Unix epoch, as the OwnershipStore contract passes them:
-- expiry is always compared with the caller's clock, never the database's.

CREATE TABLE IF NOT EXISTS ${records.sql} (
  key                text PRIMARY KEY,
  owner              text NOT NULL,
  state              text NOT NULL CHECK (state IN ('pending', 'committed', 'rejected')),
  filename           text,
  content_type       text NOT NULL,
  min_size           bigint NOT NULL,
  max_size           bigint NOT NULL,
  checksum_algorithm text CHECK (checksum_algorithm IN ('md5', 'sha256')),
  checksum_value     text,
  staging_key        text,
  -- Multipart uploads only, all three or none: the S3 upload id and the part plan.
  upload_id          text,
  part_size          bigint,
  part_count         bigint,
  created_at         bigint NOT NULL,
  expires_at         bigint NOT NULL,
  -- NULL: never purged (a committed record).
  purge_at           bigint,
  settled_at         bigint,
  reason             text,
  sniffed_type       text
);

-- The multipart columns were added in 0.2.0; on an older schema, migrate() (or this file, again) adds
-- them. ALTER TABLE takes an ACCESS EXCLUSIVE lock even when every column exists, which would queue
-- all reads and writes behind any open transaction on the table: so it runs only when one is missing.
DO $$
BEGIN
  IF (SELECT count(*) FROM pg_attribute WHERE attrelid = '${records.sql}'::regclass AND NOT attisdropped
      AND attname IN ('upload_id', 'part_size', 'part_count')) < 3 THEN
    ALTER TABLE ${records.sql}
      ADD COLUMN IF NOT EXISTS upload_id text,
      ADD COLUMN IF NOT EXISTS part_size bigint,
      ADD COLUMN IF NOT EXISTS part_count bigint;
  END IF;
END
$$;

-- sweep() deletes by purge_at; committed records (NULL) stay out of the index.
CREATE INDEX IF NOT EXISTS "${records.name}_purge_at_idx" ON ${records.sql} (purge_at) WHERE purge_at IS NOT NULL;

-- create() counts an owner's open grants (maxPendingPerOwner): pending rows only. Added in 0.2.0;
-- on a 0.1.0 schema, migrate() (or this file, again) adds it.
CREATE INDEX IF NOT EXISTS "${records.name}_pending_idx" ON ${records.sql} (owner, expires_at) WHERE state = 'pending';

CREATE TABLE IF NOT EXISTS ${tickets.sql} (
  -- Hex SHA-256 of the ticket id; the id itself is never stored.
  hash               text PRIMARY KEY,
  key                text NOT NULL,
  requester          text NOT NULL,
  created_at         bigint NOT NULL,
  expires_at         bigint NOT NULL,
  used_at            bigint
);

CREATE INDEX IF NOT EXISTS "${tickets.name}_expires_at_idx" ON ${tickets.sql} (expires_at);
`
}

/** Insert order of the record columns; `recordValues` follows it. */
export const RECORD_COLUMNS =
  'key, owner, state, filename, content_type, min_size, max_size, checksum_algorithm, checksum_value, ' +
  'staging_key, created_at, expires_at, purge_at, settled_at, reason, sniffed_type, upload_id, part_size, part_count'

/** The SQL type of each of RECORD_COLUMNS, in order, for casting parameters outside a VALUES list. */
export const RECORD_TYPES = ['text', 'text', 'text', 'text', 'text', 'bigint', 'bigint', 'text', 'text', 'text', 'bigint', 'bigint', 'bigint', 'bigint', 'text', 'text', 'text', 'bigint', 'bigint'] as const

/** Insert order of the ticket columns. */
export const TICKET_COLUMNS = 'hash, key, requester, created_at, expires_at, used_at'

export function recordValues(r: UploadRecord): unknown[] {
  return [
    r.key, r.owner, r.state, r.filename ?? null, r.contentType, r.minSize, r.maxSize,
    r.checksum?.algorithm ?? null, r.checksum?.value ?? null, r.stagingKey ?? null,
    r.createdAt, r.expiresAt, r.purgeAt ?? null, r.settledAt ?? null, r.reason ?? null, r.sniffedType ?? null,
    r.multipart?.uploadId ?? null, r.multipart?.partSize ?? null, r.multipart?.partCount ?? null,
  ]
}

/** transition() patch field → column. Only these may change besides `state`. */
export const PATCH_COLUMNS = { purgeAt: 'purge_at', settledAt: 'settled_at', reason: 'reason', sniffedType: 'sniffed_type' } as const

type Row = Record<string, unknown>

// pg returns bigint as a string (it may exceed 2^53); ours are ms timestamps, byte sizes (5 TiB is
// about 2^42) and part counts, which don't.
const int = (v: unknown): number => Number(v)

export function toRecord(row: Row): UploadRecord {
  const record: UploadRecord = {
    key: row.key as string,
    owner: row.owner as string,
    state: row.state as UploadState,
    contentType: row.content_type as string,
    minSize: int(row.min_size),
    maxSize: int(row.max_size),
    createdAt: int(row.created_at),
    expiresAt: int(row.expires_at),
  }
  if (row.filename != null) record.filename = row.filename as string
  if (row.checksum_algorithm != null && row.checksum_value != null) {
    record.checksum = { algorithm: row.checksum_algorithm as 'md5' | 'sha256', value: row.checksum_value as string }
  }
  if (row.staging_key != null) record.stagingKey = row.staging_key as string
  if (row.upload_id != null && row.part_size != null && row.part_count != null) {
    record.multipart = { uploadId: row.upload_id as string, partSize: int(row.part_size), partCount: int(row.part_count) }
  }
  if (row.purge_at != null) record.purgeAt = int(row.purge_at)
  if (row.settled_at != null) record.settledAt = int(row.settled_at)
  if (row.reason != null) record.reason = row.reason as string
  if (row.sniffed_type != null) record.sniffedType = row.sniffed_type as string
  return record
}

export function toTicket(row: Row): TicketRecord {
  const ticket: TicketRecord = {
    hash: row.hash as string,
    key: row.key as string,
    requester: row.requester as string,
    createdAt: int(row.created_at),
    expiresAt: int(row.expires_at),
  }
  if (row.used_at != null) ticket.usedAt = int(row.used_at)
  return ticket
}
