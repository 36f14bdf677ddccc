// POST Object on the strict test S3, over real HTTP: forms signed by the AWS SDK's createPresignedPost,
// by hand (for policies no SDK writes) and by the library's own POST grants, each accepted or refused
// with the status and S3 error code AWS answers.
import { createHash, createHmac } from 'node:crypto'
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { createPresignedPost, type PresignedPostOptions } from '@aws-sdk/s3-presigned-post'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSafeUpload, memoryStore, signerPolicy, type PolicyDocument, type PolicyStatement, type SafeUploadConfig, type UploadRequest } from '../../../../src/index.js'
import { startTestS3, type TestS3, type TestS3Credentials } from '../../../../src/testing/s3/index.js'
import { outcome } from './helpers.js'

const B = 'post-bucket'
const OTHER = 'post-other'
let s3: TestS3
let root: S3Client

beforeAll(async () => {
  s3 = await startTestS3({ buckets: [B, OTHER] })
  root = s3.client()
})
afterAll(async () => {
  root.destroy()
  await s3.close()
})

type FilePart = { body: string | Uint8Array; filename?: string; type?: string }
type Part = [name: string, value: string | FilePart]
const FILE: FilePart = { body: 'hello', filename: 'photo.png', type: 'image/png' }

/** Posts the parts in order, as a browser would (multipart/form-data by fetch's own encoder). */
function send(url: string, parts: Part[]): Promise<Response> {
  const form = new FormData()
  for (const [name, v] of parts) {
    if (typeof v === 'string') form.append(name, v)
    else form.append(name, new Blob([typeof v.body === 'string' ? v.body : new Uint8Array(v.body)], { type: v.type ?? 'application/octet-stream' }), v.filename ?? 'blob')
  }
  return fetch(url, { method: 'POST', body: form, redirect: 'manual' })
}
/** The form's fields, then the file, then `after` (which S3 ignores). */
const post = (p: { url: string; fields: Record<string, string> }, file: FilePart | string | null = FILE, after: Part[] = []) =>
  send(p.url, [...Object.entries(p.fields), ...(file === null ? [] : [['file', file] as Part]), ...after])

const sdk = (o: { key?: string; conditions?: PresignedPostOptions['Conditions']; fields?: Record<string, string>; expires?: number; client?: S3Client } = {}) =>
  createPresignedPost(o.client ?? root, { Bucket: B, Key: o.key ?? 'sdk/photo.png', Conditions: o.conditions, Fields: o.fields, Expires: o.expires ?? 60 })

// Hand signing, for policies no SDK writes: SigV4 over the base64 text, as AWS documents it.
const amz = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest()
interface Signing { credentials?: TestS3Credentials; region?: string; date?: Date }
function signatureFields(s: Signing) {
  const credentials = s.credentials ?? s3.credentials
  const date = amz(s.date ?? new Date())
  return { 'X-Amz-Algorithm': 'AWS4-HMAC-SHA256', 'X-Amz-Credential': `${credentials.accessKeyId}/${date.slice(0, 8)}/${s.region ?? 'us-east-1'}/s3/aws4_request`, 'X-Amz-Date': date }
}
function signText(policy: string, s: Signing, fields: Record<string, string>): Record<string, string> {
  const sig = signatureFields(s)
  const day = sig['X-Amz-Date'].slice(0, 8)
  const key = hmac(hmac(hmac(hmac(`AWS4${(s.credentials ?? s3.credentials).secretAccessKey}`, day), s.region ?? 'us-east-1'), 's3'), 'aws4_request')
  return { ...fields, ...sig, Policy: policy, 'X-Amz-Signature': createHmac('sha256', key).update(policy).digest('hex') }
}
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64')
/** A form for `conditions` (plus the signature fields' own, as the SDK adds them) with `fields`. */
function hand(conditions: unknown[], fields: Record<string, string>, o: Signing & { expiration?: string } = {}) {
  const s = { ...o, date: o.date ?? new Date() }
  const own = Object.entries(signatureFields(s)).map(([k, v]) => ({ [k]: v }))
  const doc = { expiration: o.expiration ?? new Date(Date.now() + 60_000).toISOString(), conditions: [...conditions, ...own] }
  return { url: `${s3.endpoint}/${B}`, fields: signText(b64(JSON.stringify(doc)), s, fields) }
}
const handKey = (key: string, conditions: unknown[] = [], fields: Record<string, string> = {}, o?: Signing & { expiration?: string }) =>
  hand([{ key }, ...conditions], { key, ...fields }, o)
const flip = (s: string) => s.slice(0, -1) + (s.endsWith('a') ? 'b' : 'a')
const md5 = (s: string) => createHash('md5').update(s).digest()
const unescapeXml = (s: string) => s.replace(/&(apos|quot|lt|gt|amp);/g, (_, e: string) => ({ apos: "'", quot: '"', lt: '<', gt: '>', amp: '&' })[e]!)
const head = (key: string, bucket = B) => root.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).catch(() => undefined)

describe('POST Object: refused and accepted forms', () => {
  const big = 'x'.repeat(11)
  const cases: { name: string; run: () => Promise<Response>; status: number; code: string; message?: string }[] = [
    { name: 'SDK form as signed (default success_action_status)', run: async () => post(await sdk()), status: 204, code: '' },
    { name: 'SDK form, policy expired', run: async () => post(await sdk({ expires: -60 })), status: 403, code: 'AccessDenied', message: 'Invalid according to Policy: Policy expired.' },
    { name: 'SDK form, Policy changed after signing', run: async () => { const p = await sdk(); return post({ ...p, fields: { ...p.fields, Policy: (await sdk({ key: 'sdk/other.png' })).fields.Policy! } }) }, status: 403, code: 'SignatureDoesNotMatch' },
    { name: 'SDK form, X-Amz-Signature altered', run: async () => { const p = await sdk(); return post({ ...p, fields: { ...p.fields, 'X-Amz-Signature': flip(p.fields['X-Amz-Signature']!) } }) }, status: 403, code: 'SignatureDoesNotMatch' },
    { name: 'SDK form signed with the right key id and a wrong secret', run: async () => post(await sdk({ client: s3.client({ credentials: { ...s3.credentials, secretAccessKey: 'wrong' } }) })), status: 403, code: 'SignatureDoesNotMatch' },
    { name: 'SDK form signed with an unknown access key', run: async () => post(await sdk({ client: s3.client({ credentials: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' } }) })), status: 403, code: 'InvalidAccessKeyId' },
    { name: 'SDK form plus a field no condition names', run: async () => { const p = await sdk(); return post({ ...p, fields: { ...p.fields, 'X-Amz-Meta-Extra': '1' } }) }, status: 403, code: 'AccessDenied', message: 'Invalid according to Policy: Extra input fields: x-amz-meta-extra' },
    { name: 'SDK form plus an x-ignore- field (exempt)', run: async () => { const p = await sdk(); return post({ ...p, fields: { ...p.fields, 'x-ignore-submit': 'Upload' } }) }, status: 204, code: '' },
    { name: 'SDK form, key field changed ({key} condition)', run: async () => { const p = await sdk(); return post({ ...p, fields: { ...p.fields, key: 'sdk/evil.html' } }) }, status: 403, code: 'AccessDenied', message: 'Invalid according to Policy: Policy Condition failed: ["eq", "$key", "sdk/photo.png"]' },
    { name: 'SDK form posted to another bucket ({bucket} condition)', run: async () => { const p = await sdk(); return post({ ...p, url: `${s3.endpoint}/${OTHER}` }) }, status: 403, code: 'AccessDenied', message: 'Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", "post-bucket"]' },
    { name: 'SDK form, field names in other cases (names are case-insensitive)', run: async () => { const p = await sdk(); return post({ ...p, fields: Object.fromEntries(Object.entries(p.fields).map(([k, v]) => [k.toLowerCase(), v])) }) }, status: 204, code: '' },
    { name: '["eq", "$Content-Type", "image/png"], field text/html', run: () => post(handKey('eq/a.png', [['eq', '$Content-Type', 'image/png']], { 'Content-Type': 'text/html' })), status: 403, code: 'AccessDenied', message: 'Policy Condition failed: ["eq", "$Content-Type", "image/png"]' },
    { name: '["eq", "$Content-Type", "image/png"], field image/png', run: () => post(handKey('eq/b.png', [['eq', '$Content-Type', 'image/png']], { 'content-type': 'image/png' })), status: 204, code: '' },
    { name: '["starts-with", "$Content-Type", "image/"], field text/html', run: () => post(handKey('sw/a.png', [['starts-with', '$Content-Type', 'image/']], { 'Content-Type': 'text/html' })), status: 403, code: 'AccessDenied' },
    { name: '["starts-with", "$Content-Type", "image/"], no Content-Type field', run: () => post(handKey('sw/b.png', [['starts-with', '$Content-Type', 'image/']])), status: 403, code: 'AccessDenied' },
    { name: '["starts-with", "$Content-Type", "image/"], "image/png,image/gif" (each in the list)', run: () => post(handKey('sw/c.png', [['starts-with', '$Content-Type', 'image/']], { 'Content-Type': 'image/png,image/gif' })), status: 204, code: '' },
    { name: '["starts-with", "$Content-Type", "image/"], "image/png,text/html"', run: () => post(handKey('sw/d.png', [['starts-with', '$Content-Type', 'image/']], { 'Content-Type': 'image/png,text/html' })), status: 403, code: 'AccessDenied' },
    { name: '["starts-with", "$x-amz-meta-tag", ""] (any value)', run: () => post(handKey('sw/e.png', [['starts-with', '$x-amz-meta-tag', '']], { 'x-amz-meta-tag': 'anything' })), status: 204, code: '' },
    { name: '["starts-with", "$x-amz-meta-tag", ""], field absent', run: () => post(handKey('sw/f.png', [['starts-with', '$x-amz-meta-tag', '']])), status: 403, code: 'AccessDenied' },
    { name: 'a condition name without its "$" never holds', run: () => post(handKey('sw/g.png', [['eq', 'x-amz-meta-tag', 'a']], { 'x-amz-meta-tag': 'a' })), status: 403, code: 'AccessDenied' },
    { name: 'content-length-range 1..10, 11 bytes', run: async () => post(await sdk({ conditions: [['content-length-range', 1, 10]] }), { ...FILE, body: big }), status: 400, code: 'EntityTooLarge', message: '<ProposedSize>11</ProposedSize><MaxSizeAllowed>10</MaxSizeAllowed>' },
    { name: 'content-length-range 2..10, 1 byte', run: async () => post(await sdk({ conditions: [['content-length-range', 2, 10]] }), { ...FILE, body: 'x' }), status: 400, code: 'EntityTooSmall', message: '<ProposedSize>1</ProposedSize><MinSizeAllowed>2</MinSizeAllowed>' },
    { name: 'content-length-range 5..5, 5 bytes (bounds inclusive)', run: async () => post(await sdk({ conditions: [['content-length-range', 5, 5]] })), status: 204, code: '' },
    { name: 'content-length-range "1".."10" as strings', run: () => post(handKey('range/s.png', [['content-length-range', '1', '10']])), status: 204, code: '' },
    { name: 'content-length-range with a bound S3 cannot read', run: () => post(handKey('range/t.png', [['content-length-range', 'test', '10']])), status: 403, code: 'AccessDenied', message: 'Policy Condition failed: ["content-length-range", "test", "10"]' },
    { name: 'no file field', run: async () => post(await sdk(), null), status: 400, code: 'InvalidArgument', message: 'POST requires exactly one file upload per request.' },
    { name: 'two file fields', run: async () => post(await sdk(), FILE, [['file', FILE]]), status: 400, code: 'InvalidArgument', message: 'POST requires exactly one file upload per request.' },
    { name: 'key sent after the file (S3 stops reading at the file)', run: async () => { const p = await sdk(); const { key, ...rest } = p.fields; return post({ ...p, fields: rest }, FILE, [['key', key!]]) }, status: 400, code: 'InvalidArgument', message: "Bucket POST must contain a field named 'key'." },
    { name: 'no X-Amz-Signature (the rest of SigV4 sent)', run: async () => { const p = await sdk(); const { 'X-Amz-Signature': _, ...rest } = p.fields; return post({ ...p, fields: rest }) }, status: 400, code: 'InvalidArgument', message: "Bucket POST must contain a field named 'X-Amz-Signature'." },
    { name: 'anonymous form (key and policy, no SigV4 fields)', run: async () => { const p = await sdk(); return post({ ...p, fields: { key: p.fields.key!, Policy: p.fields.Policy! } }) }, status: 403, code: 'AccessDenied', message: 'Access Denied' },
    { name: 'SigV2 fields (AWSAccessKeyId, signature)', run: () => post({ url: `${s3.endpoint}/${B}`, fields: { key: 'v2.png', AWSAccessKeyId: s3.credentials.accessKeyId, policy: b64('{}'), signature: 'x' } }), status: 400, code: 'InvalidRequest' },
    { name: 'credential scoped to another region', run: () => post(handKey('r/a.png', [], {}, { region: 'eu-west-1' })), status: 400, code: 'InvalidArgument', message: "the region 'eu-west-1' is wrong; expecting 'us-east-1'" },
    { name: 'X-Amz-Date not in the ISO 8601 basic format', run: async () => { const p = await sdk(); return post({ ...p, fields: { ...p.fields, 'X-Amz-Date': '2026-01-01T00:00:00Z' } }) }, status: 400, code: 'InvalidArgument', message: 'X-Amz-Date must be formated via ISO8601 Long format' },
    { name: 'X-Amz-Date on another day than the credential', run: async () => { const p = await sdk(); return post({ ...p, fields: { ...p.fields, 'X-Amz-Date': '20000101T000000Z' } }) }, status: 400, code: 'InvalidArgument' },
    { name: 'X-Amz-Algorithm other than AWS4-HMAC-SHA256', run: async () => { const p = await sdk(); return post({ ...p, fields: { ...p.fields, 'X-Amz-Algorithm': 'AWS4-HMAC-SHA1' } }) }, status: 400, code: 'InvalidArgument' },
    { name: 'policy that is not base64', run: () => post({ url: `${s3.endpoint}/${B}`, fields: signText('!!not base64!!', {}, { key: 'p/a.png' }) }), status: 400, code: 'InvalidPolicyDocument' },
    { name: 'policy that is not JSON', run: () => post({ url: `${s3.endpoint}/${B}`, fields: signText(b64('{"expiration": '), {}, { key: 'p/b.png' }) }), status: 400, code: 'InvalidPolicyDocument', message: 'Invalid Policy: Invalid JSON.' },
    { name: 'policy without expiration', run: () => post({ url: `${s3.endpoint}/${B}`, fields: signText(b64('{"conditions": []}'), {}, { key: 'p/c.png' }) }), status: 400, code: 'InvalidPolicyDocument', message: 'Invalid Policy: Policy missing expiration.' },
    { name: 'policy with an expiration S3 cannot read', run: () => post(handKey('p/d.png', [], {}, { expiration: '2030-01-01 00:00:00 UTC' })), status: 400, code: 'InvalidPolicyDocument' },
    { name: 'policy with a two-property simple condition', run: () => post(handKey('p/e.png', [{ acl: 'private', bucket: B }])), status: 400, code: 'InvalidPolicyDocument', message: 'Simple-Conditions must have exactly one property specified.' },
    { name: 'policy with an unknown operation', run: () => post(handKey('p/f.png', [['ends-with', '$key', '.png']])), status: 400, code: 'InvalidPolicyDocument' },
    { name: 'acl bucket-owner-full-control (the one ACL BucketOwnerEnforced takes)', run: () => post(handKey('acl/a.png', [{ acl: 'bucket-owner-full-control' }], { acl: 'bucket-owner-full-control' })), status: 204, code: '' },
    { name: 'acl public-read under BucketOwnerEnforced', run: () => post(handKey('acl/b.png', [{ acl: 'public-read' }], { acl: 'public-read' })), status: 400, code: 'AccessControlListNotSupported' },
    { name: 'x-amz-checksum-sha256 of the file', run: () => post(handKey('ck/a.png', [['starts-with', '$x-amz-checksum-sha256', '']], { 'x-amz-checksum-sha256': createHash('sha256').update('hello').digest('base64') })), status: 204, code: '' },
    { name: 'x-amz-checksum-sha256 of other bytes', run: () => post(handKey('ck/b.png', [['starts-with', '$x-amz-checksum-sha256', '']], { 'x-amz-checksum-sha256': createHash('sha256').update('other').digest('base64') })), status: 400, code: 'BadDigest' },
    { name: 'x-amz-checksum-algorithm without its checksum field', run: () => post(handKey('ck/c.png', [{ 'x-amz-checksum-algorithm': 'SHA256' }], { 'x-amz-checksum-algorithm': 'SHA256' })), status: 400, code: 'InvalidRequest' },
    { name: 'x-amz-checksum-algorithm SHA256 with its x-amz-checksum-sha256', run: () => post(handKey('ck/e.png', [{ 'x-amz-checksum-algorithm': 'SHA256' }, ['starts-with', '$x-amz-checksum-sha256', '']], { 'x-amz-checksum-algorithm': 'SHA256', 'x-amz-checksum-sha256': createHash('sha256').update('hello').digest('base64') })), status: 204, code: '' },
    { name: 'x-amz-checksum-algorithm MD4', run: () => post(handKey('ck/f.png', [{ 'x-amz-checksum-algorithm': 'MD4' }], { 'x-amz-checksum-algorithm': 'MD4' })), status: 400, code: 'InvalidRequest' },
    { name: 'Content-MD5 of the file', run: () => post(handKey('ck/g.png', [['starts-with', '$Content-MD5', '']], { 'Content-MD5': md5('hello').toString('base64') })), status: 204, code: '' },
    { name: 'Content-MD5 of other bytes', run: () => post(handKey('ck/d.png', [['starts-with', '$Content-MD5', '']], { 'Content-MD5': md5('other').toString('base64') })), status: 400, code: 'BadDigest' },
    { name: 'fields before the file over 20 KB', run: () => post(handKey('big/a.png', [['starts-with', '$x-amz-meta-pad', '']], { 'x-amz-meta-pad': 'p'.repeat(20 * 1024) })), status: 400, code: 'MaxPostPreDataLengthExceeded' },
    { name: 'body that is not multipart/form-data', run: () => fetch(`${s3.endpoint}/${B}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'key=a' }), status: 412, code: 'PreconditionFailed' },
    { name: 'multipart/form-data that does not parse', run: () => fetch(`${s3.endpoint}/${B}`, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=zzz' }, body: 'not a multipart body' }), status: 400, code: 'MalformedPOSTRequest' },
    { name: 'form posted to a bucket that does not exist', run: async () => { const p = await sdk(); return post({ ...p, url: `${s3.endpoint}/no-such-bucket` }) }, status: 404, code: 'NoSuchBucket' },
  ]
  it.each(cases)('$name → $status $code', async ({ run, status, code, message }) => {
    const res = await outcome(await run())
    expect({ status: res.status, code: res.code }).toEqual({ status, code })
    if (message !== undefined) expect(unescapeXml(res.body)).toContain(message)
  })

  it('stores nothing for a refused form', async () => {
    const p = await sdk({ key: 'refused/one.png', conditions: [['content-length-range', 1, 2]] })
    expect((await post(p)).status).toBe(400)
    expect(await head('refused/one.png')).toBeUndefined()
  })
})

describe('POST Object: what an accepted form stores and answers', () => {
  it('204 by default: ETag (quoted MD5) and Location headers, empty body; the object as the fields say', async () => {
    const p = await sdk({ key: 'stored/a.png', fields: { 'Content-Type': 'image/png', 'Cache-Control': 'no-store', 'Content-Disposition': 'attachment', 'X-Amz-Meta-Owner': 'Alice' } })
    const res = await post(p)
    expect({ status: res.status, body: await res.text() }).toEqual({ status: 204, body: '' })
    expect(res.headers.get('etag')).toBe(`"${md5('hello').toString('hex')}"`)
    expect(res.headers.get('location')).toBe(`${s3.endpoint}/${B}/stored%2Fa.png`)
    // Metadata names in lower case (S3 stores them so), values as sent.
    expect(await head('stored/a.png')).toMatchObject({ ContentLength: 5, ContentType: 'image/png', CacheControl: 'no-store', ContentDisposition: 'attachment', Metadata: { owner: 'Alice' } })
  })

  it('without a Content-Type field the object is binary/octet-stream, whatever the file part says', async () => {
    expect((await post(await sdk({ key: 'stored/b.png' }))).status).toBe(204)
    expect((await head('stored/b.png'))?.ContentType).toBe('binary/octet-stream')
  })

  it('success_action_status 200: 200, empty body; an unknown value: 204', async () => {
    const ok = await post(await sdk({ key: 'status/200.png', fields: { success_action_status: '200' } }))
    expect({ status: ok.status, body: await ok.text() }).toEqual({ status: 200, body: '' })
    expect((await post(await sdk({ key: 'status/404.png', fields: { success_action_status: '404' } }))).status).toBe(204)
  })

  it('success_action_status 201: a PostResponse document with Location, Bucket, Key and ETag', async () => {
    const res = await post(await sdk({ key: 'status/a b.png', fields: { success_action_status: '201' } }))
    expect(res.status).toBe(201)
    const etag = `"${md5('hello').toString('hex')}"`
    expect(await res.text()).toBe(`<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse><Location>${s3.endpoint}/${B}/status%2Fa%20b.png</Location><Bucket>${B}</Bucket><Key>status/a b.png</Key><ETag>${etag}</ETag></PostResponse>`)
    expect(res.headers.get('etag')).toBe(etag)
  })

  it('success_action_redirect: 303 to it with bucket, key and the quoted ETag appended to its own query', async () => {
    const back = 'https://app.example/done?from=form'
    const res = await post(await sdk({ key: 'redirect/a.png', fields: { success_action_redirect: back } }))
    expect(res.status).toBe(303)
    const location = res.headers.get('location')!
    expect(location).toBe(`${back}&bucket=${B}&key=redirect%2Fa.png&etag=%22${md5('hello').toString('hex')}%22`)
    // The legacy `redirect` field does the same; a URL S3 cannot use (relative) is as if absent.
    expect((await post(await sdk({ key: 'redirect/b.png', fields: { redirect: 'https://app.example/' } }))).status).toBe(303)
    expect((await post(await sdk({ key: 'redirect/c.png', fields: { success_action_redirect: '/relative' } }))).status).toBe(204)
  })

  it('${filename} in the key is the file part\'s name, after its last slash or backslash', async () => {
    expect((await post(await sdk({ key: 'named/${filename}' }))).status).toBe(204)
    expect(await head('named/photo.png')).toMatchObject({ ContentLength: 5 })
    expect((await post(await sdk({ key: 'named/${filename}' }), { ...FILE, filename: 'C:\\Users\\me\\scan.pdf' })).status).toBe(204)
    expect(await head('named/scan.pdf')).toMatchObject({ ContentLength: 5 })
  })

  it('fields after the file are ignored: not checked against the policy, not stored', async () => {
    const res = await post(await sdk({ key: 'late/a.png' }), FILE, [['x-amz-meta-late', 'yes'], ['submit', 'Upload']])
    expect(res.status).toBe(204)
    expect((await head('late/a.png'))?.Metadata).toEqual({})
  })

  it('a repeated field is its values joined with commas, for the policy and for the object', async () => {
    const p = handKey('dup/a.png', [{ 'x-amz-meta-tag': 'red,blue' }])
    const res = await send(p.url, [...Object.entries(p.fields), ['x-amz-meta-tag', 'red'], ['X-Amz-Meta-Tag', 'blue'], ['file', FILE]])
    expect(res.status).toBe(204)
    expect((await head('dup/a.png'))?.Metadata).toEqual({ tag: 'red,blue' })
  })

  it('non-ASCII metadata comes back as RFC 2047 words, as S3 returns it; a stored header keeps its UTF-8 bytes', async () => {
    const p = handKey('utf8/a.png', [['starts-with', '$x-amz-meta-name', ''], ['starts-with', '$Content-Disposition', '']], { 'x-amz-meta-name': 'ÄMÄZÕÑ S3', 'Content-Disposition': 'inline; filename="a—b.png"' })
    expect((await post(p)).status).toBe(204)
    // HEAD answers at all: a header value Node cannot write would have dropped the connection.
    const h = await head('utf8/a.png')
    expect(h?.Metadata).toEqual({ name: '=?UTF-8?Q?=C3=84M=C3=84Z=C3=95=C3=91_S3?=' })
    expect(Buffer.from(h!.ContentDisposition!, 'latin1').toString('utf8')).toBe('inline; filename="a—b.png"')
  })

  it('the request log names the operation and the answer', async () => {
    await post(await sdk({ key: 'log/a.png' }))
    expect(s3.requests.at(-1)).toMatchObject({ method: 'POST', operation: 'PostObject', bucket: B, status: 204 })
  })
})

describe('POST Object: the signer\'s IAM policies', () => {
  const allowPut = (resource: string, Condition?: PolicyStatement['Condition']): PolicyDocument => ({ Version: '2012-10-17', Statement: [{ Sid: 'Put', Effect: 'Allow', Action: ['s3:PutObject'], Resource: [`arn:aws:s3:::${B}/${resource}`], Condition }] })
  const client = (name: string, policy?: PolicyDocument) => s3.client({ credentials: s3.addPrincipal({ name, policy }) })
  const cases: { name: string; run: () => Promise<Response>; status: number; code: string }[] = [
    { name: 'a principal with no policy', run: async () => post(await sdk({ client: client('post-nobody') })), status: 403, code: 'AccessDenied' },
    { name: 'a principal allowed s3:PutObject on the key', run: async () => post(await sdk({ client: client('post-writer', allowPut('sdk/*')) })), status: 204, code: '' },
    { name: 'a principal allowed s3:PutObject on another prefix', run: async () => post(await sdk({ client: client('post-elsewhere', allowPut('other/*')) })), status: 403, code: 'AccessDenied' },
    { name: 'allowed only when s3:authType is POST', run: async () => post(await sdk({ client: client('post-only', allowPut('*', { StringEquals: { 's3:authType': 'POST' } })) })), status: 204, code: '' },
    { name: 'allowed only when s3:authType is REST-QUERY-STRING', run: async () => post(await sdk({ client: client('query-only', allowPut('*', { StringEquals: { 's3:authType': 'REST-QUERY-STRING' } })) })), status: 403, code: 'AccessDenied' },
    { name: "signerPolicy({ role: 'upload' }): quarantine/ with acl bucket-owner-full-control", run: async () => {
      const c = client('post-upload-a', signerPolicy({ role: 'upload', bucket: B, prefix: 'uploads/', quarantinePrefix: 'quarantine/' }))
      return post(await sdk({ client: c, key: 'quarantine/a.png', fields: { acl: 'bucket-owner-full-control' } }))
    }, status: 204, code: '' },
    { name: "signerPolicy({ role: 'upload' }): acl public-read (its s3:x-amz-acl condition)", run: async () => {
      const c = client('post-upload-b', signerPolicy({ role: 'upload', bucket: B, prefix: 'uploads/', quarantinePrefix: 'quarantine/' }))
      return post(await sdk({ client: c, key: 'quarantine/b.png', fields: { acl: 'public-read' } }))
    }, status: 403, code: 'AccessDenied' },
  ]
  it.each(cases)('$name → $status $code', async ({ run, status, code }) => {
    const res = await outcome(await run())
    expect({ status: res.status, code: res.code }).toEqual({ status, code })
  })
})

describe("POST Object: the library's own POST grants", () => {
  const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex')
  const png = (body: Uint8Array = PNG): FilePart => ({ body, filename: 'scan.png', type: 'image/png' })
  const uploads = (extra: Partial<SafeUploadConfig> = {}) =>
    createSafeUpload({ client: root, bucket: B, store: memoryStore(), method: 'POST', quarantine: { prefix: 'quarantine/' }, allowedContentTypes: ['image/png', 'image/*'], maxSize: 64, expiresIn: 60, ...extra })
  const grant = async (up: ReturnType<typeof uploads>, request: Partial<UploadRequest> = {}) => {
    const g = await up.presign({ owner: 'alice', contentType: 'image/png', ...request })
    if (g.method !== 'POST') throw new Error('expected a POST grant')
    return g
  }
  const staged = (key: string) => key.replace(/^uploads\//, 'quarantine/')
  const cases: { name: string; run: () => Promise<Response>; status: number; code: string }[] = [
    { name: 'the form as issued', run: async () => post(await grant(uploads()), png()), status: 201, code: '' },
    { name: 'a file over maxSize', run: async () => post(await grant(uploads()), png(new Uint8Array(65))), status: 400, code: 'EntityTooLarge' },
    { name: 'one byte short of the signed size', run: async () => post(await grant(uploads(), { size: PNG.length }), png(PNG.subarray(1))), status: 400, code: 'EntityTooSmall' },
    { name: 'the key changed to the final uploads/ key', run: async () => { const g = await grant(uploads()); return post({ ...g, fields: { ...g.fields, key: g.key } }, png()) }, status: 403, code: 'AccessDenied' },
    { name: 'Content-Type changed on an exact-type grant', run: async () => { const g = await grant(uploads()); return post({ ...g, fields: { ...g.fields, 'Content-Type': 'text/html' } }, png()) }, status: 403, code: 'AccessDenied' },
    { name: 'an image/* grant, Content-Type image/gif', run: async () => { const g = await grant(uploads(), { contentType: 'image/*' }); return post({ ...g, fields: { ...g.fields, 'Content-Type': 'image/gif' } }, png()) }, status: 201, code: '' },
    { name: 'an image/* grant, Content-Type text/html', run: async () => { const g = await grant(uploads(), { contentType: 'image/*' }); return post({ ...g, fields: { ...g.fields, 'Content-Type': 'text/html' } }, png()) }, status: 403, code: 'AccessDenied' },
    { name: 'a grant signed 10 minutes ago for 60 s', run: async () => post(await grant(uploads({ now: () => Date.now() - 600_000 })), png()), status: 403, code: 'AccessDenied' },
    { name: 'X-Amz-Signature altered (RGW answers AccessDenied; AWS this)', run: async () => { const g = await grant(uploads()); return post({ ...g, fields: { ...g.fields, 'X-Amz-Signature': flip(g.fields['X-Amz-Signature']!) } }, png()) }, status: 403, code: 'SignatureDoesNotMatch' },
    { name: 'a field added that the grant does not sign', run: async () => { const g = await grant(uploads()); return post({ ...g, fields: { ...g.fields, 'x-amz-meta-note': 'hi' } }, png()) }, status: 403, code: 'AccessDenied' },
  ]
  it.each(cases)('$name → $status $code', async ({ run, status, code }) => {
    const res = await outcome(await run())
    expect({ status: res.status, code: res.code }).toEqual({ status, code })
  })

  it('a grant by an upload-role signer lands under quarantine/ with its type and filename, and complete() promotes it', async () => {
    const signer = s3.client({ credentials: s3.addPrincipal({ name: 'grant-signer', policy: signerPolicy({ role: 'upload', bucket: B, prefix: 'uploads/', quarantinePrefix: 'quarantine/' }) }) })
    const up = uploads({ signer })
    const g = await grant(up, { filename: 'scan.png' })
    expect(g.fields.acl).toBe('bucket-owner-full-control') // a separate signer signs the owner's ACL in
    expect((await post(g, png())).status).toBe(201)
    expect(await head(staged(g.key))).toMatchObject({ ContentLength: PNG.length, ContentType: 'image/png', Metadata: { filename: 'scan.png' } })
    expect(await up.complete({ key: g.key, owner: 'alice' })).toMatchObject({ state: 'committed' })
    expect(await head(g.key)).toMatchObject({ ContentLength: PNG.length, ContentType: 'image/png' })
    expect(await head(staged(g.key))).toBeUndefined()
  })

  it('successRedirects: 303 to the signed page with bucket, key and etag; another page in the form is 403', async () => {
    const back = 'https://app.example/uploaded'
    const g = await grant(uploads({ successRedirects: [back] }), { successRedirect: back })
    const res = await post(g, png())
    expect(res.status).toBe(303)
    const location = new URL(res.headers.get('location')!)
    expect(`${location.origin}${location.pathname}`).toBe(back)
    expect(Object.fromEntries(location.searchParams)).toEqual({ bucket: B, key: staged(g.key), etag: `"${createHash('md5').update(PNG).digest('hex')}"` })
    expect((await outcome(await post({ ...g, fields: { ...g.fields, success_action_redirect: 'https://evil.example/' } }, png()))).code).toBe('AccessDenied')
  })
})
