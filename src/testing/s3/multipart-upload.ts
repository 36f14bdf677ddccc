// What every multipart handler shares: S3's part limits, the open upload a request names (404
// NoSuchUpload for an unknown, aborted or completed one, or one of another key), the part number, and
// the Initiator/Owner elements of the listings.
// Limits: https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html
import { createHash, randomBytes } from 'node:crypto'
import { release, type Ctx } from './context.js'
import { errors } from './errors.js'
import { param } from './request.js'
import type { Bucket, MultipartUpload, State } from './state.js'
import type { XmlValue } from './xml.js'

export const MAX_PARTS = 10_000
/** Every part but the last must be at least this long when the upload is completed. */
export const MIN_PART_BYTES = 5 * 1024 ** 2
export const MAX_PART_BYTES = 5 * 1024 ** 3

/** 48 random bytes, base64url: 64 characters nobody can guess or enumerate. */
export const newUploadId = (): string => randomBytes(48).toString('base64url')

/** The upload `?uploadId=` names, when it is open and for this very key. */
export function uploadOf(ctx: Ctx, bucket: Bucket): MultipartUpload {
  const uploadId = param(ctx.req, 'uploadId') ?? ''
  const upload = bucket.uploads.get(uploadId)
  // An upload id is bound to its key: used on another key it names no upload (AWS answers the same).
  if (!upload || upload.key !== ctx.req.key) throw errors.noSuchUpload(uploadId)
  return upload
}

/** `?partNumber=`: a whole number 1..10000, else 400 InvalidArgument as AWS words it. */
export function partNumberOf(ctx: Ctx): number {
  const raw = param(ctx.req, 'partNumber') ?? ''
  const n = Number(raw)
  if (!/^\d+$/.test(raw) || n < 1 || n > MAX_PARTS) {
    throw errors.invalidArgument(`Part number must be an integer between 1 and ${MAX_PARTS}, inclusive`, 'partNumber', raw)
  }
  return n
}

/** Drops the upload and gives its parts' bytes back to the cap. */
export function discard(state: State, bucket: Bucket, upload: MultipartUpload): void {
  bucket.uploads.delete(upload.uploadId)
  for (const part of upload.parts.values()) release(state, part.body.byteLength)
  upload.parts.clear()
}

/** `<Initiator>`: the IAM identity that created the upload, as AWS lists it (ARN and name). */
export function initiatorXml(state: State, name: string): XmlValue {
  const principal = [...state.principals.values()].find((p) => p.name === name)
  return { ID: principal?.arn ?? name, DisplayName: name }
}

/** `<Owner>`: the account that owns the bucket (and so the object), as a 64-hex canonical user id. */
export function ownerXml(state: State): XmlValue {
  return { ID: createHash('sha256').update(state.root.arn).digest('hex') }
}
