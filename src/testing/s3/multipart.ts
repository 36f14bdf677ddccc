// Multipart uploads: CreateMultipartUpload and AbortMultipartUpload here; UploadPart and UploadPartCopy
// in multipart-part.ts, CompleteMultipartUpload in multipart-complete.ts, the listings in
// multipart-list.ts, the checksum rules in multipart-checksums.ts.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html
import { writeAcl } from './acl.js'
import { authorize, bucketOf, who, type Ctx, type S3Response } from './context.js'
import { createChecksum } from './multipart-checksums.js'
import { discard, newUploadId, uploadOf } from './multipart-upload.js'
import { metadataOf, storedHeadersOf } from './objects-write.js'
import type { MultipartUpload } from './state.js'
import { buildXml } from './xml.js'

export { completeMultipartUpload } from './multipart-complete.js'
export { listMultipartUploads, listParts } from './multipart-list.js'
export { uploadPart } from './multipart-part.js'

/**
 * What the object will be is fixed here, as for a PutObject: its type, stored headers, metadata and ACL
 * (with the same s3:PutObject right and s3:x-amz-acl condition), and the checksum algorithm its parts
 * must carry.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html
 */
export function createMultipartUpload(ctx: Ctx): S3Response {
  const { req } = ctx
  const bucket = bucketOf(ctx)
  const key = req.key!
  authorize(ctx, 's3:PutObject', bucket.name, key, { 's3:x-amz-acl': req.headers.get('x-amz-acl') })
  const acl = writeAcl(req, bucket)
  const { algorithm, type } = createChecksum(req)
  const upload: MultipartUpload = {
    uploadId: newUploadId(),
    key,
    initiated: ctx.state.now(),
    initiator: who(ctx.auth),
    contentType: req.headers.get('content-type') ?? 'binary/octet-stream',
    headers: storedHeadersOf(req),
    metadata: metadataOf(req),
    acl,
    checksumAlgorithm: algorithm,
    checksumType: type,
    parts: new Map(),
  }
  bucket.uploads.set(upload.uploadId, upload)
  const headers: Record<string, string> = { 'content-type': 'application/xml', 'x-amz-server-side-encryption': 'AES256' }
  if (algorithm) headers['x-amz-checksum-algorithm'] = algorithm.toUpperCase()
  if (type) headers['x-amz-checksum-type'] = type
  return { status: 200, headers, body: buildXml('InitiateMultipartUploadResult', { Bucket: bucket.name, Key: key, UploadId: upload.uploadId }) }
}

/**
 * The parts are dropped and their bytes released; the upload id names nothing afterwards (404).
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_AbortMultipartUpload.html
 */
export function abortMultipartUpload(ctx: Ctx): S3Response {
  const bucket = bucketOf(ctx)
  authorize(ctx, 's3:AbortMultipartUpload', bucket.name, ctx.req.key!)
  discard(ctx.state, bucket, uploadOf(ctx, bucket))
  return { status: 204 }
}
