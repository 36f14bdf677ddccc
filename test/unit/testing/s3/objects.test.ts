// The test S3's object operations, row by row: PutObject's size, digests, conditions and ACLs;
// CopyObject's own read check; GetObject's conditions, ranges and overrides; Delete and List. Each
// row asserts the status and S3 error code AWS documents, and what was stored afterwards.
import { Readable } from 'node:stream'
import { CopyObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestS3, type TestS3 } from '../../../../src/testing/s3/index.js'
import { outcome, signedFetch } from './helpers.js'

let s3: TestS3
let client: S3Client
const B = 'obj-bucket'
const url = (key: string) => `${s3.endpoint}/${B}/${key.split('/').map(encodeURIComponent).join('/')}`
const put = (key: string, body: string | Uint8Array, headers: Record<string, string> = {}) =>
  signedFetch(s3.credentials, { method: 'PUT', url: url(key), body, headers: { 'content-length': String(typeof body === 'string' ? Buffer.byteLength(body) : body.length), ...headers } })
const get = (key: string, headers: Record<string, string> = {}, query = '') => signedFetch(s3.credentials, { method: 'GET', url: `${url(key)}${query}`, headers })
const exists = async (key: string) => (await signedFetch(s3.credentials, { method: 'HEAD', url: url(key) })).status === 200
const md5 = (s: string) => createHash('md5').update(s).digest('base64')
const sha256 = (s: string) => createHash('sha256').update(s).digest('base64')

beforeAll(async () => {
  s3 = await startTestS3({ buckets: [B] })
  client = s3.client()
  await put('seed.txt', 'hello world', { 'content-type': 'text/plain', 'x-amz-meta-who': 'alice', 'cache-control': 'max-age=1' })
})
afterAll(async () => {
  client.destroy()
  await s3.close()
})

describe('PutObject', () => {
  const cases: { name: string; key: string; body?: string; headers?: Record<string, string>; status: number; code: string; stored: boolean }[] = [
    { name: 'plain', key: 'p/plain', body: 'abc', status: 200, code: '', stored: true },
    { name: 'Content-MD5 of the body', key: 'p/md5-ok', body: 'abc', headers: { 'content-md5': md5('abc') }, status: 200, code: '', stored: true },
    { name: 'Content-MD5 of other bytes', key: 'p/md5-bad', body: 'abc', headers: { 'content-md5': md5('abd') }, status: 400, code: 'BadDigest', stored: false },
    { name: 'Content-MD5 not 16 bytes of base64', key: 'p/md5-malformed', body: 'abc', headers: { 'content-md5': 'abc' }, status: 400, code: 'InvalidDigest', stored: false },
    { name: 'x-amz-checksum-sha256 of the body', key: 'p/sha-ok', body: 'abc', headers: { 'x-amz-checksum-sha256': sha256('abc') }, status: 200, code: '', stored: true },
    { name: 'x-amz-checksum-sha256 of other bytes', key: 'p/sha-bad', body: 'abc', headers: { 'x-amz-checksum-sha256': sha256('abd') }, status: 400, code: 'BadDigest', stored: false },
    { name: 'x-amz-checksum-sha256 malformed', key: 'p/sha-malformed', body: 'abc', headers: { 'x-amz-checksum-sha256': 'nope' }, status: 400, code: 'InvalidRequest', stored: false },
    { name: 'x-amz-checksum-crc32 of other bytes', key: 'p/crc-bad', body: 'abc', headers: { 'x-amz-checksum-crc32': 'AAAAAA==' }, status: 400, code: 'BadDigest', stored: false },
    { name: 'two checksum algorithms', key: 'p/two', body: 'abc', headers: { 'x-amz-checksum-sha256': sha256('abc'), 'x-amz-checksum-crc32': 'NSRBwg==' }, status: 400, code: 'InvalidRequest', stored: false },
    { name: 'x-amz-sdk-checksum-algorithm without its checksum', key: 'p/sdk-alg', body: 'abc', headers: { 'x-amz-sdk-checksum-algorithm': 'SHA256' }, status: 400, code: 'InvalidRequest', stored: false },
    { name: 'If-None-Match: * on a new key', key: 'p/create-once', body: 'abc', headers: { 'if-none-match': '*' }, status: 200, code: '', stored: true },
    { name: 'If-None-Match: * on an existing key', key: 'seed.txt', body: 'overwrite', headers: { 'if-none-match': '*' }, status: 412, code: 'PreconditionFailed', stored: true },
    { name: 'If-None-Match with an ETag (only * is supported)', key: 'p/inm-etag', body: 'abc', headers: { 'if-none-match': '"abc"' }, status: 501, code: 'NotImplemented', stored: false },
    { name: 'If-Match on a missing key', key: 'p/if-match-missing', body: 'abc', headers: { 'if-match': '"x"' }, status: 404, code: 'NoSuchKey', stored: false },
    { name: 'If-Match with a stale ETag', key: 'seed.txt', body: 'overwrite', headers: { 'if-match': '"0123"' }, status: 412, code: 'PreconditionFailed', stored: true },
    { name: 'x-amz-acl bucket-owner-full-control (BucketOwnerEnforced)', key: 'p/acl-bofc', body: 'abc', headers: { 'x-amz-acl': 'bucket-owner-full-control' }, status: 200, code: '', stored: true },
    { name: 'x-amz-acl public-read (BucketOwnerEnforced: ACLs disabled)', key: 'p/acl-public', body: 'abc', headers: { 'x-amz-acl': 'public-read' }, status: 400, code: 'AccessControlListNotSupported', stored: false },
    { name: 'x-amz-grant-read to AllUsers (ACLs disabled)', key: 'p/grant', body: 'abc', headers: { 'x-amz-grant-read': 'uri="http://acs.amazonaws.com/groups/global/AllUsers"' }, status: 400, code: 'AccessControlListNotSupported', stored: false },
    { name: 'x-amz-acl not a canned ACL', key: 'p/acl-bogus', body: 'abc', headers: { 'x-amz-acl': 'everyone' }, status: 400, code: 'InvalidArgument', stored: false },
  ]
  it.each(cases)('$name → $status $code', async ({ key, body, headers, status, code, stored }) => {
    const res = await outcome(await put(key, body ?? '', headers))
    expect({ status: res.status, code: res.code, stored: await exists(key) }).toEqual({ status, code, stored })
  })

  it('a refused overwrite leaves the stored bytes as they were', async () => {
    await put('seed.txt', 'overwrite', { 'if-none-match': '*' })
    expect(await (await get('seed.txt')).text()).toBe('hello world')
  })

  it('a body without Content-Length (chunked transfer) → 411 MissingContentLength, nothing stored', async () => {
    const res = await outcome(await signedFetch(s3.credentials, { method: 'PUT', url: url('p/chunked'), body: 'abc', payloadHash: 'UNSIGNED-PAYLOAD', stream: true }))
    expect([res.status, res.code, await exists('p/chunked')]).toEqual([411, 'MissingContentLength', false])
  })

  it('the SDK\'s own PutObject: string body with its default CRC32, and a stream body sent aws-chunked with a trailing checksum', async () => {
    await client.send(new PutObjectCommand({ Bucket: B, Key: 'sdk/string', Body: 'from the sdk', ContentType: 'text/plain' }))
    await client.send(new PutObjectCommand({ Bucket: B, Key: 'sdk/stream', Body: Readable.from([Buffer.from('streamed '), Buffer.from('bytes')]), ContentLength: 14, ChecksumAlgorithm: 'SHA256' }))
    const head = await client.send(new HeadObjectCommand({ Bucket: B, Key: 'sdk/stream', ChecksumMode: 'ENABLED' }))
    expect(head.ChecksumSHA256).toBe(sha256('streamed bytes'))
    expect(await (await client.send(new GetObjectCommand({ Bucket: B, Key: 'sdk/stream' }))).Body!.transformToString()).toBe('streamed bytes')
    expect((await client.send(new HeadObjectCommand({ Bucket: B, Key: 'sdk/string', ChecksumMode: 'ENABLED' }))).ChecksumCRC32).toMatch(/^[A-Za-z0-9+/]{6}==$/)
  })

  it('stores the type (default binary/octet-stream), metadata and headers, and returns them', async () => {
    await put('p/bare', 'x')
    expect((await get('p/bare')).headers.get('content-type')).toBe('binary/octet-stream')
    const res = await get('seed.txt')
    expect([res.headers.get('content-type'), res.headers.get('x-amz-meta-who'), res.headers.get('cache-control'), res.headers.get('etag')]).toEqual(['text/plain', 'alice', 'max-age=1', `"${createHash('md5').update('hello world').digest('hex')}"`])
  })

  it('refuses a write past maxBytes, and stores nothing', async () => {
    const small = await startTestS3({ buckets: ['tiny'], maxBytes: 10 })
    try {
      const c = (key: string, body: string) => signedFetch(small.credentials, { method: 'PUT', url: `${small.endpoint}/tiny/${key}`, body, headers: { 'content-length': String(body.length) } })
      expect((await c('a', '123456')).status).toBe(200)
      const res = await outcome(await c('b', '123456'))
      expect([res.status, res.code, res.body.includes('maxBytes')]).toEqual([400, 'InvalidRequest', true])
      expect((await signedFetch(small.credentials, { method: 'HEAD', url: `${small.endpoint}/tiny/b` })).status).toBe(404)
    } finally {
      await small.close()
    }
  })
})

describe('CopyObject', () => {
  const copy = (key: string, headers: Record<string, string>) => put(key, '', headers)
  const cases: { name: string; key: string; headers: Record<string, string>; status: number; code: string }[] = [
    { name: 'from an object the signer can read', key: 'c/ok', headers: { 'x-amz-copy-source': `/${B}/seed.txt` }, status: 200, code: '' },
    { name: 'from a missing key', key: 'c/missing', headers: { 'x-amz-copy-source': `${B}/nothing-here` }, status: 404, code: 'NoSuchKey' },
    { name: 'from a missing bucket', key: 'c/nobucket', headers: { 'x-amz-copy-source': 'no-such-bucket/x' }, status: 404, code: 'NoSuchBucket' },
    { name: 'onto itself without REPLACE', key: 'seed.txt', headers: { 'x-amz-copy-source': `${B}/seed.txt` }, status: 400, code: 'InvalidRequest' },
    { name: 'x-amz-copy-source-if-match a stale ETag', key: 'c/stale', headers: { 'x-amz-copy-source': `${B}/seed.txt`, 'x-amz-copy-source-if-match': '"0"' }, status: 412, code: 'PreconditionFailed' },
    { name: 'If-None-Match: * onto an existing key', key: 'c/ok', headers: { 'x-amz-copy-source': `${B}/seed.txt`, 'if-none-match': '*' }, status: 412, code: 'PreconditionFailed' },
    { name: 'an unknown metadata directive', key: 'c/dir', headers: { 'x-amz-copy-source': `${B}/seed.txt`, 'x-amz-metadata-directive': 'MERGE' }, status: 400, code: 'InvalidArgument' },
  ]
  it.each(cases)('$name → $status $code', async ({ key, headers, status, code }) => {
    const res = await outcome(await copy(key, headers))
    expect({ status: res.status, code: res.code }).toEqual({ status, code })
  })

  it('copies bytes, type and metadata (COPY), or takes new ones (REPLACE)', async () => {
    await client.send(new CopyObjectCommand({ Bucket: B, Key: 'c/replaced', CopySource: `${B}/seed.txt`, MetadataDirective: 'REPLACE', ContentType: 'text/csv', Metadata: { who: 'bob' } }))
    const copied = await get('c/ok')
    const replaced = await get('c/replaced')
    expect([await copied.text(), copied.headers.get('x-amz-meta-who'), replaced.headers.get('content-type'), replaced.headers.get('x-amz-meta-who')]).toEqual(['hello world', 'alice', 'text/csv', 'bob'])
  })

  it('a signer without s3:GetObject on the source cannot copy it (403), even with s3:PutObject on the target', async () => {
    const writer = s3.addPrincipal({ name: 'writer', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:PutObject'], Resource: [`arn:aws:s3:::${B}/w/*`] }] } })
    const res = await outcome(await signedFetch(writer, { method: 'PUT', url: url('w/stolen'), headers: { 'x-amz-copy-source': `${B}/seed.txt`, 'content-length': '0' } }))
    expect([res.status, res.code]).toEqual([403, 'AccessDenied'])
    expect(await exists('w/stolen')).toBe(false)
    const direct = await signedFetch(writer, { method: 'PUT', url: url('w/own'), body: 'mine', headers: { 'content-length': '4' } })
    expect(direct.status).toBe(200)
  })
})

describe('GetObject and HeadObject', () => {
  let etag: string
  beforeAll(async () => {
    etag = (await get('seed.txt')).headers.get('etag')!
  })
  const cases: { name: string; headers?: Record<string, string>; query?: string; status: number; code: string; body?: string; header?: [string, string] }[] = [
    { name: 'Range bytes=0-4', headers: { range: 'bytes=0-4' }, status: 206, code: '', body: 'hello', header: ['content-range', 'bytes 0-4/11'] },
    { name: 'Range bytes=6-', headers: { range: 'bytes=6-' }, status: 206, code: '', body: 'world' },
    { name: 'Range bytes=-3', headers: { range: 'bytes=-3' }, status: 206, code: '', body: 'rld' },
    { name: 'Range past the end', headers: { range: 'bytes=100-200' }, status: 416, code: 'InvalidRange' },
    { name: 'Range that HTTP ignores (bytes=5-2)', headers: { range: 'bytes=5-2' }, status: 200, code: '', body: 'hello world' },
    { name: 'If-Match a stale ETag', headers: { 'if-match': '"0"' }, status: 412, code: 'PreconditionFailed' },
    { name: 'If-Unmodified-Since long ago', headers: { 'if-unmodified-since': 'Mon, 01 Jan 2001 00:00:00 GMT' }, status: 412, code: 'PreconditionFailed' },
    { name: 'If-Modified-Since in the future', headers: { 'if-modified-since': 'Fri, 01 Jan 2100 00:00:00 GMT' }, status: 304, code: '' },
    { name: 'response-content-disposition and response-content-type overrides', query: '?response-content-disposition=attachment%3B%20filename%3D%22a.txt%22&response-content-type=application%2Foctet-stream', status: 200, code: '', header: ['content-disposition', 'attachment; filename="a.txt"'] },
    { name: 'partNumber=1 of a single-part object', query: '?partNumber=1', status: 206, code: '', body: 'hello world', header: ['x-amz-mp-parts-count', '1'] },
    { name: 'partNumber=2 of a single-part object', query: '?partNumber=2', status: 416, code: 'InvalidPartNumber' },
  ]
  it.each(cases)('$name → $status $code', async ({ headers, query, status, code, body, header }) => {
    const res = await get('seed.txt', headers, query)
    const out = await outcome(res)
    expect({ status: out.status, code: out.code }).toEqual({ status, code })
    if (body !== undefined) expect(out.body).toBe(body)
    if (header) expect(res.headers.get(header[0])).toBe(header[1])
  })

  it('If-None-Match the current ETag → 304 with no body', async () => {
    const res = await get('seed.txt', { 'if-none-match': etag })
    expect([res.status, await res.text()]).toEqual([304, ''])
  })

  it('a missing key: 404 NoSuchKey to a signer that may list the bucket, 403 AccessDenied to one that may only read', async () => {
    const reader = s3.addPrincipal({ name: 'reader', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/*` }] } })
    expect((await outcome(await get('nothing'))).code).toBe('NoSuchKey')
    const res = await outcome(await signedFetch(reader, { method: 'GET', url: url('nothing') }))
    expect([res.status, res.code]).toEqual([403, 'AccessDenied'])
    expect((await signedFetch(reader, { method: 'GET', url: url('seed.txt') })).status).toBe(200)
  })

  it('HEAD answers the GET headers without a body; errors too have none', async () => {
    const ok = await signedFetch(s3.credentials, { method: 'HEAD', url: url('seed.txt') })
    const missing = await signedFetch(s3.credentials, { method: 'HEAD', url: url('nothing') })
    expect([ok.status, ok.headers.get('content-length'), await ok.text(), missing.status, await missing.text()]).toEqual([200, '11', '', 404, ''])
  })

  it('a presigned GET link is valid for GET and HEAD only as signed', async () => {
    const link = await getSignedUrl(client, new GetObjectCommand({ Bucket: B, Key: 'seed.txt', ResponseContentDisposition: 'attachment' }), { expiresIn: 60 })
    const res = await fetch(link)
    expect([res.status, res.headers.get('content-disposition'), await res.text()]).toEqual([200, 'attachment', 'hello world'])
  })
})

describe('DeleteObject and ListObjectsV2', () => {
  it('DeleteObject answers 204 whether or not the key exists, and the key is gone', async () => {
    await put('d/one', '1')
    const a = await signedFetch(s3.credentials, { method: 'DELETE', url: url('d/one') })
    const b = await signedFetch(s3.credentials, { method: 'DELETE', url: url('d/never') })
    expect([a.status, b.status, await exists('d/one')]).toEqual([204, 204, false])
  })

  it('lists by prefix, with a delimiter, and in pages', async () => {
    for (const k of ['l/a/1', 'l/a/2', 'l/b/1', 'l/c', 'other']) await put(k, 'x')
    const flat = await client.send(new ListObjectsV2Command({ Bucket: B, Prefix: 'l/' }))
    expect(flat.Contents?.map((o) => o.Key)).toEqual(['l/a/1', 'l/a/2', 'l/b/1', 'l/c'])
    const tree = await client.send(new ListObjectsV2Command({ Bucket: B, Prefix: 'l/', Delimiter: '/' }))
    expect([tree.Contents?.map((o) => o.Key), tree.CommonPrefixes?.map((p) => p.Prefix)]).toEqual([['l/c'], ['l/a/', 'l/b/']])
    const page1 = await client.send(new ListObjectsV2Command({ Bucket: B, Prefix: 'l/', MaxKeys: 3 }))
    const page2 = await client.send(new ListObjectsV2Command({ Bucket: B, Prefix: 'l/', MaxKeys: 3, ContinuationToken: page1.NextContinuationToken }))
    expect([page1.IsTruncated, page1.Contents?.length, page2.IsTruncated, page2.Contents?.map((o) => o.Key)]).toEqual([true, 3, false, ['l/c']])
  })

  it('a signer without s3:ListBucket cannot list (403)', async () => {
    const writer = s3.addPrincipal({ name: 'lister-less', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/*` }] } })
    const res = await outcome(await signedFetch(writer, { method: 'GET', url: `${s3.endpoint}/${B}?list-type=2` }))
    expect([res.status, res.code]).toEqual([403, 'AccessDenied'])
  })
})

describe('ListObjects (version 1), anonymous access by a public bucket ACL, and the byte cap on overwrite', () => {
  it('ListObjects v1 lists by prefix and marker, with NextMarker only under a delimiter', async () => {
    const { ListObjectsCommand } = await import('@aws-sdk/client-s3')
    for (const k of ['v1/a/1', 'v1/a/2', 'v1/b', 'v1/c']) await put(k, 'x')
    const all = await client.send(new ListObjectsCommand({ Bucket: B, Prefix: 'v1/' }))
    const after = await client.send(new ListObjectsCommand({ Bucket: B, Prefix: 'v1/', Marker: 'v1/a/2' }))
    const tree = await client.send(new ListObjectsCommand({ Bucket: B, Prefix: 'v1/', Delimiter: '/', MaxKeys: 1 }))
    expect([all.Contents?.map((o) => o.Key), after.Contents?.map((o) => o.Key), tree.CommonPrefixes?.map((p) => p.Prefix), tree.IsTruncated, tree.NextMarker]).toEqual([
      ['v1/a/1', 'v1/a/2', 'v1/b', 'v1/c'],
      ['v1/b', 'v1/c'],
      ['v1/a/'],
      true,
      'v1/a/',
    ])
  })

  it('anonymous: 403 on a private bucket; list and write allowed by a public-read-write ACL once ACLs are enabled and unblocked', async () => {
    const { PutBucketAclCommand, PutBucketOwnershipControlsCommand, PutPublicAccessBlockCommand } = await import('@aws-sdk/client-s3')
    const name = s3.createBucket('open-bucket')
    const anonymousList = () => fetch(`${s3.endpoint}/${name}?list-type=2`)
    const anonymousPut = () => fetch(`${s3.endpoint}/${name}/dropped.txt`, { method: 'PUT', body: 'x' })
    const before = [(await outcome(await anonymousList())).code, (await outcome(await anonymousPut())).code]
    await client.send(new PutBucketOwnershipControlsCommand({ Bucket: name, OwnershipControls: { Rules: [{ ObjectOwnership: 'ObjectWriter' }] } }))
    await client.send(new PutPublicAccessBlockCommand({ Bucket: name, PublicAccessBlockConfiguration: { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false } }))
    await client.send(new PutBucketAclCommand({ Bucket: name, ACL: 'public-read-write' }))
    expect([...before, (await anonymousList()).status, (await anonymousPut()).status]).toEqual(['AccessDenied', 'AccessDenied', 200, 200])
  })

  it('a same-size overwrite at the cap fits (the old bytes are freed first); a larger one is refused and the old object kept', async () => {
    const small = await startTestS3({ buckets: ['tiny'], maxBytes: 8 })
    try {
      const c = (body: string) => signedFetch(small.credentials, { method: 'PUT', url: `${small.endpoint}/tiny/k`, body, headers: { 'content-length': String(body.length) } })
      const statuses = [(await c('12345678')).status, (await c('abcdefgh')).status, (await c('123456789')).status]
      const kept = await (await signedFetch(small.credentials, { method: 'GET', url: `${small.endpoint}/tiny/k` })).text()
      expect([statuses, kept]).toEqual([[200, 200, 400], 'abcdefgh'])
    } finally {
      await small.close()
    }
  })

  it('a ranged GET carries no checksum (it would not match the range); the whole object does', async () => {
    await put('ck/obj', 'checksummed', { 'x-amz-checksum-sha256': sha256('checksummed') })
    const whole = await get('ck/obj', { 'x-amz-checksum-mode': 'ENABLED' })
    const part = await get('ck/obj', { 'x-amz-checksum-mode': 'ENABLED', range: 'bytes=0-3' })
    expect([whole.headers.get('x-amz-checksum-sha256'), part.status, part.headers.get('x-amz-checksum-sha256')]).toEqual([sha256('checksummed'), 206, null])
  })
})

describe('limits and malformed input (from the review of the test S3)', () => {
  const chunked = (trailer: string) => {
    const body = Buffer.from(`5\r\nhello\r\n0\r\n${trailer}\r\n`)
    return signedFetch(s3.credentials, {
      method: 'PUT',
      url: url('t/chunked'),
      body,
      payloadHash: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      headers: { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '5', 'content-length': String(body.length), 'x-amz-trailer': 'x-amz-checksum-sha256' },
    })
  }
  const cases: { name: string; send: () => Promise<Response>; status: number; code: string }[] = [
    { name: 'aws-chunked with the declared checksum trailer', send: () => chunked(`x-amz-checksum-sha256:${sha256('hello')}\r\n`), status: 200, code: '' },
    { name: 'aws-chunked with the declared trailer missing', send: () => chunked(''), status: 400, code: 'MalformedTrailerError' },
    { name: 'aws-chunked with another checksum than declared', send: () => chunked('x-amz-checksum-crc32:NhCmhg==\r\n'), status: 400, code: 'MalformedTrailerError' },
    { name: 'aws-chunked with a wrong declared checksum', send: () => chunked(`x-amz-checksum-sha256:${sha256('other')}\r\n`), status: 400, code: 'BadDigest' },
    { name: 'a key of 1025 bytes', send: () => put('k'.repeat(1025), 'x'), status: 400, code: 'KeyTooLongError' },
    { name: 'a key of 1024 bytes', send: () => put('k'.repeat(1024), 'x'), status: 200, code: '' },
    { name: '3000 bytes of user metadata', send: () => put('t/meta', 'x', { 'x-amz-meta-big': 'm'.repeat(3000) }), status: 400, code: 'MetadataTooLarge' },
    { name: 'partNumber and Range together', send: () => get('seed.txt', { range: 'bytes=0-1' }, '?partNumber=1'), status: 400, code: 'InvalidRequest' },
    { name: 'partNumber not a whole number (1e1)', send: () => get('seed.txt', {}, '?partNumber=1e1'), status: 400, code: 'InvalidArgument' },
    { name: 'DeleteObjects nested 20,000 deep', send: () => {
      const xml = `<Delete>${'<a>'.repeat(20000)}${'</a>'.repeat(20000)}</Delete>`
      return signedFetch(s3.credentials, { method: 'POST', url: `${s3.endpoint}/${B}?delete=`, body: xml, headers: { 'content-md5': md5(xml) } })
    }, status: 400, code: 'MalformedXML' },
    { name: 'DeleteObjects with an Object without a Key', send: () => {
      const xml = '<Delete><Object>abc</Object></Delete>'
      return signedFetch(s3.credentials, { method: 'POST', url: `${s3.endpoint}/${B}?delete=`, body: xml, headers: { 'content-md5': md5(xml) } })
    }, status: 400, code: 'MalformedXML' },
  ]
  it.each(cases)('$name → $status $code', async ({ send, status, code }) => {
    const res = await outcome(await send())
    expect({ status: res.status, code: res.code }).toEqual({ status, code })
  })
})
