// Who besides the owner can reach a bucket: PutBucketAcl / GetBucketAcl, the public access block
// and Object Ownership. All three are enforced: the ACL rules of acl.ts and bucket-acl.ts read them.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutPublicAccessBlock.html,
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketOwnershipControls.html
import { aclBeyondOwner, aclXml, isOwnerOnly, isPublicAcl, requestedAcl, storeAcl } from './bucket-acl.js'
import { extraOf } from './bucket-extra.js'
import { onlyElements, required, single, xmlBoolean, elements } from './bucket-xml.js'
import type { Ctx, S3Response } from './context.js'
import { S3Error, errors } from './errors.js'
import type { Bucket, BucketSettings } from './state.js'
import { buildXml, parseXml } from './xml.js'

const XML = { 'content-type': 'application/xml' }
const PAB_FLAGS = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const
const OWNERSHIP: readonly BucketSettings['ownership'][] = ['BucketOwnerEnforced', 'BucketOwnerPreferred', 'ObjectWriter']

export const ownershipWithAcl = () => new S3Error(400, 'InvalidBucketAclWithObjectOwnership', "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting")

export function putAcl(ctx: Ctx, bucket: Bucket, body: Uint8Array): S3Response {
  const acl = requestedAcl(ctx.req, ctx.state, body)
  if (!acl) throw new S3Error(400, 'MissingSecurityHeader', 'Your request was missing a required header', { MissingHeaderName: 'x-amz-acl' })
  const { ownership, publicAccessBlock } = bucket.settings
  // "Bucket ACLs that grant full control to the bucket owner" are the only ones ACLs-disabled accepts.
  if (ownership === 'BucketOwnerEnforced' && !isOwnerOnly(acl, ctx.state)) throw errors.aclNotSupported()
  // BlockPublicAcls: "PUT Bucket ACL and PUT Object ACL calls fail if the specified ACL is public."
  if (publicAccessBlock.BlockPublicAcls && isPublicAcl(acl)) throw errors.accessDenied()
  storeAcl(bucket, acl)
  return { status: 200 }
}

export const getAcl = (ctx: Ctx, bucket: Bucket): S3Response => ({ status: 200, headers: XML, body: aclXml(bucket, ctx.state) })

export function putPublicAccessBlock(_ctx: Ctx, bucket: Bucket, body: Uint8Array): S3Response {
  const doc = parseXml(body, 'PublicAccessBlockConfiguration')
  onlyElements(doc, PAB_FLAGS)
  // A flag left out is false, as on S3.
  const flags = Object.fromEntries(PAB_FLAGS.map((f) => [f, xmlBoolean(single(doc, f), false)])) as BucketSettings['publicAccessBlock']
  bucket.settings.publicAccessBlock = flags
  delete extraOf(bucket).noPublicAccessBlock
  return { status: 200 }
}

export function getPublicAccessBlock(_ctx: Ctx, bucket: Bucket): S3Response {
  if (extraOf(bucket).noPublicAccessBlock) {
    throw new S3Error(404, 'NoSuchPublicAccessBlockConfiguration', 'The public access block configuration was not found', { BucketName: bucket.name })
  }
  return { status: 200, headers: XML, body: buildXml('PublicAccessBlockConfiguration', { ...bucket.settings.publicAccessBlock }) }
}

export function deletePublicAccessBlock(_ctx: Ctx, bucket: Bucket): S3Response {
  bucket.settings.publicAccessBlock = { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false }
  extraOf(bucket).noPublicAccessBlock = true
  return { status: 204 }
}

export function putOwnership(ctx: Ctx, bucket: Bucket, body: Uint8Array): S3Response {
  const doc = parseXml(body, 'OwnershipControls')
  onlyElements(doc, ['Rule'])
  const rules = elements(doc, 'Rule')
  // "OwnershipControlsRule ... Required: Yes"; S3 takes exactly one rule.
  if (rules.length !== 1) throw errors.malformedXml()
  onlyElements(rules[0]!, ['ObjectOwnership'])
  const ownership = required(rules[0]!, 'ObjectOwnership') as BucketSettings['ownership']
  if (!OWNERSHIP.includes(ownership)) throw errors.malformedXml()
  if (ownership === 'BucketOwnerEnforced' && aclBeyondOwner(bucket, ctx.state)) throw ownershipWithAcl()
  bucket.settings.ownership = ownership
  delete extraOf(bucket).noOwnershipControls
  return { status: 200 }
}

export function getOwnership(_ctx: Ctx, bucket: Bucket): S3Response {
  if (extraOf(bucket).noOwnershipControls) {
    throw new S3Error(404, 'OwnershipControlsNotFoundError', 'The bucket ownership controls were not found', { BucketName: bucket.name })
  }
  return { status: 200, headers: XML, body: buildXml('OwnershipControls', { Rule: { ObjectOwnership: bucket.settings.ownership } }) }
}

/** Without ownership controls a bucket works as it did before them: ObjectWriter, ACLs applying. */
export function deleteOwnership(_ctx: Ctx, bucket: Bucket): S3Response {
  bucket.settings.ownership = 'ObjectWriter'
  extraOf(bucket).noOwnershipControls = true
  return { status: 204 }
}
