// The per-owner quota every store enforces in `create`: the shared rules, so that the four stores
// agree on what counts as an open grant and refuse the same malformed limits.
import { SafePresignError } from '../errors.js'
import type { CreateOptions, UploadRecord } from './types.js'

/**
 * The moment a record stops counting as an open grant: its `expiresAt`, or its `purgeAt` when that
 * comes first (a record at or past `purgeAt` counts as absent). It counts while this is after `now`.
 */
export const openUntil = (record: Pick<UploadRecord, 'expiresAt' | 'purgeAt'>): number =>
  record.purgeAt === undefined ? record.expiresAt : Math.min(record.expiresAt, record.purgeAt)

/** `options.maxPendingPerOwner`, checked: undefined (no limit) or a whole number of at least 1. */
export function quotaOf(store: string, options: CreateOptions | undefined): number | undefined {
  const max = options?.maxPendingPerOwner
  if (max === undefined) return undefined
  if (!Number.isSafeInteger(max) || max < 1) {
    throw new SafePresignError(
      'INVALID_REQUEST',
      `${store}: \`maxPendingPerOwner\` is ${String(max)}; it must be a whole number of grants, at least 1 (at most ${Number.MAX_SAFE_INTEGER})`,
      { details: { option: 'maxPendingPerOwner', value: String(max) } },
    )
  }
  return max
}
