// GetObject and HeadObject (conditional requests, one Range, response-* overrides, checksum mode),
// DeleteObject and DeleteObjects. The listings are in objects-list.ts.
import { publiclyReadable } from './acl.js'
import { allowed, authorize, bucketOf, httpDate, release, type Ctx, type S3Response } from './context.js'
import { S3Error, errors } from './errors.js'
import { verifiedPayload } from './payload.js'
import { param } from './request.js'
import type { Bucket, StoredObject } from './state.js'
import { buildXml, children, parseXml, text, type XmlValue } from './xml.js'

const OVERRIDES: Record<string, string> = {
  'response-content-type': 'content-type',
  'response-content-language': 'content-language',
  'response-expires': 'expires',
  'response-cache-control': 'cache-control',
  'response-content-disposition': 'content-disposition',
  'response-content-encoding': 'content-encoding',
}

/** The object, if the requester may read it; 404 only to one who may also list the bucket, as S3 does. */
export function readable(ctx: Ctx, bucket: Bucket, key: string): StoredObject {
  const object = bucket.objects.get(key)
  if (ctx.auth.principal === undefined) {
    if (object && publiclyReadable(object, bucket)) return object
    throw !object && allowed(ctx, 's3:ListBucket', bucket.name) ? errors.noSuchKey(key) : errors.accessDenied()
  }
  authorize(ctx, 's3:GetObject', bucket.name, key)
  if (!object) throw allowed(ctx, 's3:ListBucket', bucket.name, undefined, { 's3:prefix': key }) ? errors.noSuchKey(key) : errors.accessDenied()
  return object
}

const sameTag = (header: string, etag: string) => header.split(',').map((t) => t.trim()).some((t) => t === '*' || t === etag || `"${t}"` === etag)
// HTTP dates have whole seconds: an object modified within the second counts as not modified since.
const after = (ms: number, header: string) => Math.floor(ms / 1000) > Math.floor(Date.parse(header) / 1000)

/** RFC 7232 as S3 applies it: If-Match wins over If-Unmodified-Since, If-None-Match over If-Modified-Since. */
function conditions(ctx: Ctx, object: StoredObject): S3Response | undefined {
  const h = ctx.req.headers
  const match = h.get('if-match')
  const unmodified = h.get('if-unmodified-since')
  const noneMatch = h.get('if-none-match')
  const modified = h.get('if-modified-since')
  if (match !== undefined && !sameTag(match, object.etag)) throw errors.preconditionFailed('If-Match')
  if (match === undefined && unmodified !== undefined && !Number.isNaN(Date.parse(unmodified)) && after(object.lastModified, unmodified)) throw errors.preconditionFailed('If-Unmodified-Since')
  const notModified = { status: 304, headers: { etag: object.etag, 'last-modified': httpDate(object.lastModified) } }
  if (noneMatch !== undefined) return sameTag(noneMatch, object.etag) ? notModified : undefined
  if (modified !== undefined && !Number.isNaN(Date.parse(modified)) && !after(object.lastModified, modified)) return notModified
  return undefined
}

/** One byte range (`bytes=a-b`, `a-`, `-n`); anything else is ignored, as HTTP allows. 416 when unsatisfiable. */
function range(header: string | undefined, size: number): { start: number; end: number } | undefined {
  const m = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!m || (m[1] === '' && m[2] === '')) return undefined
  let start: number
  let end: number
  if (m[1] === '') {
    const suffix = Number(m[2])
    if (suffix === 0) throw new S3Error(416, 'InvalidRange', 'The requested range is not satisfiable', { RangeRequested: header!, ActualObjectSize: String(size) })
    start = Math.max(0, size - suffix)
    end = size - 1
  } else {
    start = Number(m[1])
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1)
    if (m[2] !== '' && Number(m[2]) < start) return undefined
  }
  if (start >= size) throw new S3Error(416, 'InvalidRange', 'The requested range is not satisfiable', { RangeRequested: header!, ActualObjectSize: String(size) })
  return { start, end }
}

function objectHeaders(ctx: Ctx, object: StoredObject): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': object.contentType,
    etag: object.etag,
    'last-modified': httpDate(object.lastModified),
    'accept-ranges': 'bytes',
    'x-amz-server-side-encryption': 'AES256',
    ...object.headers,
  }
  for (const [name, value] of Object.entries(object.metadata)) headers[`x-amz-meta-${name}`] = value
  // A range or a part is not the object: its checksum would not match those bytes, so S3 sends none.
  const partial = ctx.req.headers.has('range') || ctx.req.query.some(([k]) => k === 'partNumber')
  if (!partial && ctx.req.headers.get('x-amz-checksum-mode')?.toUpperCase() === 'ENABLED') {
    for (const [algorithm, value] of Object.entries(object.checksums)) headers[`x-amz-checksum-${algorithm}`] = value
  }
  if (object.parts) headers['x-amz-mp-parts-count'] = String(object.parts.length)
  const overrides = ctx.req.query.filter(([k]) => k in OVERRIDES)
  if (overrides.length > 0 && ctx.auth.principal === undefined) throw errors.invalidRequest('Request specific response headers cannot be used for anonymous GET requests.')
  for (const [k, v] of overrides) headers[OVERRIDES[k]!] = v
  return headers
}

function read(ctx: Ctx, head: boolean): S3Response {
  const bucket = bucketOf(ctx)
  const object = readable(ctx, bucket, ctx.req.key!)
  const early = conditions(ctx, object)
  if (early) return early
  const headers = objectHeaders(ctx, object)
  const size = object.body.byteLength
  let slice: { start: number; end: number } | undefined
  const partNumber = param(ctx.req, 'partNumber')
  if (partNumber !== undefined) {
    if (ctx.req.headers.has('range')) throw errors.invalidRequest('Cannot specify both Range header and partNumber query parameter')
    const n = /^\d+$/.test(partNumber) ? Number(partNumber) : NaN
    const parts = object.parts ?? [{ size, etag: object.etag }]
    if (!Number.isInteger(n) || n < 1 || n > 10000) throw errors.invalidArgument('Part number must be an integer between 1 and 10000, inclusive', 'partNumber', partNumber)
    if (n > parts.length) throw new S3Error(416, 'InvalidPartNumber', 'The requested partnumber is not satisfiable', { PartNumberRequested: partNumber, ActualPartCount: String(parts.length) })
    const start = parts.slice(0, n - 1).reduce((t, p) => t + p.size, 0)
    slice = { start, end: start + parts[n - 1]!.size - 1 }
    headers['x-amz-mp-parts-count'] = String(parts.length)
  } else {
    slice = range(ctx.req.headers.get('range'), size)
  }
  if (slice) {
    headers['content-range'] = `bytes ${slice.start}-${slice.end}/${size}`
    headers['content-length'] = String(slice.end - slice.start + 1)
    return { status: 206, headers, body: head ? undefined : object.body.subarray(slice.start, slice.end + 1) }
  }
  headers['content-length'] = String(size)
  return { status: 200, headers, body: head ? undefined : object.body }
}

export const getObject = (ctx: Ctx): S3Response => read(ctx, false)
export const headObject = (ctx: Ctx): S3Response => read(ctx, true)

export function deleteObject(ctx: Ctx): S3Response {
  const bucket = bucketOf(ctx)
  const key = ctx.req.key!
  authorize(ctx, 's3:DeleteObject', bucket.name, key)
  const object = bucket.objects.get(key)
  const match = ctx.req.headers.get('if-match')
  if (match !== undefined) {
    if (!object) throw errors.noSuchKey(key)
    if (!sameTag(match, object.etag)) throw errors.preconditionFailed('If-Match')
  }
  if (object) {
    bucket.objects.delete(key)
    release(ctx.state, object.body.byteLength)
  }
  return { status: 204 }
}

export function deleteObjects(ctx: Ctx): S3Response {
  const bucket = bucketOf(ctx)
  const h = ctx.req.headers
  if (!h.has('content-md5') && ![...h.keys()].some((k) => k.startsWith('x-amz-checksum-') && k !== 'x-amz-checksum-mode')) {
    throw errors.invalidRequest('Missing required header for this request: Content-MD5 OR x-amz-checksum-*')
  }
  const { body } = verifiedPayload(ctx.req, ctx.auth)
  const doc = parseXml(body, 'Delete')
  const quiet = text(doc, 'Quiet') === 'true'
  const objects = children(doc, 'Object')
  if (objects.length > 1000) throw errors.malformedXml()
  const deleted: XmlValue[] = []
  const failed: XmlValue[] = []
  if (objects.some((o) => text(o, 'Key') === undefined)) throw errors.malformedXml()
  for (const o of objects) {
    const key = text(o, 'Key')!
    if (!allowed(ctx, 's3:DeleteObject', bucket.name, key)) {
      failed.push({ Key: key, Code: 'AccessDenied', Message: 'Access Denied' })
      continue
    }
    const object = bucket.objects.get(key)
    if (object) {
      bucket.objects.delete(key)
      release(ctx.state, object.body.byteLength)
    }
    if (!quiet) deleted.push({ Key: key })
  }
  return { status: 200, headers: { 'content-type': 'application/xml' }, body: buildXml('DeleteResult', { Deleted: deleted, Error: failed }) }
}

