// The DynamoDB store's single-table layout: the table definition and the item ↔ record mapping.
//   records: pk = `r#<key>`,  tickets: pk = `t#<hash>`,  `ttl` = epoch SECONDS for native TTL.
// Other attributes carry the record's own field names; times are numbers in milliseconds; `checksum`
// and `multipart` are maps.
import type { CreateTableCommandInput, TimeToLiveSpecification } from '@aws-sdk/client-dynamodb'
import { SafePresignError } from '../errors.js'
import type { TicketRecord, UploadRecord, UploadState } from './types.js'

export const RECORD_PREFIX = 'r#'
export const TICKET_PREFIX = 't#'
export const TTL_ATTRIBUTE = 'ttl'

export type Item = Record<string, unknown>

/** CreateTable input, plus the TTL setting CreateTable cannot carry (CloudFormation's shape for it). */
export type DynamoTableDefinition = CreateTableCommandInput & { TimeToLiveSpecification: TimeToLiveSpecification }

export function tableDefinition(tableName: string): DynamoTableDefinition {
  return {
    TableName: tableName,
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    // On-demand: the load follows uploads and downloads, which are bursty.
    BillingMode: 'PAY_PER_REQUEST',
    TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
  }
}

const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/

export function checkTableName(value: unknown): string {
  if (typeof value === 'string' && TABLE_NAME.test(value)) return value
  throw new SafePresignError(
    'INVALID_CONFIG',
    `dynamodbStore: \`tableName\` is ${JSON.stringify(value) ?? String(value)}; it must be 3 to 255 characters of A-Z, a-z, 0-9, '_', '-' or '.'`,
    { details: { option: 'tableName', value: String(value) } },
  )
}

/**
 * Native TTL deletes an item some time after `ttl` (seconds) has passed, by AWS's clock. Rounding
 * up keeps that deletion at or after the ms deadline; reads check the ms deadline themselves.
 */
export const ttlOf = (ms: number): number => Math.ceil(ms / 1000)

/** The item for `record`: no undefined values, since the caller's client may not remove them. */
export function recordItem(r: UploadRecord): Item {
  const item: Item = {
    pk: RECORD_PREFIX + r.key,
    owner: r.owner,
    state: r.state,
    contentType: r.contentType,
    minSize: r.minSize,
    maxSize: r.maxSize,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
  }
  if (r.filename !== undefined) item.filename = r.filename
  if (r.checksum !== undefined) item.checksum = { algorithm: r.checksum.algorithm, value: r.checksum.value }
  if (r.stagingKey !== undefined) item.stagingKey = r.stagingKey
  // A map of exactly the three fields; DynamoDB numbers hold 38 digits, so 5 TiB sizes are exact.
  if (r.multipart !== undefined) {
    item.multipart = { uploadId: r.multipart.uploadId, partSize: r.multipart.partSize, partCount: r.multipart.partCount }
  }
  if (r.purgeAt !== undefined) {
    item.purgeAt = r.purgeAt
    item[TTL_ATTRIBUTE] = ttlOf(r.purgeAt)
  }
  if (r.settledAt !== undefined) item.settledAt = r.settledAt
  if (r.reason !== undefined) item.reason = r.reason
  if (r.sniffedType !== undefined) item.sniffedType = r.sniffedType
  return item
}

export function ticketItem(t: TicketRecord): Item {
  const item: Item = {
    pk: TICKET_PREFIX + t.hash,
    key: t.key,
    requester: t.requester,
    createdAt: t.createdAt,
    expiresAt: t.expiresAt,
    [TTL_ATTRIBUTE]: ttlOf(t.expiresAt),
  }
  if (t.usedAt !== undefined) item.usedAt = t.usedAt
  return item
}

// A client built with `wrapNumbers` hands back NumberValue objects; Number() reads both.
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(String(v)))

export function toRecord(item: Item): UploadRecord {
  const record: UploadRecord = {
    key: (item.pk as string).slice(RECORD_PREFIX.length),
    owner: item.owner as string,
    state: item.state as UploadState,
    contentType: item.contentType as string,
    minSize: num(item.minSize),
    maxSize: num(item.maxSize),
    createdAt: num(item.createdAt),
    expiresAt: num(item.expiresAt),
  }
  if (item.filename !== undefined) record.filename = item.filename as string
  if (item.checksum !== undefined) {
    const c = item.checksum as { algorithm: 'md5' | 'sha256'; value: string }
    record.checksum = { algorithm: c.algorithm, value: c.value }
  }
  if (item.stagingKey !== undefined) record.stagingKey = item.stagingKey as string
  if (item.multipart !== undefined) {
    const m = item.multipart as { uploadId: string; partSize: unknown; partCount: unknown }
    record.multipart = { uploadId: m.uploadId, partSize: num(m.partSize), partCount: num(m.partCount) }
  }
  if (item.purgeAt !== undefined) record.purgeAt = num(item.purgeAt)
  if (item.settledAt !== undefined) record.settledAt = num(item.settledAt)
  if (item.reason !== undefined) record.reason = item.reason as string
  if (item.sniffedType !== undefined) record.sniffedType = item.sniffedType as string
  return record
}

export function toTicket(item: Item): TicketRecord {
  const ticket: TicketRecord = {
    hash: (item.pk as string).slice(TICKET_PREFIX.length),
    key: item.key as string,
    requester: item.requester as string,
    createdAt: num(item.createdAt),
    expiresAt: num(item.expiresAt),
  }
  if (item.usedAt !== undefined) ticket.usedAt = num(item.usedAt)
  return ticket
}

/** A record item is live until its purgeAt (ms); one without purgeAt (committed) always is. */
export const isLive = (item: Item, now: number): boolean => item.purgeAt === undefined || num(item.purgeAt) > now
