-- safe-presign ownership store for PostgreSQL (11+). Apply once, or call store.migrate().
-- Times are bigint milliseconds since the Unix epoch, as the OwnershipStore contract passes them:
-- expiry is always compared with the caller's clock, never the database's.

CREATE TABLE IF NOT EXISTS "safe_presign_records" (
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
  IF (SELECT count(*) FROM pg_attribute WHERE attrelid = '"safe_presign_records"'::regclass AND NOT attisdropped
      AND attname IN ('upload_id', 'part_size', 'part_count')) < 3 THEN
    ALTER TABLE "safe_presign_records"
      ADD COLUMN IF NOT EXISTS upload_id text,
      ADD COLUMN IF NOT EXISTS part_size bigint,
      ADD COLUMN IF NOT EXISTS part_count bigint;
  END IF;
END
$$;

-- sweep() deletes by purge_at; committed records (NULL) stay out of the index.
CREATE INDEX IF NOT EXISTS "safe_presign_records_purge_at_idx" ON "safe_presign_records" (purge_at) WHERE purge_at IS NOT NULL;

-- create() counts an owner's open grants (maxPendingPerOwner): pending rows only. Added in 0.2.0;
-- on a 0.1.0 schema, migrate() (or this file, again) adds it.
CREATE INDEX IF NOT EXISTS "safe_presign_records_pending_idx" ON "safe_presign_records" (owner, expires_at) WHERE state = 'pending';

CREATE TABLE IF NOT EXISTS "safe_presign_tickets" (
  -- Hex SHA-256 of the ticket id; the id itself is never stored.
  hash               text PRIMARY KEY,
  key                text NOT NULL,
  requester          text NOT NULL,
  created_at         bigint NOT NULL,
  expires_at         bigint NOT NULL,
  used_at            bigint
);

CREATE INDEX IF NOT EXISTS "safe_presign_tickets_expires_at_idx" ON "safe_presign_tickets" (expires_at);
