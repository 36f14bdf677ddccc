// Multipart uploads: CreateMultipartUpload, UploadPart (and UploadPartCopy), ListParts,
// CompleteMultipartUpload, AbortMultipartUpload, ListMultipartUploads.
import type { Ctx, S3Response } from './context.js'
import { errors } from './errors.js'

const todo = (name: string) => (_ctx: Ctx): S3Response => {
  throw errors.notImplemented(`${name} is not implemented by the test S3 yet`)
}
export const createMultipartUpload = todo('CreateMultipartUpload')
export const uploadPart = todo('UploadPart')
export const listParts = todo('ListParts')
export const completeMultipartUpload = todo('CompleteMultipartUpload')
export const abortMultipartUpload = todo('AbortMultipartUpload')
export const listMultipartUploads = todo('ListMultipartUploads')
