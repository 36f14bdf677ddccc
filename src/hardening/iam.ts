// Policy generators for risk 4 (the signing role is often too powerful): an IAM identity policy that
// grants the signing and completing role only what safe-presign calls, and a bucket policy that
// narrows what any presigned URL may do. Both return plain JSON objects; JSON.stringify them.
import { ipFamily } from '../_internal/ip.js'
import { MAX_PRESIGNED_EXPIRY_SECONDS } from '../limits.js'
import { assertPrefix } from '../key/key.js'
import { checkBucket } from '../policy/common.js'
import { prefixesOverlap } from '../policy/upload-config.js'
import { invalid, isPositiveInteger } from '../_internal/validate.js'

/** One IAM policy statement, in the shape AWS documents. */
export interface PolicyStatement {
  Sid: string
  Effect: 'Allow' | 'Deny'
  /** Present in bucket policies only: everyone, or the named IAM principals (ARNs or account ids). */
  Principal?: '*' | { AWS: string[] }
  Action: string[]
  Resource: string[]
  Condition?: Record<string, Record<string, string | string[]>>
}

/** An IAM policy document (identity or bucket policy). */
export interface PolicyDocument {
  Version: '2012-10-17'
  Statement: PolicyStatement[]
}

/**
 * What the signing role does: `upload` signs PUT/POST grants (and creates, fills and completes
 * multipart uploads: all s3:PutObject), `complete` runs `complete()`, `download` signs GET links,
 * `list` adds `s3:ListBucket` limited to the prefixes, `multipart` lists parts, aborts and sweeps
 * multipart uploads.
 */
export type SignerCapability = 'upload' | 'complete' | 'download' | 'list' | 'multipart'

export const SIGNER_CAPABILITIES: readonly SignerCapability[] = ['upload', 'complete', 'download', 'list', 'multipart']

/**
 * The three roles of the split setup: `upload` signs upload grants (PutObject on the upload prefix
 * only), `download` signs links (GetObject on the committed prefix only), `worker` runs `complete()`,
 * promotion and sweeping (reads, copies and deletes; signs nothing).
 */
export type SignerRole = 'upload' | 'download' | 'worker'

export const SIGNER_ROLES: Readonly<Record<SignerRole, readonly SignerCapability[]>> = {
  upload: ['upload'],
  download: ['download'],
  worker: ['complete', 'list', 'multipart'],
}

/** The one ACL an upload signer may set: the bucket owner keeps full control of what it writes. */
export const UPLOAD_ACL_CONDITION = { StringEqualsIfExists: { 's3:x-amz-acl': 'bucket-owner-full-control' } }

export interface SignerPolicyOptions {
  /** The bucket the builders use. */
  bucket: string
  /** The final key prefix (`keyPrefix` of `createSafeUpload`). Must not be '' (that is the whole bucket). */
  prefix: string
  /** The quarantine prefix, when uploads land there first (`quarantine.prefix`). @default undefined */
  quarantinePrefix?: string
  /**
   * One role of the split setup, instead of `actions`: `'upload'`, `'download'` or `'worker'`
   * (see {@link SIGNER_ROLES}). Recommended: one role, and one S3Client, each.
   * @default undefined (use `actions`)
   */
  role?: SignerRole
  /**
   * What this role does. Without `list`, S3 answers 403 instead of 404 for a missing object, and
   * `complete()` then reports S3_ERROR instead of UPLOAD_MISSING.
   * @default ['upload', 'complete', 'download']
   */
  actions?: readonly SignerCapability[]
  /** Adds a Deny for presigned requests whose signature is older than this (`s3:signatureAge`). @default undefined */
  maxSignatureAgeSeconds?: number
}

export const DEFAULT_MAX_SIGNATURE_AGE_SECONDS = 600

const PRESIGNED_AUTH_TYPES = ['REST-QUERY-STRING', 'POST']
// IAM reads `*` and `?` in a Resource as wildcards and `${` as a policy variable: a prefix holding
// one would grant more than its keys. safe-presign never generates such prefixes.
const IAM_SPECIAL = /[*?$]/
export const VPCE = /^vpce-[0-9a-f]{1,32}$/
export const NETWORK_EMPTY = ' (an empty one would deny every request); leave it out to allow any network'

export const arn = (bucket: string, path?: string) => (path === undefined ? `arn:aws:s3:::${bucket}` : `arn:aws:s3:::${bucket}/${path}`)

export function checkPolicyPrefix(value: unknown, option: string, allowEmpty: boolean): string {
  const prefix = assertPrefix(value as string, option)
  if (!allowEmpty && prefix === '') invalid('INVALID_CONFIG', option, prefix, 'an empty prefix would grant the whole bucket')
  const special = IAM_SPECIAL.exec(prefix)
  if (special) invalid('INVALID_CONFIG', option, prefix, `it contains ${JSON.stringify(special[0])}, which an IAM Resource reads as a wildcard or variable`)
  return prefix
}

export function checkQuarantine(prefix: string, value: unknown, allowEmpty: boolean): string | undefined {
  if (value === undefined) return undefined
  const q = checkPolicyPrefix(value, 'quarantinePrefix', false)
  if (prefixesOverlap(prefix, q) && !(allowEmpty && prefix === '')) {
    invalid('INVALID_CONFIG', 'quarantinePrefix', q, `it must not overlap \`prefix\` (${JSON.stringify(prefix)})`)
  }
  return q
}

export function checkSignatureAge(value: unknown): number {
  if (!isPositiveInteger(value)) invalid('INVALID_CONFIG', 'maxSignatureAgeSeconds', value, 'it must be a whole number of seconds above 0')
  if (value > MAX_PRESIGNED_EXPIRY_SECONDS) {
    invalid('INVALID_CONFIG', 'maxSignatureAgeSeconds', value, `the maximum is ${MAX_PRESIGNED_EXPIRY_SECONDS} s (7 days, SigV4's own limit)`, { limit: MAX_PRESIGNED_EXPIRY_SECONDS })
  }
  return value
}

export function checkList(value: unknown, option: string, ok: (item: string) => boolean, rule: string, empty: string): string[] {
  if (!Array.isArray(value) || value.length === 0) invalid('INVALID_CONFIG', option, value, `it must be a non-empty array${empty}`)
  for (const item of value) if (typeof item !== 'string' || !ok(item)) invalid('INVALID_CONFIG', option, item, rule)
  return [...value]
}

export function isCidr(value: string): boolean {
  const [address, bits, ...rest] = value.split('/')
  const family = ipFamily(address ?? '')
  if (family === 0 || rest.length > 0) return false
  if (bits === undefined) return true
  const max = family === 4 ? 32 : 128
  return /^\d{1,3}$/.test(bits) && Number(bits) <= max
}

/** The condition that selects presigned requests older than `seconds`. */
export function signatureAgeCondition(seconds: number): PolicyStatement['Condition'] {
  return {
    // s3:signatureAge is in milliseconds.
    NumericGreaterThan: { 's3:signatureAge': String(seconds * 1000) },
    StringEquals: { 's3:authType': PRESIGNED_AUTH_TYPES },
  }
}

/**
 * A least-privilege IAM identity policy for the role that signs grants and runs `complete()`.
 * Object actions only on `bucket/<prefix>*` (and `bucket/<quarantinePrefix>*`), never on `*`.
 * @example
 * signerPolicy({ bucket: 'user-files', prefix: 'uploads/', quarantinePrefix: 'quarantine/' })
 */
export function signerPolicy(options: SignerPolicyOptions): PolicyDocument {
  if (typeof options !== 'object' || options === null) invalid('INVALID_CONFIG', 'options', options, 'signerPolicy needs { bucket, prefix }')
  const bucket = checkBucket(options.bucket)
  const prefix = checkPolicyPrefix(options.prefix, 'prefix', false)
  const quarantine = checkQuarantine(prefix, options.quarantinePrefix, false)
  if (options.role !== undefined && options.actions !== undefined) {
    invalid('INVALID_CONFIG', 'role', options.role, 'give `role` or `actions`, not both')
  }
  if (options.role !== undefined && !Object.hasOwn(SIGNER_ROLES, options.role)) {
    invalid('INVALID_CONFIG', 'role', options.role, `it must be one of ${Object.keys(SIGNER_ROLES).map((r) => JSON.stringify(r)).join(', ')}`)
  }
  const actions = options.role !== undefined ? SIGNER_ROLES[options.role] : (options.actions ?? ['upload', 'complete', 'download'])
  checkList(actions, 'actions', (a) => (SIGNER_CAPABILITIES as readonly string[]).includes(a), `each must be one of ${SIGNER_CAPABILITIES.map((a) => JSON.stringify(a)).join(', ')}`, '')
  const has = (a: SignerCapability) => actions.includes(a)

  // Per prefix, the object actions safe-presign calls there.
  const upload = new Set<string>() // where grants write: quarantine, or the final prefix
  const final = new Set<string>()
  const target = quarantine === undefined ? final : upload
  if (has('upload')) target.add('s3:PutObject')
  if (has('complete')) {
    // HeadObject and the sniffing read are s3:GetObject; a rejection deletes the object.
    target.add('s3:GetObject').add('s3:DeleteObject')
    // With quarantine: CopyObject writes the final key (PutObject), reads it back (HeadObject), and
    // deletes a copy whose ETag is not the verified one.
    if (quarantine !== undefined) final.add('s3:PutObject').add('s3:GetObject').add('s3:DeleteObject')
  }
  if (has('download')) final.add('s3:GetObject')
  // completeMultipart lists the parts, and a failed plan, abortMultipart and the sweep abort the upload.
  if (has('multipart')) target.add('s3:AbortMultipartUpload').add('s3:ListMultipartUploadParts')

  const statements: PolicyStatement[] = []
  const allow = (sid: string, set: Set<string>, path: string) => {
    if (set.size === 0) return
    const statement: PolicyStatement = { Sid: sid, Effect: 'Allow', Action: [...set].sort(), Resource: [arn(bucket, `${path}*`)] }
    // An upload-only role may write with no ACL but the bucket owner's: RGW obeys x-amz-acl and x-amz-grant-*.
    if (set.size === 1 && set.has('s3:PutObject') && actions.length === 1) statement.Condition = UPLOAD_ACL_CONDITION
    statements.push(statement)
  }
  if (quarantine !== undefined) allow('SafePresignQuarantine', upload, quarantine)
  allow('SafePresignObjects', final, prefix)
  if (has('list')) {
    const prefixes = quarantine === undefined ? [`${prefix}*`] : [`${prefix}*`, `${quarantine}*`]
    statements.push({ Sid: 'SafePresignList', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [arn(bucket)], Condition: { StringLike: { 's3:prefix': prefixes } } })
  }
  if (has('multipart')) {
    // sweepMultipart lists the bucket's open uploads; s3:prefix does not apply to this action.
    statements.push({ Sid: 'SafePresignListMultipart', Effect: 'Allow', Action: ['s3:ListBucketMultipartUploads'], Resource: [arn(bucket)] })
  }
  const granted = statements.filter((s) => s.Sid !== 'SafePresignList' && s.Sid !== 'SafePresignListMultipart')
  if (options.maxSignatureAgeSeconds !== undefined) checkSignatureAge(options.maxSignatureAgeSeconds)
  if (options.maxSignatureAgeSeconds !== undefined && granted.length > 0) {
    const seconds = options.maxSignatureAgeSeconds
    statements.push({
      Sid: 'SafePresignDenyOldSignatures',
      Effect: 'Deny',
      Action: [...new Set(granted.flatMap((s) => s.Action))].sort(),
      Resource: granted.flatMap((s) => s.Resource),
      Condition: signatureAgeCondition(seconds),
    })
  }
  return { Version: '2012-10-17', Statement: statements }
}

