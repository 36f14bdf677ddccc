// bucketPolicy() (risk 4): what any presigned URL on the prefixes may do, and, for the split setup,
// which principals may sign for each role. Denies narrow every request; the optional Allows name
// the upload and download signers when they are other accounts (or, on Ceph RGW, other users).
import { checkBucket } from '../policy/common.js'
import { invalid } from '../_internal/validate.js'
import {
  arn,
  checkList,
  checkPolicyPrefix,
  checkQuarantine,
  checkSignatureAge,
  DEFAULT_MAX_SIGNATURE_AGE_SECONDS,
  isCidr,
  NETWORK_EMPTY,
  signatureAgeCondition,
  UPLOAD_ACL_CONDITION,
  VPCE,
  type PolicyDocument,
  type PolicyStatement,
} from './iam.js'

export interface BucketPolicyOptions {
  bucket: string
  /** The final key prefix; '' covers the whole bucket (a Deny only narrows). */
  prefix: string
  /** The quarantine prefix, also covered by the signature-age and network Denies. @default undefined */
  quarantinePrefix?: string
  /** Presigned URLs and POST policies older than this are denied (`s3:signatureAge`). @default 600 */
  maxSignatureAgeSeconds?: number
  /** Deny requests on the prefixes from anywhere else: addresses or CIDR blocks. @default undefined */
  sourceIp?: readonly string[]
  /** Deny requests on the prefixes that do not come through one of these VPC endpoints. @default undefined */
  sourceVpce?: readonly string[]
  /**
   * Allow statements for the split setup's signers, when they are other accounts or RGW users
   * (same-account roles need only their `signerPolicy()`). Each is a list of IAM principal ARNs
   * (`arn:aws:iam::111122223333:role/uploader`; on RGW `arn:aws:iam:::user/uploader`) or account ids.
   * `upload` gets `s3:PutObject` on the upload prefix only, with no ACL but `bucket-owner-full-control`;
   * `download` gets `s3:GetObject` on the committed prefix only.
   * @default undefined (Denies only)
   */
  principals?: { upload?: readonly string[]; download?: readonly string[] }
}


/**
 * A bucket policy that narrows every presigned URL on the prefixes: a Deny for presigned URLs and
 * POST policies older than `maxSignatureAgeSeconds`, a Deny for requests without TLS on the whole
 * bucket, and, when given, a Deny for requests from outside `sourceIp` / `sourceVpce`.
 * Apply it with PutBucketPolicy (`Policy: JSON.stringify(bucketPolicy(...))`).
 */
export function bucketPolicy(options: BucketPolicyOptions): PolicyDocument {
  if (typeof options !== 'object' || options === null) invalid('INVALID_CONFIG', 'options', options, 'bucketPolicy needs { bucket, prefix }')
  const bucket = checkBucket(options.bucket)
  const prefix = checkPolicyPrefix(options.prefix, 'prefix', true)
  const quarantine = checkQuarantine(prefix, options.quarantinePrefix, true)
  const seconds = checkSignatureAge(options.maxSignatureAgeSeconds ?? DEFAULT_MAX_SIGNATURE_AGE_SECONDS)
  const objects = quarantine === undefined || prefix === '' ? [arn(bucket, `${prefix}*`)] : [arn(bucket, `${prefix}*`), arn(bucket, `${quarantine}*`)]

  const statements: PolicyStatement[] = [
    { Sid: 'SafePresignDenyOldSignatures', Effect: 'Deny', Principal: '*', Action: ['s3:*'], Resource: objects, Condition: signatureAgeCondition(seconds) },
    // AWS sets aws:SecureTransport on every request; a Deny on 'false' refuses plain HTTP.
    { Sid: 'SafePresignDenyInsecureTransport', Effect: 'Deny', Principal: '*', Action: ['s3:*'], Resource: [arn(bucket), arn(bucket, '*')], Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
  ]
  if (options.sourceIp !== undefined || options.sourceVpce !== undefined) {
    // One Deny, so a request passes when it matches ANY allowed network. IfExists: a request that
    // lacks the key (through a VPC endpoint there is no aws:SourceIp) counts as outside it.
    const condition: NonNullable<PolicyStatement['Condition']> = {}
    if (options.sourceIp !== undefined) {
      condition.NotIpAddressIfExists = { 'aws:SourceIp': checkList(options.sourceIp, 'sourceIp', isCidr, 'it must be an IPv4 or IPv6 address or CIDR block, e.g. "203.0.113.0/24"', NETWORK_EMPTY) }
    }
    if (options.sourceVpce !== undefined) {
      condition.StringNotEqualsIfExists = { 'aws:SourceVpce': checkList(options.sourceVpce, 'sourceVpce', (v) => VPCE.test(v), 'it must be a VPC endpoint id, e.g. "vpce-1a2b3c4d"', NETWORK_EMPTY) }
    }
    // As AWS's own example: AWS services acting for you (e.g. replication) are not refused.
    condition.BoolIfExists = { 'aws:ViaAWSService': 'false' }
    statements.push({ Sid: 'SafePresignDenyOutsideNetwork', Effect: 'Deny', Principal: '*', Action: ['s3:*'], Resource: objects, Condition: condition })
  }
  statements.push(...signerAllows(bucket, prefix, quarantine, options.principals))
  return { Version: '2012-10-17', Statement: statements }
}

/** What the upload signer may never do, whatever an object's ACL says. */
export const UPLOAD_SIGNER_DENIED = [
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:GetObject',
  's3:GetObjectAcl',
  's3:GetObjectTagging',
  's3:GetObjectVersion',
  's3:GetObjectVersionAcl',
  's3:ListBucket',
  's3:ListBucketMultipartUploads',
  's3:ListBucketVersions',
  's3:PutObjectAcl',
  's3:PutObjectTagging',
  's3:PutObjectVersionAcl',
] as const

// An IAM principal a bucket policy may name: a user or role ARN (RGW: no account, or a tenant), an
// account root, or a 12-digit account id. Never '*': these are Allows.
const PRINCIPAL = /^(?:\d{12}|arn:aws[a-z-]*:iam::(?:\d{12}:root|[A-Za-z0-9_-]*:(?:user|role)\/[\w+=,.@/-]{1,512}))$/

function signerAllows(bucket: string, prefix: string, quarantine: string | undefined, principals: BucketPolicyOptions['principals']): PolicyStatement[] {
  if (principals === undefined) return []
  if (typeof principals !== 'object' || principals === null) invalid('INVALID_CONFIG', 'principals', principals, 'it must be { upload?, download? }')
  const unknown = Object.keys(principals).filter((k) => k !== 'upload' && k !== 'download')
  if (unknown.length > 0) invalid('INVALID_CONFIG', 'principals', unknown[0], 'the roles a bucket policy can name are "upload" and "download"')
  if (prefix === '') invalid('INVALID_CONFIG', 'prefix', prefix, 'an Allow on an empty prefix would grant the whole bucket')
  const rule = 'it must be an IAM principal ARN (arn:aws:iam::111122223333:role/name, or on RGW arn:aws:iam:::user/name) or a 12-digit account id; never "*"'
  const out: PolicyStatement[] = []
  if (principals.upload !== undefined) {
    const who = checkList(principals.upload, 'principals.upload', (p) => PRINCIPAL.test(p), rule, '')
    out.push({ Sid: 'SafePresignAllowUploadSigner', Effect: 'Allow', Principal: { AWS: who }, Action: ['s3:PutObject'], Resource: [arn(bucket, `${quarantine ?? prefix}*`)], Condition: UPLOAD_ACL_CONDITION })
    // Where objects belong to their writer (Ceph RGW; AWS with ACLs enabled), the upload signer owns
    // every object it wrote, and its ACL lets it read them: a grant plus an unsigned x-amz-copy-source
    // then copied another user's upload (measured on RGW). An explicit Deny overrides any ACL grant.
    // Listed actions, not NotAction: RGW 16 ignored a NotAction Deny (measured).
    out.push({ Sid: 'SafePresignDenyUploadSignerReads', Effect: 'Deny', Principal: { AWS: who }, Action: [...UPLOAD_SIGNER_DENIED], Resource: [arn(bucket), arn(bucket, '*')] })
  }
  if (principals.download !== undefined) {
    const who = checkList(principals.download, 'principals.download', (p) => PRINCIPAL.test(p), rule, '')
    out.push({ Sid: 'SafePresignAllowDownloadSigner', Effect: 'Allow', Principal: { AWS: who }, Action: ['s3:GetObject'], Resource: [arn(bucket, `${prefix}*`)] })
  }
  return out
}
