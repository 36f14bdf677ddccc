// PUT, GET and DELETE of a bucket subresource (`?cors`, `?policy`, …): which IAM action each needs
// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html: the
// deletes of CORS, lifecycle, the public access block, ownership controls, encryption and tags are
// authorized by their Put action), the body's digests, and the handler that validates and stores it.
import { deleteOwnership, deletePublicAccessBlock, getAcl, getOwnership, getPublicAccessBlock, putAcl, putOwnership, putPublicAccessBlock } from './bucket-access.js'
import { corsXml, parseCorsConfiguration } from './bucket-cors.js'
import * as stored from './bucket-stored.js'
import { authorize, bucketOf, type Ctx, type Handler, type S3Response } from './context.js'
import { S3Error, errors } from './errors.js'
import { verifiedPayload } from './payload.js'
import type { Bucket } from './state.js'

// Subresources S3 has and the test S3 does not: routed here so they answer 501 rather than being taken
// for a CreateBucket or a ListObjects.
const UNSUPPORTED = ['website', 'replication', 'requestPayment', 'notification', 'accelerate', 'object-lock', 'inventory', 'analytics', 'metrics', 'intelligent-tiering', 'metadataTable', 'metadataConfiguration'] as const

export const SETTINGS = ['cors', 'policy', 'policyStatus', 'lifecycle', 'publicAccessBlock', 'versioning', 'logging', 'ownershipControls', 'acl', 'location', 'encryption', 'tagging', ...UNSUPPORTED] as const
export type Setting = (typeof SETTINGS)[number]

interface Operation {
  action: string
  run: (ctx: Ctx, bucket: Bucket, body: Uint8Array) => S3Response
  /** S3 refuses the PUT without Content-MD5 or a flexible checksum of the body. */
  digestRequired?: true
}

const XML = { 'content-type': 'application/xml' }

// CORS: enforced (cors.ts evaluates the rules on every request).
const putCors = (_ctx: Ctx, bucket: Bucket, body: Uint8Array): S3Response => {
  bucket.settings.cors = parseCorsConfiguration(body)
  return { status: 200 }
}
const getCors = (_ctx: Ctx, bucket: Bucket): S3Response => {
  const rules = bucket.settings.cors
  if (!rules) throw new S3Error(404, 'NoSuchCORSConfiguration', 'The CORS configuration does not exist', { BucketName: bucket.name })
  return { status: 200, headers: XML, body: corsXml(rules) }
}
const deleteCors = (_ctx: Ctx, bucket: Bucket): S3Response => {
  delete bucket.settings.cors
  return { status: 204 }
}

type Table = Record<Exclude<Setting, (typeof UNSUPPORTED)[number]>, Partial<Record<'PUT' | 'GET' | 'DELETE', Operation>>>

const TABLE: Table = {
  cors: { PUT: { action: 's3:PutBucketCORS', run: putCors, digestRequired: true }, GET: { action: 's3:GetBucketCORS', run: getCors }, DELETE: { action: 's3:PutBucketCORS', run: deleteCors } },
  policy: { PUT: { action: 's3:PutBucketPolicy', run: stored.putPolicy }, GET: { action: 's3:GetBucketPolicy', run: stored.getPolicy }, DELETE: { action: 's3:DeleteBucketPolicy', run: stored.deletePolicy } },
  policyStatus: { GET: { action: 's3:GetBucketPolicyStatus', run: stored.getPolicyStatus } },
  lifecycle: {
    PUT: { action: 's3:PutLifecycleConfiguration', run: stored.putLifecycle, digestRequired: true },
    GET: { action: 's3:GetLifecycleConfiguration', run: stored.getLifecycle },
    DELETE: { action: 's3:PutLifecycleConfiguration', run: stored.deleteLifecycle },
  },
  publicAccessBlock: {
    PUT: { action: 's3:PutBucketPublicAccessBlock', run: putPublicAccessBlock },
    GET: { action: 's3:GetBucketPublicAccessBlock', run: getPublicAccessBlock },
    DELETE: { action: 's3:PutBucketPublicAccessBlock', run: deletePublicAccessBlock },
  },
  versioning: { PUT: { action: 's3:PutBucketVersioning', run: stored.putVersioning }, GET: { action: 's3:GetBucketVersioning', run: stored.getVersioning } },
  logging: { PUT: { action: 's3:PutBucketLogging', run: stored.putLogging }, GET: { action: 's3:GetBucketLogging', run: stored.getLogging } },
  ownershipControls: {
    PUT: { action: 's3:PutBucketOwnershipControls', run: putOwnership },
    GET: { action: 's3:GetBucketOwnershipControls', run: getOwnership },
    DELETE: { action: 's3:PutBucketOwnershipControls', run: deleteOwnership },
  },
  acl: { PUT: { action: 's3:PutBucketAcl', run: putAcl }, GET: { action: 's3:GetBucketAcl', run: getAcl } },
  location: { GET: { action: 's3:GetBucketLocation', run: stored.getLocation } },
  encryption: {
    PUT: { action: 's3:PutEncryptionConfiguration', run: stored.putEncryption },
    GET: { action: 's3:GetEncryptionConfiguration', run: stored.getEncryption },
    DELETE: { action: 's3:PutEncryptionConfiguration', run: stored.deleteEncryption },
  },
  tagging: {
    PUT: { action: 's3:PutBucketTagging', run: stored.putTagging, digestRequired: true },
    GET: { action: 's3:GetBucketTagging', run: stored.getTagging },
    DELETE: { action: 's3:PutBucketTagging', run: stored.deleteTagging },
  },
}

/** PUT, GET or DELETE of one bucket subresource (`?cors`, `?policy`, …). */
export function bucketSetting(sub: Setting): Handler {
  return (ctx) => {
    const { req } = ctx
    if (!(sub in TABLE)) throw errors.notImplemented(`The ?${sub} subresource is not implemented by the test S3`)
    const op = TABLE[sub as keyof Table][req.method as 'PUT' | 'GET' | 'DELETE']
    if (!op) throw new S3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.', { Method: req.method, ResourceType: sub.toUpperCase() })
    const bucket = bucketOf(ctx)
    authorize(ctx, op.action, bucket.name)
    if (req.method !== 'PUT') return op.run(ctx, bucket, req.body)
    // The body's digests (payload hash, Content-MD5, x-amz-checksum-*) are checked as for an object.
    const { body, checksums } = verifiedPayload(req, ctx.auth)
    // The 2013 and 2021 S3 answer; the SDK now sends x-amz-checksum-crc32 instead, which S3 accepts.
    if (op.digestRequired && !req.headers.has('content-md5') && Object.keys(checksums).length === 0) {
      throw new S3Error(400, 'InvalidRequest', 'Missing required header for this request: Content-MD5')
    }
    return op.run(ctx, bucket, body)
  }
}
