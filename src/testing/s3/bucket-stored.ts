// The bucket settings the test S3 validates, stores and returns without acting on them: policy,
// lifecycle, versioning, logging, default encryption and tags. Each is checked on the PUT as S3 checks
// it, and GET answers what was stored in S3's form, so the SDK's Get*Command gives back what was put.
import { parseLifecycle } from './bucket-lifecycle.js'
import { checkPolicy, isPublicPolicy } from './bucket-policy.js'
import { extraOf, type Encryption } from './bucket-extra.js'
import { elements, onlyElements, renderDocument, required, single, xmlBoolean } from './bucket-xml.js'
import type { Ctx, S3Response } from './context.js'
import { S3Error, errors, escapeXml } from './errors.js'
import type { Bucket } from './state.js'
import { buildXml, parseXml } from './xml.js'

const XML = { 'content-type': 'application/xml' }
const ok = (): S3Response => ({ status: 200 })
const gone = (): S3Response => ({ status: 204 })

// Policy: stored and returned only; the test S3 evaluates IAM identity policies, never bucket policies.
export function putPolicy(_ctx: Ctx, bucket: Bucket, body: Uint8Array): S3Response {
  if (body.byteLength === 0) throw new S3Error(400, 'MissingRequestBodyError', 'Request Body is empty')
  const text = new TextDecoder().decode(body)
  const doc = checkPolicy(text, bucket.name)
  // BlockPublicPolicy: "reject calls to PUT Bucket policy if the specified bucket policy allows public access".
  if (bucket.settings.publicAccessBlock.BlockPublicPolicy && isPublicPolicy(doc)) throw errors.accessDenied()
  bucket.settings.policy = text
  return { status: 204 }
}
export function getPolicy(_ctx: Ctx, bucket: Bucket): S3Response {
  if (bucket.settings.policy === undefined) throw new S3Error(404, 'NoSuchBucketPolicy', 'The bucket policy does not exist', { BucketName: bucket.name })
  return { status: 200, headers: { 'content-type': 'application/json' }, body: bucket.settings.policy }
}
/** GetBucketPolicyStatus: whether the stored policy is public, by the test BlockPublicPolicy uses. */
export function getPolicyStatus(ctx: Ctx, bucket: Bucket): S3Response {
  const { body } = getPolicy(ctx, bucket)
  const isPublic = isPublicPolicy(JSON.parse(String(body)) as Record<string, unknown>)
  return { status: 200, headers: XML, body: buildXml('PolicyStatus', { IsPublic: isPublic }) }
}
export function deletePolicy(_ctx: Ctx, bucket: Bucket): S3Response {
  delete bucket.settings.policy
  return gone()
}

// Lifecycle: stored and returned only; nothing expires and no upload is aborted by a rule.
export function putLifecycle(_ctx: Ctx, bucket: Bucket, body: Uint8Array): S3Response {
  bucket.settings.lifecycle = parseLifecycle(body)
  return ok()
}
export function getLifecycle(_ctx: Ctx, bucket: Bucket): S3Response {
  if (bucket.settings.lifecycle === undefined) throw new S3Error(404, 'NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist', { BucketName: bucket.name })
  return { status: 200, headers: XML, body: bucket.settings.lifecycle }
}
export function deleteLifecycle(_ctx: Ctx, bucket: Bucket): S3Response {
  delete bucket.settings.lifecycle
  return gone()
}

// Versioning: stored and returned only; every key keeps one version, and no version ids are issued.
export function putVersioning(_ctx: Ctx, bucket: Bucket, body: Uint8Array): S3Response {
  const doc = parseXml(body, 'VersioningConfiguration')
  onlyElements(doc, ['Status', 'MfaDelete'])
  const status = single(doc, 'Status')
  if (status !== undefined && status !== 'Enabled' && status !== 'Suspended') throw errors.malformedXml()
  const mfa = single(doc, 'MfaDelete')
  if (mfa !== undefined && mfa !== 'Enabled' && mfa !== 'Disabled') throw errors.malformedXml()
  if (mfa === 'Enabled') throw errors.notImplemented('MFA delete is not implemented by the test S3')
  if (status !== undefined) bucket.settings.versioning = status
  return ok()
}
export const getVersioning = (_ctx: Ctx, bucket: Bucket): S3Response => ({ status: 200, headers: XML, body: buildXml('VersioningConfiguration', { Status: bucket.settings.versioning }) })

// Logging: stored and returned only; no access log is ever written.
export function putLogging(ctx: Ctx, bucket: Bucket, body: Uint8Array): S3Response {
  const doc = parseXml(body, 'BucketLoggingStatus')
  onlyElements(doc, ['LoggingEnabled'])
  const enabled = elements(doc, 'LoggingEnabled')
  if (enabled.length > 1) throw errors.malformedXml()
  if (enabled.length === 0) {
    delete bucket.settings.logging
    return ok()
  }
  const logging = enabled[0]!
  onlyElements(logging, ['TargetBucket', 'TargetPrefix', 'TargetGrants', 'TargetObjectKeyFormat'])
  const target = required(logging, 'TargetBucket')
  required(logging, 'TargetPrefix')
  if (!ctx.state.buckets.has(target)) throw new S3Error(400, 'InvalidTargetBucketForLogging', 'The target bucket for logging does not exist', { TargetBucket: target })
  bucket.settings.logging = renderDocument('BucketLoggingStatus', doc)
  return ok()
}
export const getLogging = (_ctx: Ctx, bucket: Bucket): S3Response => ({ status: 200, headers: XML, body: bucket.settings.logging ?? buildXml('BucketLoggingStatus', {}) })

// Default encryption: stored and returned only (objects are always reported as SSE-S3, AES256).
// Without a configuration S3 answers its default since January 2023, SSE-S3
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-bucket-encryption.html).
const ALGORITHMS: readonly Encryption['algorithm'][] = ['AES256', 'aws:kms', 'aws:kms:dsse']

export function putEncryption(_ctx: Ctx, bucket: Bucket, body: Uint8Array): S3Response {
  const doc = parseXml(body, 'ServerSideEncryptionConfiguration')
  onlyElements(doc, ['Rule'])
  const rules = elements(doc, 'Rule')
  if (rules.length !== 1) throw errors.malformedXml()
  onlyElements(rules[0]!, ['ApplyServerSideEncryptionByDefault', 'BucketKeyEnabled', 'BlockedEncryptionTypes'])
  const defaults = elements(rules[0]!, 'ApplyServerSideEncryptionByDefault')
  if (defaults.length !== 1) throw errors.malformedXml()
  onlyElements(defaults[0]!, ['SSEAlgorithm', 'KMSMasterKeyID'])
  const algorithm = required(defaults[0]!, 'SSEAlgorithm') as Encryption['algorithm']
  if (!ALGORITHMS.includes(algorithm)) throw errors.malformedXml()
  const kmsKeyId = single(defaults[0]!, 'KMSMasterKeyID')
  if (kmsKeyId !== undefined && algorithm === 'AES256') {
    throw errors.invalidArgument('a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse', 'ApplyServerSideEncryptionByDefault')
  }
  extraOf(bucket).encryption = { algorithm, kmsKeyId, bucketKeyEnabled: xmlBoolean(single(rules[0]!, 'BucketKeyEnabled'), false) }
  return ok()
}
export function getEncryption(_ctx: Ctx, bucket: Bucket): S3Response {
  const e = extraOf(bucket).encryption ?? { algorithm: 'AES256', bucketKeyEnabled: false }
  const body = buildXml('ServerSideEncryptionConfiguration', {
    Rule: { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: e.algorithm, KMSMasterKeyID: e.kmsKeyId }, BucketKeyEnabled: e.bucketKeyEnabled },
  })
  return { status: 200, headers: XML, body }
}
export function deleteEncryption(_ctx: Ctx, bucket: Bucket): S3Response {
  delete extraOf(bucket).encryption
  return gone()
}

// Tags: stored and returned only. Limits: https://docs.aws.amazon.com/AmazonS3/latest/userguide/CostAllocTagging.html
const invalidTag = (message: string) => new S3Error(400, 'InvalidTag', message)

/** Tag elements (`<Tag><Key/><Value/></Tag>`), checked against S3's limits. */
export function parseTags(nodes: ReturnType<typeof elements>): { key: string; value: string }[] {
  const tags = nodes.map((t) => {
    onlyElements(t, ['Key', 'Value'])
    return { key: required(t, 'Key'), value: required(t, 'Value') }
  })
  if (tags.length > 50) throw new S3Error(400, 'BadRequest', 'Bucket tag count cannot be greater than 50')
  for (const { key, value } of tags) {
    if (key.length === 0 || key.length > 128) throw invalidTag('The TagKey you have provided is invalid')
    if (value.length > 256) throw invalidTag('The TagValue you have provided is invalid')
    if (key.toLowerCase().startsWith('aws:')) throw invalidTag('System tags cannot be added/updated by requester')
  }
  if (new Set(tags.map((t) => t.key)).size !== tags.length) throw invalidTag('Cannot provide multiple Tags with the same key')
  return tags
}

export function putTagging(_ctx: Ctx, bucket: Bucket, body: Uint8Array): S3Response {
  const doc = parseXml(body, 'Tagging')
  onlyElements(doc, ['TagSet'])
  const sets = elements(doc, 'TagSet')
  if (sets.length !== 1) throw errors.malformedXml()
  onlyElements(sets[0]!, ['Tag'])
  extraOf(bucket).tags = parseTags(elements(sets[0]!, 'Tag'))
  return { status: 204 }
}
export function getTagging(_ctx: Ctx, bucket: Bucket): S3Response {
  const tags = extraOf(bucket).tags
  if (!tags) throw new S3Error(404, 'NoSuchTagSet', 'The TagSet does not exist', { BucketName: bucket.name })
  return { status: 200, headers: XML, body: buildXml('Tagging', { TagSet: { Tag: tags.map((t) => ({ Key: t.key, Value: t.value })) } }) }
}
export function deleteTagging(_ctx: Ctx, bucket: Bucket): S3Response {
  delete extraOf(bucket).tags
  return gone()
}

/** GetBucketLocation: empty for us-east-1, as S3 answers it (the SDK then reports no constraint). */
export function getLocation(ctx: Ctx): S3Response {
  const region = ctx.state.region === 'us-east-1' ? '' : escapeXml(ctx.state.region)
  return { status: 200, headers: XML, body: `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${region}</LocationConstraint>` }
}
