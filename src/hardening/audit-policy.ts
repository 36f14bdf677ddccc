// The bucket-policy check of auditBucket(): a public Allow (critical) and the s3:signatureAge cap (low).
// Each statement is judged on its own: a Deny elsewhere in the policy does not make a public Allow safe
// here, because the audit does not evaluate policies, and a later edit that drops the Deny would not
// show up in review as "this makes the bucket public".
import { GetBucketPolicyCommand, type S3Client } from '@aws-sdk/client-s3'
import { quote, read, unknown, type AuditFinding } from './audit-read.js'

/**
 * Condition keys that narrow who can use an Allow: the caller's network, organization, account or
 * identity, or (for service principals) the resource acting on its behalf. Compared case-insensitively,
 * as IAM does. Everything else does not restrict who: s3:signatureAge, s3:authType, aws:SecureTransport,
 * aws:CurrentTime, s3:x-amz-acl, s3:prefix, and aws:Referer (any client can send any Referer).
 */
export const RESTRICTING_CONDITION_KEYS = [
  'aws:SourceIp',
  'aws:VpcSourceIp',
  'aws:SourceVpc',
  'aws:SourceVpce',
  'aws:PrincipalOrgID',
  'aws:PrincipalOrgPaths',
  'aws:PrincipalAccount',
  'aws:PrincipalArn',
  'aws:userid',
  'aws:username',
  'aws:SourceAccount',
  'aws:SourceArn',
  'aws:SourceOrgID',
  'aws:SourceOrgPaths',
] as const

const KEYS = new Set(RESTRICTING_CONDITION_KEYS.map((k) => k.toLowerCase()))
// Only operators that must match for the Allow to apply. Negated ones (StringNotEquals, NotIpAddress…)
// allow everyone else; …IfExists passes when the key is absent (aws:SourceVpce off a VPC endpoint,
// aws:PrincipalOrgID for anonymous callers); ForAllValues: passes when the key is absent.
const OPERATORS = new Set(['stringequals', 'stringequalsignorecase', 'stringlike', 'arnequals', 'arnlike', 'ipaddress'])
// Values that match everyone: a pattern of only wildcards, or a whole address family.
const EVERYONE = /^[*?]+$|^0\.0\.0\.0\/0$|^::\/0$/

type Statement = { Sid?: unknown; Effect?: unknown; Principal?: unknown; NotPrincipal?: unknown; Action?: unknown; NotAction?: unknown; Condition?: unknown }

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value])
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/** True for `"*"`, `{"AWS":"*"}`, `{"AWS":["*", …]}`, under any principal type and in any case. */
function isEveryone(principal: unknown): boolean {
  if (principal === '*') return true
  if (!isObject(principal)) return false
  return Object.values(principal).some((value) => asList(value).includes('*'))
}

/** True when one condition narrows who: a restricting key, a positive operator, no match-all value. */
function restrictsWho(condition: unknown): boolean {
  if (!isObject(condition)) return false
  return Object.entries(condition).some(([operator, block]) => {
    const op = operator.toLowerCase().replace(/^forAnyValue:/i, '')
    if (!OPERATORS.has(op) || !isObject(block)) return false
    return Object.entries(block).some(([key, value]) => {
      const values = asList(value)
      return KEYS.has(key.toLowerCase()) && values.length > 0 && values.every((v) => (typeof v === 'string' || typeof v === 'number') && !EVERYONE.test(String(v).trim()))
    })
  })
}

/** The public Allow statements of a parsed policy, each described for a message. */
export function publicAllows(doc: unknown): string[] {
  const statements = isObject(doc) ? asList(doc.Statement) : []
  const found: string[] = []
  statements.forEach((raw, index) => {
    if (!isObject(raw)) return
    const s = raw as Statement
    if (typeof s.Effect !== 'string' || s.Effect.toLowerCase() !== 'allow') return
    // NotPrincipal with Allow grants everyone except those named, anonymous callers included.
    const who = s.NotPrincipal !== undefined ? 'NotPrincipal' : isEveryone(s.Principal) ? 'Principal "*"' : undefined
    if (who === undefined || restrictsWho(s.Condition)) return
    const name = typeof s.Sid === 'string' && s.Sid !== '' ? `statement ${quote(s.Sid)}` : `statement ${index + 1}`
    const actions = s.NotAction !== undefined ? 'every action but some' : asList(s.Action).filter((a) => typeof a === 'string').map((a) => quote(a)).join(', ') || 'no action'
    found.push(`${name} (Allow, ${who}, ${actions})`)
  })
  return found
}

/** True when any statement has a condition on s3:signatureAge. */
function hasSignatureAge(doc: unknown): boolean {
  const statements = isObject(doc) ? asList(doc.Statement) : []
  return statements.some(
    (s) => isObject(s) && isObject(s.Condition) && Object.values(s.Condition).some((block) => isObject(block) && Object.keys(block).some((k) => k.toLowerCase() === 's3:signatureage')),
  )
}

export async function policy(client: S3Client, bucket: string): Promise<AuditFinding> {
  const r = await read('GetBucketPolicy', bucket, () => client.send(new GetBucketPolicyCommand({ Bucket: bucket })))
  if ('unsupported' in r) return unknown('bucket-policy', 'low', 'The bucket policy', r.unsupported)
  if ('missing' in r || !r.found.Policy) {
    return { id: 'bucket-policy', severity: 'low', ok: false, message: 'No bucket policy: a presigned URL is valid for as long as its signature says. Add an s3:signatureAge Deny (bucketPolicy())' }
  }
  let doc: unknown
  try {
    doc = JSON.parse(r.found.Policy)
  } catch {
    // Unreadable means a public Allow cannot be ruled out.
    return unknown('bucket-policy', 'high', 'The bucket policy', 'it is not JSON')
  }
  const age = hasSignatureAge(doc)
  const open = publicAllows(doc)
  if (open.length > 0) {
    return {
      id: 'bucket-policy',
      severity: 'critical',
      ok: false,
      message:
        `The bucket policy allows anyone, without signing: ${open.join('; ')} ${open.length === 1 ? 'has' : 'have'} no condition that restricts who (aws:SourceIp, aws:SourceVpce, aws:PrincipalOrgID, aws:PrincipalArn…). ` +
        `Remove the statement, name the principals, or add such a condition${age ? '; the s3:signatureAge Deny does not apply to unsigned requests' : ''}`,
    }
  }
  if (age) {
    return { id: 'bucket-policy', severity: 'info', ok: true, message: 'The bucket policy has an s3:signatureAge condition (AWS enforces it; Ceph RGW 16 accepts it and does not) and no public Allow' }
  }
  return { id: 'bucket-policy', severity: 'low', ok: false, message: 'The bucket policy has no s3:signatureAge condition: presigned URLs are limited only by their own expiry (bucketPolicy())' }
}
