// What every kind of upload (a PUT or POST grant, a multipart upload) checks and builds the same way:
// the owner, the declared type, the sanitized filename, the generated key (and its quarantine twin),
// a declared digest, and the pending record, created with the owner's quota in one store call.
import { SafePresignError } from '../errors.js'
import { sanitizeFilename } from '../key/filename.js'
import { buildKey, extensionFor } from '../key/key.js'
import type { UploadRecord } from '../stores/types.js'
import { storeCall } from '../_internal/store-call.js'
import { checkSubject, invalid, isBase64Digest, quote } from '../_internal/validate.js'
import { matchContentType } from './content-type.js'
import { requestPrefix, type ResolvedUploadConfig } from './upload-config.js'

export interface UploadTarget {
  owner: string
  /** The normalized, allowed type (a `type/*` only where `wildcard` was allowed). */
  contentType: string
  filename: string | undefined
  /** The final key: what the record, `complete()` and downloads use. */
  key: string
  /** Where the bytes land while pending (quarantine), when it differs from `key`. */
  stagingKey: string | undefined
}

/** Validates owner, type and filename, then generates the key. Throws before anything is signed or stored. */
export function uploadTarget(
  cfg: ResolvedUploadConfig,
  request: { owner?: unknown; contentType?: unknown; filename?: unknown },
  wildcard: boolean,
): UploadTarget {
  const owner = checkSubject('owner', request.owner)
  if (typeof request.contentType !== 'string') invalid('INVALID_REQUEST', 'contentType', request.contentType, 'it is required')
  const contentType = matchContentType(cfg.allowlist, request.contentType, wildcard)
  if (!contentType) {
    invalid('CONTENT_TYPE_NOT_ALLOWED', 'contentType', request.contentType, `the allowed types are ${cfg.allowlist.entries.join(', ')}`, {
      allowed: cfg.allowlist.entries,
    })
  }
  const filename = request.filename === undefined ? undefined : sanitizeFilename(request.filename as string)
  const prefix = requestPrefix(cfg, owner)
  const id = cfg.generateId()
  const extension = cfg.keyExtension ? extensionFor(contentType) : undefined
  const key = buildKey(prefix, id, extension)
  const stagingKey = cfg.quarantine ? buildKey(cfg.quarantine.prefix, id, extension) : undefined
  return { owner, contentType, filename, key, stagingKey }
}

/**
 * A declared digest, as the builder's `checksum` requires: none with `checksum: false`, else the
 * base64 MD5 (16 bytes) or SHA-256 (32 bytes) of `what` (the file, or one part).
 */
export function declaredChecksum(cfg: ResolvedUploadConfig, option: string, value: unknown, what: string, required = true): UploadRecord['checksum'] {
  if (cfg.checksum === false) {
    if (value !== undefined) invalid('INVALID_REQUEST', option, value, 'this builder has `checksum: false`, so none may be sent')
    return undefined
  }
  const bytes = cfg.checksum === 'md5' ? 16 : 32
  if (value === undefined) {
    if (!required) return undefined
    invalid('CHECKSUM_REQUIRED', option, value, `this builder requires the base64 ${cfg.checksum} digest of ${what}`, { algorithm: cfg.checksum })
  }
  if (!isBase64Digest(value, bytes)) invalid('CHECKSUM_REQUIRED', option, value, `it must be the base64 ${cfg.checksum} digest (${bytes} bytes) of ${what}`, { algorithm: cfg.checksum })
  return { algorithm: cfg.checksum, value }
}

/** The pending record for `target`, as every grant writes it. */
export function pendingRecord(
  cfg: ResolvedUploadConfig,
  target: UploadTarget,
  fields: Pick<UploadRecord, 'minSize' | 'maxSize' | 'expiresAt' | 'createdAt'> & Partial<Pick<UploadRecord, 'checksum' | 'multipart'>>,
): UploadRecord {
  const record: UploadRecord = {
    key: target.key,
    owner: target.owner,
    state: 'pending',
    contentType: target.contentType,
    minSize: fields.minSize,
    maxSize: fields.maxSize,
    createdAt: fields.createdAt,
    expiresAt: fields.expiresAt,
    purgeAt: fields.expiresAt + cfg.pendingTtl * 1000,
  }
  if (target.filename !== undefined) record.filename = target.filename
  if (fields.checksum) record.checksum = fields.checksum
  if (target.stagingKey) record.stagingKey = target.stagingKey
  if (fields.multipart) record.multipart = fields.multipart
  return record
}

/** Creates the record with the owner's quota, in one store call; throws TOO_MANY_PENDING when it is full. */
export async function createRecord(cfg: ResolvedUploadConfig, record: UploadRecord, nowMs: number): Promise<void> {
  const created = await storeCall('create', () => cfg.store.create(record, nowMs, { maxPendingPerOwner: cfg.maxPendingPerOwner }))
  if (created === 'over-quota') {
    throw new SafePresignError(
      'TOO_MANY_PENDING',
      `this owner already holds \`maxPendingPerOwner\` = ${cfg.maxPendingPerOwner} open upload grants; complete one, or wait until one expires`,
      { details: { option: 'maxPendingPerOwner', limit: cfg.maxPendingPerOwner } },
    )
  }
  if (created !== true) {
    throw new SafePresignError('INVALID_CONFIG', `the key ${quote(record.key)} is already recorded; \`generateId\` must return a fresh UUIDv4 every call`, {
      details: { option: 'generateId' },
    })
  }
}
