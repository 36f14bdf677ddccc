// POST Object on the strict test S3, over real HTTP: forms signed by the AWS SDK's createPresignedPost,
// by hand (for policies no SDK writes) and by the library's own POST grants, each accepted or refused
// with the status and S3 error code AWS answers.
import { createHash, createHmac } from 'node:crypto'
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { createPresignedPost } from '@aws-sdk/s3-presigned-post'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSafeUpload, memoryStore, signerPolicy, type SafeUploadConfig } from '../../../../src/index.js'
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

const sdk = (o: { key?: string; conditions?: unknown[]; fields?: Record<string, string>; expires?: number; client?: S3Client } = {}) =>
  createPresignedPost(o.client ?? root, { Bucket: B, Key: o.key ?? 'sdk/photo.png', Conditions: o.conditions as never, Fields: o.fields, Expires: o.expires ?? 60 })

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
