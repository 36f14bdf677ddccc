// A read-only audit of one bucket's settings, for risks 5 (access logging) and 11 (CORS), plus who else
// can reach the bucket (public access block, bucket policy, bucket ACL, Object Ownership) and versioning.
// Each check reads one setting; a missing configuration is a finding, never an error.
import { GetBucketCorsCommand, GetBucketLoggingCommand, GetBucketVersioningCommand, type CORSRule, type S3Client } from '@aws-sdk/client-s3'
import { checkBucket, checkClient } from '../policy/common.js'
import { invalid } from '../_internal/validate.js'
import { multipartCleanup } from './audit-lifecycle.js'
import { policy } from './audit-policy.js'
import { bucketAcl, objectOwnership, publicAccessBlock } from './audit-public.js'
import { read, unknown, type AuditFinding } from './audit-read.js'
import { CORS_METHODS, originProblem } from './cors.js'

export type { AuditFinding } from './audit-read.js'

export interface AuditOptions {
  /**
   * Your S3Client; its credentials need the read permissions s3:GetBucketLogging, s3:GetBucketPublicAccessBlock,
   * s3:GetBucketCORS, s3:GetBucketVersioning, s3:GetBucketPolicy, s3:GetBucketAcl, s3:GetBucketOwnershipControls
   * and s3:GetLifecycleConfiguration.
   */
  client: S3Client
  bucket: string
  /** Your app's origins: CORS rules that allow any other origin are a finding. @default undefined */
  origins?: readonly string[]
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

/**
 * Reads one bucket's settings and reports, for each, whether it is as safe-presign recommends:
 * access logging, the public access block, CORS, versioning, a bucket policy with s3:signatureAge and
 * no public Allow, a bucket ACL with no public grant, Object Ownership BucketOwnerEnforced, and a
 * lifecycle rule that aborts incomplete multipart uploads.
 * The findings come in that order, one per setting.
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
  return Promise.all([
    logging(client, bucket),
    publicAccessBlock(client, bucket),
    cors(client, bucket, origins),
    versioning(client, bucket),
    policy(client, bucket),
    bucketAcl(client, bucket),
    objectOwnership(client, bucket),
    multipartCleanup(client, bucket),
  ])
}
