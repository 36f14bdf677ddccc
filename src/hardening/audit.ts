// A read-only audit of one bucket's settings, for risks 5 (access logging) and 11 (CORS), plus the
// public access block, versioning and the bucket policy. Each check reads one setting; a missing
// configuration is a finding, never an error.
import {
  GetBucketCorsCommand,
  GetBucketLoggingCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  type CORSRule,
  type S3Client,
} from '@aws-sdk/client-s3'
import { SafePresignError } from '../errors.js'
import { checkBucket, checkClient } from '../policy/common.js'
import { invalid } from '../_internal/validate.js'
import { CORS_METHODS, originProblem } from './cors.js'

export interface AuditFinding {
  /** Stable: 'access-logging', 'public-access-block', 'cors', 'versioning', 'bucket-policy'. */
  id: string
  severity: 'high' | 'medium' | 'low' | 'info'
  /** True when the setting is as safe-presign recommends. Never true for a setting that could not be read. */
  ok: boolean
  message: string
  /** Set when the setting could not be read (the S3 implementation does not support it). */
  unknown?: true
}

export interface AuditOptions {
  /** Your S3Client; its credentials need the GetBucket* read permissions. */
  client: S3Client
  bucket: string
  /** Your app's origins: CORS rules that allow any other origin are a finding. @default undefined */
  origins?: readonly string[]
}

// S3's answers for "this bucket has no such configuration".
const MISSING = new Set(['NoSuchCORSConfiguration', 'NoSuchPublicAccessBlockConfiguration', 'NoSuchBucketPolicy', 'NoSuchConfiguration'])
// S3-compatible stores that lack an API answer 405 or 501 (Ceph RGW 16: PutBucketLogging 405).
const UNSUPPORTED = new Set(['NotImplemented', 'MethodNotAllowed', 'UnsupportedOperation'])

type Read<T> = { found: T } | { missing: true } | { unsupported: string }

async function read<T>(operation: string, bucket: string, call: () => Promise<T>): Promise<Read<T>> {
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

function unknown(id: string, severity: AuditFinding['severity'], what: string, why: string): AuditFinding {
  return { id, severity, ok: false, unknown: true, message: `${what} could not be read (${why}); check it by hand` }
}

async function logging(client: S3Client, bucket: string): Promise<AuditFinding> {
  const r = await read('GetBucketLogging', bucket, () => client.send(new GetBucketLoggingCommand({ Bucket: bucket })))
  if ('unsupported' in r) return unknown('access-logging', 'medium', 'Server access logging', r.unsupported)
  const target = 'found' in r ? r.found.LoggingEnabled?.TargetBucket : undefined
  if (target) return { id: 'access-logging', severity: 'info', ok: true, message: `Server access logging is on (to bucket ${JSON.stringify(target)})` }
  return {
    id: 'access-logging',
    severity: 'medium',
    ok: false,
    message: 'Server access logging is off: S3 keeps no record of who used a presigned URL. Turn it on (PutBucketLogging) or log S3 data events in CloudTrail',
  }
}

const PAB_FLAGS = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const

async function publicAccessBlock(client: S3Client, bucket: string): Promise<AuditFinding> {
  const r = await read('GetPublicAccessBlock', bucket, () => client.send(new GetPublicAccessBlockCommand({ Bucket: bucket })))
  if ('unsupported' in r) return unknown('public-access-block', 'high', 'The public access block', r.unsupported)
  if ('missing' in r) {
    return { id: 'public-access-block', severity: 'high', ok: false, message: 'No public access block: an ACL or policy can make objects public. Set all four flags (PutPublicAccessBlock)' }
  }
  const config = r.found.PublicAccessBlockConfiguration ?? {}
  const off = PAB_FLAGS.filter((flag) => config[flag] !== true)
  if (off.length === 0) return { id: 'public-access-block', severity: 'info', ok: true, message: 'The public access block is on (all four flags)' }
  return { id: 'public-access-block', severity: 'high', ok: false, message: `The public access block is incomplete: ${off.join(', ')} ${off.length === 1 ? 'is' : 'are'} not true` }
}

async function cors(client: S3Client, bucket: string, origins: readonly string[] | undefined): Promise<AuditFinding> {
  const r = await read('GetBucketCors', bucket, () => client.send(new GetBucketCorsCommand({ Bucket: bucket })))
  if ('unsupported' in r) return unknown('cors', 'medium', 'The CORS configuration', r.unsupported)
  const rules: CORSRule[] = 'found' in r ? (r.found.CORSRules ?? []) : []
  if (rules.length === 0) return { id: 'cors', severity: 'info', ok: true, message: 'No CORS rules: browsers on other origins cannot use the bucket (needed only for uploads straight from a browser)' }
  const problems: string[] = []
  let severity: AuditFinding['severity'] = 'medium'
  for (const rule of rules) {
    const name = rule.ID ? `rule ${JSON.stringify(rule.ID)}` : 'a rule'
    const ruleOrigins = rule.AllowedOrigins ?? []
    if (ruleOrigins.includes('*')) {
      severity = 'high'
      problems.push(`${name} allows every origin ("*")`)
    }
    const foreign = ruleOrigins.filter((o) => o !== '*' && (origins ? !origins.includes(o) : originProblem(o) !== undefined))
    if (foreign.length > 0) problems.push(`${name} allows ${origins ? 'origins not in your list' : 'inexact or plain-http origins'}: ${foreign.join(', ')}`)
    if ((rule.AllowedHeaders ?? []).some((h) => h.includes('*'))) problems.push(`${name} allows any request header ("*")`)
    const methods = (rule.AllowedMethods ?? []).filter((m) => !(CORS_METHODS as readonly string[]).includes(m.toUpperCase()))
    if (methods.length > 0) problems.push(`${name} allows ${methods.join(', ')} (beyond ${CORS_METHODS.join('/')})`)
  }
  if (problems.length === 0) return { id: 'cors', severity: 'info', ok: true, message: `CORS is narrow: ${rules.length} rule(s) with exact origins, listed headers and ${CORS_METHODS.join('/')} only` }
  return { id: 'cors', severity, ok: false, message: `CORS is too wide: ${problems.join('; ')}. Use corsConfiguration()` }
}

async function versioning(client: S3Client, bucket: string): Promise<AuditFinding> {
  const r = await read('GetBucketVersioning', bucket, () => client.send(new GetBucketVersioningCommand({ Bucket: bucket })))
  if ('unsupported' in r) return unknown('versioning', 'info', 'Versioning', r.unsupported)
  const status = 'found' in r ? r.found.Status : undefined
  if (status === 'Enabled') return { id: 'versioning', severity: 'info', ok: true, message: 'Versioning is on: an overwritten or deleted object can be recovered' }
  return { id: 'versioning', severity: 'info', ok: false, message: `Versioning is ${status ? status.toLowerCase() : 'off'}: an overwritten or deleted object is gone (create-once PUTs and quarantine already prevent overwrites)` }
}

/** True when the policy JSON has a condition on s3:signatureAge anywhere. */
function hasSignatureAge(policy: string): boolean {
  try {
    const doc = JSON.parse(policy) as { Statement?: unknown }
    const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]
    return statements.some((s) =>
      Object.values((s as { Condition?: Record<string, Record<string, unknown>> } | undefined)?.Condition ?? {}).some(
        (block) => typeof block === 'object' && block !== null && Object.keys(block).some((k) => k.toLowerCase() === 's3:signatureage'),
      ),
    )
  } catch {
    return false
  }
}

async function policy(client: S3Client, bucket: string): Promise<AuditFinding> {
  const r = await read('GetBucketPolicy', bucket, () => client.send(new GetBucketPolicyCommand({ Bucket: bucket })))
  if ('unsupported' in r) return unknown('bucket-policy', 'low', 'The bucket policy', r.unsupported)
  if ('missing' in r || !r.found.Policy) {
    return { id: 'bucket-policy', severity: 'low', ok: false, message: 'No bucket policy: a presigned URL is valid for as long as its signature says. Add an s3:signatureAge Deny (bucketPolicy())' }
  }
  if (hasSignatureAge(r.found.Policy)) {
    return { id: 'bucket-policy', severity: 'info', ok: true, message: 'The bucket policy has an s3:signatureAge condition (AWS enforces it; Ceph RGW 16 accepts it and does not)' }
  }
  return { id: 'bucket-policy', severity: 'low', ok: false, message: 'The bucket policy has no s3:signatureAge condition: presigned URLs are limited only by their own expiry (bucketPolicy())' }
}

/**
 * Reads one bucket's settings and reports, for each, whether it is as safe-presign recommends:
 * access logging, the public access block, CORS, versioning and a bucket policy with s3:signatureAge.
 * A missing configuration is a finding; a setting the store cannot report is an `unknown` finding;
 * any other S3 failure throws S3_ERROR. Reads only.
 */
export async function auditBucket(options: AuditOptions): Promise<AuditFinding[]> {
  if (typeof options !== 'object' || options === null) invalid('INVALID_CONFIG', 'options', options, 'auditBucket needs { client, bucket }')
  const client = checkClient(options.client)
  const bucket = checkBucket(options.bucket)
  const origins = options.origins
  if (origins !== undefined) {
    if (!Array.isArray(origins)) invalid('INVALID_CONFIG', 'origins', origins, 'it must be an array of exact origins')
    for (const origin of origins) if (typeof origin !== 'string') invalid('INVALID_CONFIG', 'origins', origin, 'it must be a string')
  }
  return Promise.all([logging(client, bucket), publicAccessBlock(client, bucket), cors(client, bucket, origins), versioning(client, bucket), policy(client, bucket)])
}
