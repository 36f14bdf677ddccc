// ACLs on a write (x-amz-acl, x-amz-grant-*), as AWS enforces them: with Object Ownership
// BucketOwnerEnforced (the default for new buckets) only `bucket-owner-full-control` is accepted; with
// ACLs enabled, public ones are refused while BlockPublicAcls is on.
import { errors } from './errors.js'
import type { S3Request } from './request.js'
import type { Bucket, StoredObject } from './state.js'

const CANNED = new Set(['private', 'public-read', 'public-read-write', 'authenticated-read', 'aws-exec-read', 'bucket-owner-read', 'bucket-owner-full-control'])
const PUBLIC_CANNED = new Set(['public-read', 'public-read-write', 'authenticated-read'])
const GRANTS = ['x-amz-grant-read', 'x-amz-grant-write', 'x-amz-grant-read-acp', 'x-amz-grant-write-acp', 'x-amz-grant-full-control']
const PUBLIC_GRANTEE = /acs\.amazonaws\.com\/groups\/global\/(AllUsers|AuthenticatedUsers)/i

/** The canned ACL a write stores ('private' when none), or the error AWS answers for its ACL headers. */
export function writeAcl(req: S3Request, bucket: Bucket): string {
  const canned = req.headers.get('x-amz-acl')
  const grants = GRANTS.filter((g) => req.headers.has(g))
  if (canned !== undefined && !CANNED.has(canned)) throw errors.invalidArgument(`Invalid canned ACL: ${canned}`, 'x-amz-acl', canned)
  if (canned !== undefined && grants.length > 0) throw errors.invalidRequest('Specifying both Canned ACLs and Header Grants is not allowed')
  const { ownership, publicAccessBlock } = bucket.settings
  if (ownership === 'BucketOwnerEnforced') {
    if (grants.length > 0 || (canned !== undefined && canned !== 'bucket-owner-full-control')) throw errors.aclNotSupported()
    return 'bucket-owner-full-control'
  }
  const isPublic = (canned !== undefined && PUBLIC_CANNED.has(canned)) || grants.some((g) => PUBLIC_GRANTEE.test(req.headers.get(g)!))
  if (isPublic && publicAccessBlock.BlockPublicAcls) throw errors.accessDenied()
  if (grants.length > 0) return grants.some((g) => g === 'x-amz-grant-read' && PUBLIC_GRANTEE.test(req.headers.get(g)!)) ? 'public-read' : 'private'
  return canned ?? 'private'
}

/** True when an anonymous GET of the object is allowed by its ACL. */
export function publiclyReadable(object: StoredObject, bucket: Bucket): boolean {
  const { ownership, publicAccessBlock } = bucket.settings
  if (ownership === 'BucketOwnerEnforced' || publicAccessBlock.IgnorePublicAcls) return false
  return object.acl === 'public-read' || object.acl === 'public-read-write'
}
