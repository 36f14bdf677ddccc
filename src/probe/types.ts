// What probeBucket() takes and returns. Kept apart from the checks so the CLI and users can import the
// shapes without the probing code.
import type { S3Client } from '@aws-sdk/client-s3'

export type ProbeSeverity = 'critical' | 'high' | 'medium' | 'low' | 'info'

/** One measured row. The set of ids is stable; see docs/probe.md for what each one means. */
export interface ProbeFinding {
  /** Stable id, e.g. 'unsigned-copy-source'. */
  id: string
  /** True when the store, or the signer's rights, stopped the misuse (or, for a setup row, it is as recommended). */
  ok: boolean
  /** How much it matters when `ok` is false. */
  severity: ProbeSeverity
  /** What a safe store answers. */
  expected: string
  /** What this store answered: statuses and S3 error codes, never a URL or a signature. */
  observed: string
  /** What to do when `ok` is false. */
  remedy: string
}

export interface ProbeResult {
  findings: ProbeFinding[]
}

export interface ProbeOptions {
  /** The S3Client that runs `complete()` (the bucket owner or worker role). Writes canaries, reads back, deletes everything. */
  client: S3Client
  /**
   * The S3Client that signs your upload grants, as you pass it to `createSafeUpload({ signer })`.
   * @default client (and `signer-separate` is then not ok)
   */
  signer?: S3Client
  bucket: string
  /**
   * The upload prefix ('' or ending in '/'). The probe writes only under `${prefix}safe-presign-probe-<uuid>/`
   * and deletes it all before it returns.
   * @example 'uploads/'
   */
  prefix: string
  /**
   * Your app's own origin. A preflight from `https://probe.invalid` is always sent; with `origin`, one
   * from it too, and `cors-foreign-origin` reports whether your origin is allowed.
   * @default undefined
   */
  origin?: string
  /** The limit for each HTTP request and each S3 call, in ms. @default 5000 */
  timeoutMs?: number
}
