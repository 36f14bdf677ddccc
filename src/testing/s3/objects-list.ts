// ListObjectsV2 and ListObjects (version 1): one page of keys with common prefixes rolled up, as both
// versions list them; s3:ListBucket with the s3:prefix, s3:delimiter and s3:max-keys condition keys.
import { authorize, bucketOf, isoDate, type Ctx, type S3Response } from './context.js'
import { errors } from './errors.js'
import { param } from './request.js'
import type { Bucket } from './state.js'
import { buildXml, type XmlValue } from './xml.js'

interface Listing {
  contents: XmlValue[]
  prefixes: string[]
  truncated: boolean
  /** The last key or common prefix listed: where the next page starts. */
  last: string
}

/** One page of keys after `from`, with common prefixes rolled up at `delimiter`, as both List versions do. */
function listKeys(bucket: Bucket, prefix: string, delimiter: string | undefined, maxKeys: number, from: string, enc: (s: string) => string): Listing {
  const keys = [...bucket.objects.keys()].filter((k) => k.startsWith(prefix) && k > from).sort()
  const contents: XmlValue[] = []
  const prefixes: string[] = []
  let truncated = false
  let last = ''
  for (const key of keys) {
    const at = delimiter ? key.indexOf(delimiter, prefix.length) : -1
    const common = at >= 0 ? key.slice(0, at + delimiter!.length) : undefined
    // Keys under a prefix already listed roll into it and count nothing.
    if (common !== undefined && common === prefixes[prefixes.length - 1]) continue
    if (contents.length + prefixes.length >= maxKeys) {
      truncated = true
      break
    }
    if (common !== undefined) {
      prefixes.push(common)
      // The next page starts after every key under this prefix.
      last = `${common}\u{10FFFF}`
      continue
    }
    const o = bucket.objects.get(key)!
    contents.push({ Key: enc(key), LastModified: isoDate(o.lastModified), ETag: o.etag, Size: o.body.byteLength, StorageClass: 'STANDARD' })
    last = key
  }
  return { contents, prefixes, truncated, last }
}

function listParams(ctx: Ctx) {
  const q = (name: string) => param(ctx.req, name)
  const prefix = q('prefix') ?? ''
  const delimiter = q('delimiter') || undefined
  const maxKeysText = q('max-keys') ?? '1000'
  if (!/^\d+$/.test(maxKeysText)) throw errors.invalidArgument('Provided max-keys not an integer or within integer range', 'max-keys', maxKeysText)
  const url = q('encoding-type') === 'url'
  if (q('encoding-type') !== undefined && !url) throw errors.invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', q('encoding-type'))
  const enc = (s: string) => (url ? encodeURIComponent(s).replace(/%2F/g, '/') : s)
  authorize(ctx, 's3:ListBucket', ctx.req.bucket!, undefined, { 's3:prefix': prefix, 's3:delimiter': delimiter, 's3:max-keys': maxKeysText })
  return { q, prefix, delimiter, maxKeys: Math.min(1000, Number(maxKeysText)), url, enc }
}

export function listObjectsV2(ctx: Ctx): S3Response {
  const bucket = bucketOf(ctx)
  const { q, prefix, delimiter, maxKeys, url, enc } = listParams(ctx)
  const token = q('continuation-token')
  let from = q('start-after') ?? ''
  if (token !== undefined) {
    from = Buffer.from(token, 'base64url').toString('utf8')
    if (token === '' || Buffer.from(from, 'utf8').toString('base64url') !== token) throw errors.invalidArgument('The continuation token provided is incorrect', 'continuation-token', token)
  }
  const page = listKeys(bucket, prefix, delimiter, maxKeys, from, enc)
  const body = buildXml('ListBucketResult', {
    Name: bucket.name,
    Prefix: enc(prefix),
    Delimiter: delimiter === undefined ? undefined : enc(delimiter),
    MaxKeys: maxKeys,
    EncodingType: url ? 'url' : undefined,
    KeyCount: page.contents.length + page.prefixes.length,
    IsTruncated: page.truncated,
    ContinuationToken: token,
    NextContinuationToken: page.truncated ? Buffer.from(page.last, 'utf8').toString('base64url') : undefined,
    StartAfter: q('start-after') === undefined ? undefined : enc(q('start-after')!),
    Contents: page.contents,
    CommonPrefixes: page.prefixes.map((p) => ({ Prefix: enc(p) })),
  })
  return { status: 200, headers: { 'content-type': 'application/xml' }, body }
}

/** ListObjects (version 1): `marker`, and NextMarker only with a delimiter, as AWS documents. */
export function listObjectsV1(ctx: Ctx): S3Response {
  const bucket = bucketOf(ctx)
  const { q, prefix, delimiter, maxKeys, url, enc } = listParams(ctx)
  const marker = q('marker') ?? ''
  const page = listKeys(bucket, prefix, delimiter, maxKeys, marker, enc)
  const body = buildXml('ListBucketResult', {
    Name: bucket.name,
    Prefix: enc(prefix),
    Marker: enc(marker),
    NextMarker: page.truncated && delimiter !== undefined ? enc(page.last.replace(/\u{10FFFF}$/u, '')) : undefined,
    MaxKeys: maxKeys,
    Delimiter: delimiter === undefined ? undefined : enc(delimiter),
    EncodingType: url ? 'url' : undefined,
    IsTruncated: page.truncated,
    Contents: page.contents,
    CommonPrefixes: page.prefixes.map((p) => ({ Prefix: enc(p) })),
  })
  return { status: 200, headers: { 'content-type': 'application/xml' }, body }
}
