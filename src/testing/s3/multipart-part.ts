// UploadPart and UploadPartCopy: one part of an open upload, at most 5 GiB, from the body (its length
// and digests checked as for PutObject, and the upload's checksum algorithm enforced) or copied from an
// object the signer may read, whole or one byte range. A part sent again replaces the old one.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPart.html
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPartCopy.html
import { md5Hex } from './checksums.js'
import { authorize, bucketOf, isoDate, release, reserve, type Ctx, type S3Response } from './context.js'
import { errors } from './errors.js'
import { copiedChecksums, elementOf, partChecksums } from './multipart-checksums.js'
import { MAX_PART_BYTES, partNumberOf, uploadOf } from './multipart-upload.js'
import { checkCopySourceConditions, contentLength, copyConditionKeys, copySource } from './objects-write.js'
import { verifiedPayload } from './payload.js'
import type { MultipartUpload, State, UploadPart } from './state.js'
import { buildXml } from './xml.js'

/** Stores the part, counting its bytes against the cap less those of the part it replaces. */
function keep(state: State, upload: MultipartUpload, part: UploadPart): void {
  // The old part's bytes are freed first, so a same-size replacement near the cap fits; restored on a refusal.
  const freed = upload.parts.get(part.partNumber)?.body.byteLength ?? 0
  release(state, freed)
  try {
    reserve(state, part.body.byteLength)
  } catch (error) {
    reserve(state, freed)
    throw error
  }
  upload.parts.set(part.partNumber, part)
}

export function uploadPart(ctx: Ctx): S3Response {
  if (ctx.req.headers.has('x-amz-copy-source')) return uploadPartCopy(ctx)
  const { req } = ctx
  const bucket = bucketOf(ctx)
  const length = contentLength(req)
  if (length > MAX_PART_BYTES) throw errors.entityTooLarge(length, MAX_PART_BYTES)
  const partNumber = partNumberOf(ctx)
  // UploadPart has no ACL of its own; s3:x-amz-acl is there only when the request carries the header.
  authorize(ctx, 's3:PutObject', bucket.name, req.key!, { 's3:x-amz-acl': req.headers.get('x-amz-acl') })
  const upload = uploadOf(ctx, bucket)
  const { body, checksums: sent } = verifiedPayload(req, ctx.auth)
  if (body.byteLength > MAX_PART_BYTES) throw errors.entityTooLarge(body.byteLength, MAX_PART_BYTES)
  const checksums = partChecksums(upload, sent, body)
  const part: UploadPart = { partNumber, body, etag: `"${md5Hex(body)}"`, lastModified: ctx.state.now(), checksums }
  keep(ctx.state, upload, part)
  const headers: Record<string, string> = { etag: part.etag, 'x-amz-server-side-encryption': 'AES256' }
  for (const [algorithm, value] of Object.entries(sent)) headers[`x-amz-checksum-${algorithm}`] = value
  return { status: 200, headers }
}

const RANGE_FORM = 'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy'

/**
 * x-amz-copy-source-range: exactly `bytes=first-last`, inside the source (400 InvalidArgument
 * otherwise, as AWS answers: no suffix or open ranges, no clamping as a GET would do).
 */
export function copyRange(header: string | undefined, size: number): { start: number; end: number } {
  if (header === undefined) return { start: 0, end: size - 1 }
  const m = /^bytes=(\d+)-(\d+)$/.exec(header)
  if (!m) throw errors.invalidArgument(RANGE_FORM, 'x-amz-copy-source-range', header)
  const start = Number(m[1])
  const end = Number(m[2])
  if (start > end || end >= size) throw errors.invalidArgument(`Range specified is not valid for source object of size: ${size}`, 'x-amz-copy-source-range', header)
  return { start, end }
}

function uploadPartCopy(ctx: Ctx): S3Response {
  const { req } = ctx
  const bucket = bucketOf(ctx)
  const partNumber = partNumberOf(ctx)
  authorize(ctx, 's3:PutObject', bucket.name, req.key!, copyConditionKeys(req))
  const upload = uploadOf(ctx, bucket)
  // The read is the signer's own (s3:GetObject on the source), as for CopyObject.
  const source = copySource(ctx)
  checkCopySourceConditions(req, source.object)
  const { start, end } = copyRange(req.headers.get('x-amz-copy-source-range'), source.object.body.byteLength)
  const length = end - start + 1
  if (length > MAX_PART_BYTES) throw errors.entityTooLarge(length, MAX_PART_BYTES)
  // A copy of its own bytes: the part outlives the source, and counts against the cap on its own.
  const body = source.object.body.slice(start, end + 1)
  const checksums = copiedChecksums(upload, body)
  const part: UploadPart = { partNumber, body, etag: `"${md5Hex(body)}"`, lastModified: ctx.state.now(), checksums }
  keep(ctx.state, upload, part)
  const result: Record<string, string> = { LastModified: isoDate(part.lastModified), ETag: part.etag }
  for (const [algorithm, value] of Object.entries(checksums)) result[elementOf(algorithm)] = value
  return { status: 200, headers: { 'content-type': 'application/xml', 'x-amz-server-side-encryption': 'AES256' }, body: buildXml('CopyPartResult', result) }
}
