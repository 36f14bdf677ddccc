// CompleteMultipartUpload: the listed parts, in ascending order, each uploaded with the listed ETag
// (and checksum), every one but the last at least 5 MiB, the size asserted by x-amz-mp-object-size,
// If-None-Match / If-Match on the key; then the object is the listed parts' bytes, its ETag the MD5 of
// their binary MD5s and "-<count>", and the upload is gone with every part's bytes released.
// Nothing changes on a refusal: the upload stays open for a corrected request.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html
import { createHash } from 'node:crypto'
import { authorize, bucketOf, release, reserve, type Ctx, type S3Response } from './context.js'
import { S3Error, errors } from './errors.js'
import { checkListedChecksums, checkObjectChecksumHeaders, checksumTypeOf, elementOf, invalidPart, objectChecksums } from './multipart-checksums.js'
import { MAX_PARTS, MIN_PART_BYTES, uploadOf } from './multipart-upload.js'
import { checkWriteConditions, store } from './objects-write.js'
import { verifiedPayload } from './payload.js'
import type { S3Request } from './request.js'
import type { MultipartUpload, StoredObject, UploadPart } from './state.js'
import { buildXml, children, parseXml, text } from './xml.js'

const PART_NUMBER = /^\d+$/

/**
 * The request body as the client signed it. Its x-amz-checksum-* headers are the object's checksum,
 * not the XML's, so they are left out of the body's digest checks (the payload hash and Content-MD5 stay).
 */
function completionBody(ctx: Ctx): Uint8Array {
  const headers = new Map([...ctx.req.headers].filter(([name]) => !name.startsWith('x-amz-checksum-') && name !== 'x-amz-sdk-checksum-algorithm'))
  const req: S3Request = { ...ctx.req, headers }
  return verifiedPayload(req, ctx.auth).body
}

/** The listed parts, checked against what was uploaded, in order. */
function listedParts(body: Uint8Array, upload: MultipartUpload): UploadPart[] {
  const listed = children(parseXml(body, 'CompleteMultipartUpload'), 'Part')
  // No parts at all is a schema violation to AWS (MalformedXML), not an empty object.
  if (listed.length === 0 || listed.length > MAX_PARTS) throw errors.malformedXml()
  const numbers = listed.map((p) => {
    const n = text(p, 'PartNumber')
    if (n === undefined || !PART_NUMBER.test(n)) throw errors.malformedXml()
    // As AWS: part 0 is an argument error; past 10000 it is a part that cannot have been uploaded (InvalidPart).
    if (Number(n) < 1) throw errors.invalidArgument('PartNumber must be >= 1', 'PartNumber', n)
    return Number(n)
  })
  for (let i = 1; i < numbers.length; i++) {
    if (numbers[i]! <= numbers[i - 1]!) {
      throw new S3Error(400, 'InvalidPartOrder', 'The list of parts was not in ascending order. The parts list must be specified in order by part number.')
    }
  }
  const parts = listed.map((node, i) => {
    const part = upload.parts.get(numbers[i]!)
    const etag = text(node, 'ETag')?.replaceAll('"', '')
    if (!part || etag === undefined || etag !== part.etag.replaceAll('"', '')) throw invalidPart()
    checkListedChecksums(upload, node, part)
    return part
  })
  parts.forEach((part, i) => {
    if (i < parts.length - 1 && part.body.byteLength < MIN_PART_BYTES) {
      throw new S3Error(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size', {
        ProposedSize: String(part.body.byteLength),
        MinSizeAllowed: String(MIN_PART_BYTES),
        PartNumber: String(part.partNumber),
        ETag: part.etag,
      })
    }
  })
  return parts
}

/** x-amz-mp-object-size: when sent, the assembled size exactly (400 InvalidRequest, as AWS documents). */
function checkObjectSize(req: S3Request, size: number): void {
  const declared = req.headers.get('x-amz-mp-object-size')
  if (declared === undefined) return
  if (!PART_NUMBER.test(declared) || Number(declared) !== size) {
    throw errors.invalidRequest(`The provided x-amz-mp-object-size (${declared}) does not match the size of the assembled object (${size} bytes).`)
  }
}

const concat = (parts: readonly UploadPart[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.body.byteLength, 0))
  let at = 0
  for (const p of parts) {
    out.set(p.body, at)
    at += p.body.byteLength
  }
  return out
}

/** S3's multipart ETag: the MD5 of the parts' binary MD5s, then `-` and how many parts. */
export function multipartEtag(parts: readonly { etag: string }[]): string {
  const md5s = Buffer.concat(parts.map((p) => Buffer.from(p.etag.replaceAll('"', ''), 'hex')))
  return `"${createHash('md5').update(md5s).digest('hex')}-${parts.length}"`
}

export function completeMultipartUpload(ctx: Ctx): S3Response {
  const { req, state } = ctx
  const bucket = bucketOf(ctx)
  const key = req.key!
  authorize(ctx, 's3:PutObject', bucket.name, key)
  const upload = uploadOf(ctx, bucket)
  const parts = listedParts(completionBody(ctx), upload)
  const body = concat(parts)
  checkObjectSize(req, body.byteLength)
  const checksums = objectChecksums(upload, parts, body)
  checkObjectChecksumHeaders(req, upload, checksums, body)
  checkWriteConditions(req, bucket.objects.get(key), key)
  const object: StoredObject = {
    key,
    body,
    etag: multipartEtag(parts),
    lastModified: state.now(),
    contentType: upload.contentType,
    headers: { ...upload.headers },
    metadata: { ...upload.metadata },
    checksums,
    acl: upload.acl,
    owner: upload.initiator,
    parts: parts.map((p) => ({ size: p.body.byteLength, etag: p.etag })),
  }
  // The parts' bytes become the object's: release them first, so a completion near the cap fits.
  const held = [...upload.parts.values()].reduce((n, p) => n + p.body.byteLength, 0)
  release(state, held)
  try {
    store(ctx, bucket, object)
  } catch (error) {
    reserve(state, held)
    throw error
  }
  bucket.uploads.delete(upload.uploadId)

  const result: Record<string, string> = {
    Location: `http://${req.headers.get('host') ?? '127.0.0.1'}${req.rawPath}`,
    Bucket: bucket.name,
    Key: key,
    ETag: object.etag,
  }
  for (const [algorithm, value] of Object.entries(checksums)) result[elementOf(algorithm)] = value
  const type = checksumTypeOf(upload)
  if (type) result.ChecksumType = type
  const headers: Record<string, string> = { 'content-type': 'application/xml', 'x-amz-server-side-encryption': 'AES256' }
  return { status: 200, headers, body: buildXml('CompleteMultipartUploadResult', result) }
}
