// PutObject and CopyObject: the size S3 allows, the digests the client sent, create-once and
// compare-and-swap writes (If-None-Match: *, If-Match), the ACL rules, and for a copy, the signer's
// own right to read the source.
import { publiclyReadable, writeAcl } from './acl.js'
import { md5Hex } from './checksums.js'
import { allowed, authorize, bucketOf, isoDate, release, reserve, who, type Ctx, type S3Response } from './context.js'
import { S3Error, errors } from './errors.js'
import { verifiedPayload } from './payload.js'
import { parseQuery, type S3Request } from './request.js'
import type { Bucket, StoredObject } from './state.js'
import { buildXml } from './xml.js'

export const MAX_PUT_BYTES = 5 * 1024 ** 3
/** The headers S3 stores with an object and returns on GET and HEAD. */
export const STORED_HEADERS = ['cache-control', 'content-disposition', 'content-encoding', 'content-language', 'expires']

/** User metadata in a PUT is at most 2 KB: names and values, in UTF-8 (S3 user guide, "Working with object metadata"). */
export const MAX_METADATA_BYTES = 2048

export function metadataOf(req: S3Request): Record<string, string> {
  const out: Record<string, string> = {}
  let size = 0
  for (const [name, value] of req.headers) {
    if (!name.startsWith('x-amz-meta-')) continue
    out[name.slice('x-amz-meta-'.length)] = value
    size += Buffer.byteLength(name.slice('x-amz-meta-'.length)) + Buffer.byteLength(value)
  }
  if (size > MAX_METADATA_BYTES) {
    throw new S3Error(400, 'MetadataTooLarge', 'Your metadata headers exceed the maximum allowed metadata size', { Size: String(size), MaxSizeAllowed: String(MAX_METADATA_BYTES) })
  }
  return out
}
export function storedHeadersOf(req: S3Request): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of STORED_HEADERS) {
    const v = req.headers.get(name)
    if (v !== undefined) out[name] = v
  }
  return out
}

/** If-None-Match and If-Match on a write, as S3 evaluates them (412, or 404 for If-Match on a missing key). */
export function checkWriteConditions(req: S3Request, existing: StoredObject | undefined, key: string): void {
  const noneMatch = req.headers.get('if-none-match')
  if (noneMatch !== undefined) {
    if (noneMatch.trim() !== '*') throw errors.notImplemented()
    if (existing) throw errors.preconditionFailed('If-None-Match')
  }
  const match = req.headers.get('if-match')
  if (match !== undefined) {
    if (!existing) throw errors.noSuchKey(key)
    const tags = match.split(',').map((t) => t.trim())
    if (!tags.includes('*') && !tags.includes(existing.etag) && !tags.includes(existing.etag.replaceAll('"', ''))) throw errors.preconditionFailed('If-Match')
  }
}

/** Stores `object`, counting its bytes against the cap (less those of the object it replaces). */
export function store(ctx: Ctx, bucket: Bucket, object: StoredObject): void {
  const old = bucket.objects.get(object.key)
  // The replaced object's bytes are freed first, so a same-size overwrite at the cap still fits.
  if (old) release(ctx.state, old.body.byteLength)
  try {
    reserve(ctx.state, object.body.byteLength)
  } catch (error) {
    if (old) reserve(ctx.state, old.body.byteLength)
    throw error
  }
  bucket.objects.set(object.key, object)
}

/** The object a PUT (or a POST form, as an S3Request of its fields) writes: its type, headers and metadata as sent. */
export function writtenObject(ctx: Ctx, req: S3Request, key: string, body: Uint8Array, checksums: Record<string, string>, acl: string): StoredObject {
  return {
    key,
    body,
    etag: `"${md5Hex(body)}"`,
    lastModified: ctx.state.now(),
    contentType: req.headers.get('content-type') ?? 'binary/octet-stream',
    headers: storedHeadersOf(req),
    metadata: metadataOf(req),
    checksums,
    acl,
    owner: who(ctx.auth),
  }
}

export function contentLength(req: S3Request): number {
  const header = req.headers.get('content-length')
  // An aws-chunked body may come with Transfer-Encoding: chunked instead (the SDK does, for a stream of
  // unknown encoded length): its size is x-amz-decoded-content-length, checked in payload.ts.
  const decoded = req.headers.get('x-amz-decoded-content-length')
  if (header === undefined && decoded !== undefined && req.headers.get('x-amz-content-sha256')?.startsWith('STREAMING-')) return Number(decoded)
  if (header === undefined) throw new S3Error(411, 'MissingContentLength', 'You must provide the Content-Length HTTP header.')
  const n = Number(header)
  if (!/^\d+$/.test(header) || n !== req.body.byteLength) throw new S3Error(400, 'IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header.')
  return n
}

export function putObject(ctx: Ctx): S3Response {
  if (ctx.req.headers.has('x-amz-copy-source')) return copyObject(ctx)
  const { req } = ctx
  const bucket = bucketOf(ctx)
  const key = req.key!
  const length = contentLength(req)
  if (length > MAX_PUT_BYTES) throw errors.entityTooLarge(length, MAX_PUT_BYTES)
  authorize(ctx, 's3:PutObject', bucket.name, key, { 's3:x-amz-acl': req.headers.get('x-amz-acl') })
  const acl = writeAcl(req, bucket)
  const { body, checksums } = verifiedPayload(req, ctx.auth)
  const existing = bucket.objects.get(key)
  checkWriteConditions(req, existing, key)
  const object = writtenObject(ctx, req, key, body, checksums, acl)
  store(ctx, bucket, object)
  const headers: Record<string, string> = { etag: object.etag, 'x-amz-server-side-encryption': 'AES256' }
  for (const [algorithm, value] of Object.entries(checksums)) headers[`x-amz-checksum-${algorithm}`] = value
  return { status: 200, headers }
}

/** The condition keys of a copy's write: its ACL, its source and its metadata directive. */
export const copyConditionKeys = (req: S3Request) => ({
  's3:x-amz-acl': req.headers.get('x-amz-acl'),
  's3:x-amz-copy-source': req.headers.get('x-amz-copy-source'),
  's3:x-amz-metadata-directive': req.headers.get('x-amz-metadata-directive'),
})

/** `x-amz-copy-source`: `[/]bucket/key[?versionId=…]`, URL-encoded. */
export function copySource(ctx: Ctx): { bucket: Bucket; object: StoredObject } {
  const raw = ctx.req.headers.get('x-amz-copy-source')!
  const [path, query = ''] = raw.split('?') as [string, string?]
  let decoded: string
  try {
    decoded = decodeURIComponent(path.startsWith('/') ? path.slice(1) : path)
  } catch {
    throw errors.invalidArgument('Invalid copy source encoding', 'x-amz-copy-source', raw)
  }
  const slash = decoded.indexOf('/')
  if (slash <= 0 || slash === decoded.length - 1) throw errors.invalidArgument('Invalid copy source object key', 'x-amz-copy-source', raw)
  if (parseQuery(query).some(([k]) => k !== 'versionId')) throw errors.invalidArgument('Invalid copy source', 'x-amz-copy-source', raw)
  const bucketName = decoded.slice(0, slash)
  const key = decoded.slice(slash + 1)
  const bucket = ctx.state.buckets.get(bucketName)
  if (!bucket) throw errors.noSuchBucket(bucketName)
  const object = bucket.objects.get(key)
  // The copy's read is the signer's own: it must hold s3:GetObject on the source, as for a GET.
  const readable = allowed(ctx, 's3:GetObject', bucketName, key) || (ctx.auth.principal === undefined && object !== undefined && publiclyReadable(object, bucket))
  if (!readable) throw errors.accessDenied()
  // As for a GET: a missing source is 404 only to a signer that may list the bucket.
  if (!object) throw allowed(ctx, 's3:ListBucket', bucketName) ? errors.noSuchKey(key) : errors.accessDenied()
  return { bucket, object }
}

/** x-amz-copy-source-if-*: 412 when the source does not meet them. */
export function checkCopySourceConditions(req: S3Request, source: StoredObject): void {
  const match = req.headers.get('x-amz-copy-source-if-match')
  const noneMatch = req.headers.get('x-amz-copy-source-if-none-match')
  const unmodified = req.headers.get('x-amz-copy-source-if-unmodified-since')
  const modified = req.headers.get('x-amz-copy-source-if-modified-since')
  const same = (tags: string) => tags.split(',').map((t) => t.trim()).some((t) => t === '*' || t === source.etag || `"${t}"` === source.etag)
  if (match !== undefined && !same(match)) throw errors.preconditionFailed('x-amz-copy-source-If-Match')
  if (match === undefined && unmodified !== undefined && source.lastModified > Date.parse(unmodified) + 999) throw errors.preconditionFailed('x-amz-copy-source-If-Unmodified-Since')
  if (noneMatch !== undefined && same(noneMatch)) throw errors.preconditionFailed('x-amz-copy-source-If-None-Match')
  if (noneMatch === undefined && modified !== undefined && source.lastModified <= Date.parse(modified) + 999) throw errors.preconditionFailed('x-amz-copy-source-If-Modified-Since')
}

export function copyObject(ctx: Ctx): S3Response {
  const { req } = ctx
  const bucket = bucketOf(ctx)
  const key = req.key!
  authorize(ctx, 's3:PutObject', bucket.name, key, copyConditionKeys(req))
  const source = copySource(ctx)
  const acl = writeAcl(req, bucket)
  checkCopySourceConditions(req, source.object)
  if (source.object.body.byteLength > MAX_PUT_BYTES) {
    throw errors.invalidRequest(`The specified copy source is larger than the maximum allowable size for a copy source: ${MAX_PUT_BYTES}`)
  }
  const directive = req.headers.get('x-amz-metadata-directive') ?? 'COPY'
  if (directive !== 'COPY' && directive !== 'REPLACE') throw errors.invalidArgument('Unknown metadata directive.', 'x-amz-metadata-directive', directive)
  if (source.bucket === bucket && source.object.key === key && directive === 'COPY') {
    throw errors.invalidRequest("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
  }
  checkWriteConditions(req, bucket.objects.get(key), key)
  const from = source.object
  const replace = directive === 'REPLACE'
  const object: StoredObject = {
    key,
    body: from.body,
    etag: from.parts ? `"${md5Hex(from.body)}"` : from.etag,
    lastModified: ctx.state.now(),
    contentType: replace ? (req.headers.get('content-type') ?? 'binary/octet-stream') : from.contentType,
    headers: replace ? storedHeadersOf(req) : { ...from.headers },
    metadata: replace ? metadataOf(req) : { ...from.metadata },
    checksums: { ...from.checksums },
    acl,
    owner: who(ctx.auth),
  }
  store(ctx, bucket, object)
  const body = buildXml('CopyObjectResult', { LastModified: isoDate(object.lastModified), ETag: object.etag })
  return { status: 200, headers: { 'content-type': 'application/xml', 'x-amz-server-side-encryption': 'AES256' }, body }
}
