// ListParts and ListMultipartUploads, paged as S3 pages them: at most 1000 a page, markers that
// continue exactly after the last entry returned, and for uploads, prefix and delimiter grouping.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListParts.html
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListMultipartUploads.html
import { authorize, bucketOf, isoDate, type Ctx, type S3Response } from './context.js'
import { errors } from './errors.js'
import { checksumTypeOf, elementOf } from './multipart-checksums.js'
import { initiatorXml, ownerXml, uploadOf } from './multipart-upload.js'
import { param } from './request.js'
import type { MultipartUpload } from './state.js'
import { buildXml, type XmlValue } from './xml.js'

/** A non-negative whole-number query parameter, capped at 1000 for a page size. */
function count(ctx: Ctx, name: string, fallback: number, cap = Number.MAX_SAFE_INTEGER): number {
  const raw = param(ctx.req, name)
  if (raw === undefined) return fallback
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) throw errors.invalidArgument(`Provided ${name} not an integer or within integer range`, name, raw)
  return Math.min(cap, Number(raw))
}

const xml = (root: string, body: Record<string, XmlValue>): S3Response => ({ status: 200, headers: { 'content-type': 'application/xml' }, body: buildXml(root, body) })

export function listParts(ctx: Ctx): S3Response {
  const bucket = bucketOf(ctx)
  authorize(ctx, 's3:ListMultipartUploadParts', bucket.name, ctx.req.key!)
  const upload = uploadOf(ctx, bucket)
  const maxParts = count(ctx, 'max-parts', 1000, 1000)
  const marker = count(ctx, 'part-number-marker', 0)
  const after = [...upload.parts.values()].filter((p) => p.partNumber > marker).sort((a, b) => a.partNumber - b.partNumber)
  const page = after.slice(0, maxParts)
  const truncated = maxParts > 0 && after.length > page.length
  return xml('ListPartsResult', {
    Bucket: bucket.name,
    Key: upload.key,
    UploadId: upload.uploadId,
    PartNumberMarker: marker,
    NextPartNumberMarker: page.length > 0 ? page[page.length - 1]!.partNumber : undefined,
    MaxParts: maxParts,
    IsTruncated: truncated,
    Part: page.map((p) => {
      const entry: Record<string, XmlValue> = { PartNumber: p.partNumber, LastModified: isoDate(p.lastModified), ETag: p.etag, Size: p.body.byteLength }
      for (const [algorithm, value] of Object.entries(p.checksums)) entry[elementOf(algorithm)] = value
      return entry
    }),
    Initiator: initiatorXml(ctx.state, upload.initiator),
    Owner: ownerXml(ctx.state),
    StorageClass: 'STANDARD',
    ChecksumAlgorithm: upload.checksumAlgorithm?.toUpperCase(),
    ChecksumType: checksumTypeOf(upload),
  })
}

/** Uploads by key, then by when they were started (Map order is creation order), as S3 lists them. */
function sorted(uploads: Iterable<MultipartUpload>): MultipartUpload[] {
  const all = [...uploads]
  const order = new Map(all.map((u, i) => [u, i]))
  return all.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.initiated - b.initiated || order.get(a)! - order.get(b)!))
}

/**
 * The uploads after the markers. Without upload-id-marker, keys after key-marker; with it, also the
 * key-marker's own uploads after that one (by the listing's order: ids are random, so "after" by id,
 * as AWS words it, is only used when the marker names no open upload).
 */
function afterMarkers(all: MultipartUpload[], keyMarker: string | undefined, idMarker: string | undefined): MultipartUpload[] {
  if (keyMarker === undefined) return all
  if (idMarker === undefined) return all.filter((u) => u.key > keyMarker)
  const at = all.findIndex((u) => u.key === keyMarker && u.uploadId === idMarker)
  if (at >= 0) return all.slice(at + 1)
  return all.filter((u) => u.key > keyMarker || (u.key === keyMarker && u.uploadId > idMarker))
}

export function listMultipartUploads(ctx: Ctx): S3Response {
  const bucket = bucketOf(ctx)
  const q = (name: string) => param(ctx.req, name)
  const prefix = q('prefix') ?? ''
  const delimiter = q('delimiter') || undefined
  const encoding = q('encoding-type')
  if (encoding !== undefined && encoding !== 'url') throw errors.invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', encoding)
  authorize(ctx, 's3:ListBucketMultipartUploads', bucket.name, undefined, { 's3:prefix': prefix, 's3:delimiter': delimiter })
  const maxUploads = count(ctx, 'max-uploads', 1000, 1000)
  const keyMarker = q('key-marker') || undefined
  // AWS ignores upload-id-marker without key-marker.
  const idMarker = keyMarker === undefined ? undefined : q('upload-id-marker') || undefined
  const enc = (s: string | undefined) => (s === undefined || encoding !== 'url' ? s : encodeURIComponent(s).replace(/%2F/g, '/'))

  const candidates = afterMarkers(sorted(bucket.uploads.values()), keyMarker, idMarker).filter((u) => u.key.startsWith(prefix))
  const uploads: MultipartUpload[] = []
  const prefixes: string[] = []
  let last: MultipartUpload | undefined
  let truncated = false
  for (let i = 0; i < candidates.length; i++) {
    if (uploads.length + prefixes.length >= maxUploads) {
      truncated = maxUploads > 0
      break
    }
    const u = candidates[i]!
    const at = delimiter === undefined ? -1 : u.key.indexOf(delimiter, prefix.length)
    if (at < 0) {
      uploads.push(u)
      last = u
      continue
    }
    // One common prefix for every upload under it; the next page starts after the last of them.
    const common = u.key.slice(0, at + delimiter!.length)
    prefixes.push(common)
    while (i + 1 < candidates.length && candidates[i + 1]!.key.startsWith(common)) i++
    last = candidates[i]
  }
  return xml('ListMultipartUploadsResult', {
    Bucket: bucket.name,
    KeyMarker: enc(keyMarker) ?? '',
    UploadIdMarker: idMarker ?? '',
    NextKeyMarker: truncated ? enc(last?.key) : undefined,
    Prefix: enc(prefix),
    Delimiter: enc(delimiter),
    NextUploadIdMarker: truncated ? last?.uploadId : undefined,
    MaxUploads: maxUploads,
    EncodingType: encoding,
    IsTruncated: truncated,
    Upload: uploads.map((u) => ({
      Key: enc(u.key),
      UploadId: u.uploadId,
      Initiator: initiatorXml(ctx.state, u.initiator),
      Owner: ownerXml(ctx.state),
      StorageClass: 'STANDARD',
      Initiated: isoDate(u.initiated),
      ChecksumAlgorithm: u.checksumAlgorithm?.toUpperCase(),
      ChecksumType: checksumTypeOf(u),
    })),
    CommonPrefixes: prefixes.map((p) => ({ Prefix: enc(p) })),
  })
}
