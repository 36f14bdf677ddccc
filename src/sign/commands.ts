// The SDK values for src/_internal/s3-commands.ts (command classes, endpoint resolution), imported only here and by the builders
// (upload.ts, download.ts), so that no module an import() target reaches imports @aws-sdk/client-s3.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3'
import { S3RequestPresigner } from '@aws-sdk/s3-request-presigner'
import { getEndpointFromInstructions } from '@smithy/core/endpoints'
import type { Sdk } from '../_internal/s3-commands.js'

export const SDK: Sdk = {
  getEndpointFromInstructions,
  S3RequestPresigner,
  commands: {
  AbortMultipartUpload: AbortMultipartUploadCommand,
  CompleteMultipartUpload: CompleteMultipartUploadCommand,
  CopyObject: CopyObjectCommand,
  CreateMultipartUpload: CreateMultipartUploadCommand,
  DeleteObject: DeleteObjectCommand,
  GetObject: GetObjectCommand,
  HeadObject: HeadObjectCommand,
  ListMultipartUploads: ListMultipartUploadsCommand,
  ListParts: ListPartsCommand,
  PutObject: PutObjectCommand,
  UploadPartCopy: UploadPartCopyCommand,
  },
}
