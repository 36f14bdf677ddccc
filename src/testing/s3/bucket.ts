// Buckets and their settings: CreateBucket, DeleteBucket, HeadBucket, ListBuckets, and Put/Get/Delete
// of CORS, policy, lifecycle, public access block, versioning, logging, ownership controls and ACL.
import type { Ctx, S3Response } from './context.js'
import { errors } from './errors.js'

const todo = (name: string) => (_ctx: Ctx): S3Response => {
  throw errors.notImplemented(`${name} is not implemented by the test S3 yet`)
}
export const createBucket = todo('CreateBucket')
export const deleteBucket = todo('DeleteBucket')
export const headBucket = todo('HeadBucket')
export const listBuckets = todo('ListBuckets')
/** PUT, GET or DELETE of one bucket subresource (`?cors`, `?policy`, …). */
export const bucketSetting = (_sub: string) => todo('bucket settings')
export const SETTINGS = ['cors', 'policy', 'lifecycle', 'publicAccessBlock', 'versioning', 'logging', 'ownershipControls', 'acl', 'location', 'encryption', 'tagging'] as const
