// probeBucket(): measures what a store enforces of presigned uploads, with real grants from the
// library's own builders and real HTTP requests. It writes only under `${prefix}safe-presign-probe-<uuid>/`
// and deletes all of it, as `client`, before it returns or throws.
import { SafePresignError } from '../errors.js'
import { checkBucket, checkClient } from '../policy/common.js'
import { originProblem } from '../hardening/cors.js'
import { assertPrefix } from '../key/key.js'
import { invalid, isPositiveInteger } from '../_internal/validate.js'
import { probeContext, type ProbeContext } from './context.js'
import { checksumSha256, contentLength, contentMd5, contentType, expired, honestPut, ifNoneMatch, otherKey, tamperedSignature } from './checks-put.js'
import { unsignedAcl, unsignedCopySource, unsignedGrant, unsignedMeta } from './checks-unsigned.js'
import { postExtraField, postLengthRange, postSupported } from './checks-post.js'
import { corsForeignOrigin, signerSeparate } from './checks-setup.js'
import { PROBE_FINDING_IDS } from './rows.js'
import type { ProbeFinding, ProbeOptions, ProbeResult } from './types.js'

export type { ProbeFinding, ProbeOptions, ProbeResult, ProbeSeverity } from './types.js'
export { PROBE_FINDING_IDS } from './rows.js'

export const DEFAULT_PROBE_TIMEOUT_MS = 5_000
const MAX_PROBE_TIMEOUT_MS = 60_000

/** The checks, in report order (the order of PROBE_FINDING_IDS). */
const CHECKS: ((ctx: ProbeContext, origin: string | undefined) => Promise<ProbeFinding>)[] = [
  honestPut,
  tamperedSignature,
  expired,
  otherKey,
  contentLength,
  contentType,
  contentMd5,
  checksumSha256,
  ifNoneMatch,
  unsignedMeta,
  unsignedAcl,
  unsignedGrant,
  unsignedCopySource,
  postSupported,
  postLengthRange,
  postExtraField,
  corsForeignOrigin,
  signerSeparate,
]

function validate(options: ProbeOptions) {
  if (typeof options !== 'object' || options === null) invalid('INVALID_CONFIG', 'options', options, 'probeBucket needs { client, bucket, prefix }')
  const client = checkClient(options.client)
  const signer = options.signer === undefined ? undefined : checkClient(options.signer, 'signer')
  const bucket = checkBucket(options.bucket)
  if (typeof options.prefix !== 'string') invalid('INVALID_CONFIG', 'prefix', options.prefix, "it must be '' or a path ending in '/', e.g. 'uploads/'")
  const prefix = assertPrefix(options.prefix, 'prefix')
  if (options.origin !== undefined) {
    const problem = originProblem(options.origin)
    if (problem) invalid('INVALID_CONFIG', 'origin', options.origin, problem)
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS
  if (!isPositiveInteger(timeoutMs) || timeoutMs > MAX_PROBE_TIMEOUT_MS) {
    invalid('INVALID_CONFIG', 'timeoutMs', timeoutMs, `it must be a whole number of ms from 1 to ${MAX_PROBE_TIMEOUT_MS}`, { limit: MAX_PROBE_TIMEOUT_MS })
  }
  return { client, signer, bucket, prefix, origin: options.origin, timeoutMs }
}

/**
 * Measures what this bucket (and the signer's rights) stop: tampered, expired and re-pointed grants,
 * changed sizes, types and digests, replays, unsigned x-amz-* headers (ACLs, grants, copy sources),
 * POST policies, CORS for a foreign origin, and whether a separate signer is used. One finding per
 * row of {@link PROBE_FINDING_IDS}; `ok: false` with severity high or critical needs fixing before
 * production. Makes real requests (a few dozen, each bounded by `timeoutMs`) and deletes all it wrote.
 * Throws INVALID_CONFIG for bad options, S3_ERROR when it could not write its canary or clean up.
 * @example
 * const { findings } = await probeBucket({ client: worker, signer: uploadSigner, bucket: 'user-files', prefix: 'uploads/' })
 */
export async function probeBucket(options: ProbeOptions): Promise<ProbeResult> {
  const opts = validate(options)
  const ctx = probeContext(opts)
  let findings: ProbeFinding[]
  try {
    findings = []
    for (const check of CHECKS) findings.push(await check(ctx, opts.origin))
  } catch (cause) {
    await ctx.cleanup().catch(() => [])
    if (cause instanceof SafePresignError) throw cause
    throw new SafePresignError('S3_ERROR', `probeBucket could not finish on bucket ${JSON.stringify(opts.bucket)}: ${message(cause)}`, { cause, details: { bucket: opts.bucket } })
  }
  const left = await ctx.cleanup()
  if (left.length > 0) {
    throw new SafePresignError('S3_ERROR', `probeBucket could not delete ${left.length} object(s) under ${JSON.stringify(ctx.folder)}; delete them as the bucket owner`, {
      details: { bucket: opts.bucket, folder: ctx.folder, left: left.slice(0, 20) },
    })
  }
  // The order is part of the contract: the CHECKS table follows PROBE_ROWS.
  if (findings.map((f) => f.id).join() !== PROBE_FINDING_IDS.join()) throw new Error('probeBucket: CHECKS and PROBE_ROWS disagree')
  return { findings }
}

function message(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  return text.slice(0, 300)
}
