// Which S3 operation a request is (method, bucket, key and subresource, as S3 routes them), and the
// handler that runs it.
import { SETTINGS, bucketSetting, createBucket, deleteBucket, headBucket, listBuckets } from './bucket.js'
import type { Handler } from './context.js'
import { S3Error } from './errors.js'
import { abortMultipartUpload, completeMultipartUpload, createMultipartUpload, listMultipartUploads, listParts, uploadPart } from './multipart.js'
import { deleteObject, deleteObjects, getObject, headObject } from './objects-read.js'
import { listObjectsV1, listObjectsV2 } from './objects-list.js'
import { copyObject, putObject } from './objects-write.js'
import { postObject } from './post.js'
import { hasParam, param, type S3Request } from './request.js'

export interface Route {
  operation: string
  handler: Handler
  /** POST Object authenticates itself (the policy in the form), not with SigV4 on the request. */
  selfAuthenticated?: boolean
}

const notAllowed = (): never => {
  throw new S3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.')
}

function settingOf(req: S3Request): (typeof SETTINGS)[number] | undefined {
  return SETTINGS.find((s) => hasParam(req, s))
}

export function route(req: S3Request): Route {
  const { method, bucket, key } = req
  if (bucket === undefined) {
    if (method === 'GET') return { operation: 'ListBuckets', handler: listBuckets }
    return { operation: 'Unknown', handler: notAllowed }
  }
  if (key === undefined) {
    const setting = settingOf(req)
    switch (method) {
      case 'PUT':
        return setting ? { operation: `PutBucket:${setting}`, handler: bucketSetting(setting) } : { operation: 'CreateBucket', handler: createBucket }
      case 'GET':
        if (setting) return { operation: `GetBucket:${setting}`, handler: bucketSetting(setting) }
        if (hasParam(req, 'uploads')) return { operation: 'ListMultipartUploads', handler: listMultipartUploads }
        if (param(req, 'list-type') === '2') return { operation: 'ListObjectsV2', handler: listObjectsV2 }
        return { operation: 'ListObjects', handler: listObjectsV1 }
      case 'DELETE':
        return setting ? { operation: `DeleteBucket:${setting}`, handler: bucketSetting(setting) } : { operation: 'DeleteBucket', handler: deleteBucket }
      case 'HEAD':
        return { operation: 'HeadBucket', handler: headBucket }
      case 'POST':
        if (hasParam(req, 'delete')) return { operation: 'DeleteObjects', handler: deleteObjects }
        return { operation: 'PostObject', handler: postObject, selfAuthenticated: true }
    }
    return { operation: 'Unknown', handler: notAllowed }
  }
  const upload = hasParam(req, 'uploadId')
  switch (method) {
    case 'PUT':
      if (upload && hasParam(req, 'partNumber')) return { operation: req.headers.has('x-amz-copy-source') ? 'UploadPartCopy' : 'UploadPart', handler: uploadPart }
      if (hasParam(req, 'acl') || hasParam(req, 'tagging') || hasParam(req, 'retention') || hasParam(req, 'legal-hold')) {
        return { operation: 'PutObjectSubresource', handler: () => { throw new S3Error(501, 'NotImplemented', 'Object ACLs, tags, retention and legal holds are not implemented by the test S3') } }
      }
      return req.headers.has('x-amz-copy-source') ? { operation: 'CopyObject', handler: copyObject } : { operation: 'PutObject', handler: putObject }
    case 'GET':
      if (upload) return { operation: 'ListParts', handler: listParts }
      if (hasParam(req, 'acl') || hasParam(req, 'tagging') || hasParam(req, 'attributes')) {
        return { operation: 'GetObjectSubresource', handler: () => { throw new S3Error(501, 'NotImplemented', 'Object ACLs, tags and attributes are not implemented by the test S3') } }
      }
      return { operation: 'GetObject', handler: getObject }
    case 'HEAD':
      return { operation: 'HeadObject', handler: headObject }
    case 'DELETE':
      return upload ? { operation: 'AbortMultipartUpload', handler: abortMultipartUpload } : { operation: 'DeleteObject', handler: deleteObject }
    case 'POST':
      if (hasParam(req, 'uploads')) return { operation: 'CreateMultipartUpload', handler: createMultipartUpload }
      if (upload) return { operation: 'CompleteMultipartUpload', handler: completeMultipartUpload }
      return { operation: 'Unknown', handler: notAllowed }
  }
  return { operation: 'Unknown', handler: notAllowed }
}
