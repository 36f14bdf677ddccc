// Buckets: CreateBucket, DeleteBucket, HeadBucket and ListBuckets, as AWS documents them; the
// subresources (`?cors`, `?policy`, …) are in bucket-settings.ts.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html
import { isOwnerOnly, isPublicAcl, ownerId, requestedAcl, storeAcl } from './bucket-acl.js'
import { ownershipWithAcl } from './bucket-access.js'
import { extraOf } from './bucket-extra.js'
import { parseTags } from './bucket-stored.js'
import { elements, onlyElements, single } from './bucket-xml.js'
import { authorize, bucketOf, isoDate, release, type Ctx, type S3Response } from './context.js'
import { S3Error, errors } from './errors.js'
import { baseKeys, evaluate } from './permissions.js'
import { param } from './request.js'
import { newBucket, type BucketSettings } from './state.js'
import { buildXml, parseXml } from './xml.js'

export { SETTINGS, bucketSetting } from './bucket-settings.js'

const OWNERSHIP: readonly BucketSettings['ownership'][] = ['BucketOwnerEnforced', 'BucketOwnerPreferred', 'ObjectWriter']
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-']
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3']

/** General purpose bucket naming rules: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html */
export function validBucketName(name: string): boolean {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name)) return false
  if (name.includes('..') || IPV4.test(name)) return false
  return !RESERVED_PREFIXES.some((p) => name.startsWith(p)) && !RESERVED_SUFFIXES.some((s) => name.endsWith(s))
}

type Tags = { key: string; value: string }[]

/** The CreateBucketConfiguration: its LocationConstraint checked against the endpoint's region, its tags. */
function configuration(ctx: Ctx): Tags | undefined {
  const { body } = ctx.req
  let constraint: string | undefined
  let tags: Tags | undefined
  if (body.byteLength > 0) {
    const doc = parseXml(body, 'CreateBucketConfiguration')
    onlyElements(doc, ['LocationConstraint', 'Location', 'Bucket', 'Tags'])
    if (doc.Location !== undefined || doc.Bucket !== undefined) throw errors.notImplemented('Directory buckets and Local Zones are not implemented by the test S3')
    constraint = single(doc, 'LocationConstraint')
    const tagSets = elements(doc, 'Tags')
    if (tagSets.length > 1) throw errors.malformedXml()
    if (tagSets[0]) {
      onlyElements(tagSets[0], ['Tag'])
      tags = parseTags(elements(tagSets[0], 'Tag'))
    }
  }
  const region = ctx.state.region
  // us-east-1 takes no constraint, and refuses its own name as one; every other region needs its own.
  if (region === 'us-east-1' && constraint === 'us-east-1') throw new S3Error(400, 'InvalidLocationConstraint', 'The specified location-constraint is not valid', { LocationConstraint: constraint })
  if (region === 'us-east-1' ? constraint !== undefined && constraint !== '' : constraint !== region) {
    const named = constraint === undefined || constraint === '' ? 'unspecified' : constraint
    throw new S3Error(400, 'IllegalLocationConstraintException', `The ${named} location constraint is incompatible for the region specific endpoint this request was sent to.`)
  }
  return tags
}

export function createBucket(ctx: Ctx): S3Response {
  const { req, state } = ctx
  const name = req.bucket!
  if (!validBucketName(name)) throw new S3Error(400, 'InvalidBucketName', 'The specified bucket is not valid.', { BucketName: name })
  authorize(ctx, 's3:CreateBucket', name)
  const tags = configuration(ctx)
  if (req.headers.get('x-amz-bucket-object-lock-enabled')?.toLowerCase() === 'true') throw errors.notImplemented('Object Lock is not implemented by the test S3')
  const header = req.headers.get('x-amz-object-ownership')
  if (header !== undefined && !OWNERSHIP.includes(header as BucketSettings['ownership'])) throw errors.invalidArgument(`Invalid x-amz-object-ownership header: ${header}`, 'x-amz-object-ownership', header)
  const ownership = (header ?? 'BucketOwnerEnforced') as BucketSettings['ownership']
  const acl = requestedAcl(req, state, undefined)
  // Since April 2023 (recorded against S3 in us-east-1 and us-west-2): ACLs need ACLs enabled, and a
  // public one is refused because the new bucket's public access block is on.
  if (acl && ownership === 'BucketOwnerEnforced' && !isOwnerOnly(acl, state)) throw ownershipWithAcl()
  if (acl && isPublicAcl(acl)) throw new S3Error(400, 'InvalidBucketAclWithBlockPublicAccessError', 'Bucket cannot have public ACLs set with BlockPublicAccess enabled')
  const existing = state.buckets.get(name)
  if (existing) {
    // Every bucket here is the account's own. "For legacy compatibility, if you re-create an existing
    // bucket that you already own in the North Virginia Region, Amazon S3 returns 200 OK and resets
    // the bucket access control lists (ACLs)"; everywhere else 409 BucketAlreadyOwnedByYou
    // (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html#API_CreateBucket_Errors).
    if (state.region !== 'us-east-1') {
      throw new S3Error(409, 'BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.', { BucketName: name })
    }
    storeAcl(existing, acl ?? { canned: 'private', all: [] })
    return { status: 200, headers: { location: `/${name}` } }
  }
  const bucket = newBucket(name, state.now())
  bucket.settings.ownership = ownership
  if (acl) storeAcl(bucket, acl)
  if (tags) extraOf(bucket).tags = tags
  state.buckets.set(name, bucket)
  return { status: 200, headers: { location: `/${name}` } }
}

export function deleteBucket(ctx: Ctx): S3Response {
  const bucket = bucketOf(ctx)
  authorize(ctx, 's3:DeleteBucket', bucket.name)
  if (bucket.objects.size > 0) throw new S3Error(409, 'BucketNotEmpty', 'The bucket you tried to delete is not empty', { BucketName: bucket.name })
  // Incomplete multipart uploads do not keep a bucket alive; their parts go with it.
  for (const upload of bucket.uploads.values()) for (const part of upload.parts.values()) release(ctx.state, part.body.byteLength)
  ctx.state.buckets.delete(bucket.name)
  return { status: 204 }
}

/** HeadBucket needs s3:ListBucket; its errors have no body (it is a HEAD). */
export function headBucket(ctx: Ctx): S3Response {
  const bucket = bucketOf(ctx)
  authorize(ctx, 's3:ListBucket', bucket.name)
  return { status: 200, headers: { 'x-amz-bucket-region': ctx.state.region, 'x-amz-access-point-alias': 'false' } }
}

const MAX_BUCKETS = 10_000

/** ListBuckets: s3:ListAllMyBuckets, which has no resource type (only `"Resource": "*"` grants it). */
export function listBuckets(ctx: Ctx): S3Response {
  const { req, state, auth } = ctx
  if (!auth.principal || evaluate(auth.principal, 's3:ListAllMyBuckets', '*', baseKeys(auth, state.now())) !== 'allow') throw errors.accessDenied()
  const maxParam = param(req, 'max-buckets')
  if (maxParam !== undefined && (!/^\d+$/.test(maxParam) || Number(maxParam) < 1 || Number(maxParam) > MAX_BUCKETS)) {
    throw errors.invalidArgument('Argument max-buckets must be an integer between 1 and 10000', 'max-buckets', maxParam)
  }
  const prefix = param(req, 'prefix') ?? ''
  const token = param(req, 'continuation-token')
  const after = token === undefined ? '' : Buffer.from(token, 'base64url').toString('utf8')
  const names = [...state.buckets.keys()].filter((n) => n.startsWith(prefix) && n > after).sort()
  // Without max-buckets S3 lists every bucket at once; with it, pages of that many.
  const page = maxParam === undefined ? names : names.slice(0, Number(maxParam))
  const truncated = page.length < names.length
  const body = buildXml('ListAllMyBucketsResult', {
    Buckets: { Bucket: page.map((n) => ({ Name: n, CreationDate: isoDate(state.buckets.get(n)!.created), BucketRegion: state.region })) },
    Owner: { ID: ownerId(state) },
    ContinuationToken: truncated ? Buffer.from(page[page.length - 1]!, 'utf8').toString('base64url') : undefined,
    Prefix: param(req, 'prefix'),
  })
  return { status: 200, headers: { 'content-type': 'application/xml' }, body }
}
