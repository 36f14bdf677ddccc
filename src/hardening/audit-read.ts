// What every auditBucket() check shares: the finding's shape, one read that tells "not configured" and
// "not implemented" apart from a real failure, and quoting for names taken from the bucket's settings.
import { SafePresignError } from '../errors.js'

export interface AuditFinding {
  /**
   * Stable: 'access-logging', 'public-access-block', 'cors', 'versioning', 'bucket-policy', 'bucket-acl',
   * 'object-ownership', 'multipart-cleanup'.
   */
  id: string
  /** 'critical': anyone on the internet can read or write now (a public Allow, a public ACL grant). */
  severity: 'critical' | 'high' | 'medium' | 'low' | 'info'
  /** True when the setting is as safe-presign recommends. Never true for a setting that could not be read. */
  ok: boolean
  message: string
  /** Set when the setting could not be read (the S3 implementation does not support it). */
  unknown?: true
}

// S3's answers for "this bucket has no such configuration".
const MISSING = new Set(['NoSuchCORSConfiguration', 'NoSuchPublicAccessBlockConfiguration', 'NoSuchBucketPolicy', 'NoSuchConfiguration', 'OwnershipControlsNotFoundError', 'NoSuchLifecycleConfiguration'])
// S3-compatible stores that lack an API answer 405 or 501 (Ceph RGW 16: PutBucketLogging 405).
const UNSUPPORTED = new Set(['NotImplemented', 'MethodNotAllowed', 'UnsupportedOperation'])

export type Read<T> = { found: T } | { missing: true } | { unsupported: string }

export async function read<T>(operation: string, bucket: string, call: () => Promise<T>): Promise<Read<T>> {
  try {
    return { found: await call() }
  } catch (error) {
    const name = (error as { name?: unknown }).name
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode
    if (typeof name === 'string' && MISSING.has(name)) return { missing: true }
    if ((typeof name === 'string' && UNSUPPORTED.has(name)) || status === 405 || status === 501) {
      return { unsupported: `${operation} answered ${status ?? '?'} ${typeof name === 'string' ? name : ''}`.trim() }
    }
    throw new SafePresignError('S3_ERROR', `${operation} failed for bucket ${JSON.stringify(bucket)}; the audit is incomplete`, { cause: error, details: { operation, bucket } })
  }
}

export function unknown(id: string, severity: AuditFinding['severity'], what: string, why: string, advice = ''): AuditFinding {
  return { id, severity, ok: false, unknown: true, message: `${what} could not be read (${why}); check it by hand${advice}` }
}

// Controls and bidi overrides (U+202E, U+2066…) would reorder a log line: escape them, and cap the length.
const HIDDEN = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g

/** A name read from the bucket (a Sid, a grantee), quoted for a message. */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value)
  const short = text.length > 80 ? `${text.slice(0, 80)}…` : text
  return JSON.stringify(short).replace(HIDDEN, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
