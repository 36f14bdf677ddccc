// Promotion of an object over 5 GiB, where CopyObject stops: a multipart copy (UploadPartCopy), each
// range conditional on the verified ETag, with the source's type and metadata set on creation (a part
// copy carries none). With the upload's own part size, the copy has the source's very multipart ETag.
import type { S3Client } from '@aws-sdk/client-s3'
import { command } from '../_internal/s3-commands.js'
import { SafePresignError } from '../errors.js'
import { MAX_MULTIPART_PARTS, MAX_PART_SIZE_BYTES, MIN_PART_SIZE_BYTES } from '../limits.js'

/** `bucket/key` for x-amz-copy-source: each segment URI-encoded, '/' kept. */
export const copySource = (bucket: string, key: string): string => `${bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`

export interface LargeCopy {
  from: string
  to: string
  size: number
  etag: string | undefined
  contentType: string
  metadata: Record<string, string> | undefined
  /** The source upload's part size, when it was a multipart upload; else one is chosen. */
  partSize: number | undefined
}

/** Copies `from` to `to` in parts; returns the copy's ETag. Any failure aborts the copy. */
export async function copyInParts(cfg: { client: S3Client; bucket: string }, copy: LargeCopy): Promise<string | undefined> {
  const partSize = Math.min(MAX_PART_SIZE_BYTES, Math.max(copy.partSize ?? 0, MIN_PART_SIZE_BYTES, Math.ceil(copy.size / MAX_MULTIPART_PARTS)))
  const call = async <T>(operation: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn()
    } catch (cause) {
      throw new SafePresignError('S3_ERROR', `${operation} failed while promoting a large upload; the record is unchanged, try again`, { cause, details: { operation } })
    }
  }
  const created = await call('CreateMultipartUpload', () =>
    cfg.client.send(command('CreateMultipartUpload', { Bucket: cfg.bucket, Key: copy.to, ContentType: copy.contentType, Metadata: copy.metadata })),
  )
  const uploadId = created.UploadId!
  try {
    const parts: { PartNumber: number; ETag: string | undefined }[] = []
    for (let start = 0, n = 1; start < copy.size; start += partSize, n++) {
      const end = Math.min(start + partSize, copy.size) - 1
      const part = await call('UploadPartCopy', () =>
        cfg.client.send(
          command('UploadPartCopy', {
            Bucket: cfg.bucket,
            Key: copy.to,
            UploadId: uploadId,
            PartNumber: n,
            CopySource: copySource(cfg.bucket, copy.from),
            CopySourceRange: `bytes=${start}-${end}`,
            CopySourceIfMatch: copy.etag,
          }),
        ),
      )
      parts.push({ PartNumber: n, ETag: part.CopyPartResult?.ETag })
    }
    const done = await call('CompleteMultipartUpload', () =>
      cfg.client.send(command('CompleteMultipartUpload', { Bucket: cfg.bucket, Key: copy.to, UploadId: uploadId, MultipartUpload: { Parts: parts } })),
    )
    return done.ETag
  } catch (error) {
    await cfg.client.send(command('AbortMultipartUpload', { Bucket: cfg.bucket, Key: copy.to, UploadId: uploadId })).catch(() => {})
    throw error
  }
}
