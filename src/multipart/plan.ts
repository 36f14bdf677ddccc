// The part plan, fixed when a multipart upload is created: every part `partSize` bytes but the last,
// which holds the rest. Each part URL signs its part's exact length, so the plan is the size binding
// of a multipart upload, as Content-Length is of a single PUT.
import { MAX_MULTIPART_PARTS, MAX_PART_SIZE_BYTES, MIN_PART_SIZE_BYTES } from '../limits.js'
import { invalid, isPositiveInteger } from '../_internal/validate.js'

export interface PartPlan {
  /** The size of every part but the last, in bytes. */
  partSize: number
  /** How many parts, 1..10,000. */
  partCount: number
}

const MiB = 1024 ** 2

/**
 * The plan for `size` bytes. `partSize` (when asked for) must be 5 MiB..5 GiB and leave at most
 * 10,000 parts; otherwise the default grows, in whole MiB, until 10,000 parts hold the file.
 */
export function planParts(size: number, partSize: number | undefined, defaultPartSize: number): PartPlan {
  if (partSize !== undefined) {
    if (!isPositiveInteger(partSize)) invalid('INVALID_REQUEST', 'partSize', partSize, 'it must be a whole number of bytes')
    if (partSize < MIN_PART_SIZE_BYTES) invalid('INVALID_REQUEST', 'partSize', partSize, `S3's smallest part (but the last) is ${MIN_PART_SIZE_BYTES} bytes (5 MiB)`, { limit: MIN_PART_SIZE_BYTES })
    if (partSize > MAX_PART_SIZE_BYTES) invalid('INVALID_REQUEST', 'partSize', partSize, `S3's largest part is ${MAX_PART_SIZE_BYTES} bytes (5 GiB)`, { limit: MAX_PART_SIZE_BYTES })
    const partCount = Math.ceil(size / partSize)
    if (partCount > MAX_MULTIPART_PARTS) {
      invalid('INVALID_REQUEST', 'partSize', partSize, `${size} bytes would take ${partCount} parts; S3 allows ${MAX_MULTIPART_PARTS}, so parts must be at least ${Math.ceil(size / MAX_MULTIPART_PARTS)} bytes`, { limit: MAX_MULTIPART_PARTS })
    }
    return { partSize, partCount }
  }
  const needed = Math.ceil(size / MAX_MULTIPART_PARTS)
  const chosen = Math.max(defaultPartSize, Math.ceil(needed / MiB) * MiB)
  return { partSize: chosen, partCount: Math.max(1, Math.ceil(size / chosen)) }
}

/** The exact length of part `partNumber` (1-based) of a `size`-byte upload. */
export function partLength(plan: PartPlan, size: number, partNumber: number): number {
  return partNumber < plan.partCount ? plan.partSize : size - plan.partSize * (plan.partCount - 1)
}
