// PutBucketPolicy's document, checked on the PUT as S3 checks it (MalformedPolicy; the messages are
// S3's as other S3 implementations record them, unverified here), and the public-policy test
// BlockPublicPolicy applies. Actions are checked for form, not against S3's list of actions. The policy is stored and returned
// only: the test S3 does not evaluate bucket policies on requests (IAM identity policies are, see
// permissions.ts).
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html,
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status
import { S3Error } from './errors.js'

/** "The bucket policy ... cannot exceed 20 KB" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html). */
export const MAX_POLICY_BYTES = 20 * 1024

const malformed = (message: string) => new S3Error(400, 'MalformedPolicy', message)

type Doc = Record<string, unknown>
const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v)
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v])

const TOP = ['Version', 'Id', 'Statement']
const STATEMENT = ['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']
const ACTION = /^(s3:[A-Za-z*?]+|s3-object-lambda:[A-Za-z*?]+|\*)$/
// An account id, an IAM or STS ARN of this partition, '*', or a service or canonical user.
const AWS_PRINCIPAL = /^(\*|\d{12}|arn:aws[a-z-]*:(iam|sts)::\d{12}:[\w+=,.@/*-]+)$/

function checkPrincipal(principal: unknown): void {
  if (principal === '*') return
  if (!isObject(principal)) throw malformed('Invalid principal in policy')
  for (const [type, value] of Object.entries(principal)) {
    const values = list(value)
    if (values.length === 0 || values.some((v) => typeof v !== 'string')) throw malformed('Invalid principal in policy')
    if (type === 'AWS' && (values as string[]).some((v) => !AWS_PRINCIPAL.test(v))) throw malformed('Invalid principal in policy')
    if (type !== 'AWS' && type !== 'Service' && type !== 'CanonicalUser' && type !== 'Federated') throw malformed('Invalid principal in policy')
  }
}

/** A resource S3 accepts in this bucket's policy: the bucket, or objects in it. */
function inBucket(resource: unknown, bucket: string): boolean {
  if (typeof resource !== 'string') return false
  return resource === `arn:aws:s3:::${bucket}` || resource.startsWith(`arn:aws:s3:::${bucket}/`)
}

function checkStatement(s: unknown, bucket: string): void {
  if (!isObject(s)) throw malformed('Statement is not well-formed')
  for (const key of Object.keys(s)) if (!STATEMENT.includes(key)) throw malformed(`Unknown field ${key}`)
  if (s.Effect === undefined) throw malformed('Missing required field Effect')
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw malformed(`Invalid effect: ${String(s.Effect)}`)
  if (s.Principal === undefined && s.NotPrincipal === undefined) throw malformed('Missing required field Principal')
  checkPrincipal(s.Principal ?? s.NotPrincipal)
  const actions = list(s.Action ?? s.NotAction)
  if (actions.length === 0) throw malformed('Missing required field Action')
  if (actions.some((a) => typeof a !== 'string' || !ACTION.test(a))) throw malformed('Policy has invalid action')
  const resources = list(s.Resource ?? s.NotResource)
  if (resources.length === 0) throw malformed('Missing required field Resource')
  if (resources.some((r) => !inBucket(r, bucket))) throw malformed('Policy has invalid resource')
  if (s.Condition !== undefined && (!isObject(s.Condition) || Object.values(s.Condition).some((c) => !isObject(c)))) throw malformed('Invalid Condition')
}

/** The parsed policy, or MalformedPolicy as S3 answers it. */
export function checkPolicy(text: string, bucket: string): Doc {
  if (Buffer.byteLength(text, 'utf8') > MAX_POLICY_BYTES) throw new S3Error(400, 'PolicyTooLarge', 'Policy exceeds the maximum allowed document size.')
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    throw malformed("Policies must be valid JSON and the first byte must be '{'")
  }
  if (!isObject(doc) || !text.trimStart().startsWith('{')) throw malformed("Policies must be valid JSON and the first byte must be '{'")
  for (const key of Object.keys(doc)) if (!TOP.includes(key)) throw malformed(`Unknown field ${key}`)
  if (doc.Version !== undefined && doc.Version !== '2012-10-17' && doc.Version !== '2008-10-17') throw malformed('The policy must contain a valid version string')
  if (doc.Statement === undefined) throw malformed('Missing required field Statement')
  const statements = list(doc.Statement)
  if (statements.length === 0) throw malformed('Could not parse the policy: Statement is empty!')
  for (const s of statements) checkStatement(s, bucket)
  return doc
}

// "Amazon S3 considers a bucket policy public unless" an Allow is limited to CIDRs by aws:SourceIp, or
// to fixed values of these keys (the page above).
const FIXING_KEYS = new Set(['aws:sourcearn', 'aws:sourcevpc', 'aws:sourcevpce', 'aws:sourceowner', 'aws:sourceaccount', 'aws:principalorgid', 'aws:principalaccount', 's3:x-amz-server-side-encryption-aws-kms-key-id', 'aws:userid'])
const FIXING_OPERATORS = new Set(['stringequals', 'stringequalsignorecase', 'arnequals', 'arnlike', 'stringlike'])

function fixed(condition: unknown): boolean {
  if (!isObject(condition)) return false
  return Object.entries(condition).some(([operator, block]) => {
    if (!isObject(block)) return false
    const op = operator.toLowerCase()
    return Object.entries(block).some(([key, value]) => {
      const values = list(value).map(String)
      if (key.toLowerCase() === 'aws:sourceip') return op === 'ipaddress' && values.length > 0 && values.every((v) => !/^(0\.0\.0\.0|::)\/0$/.test(v))
      return FIXING_OPERATORS.has(op) && FIXING_KEYS.has(key.toLowerCase()) && values.length > 0 && values.every((v) => v !== '' && !/^[*?]+$/.test(v))
    })
  })
}

const everyone = (p: unknown) => p === '*' || (isObject(p) && Object.values(p).some((v) => list(v).includes('*')))

/** True when some Allow grants to everyone (or everyone but NotPrincipal) without a fixing condition. */
export function isPublicPolicy(doc: Doc): boolean {
  return list(doc.Statement).some((s) => {
    if (!isObject(s) || s.Effect !== 'Allow') return false
    const open = s.NotPrincipal !== undefined || everyone(s.Principal)
    return open && !fixed(s.Condition)
  })
}
