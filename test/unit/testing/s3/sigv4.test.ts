// The test S3's SigV4, row by row: query (presigned) and header auth, accepted and refused, each with
// the status and S3 error code AWS documents. Presigned URLs come from the SDK's own presigner, so a
// row changes one thing of a URL that S3 would accept.
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestS3, type TestS3 } from '../../../../src/testing/s3/index.js'
import { outcome, signedFetch } from './helpers.js'

let s3: TestS3
let client: S3Client
const B = 'sig-bucket'

beforeAll(async () => {
  s3 = await startTestS3({ buckets: [B] })
  client = s3.client()
  await client.send(new PutObjectCommand({ Bucket: B, Key: 'ok.txt', Body: 'hello', ContentType: 'text/plain' }))
})
afterAll(async () => {
  client.destroy()
  await s3.close()
})

const getUrl = (key = 'ok.txt', options: { expiresIn?: number; signingDate?: Date } = {}) =>
  getSignedUrl(client, new GetObjectCommand({ Bucket: B, Key: key }), { expiresIn: options.expiresIn ?? 60, signingDate: options.signingDate })
const putUrl = (key: string, contentType = 'text/plain') =>
  getSignedUrl(client, new PutObjectCommand({ Bucket: B, Key: key, ContentType: contentType }), { expiresIn: 60, signableHeaders: new Set(['content-type']) })
const withParam = (url: string, name: string, value: string) => {
  const u = new URL(url)
  u.searchParams.set(name, value)
  return u.toString()
}

describe('query auth (presigned URLs)', () => {
  const cases: { name: string; url: () => Promise<string>; init?: RequestInit; status: number; code: string }[] = [
    { name: 'as issued', url: () => getUrl(), status: 200, code: '' },
    { name: 'a second X-Amz-Signature appended', url: async () => `${await getUrl()}&X-Amz-Signature=junk`, status: 400, code: 'AuthorizationQueryParametersError' },
    { name: 'signature changed', url: async () => { const u = await getUrl(); const sig = new URL(u).searchParams.get('X-Amz-Signature')!; return withParam(u, 'X-Amz-Signature', sig.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'))) }, status: 403, code: 'SignatureDoesNotMatch' },
    { name: 'another key in the path', url: async () => (await getUrl()).replace('/ok.txt', '/other.txt'), status: 403, code: 'SignatureDoesNotMatch' },
    { name: 'an unsigned query parameter added', url: async () => withParam(await getUrl(), 'response-content-type', 'text/html'), status: 403, code: 'SignatureDoesNotMatch' },
    { name: 'expired (signed 2 min ago for 60 s)', url: () => getUrl('ok.txt', { signingDate: new Date(Date.now() - 120_000) }), status: 403, code: 'AccessDenied' },
    { name: 'signed 20 min in the future', url: () => getUrl('ok.txt', { signingDate: new Date(Date.now() + 20 * 60_000) }), status: 403, code: 'AccessDenied' },
    { name: 'X-Amz-Expires over a week', url: async () => withParam(await getUrl(), 'X-Amz-Expires', '604801'), status: 400, code: 'AuthorizationQueryParametersError' },
    { name: 'X-Amz-Expires not a number', url: async () => withParam(await getUrl(), 'X-Amz-Expires', 'soon'), status: 400, code: 'AuthorizationQueryParametersError' },
    { name: 'X-Amz-Date missing', url: async () => { const u = new URL(await getUrl()); u.searchParams.delete('X-Amz-Date'); return u.toString() }, status: 400, code: 'AuthorizationQueryParametersError' },
    { name: 'algorithm not AWS4-HMAC-SHA256', url: async () => withParam(await getUrl(), 'X-Amz-Algorithm', 'AWS4-HMAC-SHA512'), status: 400, code: 'AuthorizationQueryParametersError' },
    { name: 'credential scoped to another region', url: async () => { const u = await getUrl(); const c = new URL(u).searchParams.get('X-Amz-Credential')!; return withParam(u, 'X-Amz-Credential', c.replace('/us-east-1/', '/eu-west-1/')) }, status: 400, code: 'AuthorizationQueryParametersError' },
    { name: 'credential date not the X-Amz-Date day', url: async () => { const u = await getUrl(); const c = new URL(u).searchParams.get('X-Amz-Credential')!; return withParam(u, 'X-Amz-Credential', c.replace(/\/\d{8}\//, '/20200101/')) }, status: 400, code: 'AuthorizationQueryParametersError' },
    { name: 'unknown access key', url: async () => { const u = await getUrl(); const c = new URL(u).searchParams.get('X-Amz-Credential')!; return withParam(u, 'X-Amz-Credential', c.replace(/^[^/]+/, 'AKIAUNKNOWNKEY000000')) }, status: 403, code: 'InvalidAccessKeyId' },
    { name: 'an unsigned x-amz-meta-* header sent (HeadersNotSigned)', url: () => putUrl('meta.txt'), init: { method: 'PUT', headers: { 'content-type': 'text/plain', 'x-amz-meta-evil': '1' }, body: 'x' }, status: 403, code: 'AccessDenied' },
    { name: 'an unsigned x-amz-acl header sent (HeadersNotSigned)', url: () => putUrl('acl.txt'), init: { method: 'PUT', headers: { 'content-type': 'text/plain', 'x-amz-acl': 'public-read' }, body: 'x' }, status: 403, code: 'AccessDenied' },
    { name: 'an unsigned x-amz-copy-source header sent (HeadersNotSigned)', url: () => putUrl('copy.txt'), init: { method: 'PUT', headers: { 'content-type': 'text/plain', 'x-amz-copy-source': `${B}/ok.txt` } }, status: 403, code: 'AccessDenied' },
    { name: 'the signed Content-Type changed', url: () => putUrl('type.txt'), init: { method: 'PUT', headers: { 'content-type': 'text/html' }, body: 'x' }, status: 403, code: 'SignatureDoesNotMatch' },
    { name: 'the signed Content-Type left out', url: () => putUrl('type2.txt'), init: { method: 'PUT', body: new Uint8Array([1]) }, status: 403, code: 'SignatureDoesNotMatch' },
    { name: 'a PUT URL used for GET', url: () => putUrl('ok.txt'), init: { method: 'GET', headers: { 'content-type': 'text/plain' } }, status: 403, code: 'SignatureDoesNotMatch' },
    { name: 'a key with spaces, unicode and !\'()*+', url: () => putUrl("a b/ünï côdé!'()*+.txt"), init: { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'x' }, status: 200, code: '' },
  ]
  it.each(cases)('$name → $status $code', async ({ url, init, status, code }) => {
    const res = await outcome(await fetch(await url(), init))
    expect({ status: res.status, code: res.code }).toEqual({ status, code })
  })

  it('names the unsigned headers in HeadersNotSigned, and stores nothing', async () => {
    const res = await outcome(await fetch(await putUrl('named.txt'), { method: 'PUT', headers: { 'content-type': 'text/plain', 'x-amz-meta-a': '1', 'x-amz-grant-read': 'uri=x' }, body: 'x' }))
    expect(res.body).toMatch(/<HeadersNotSigned>x-amz-meta-a, x-amz-grant-read<\/HeadersNotSigned>/)
    expect((await fetch(await getUrl('named.txt'))).status).toBe(404)
  })
})

describe('header auth', () => {
  const url = () => `${s3.endpoint}/${B}/ok.txt`
  it('a correctly signed GET → 200 with the body', async () => {
    const res = await signedFetch(s3.credentials, { method: 'GET', url: url() })
    expect([res.status, await res.text()]).toEqual([200, 'hello'])
  })
  const cases: { name: string; send: () => Promise<Response>; status: number; code: string }[] = [
    { name: 'wrong secret key', send: () => signedFetch({ ...s3.credentials, secretAccessKey: 'not-the-secret' }, { method: 'GET', url: url() }), status: 403, code: 'SignatureDoesNotMatch' },
    { name: 'signed 20 min ago (clock skew)', send: () => signedFetch(s3.credentials, { method: 'GET', url: url(), signingDate: new Date(Date.now() - 20 * 60_000) }), status: 403, code: 'RequestTimeTooSkewed' },
    { name: 'scoped to another region', send: () => signedFetch(s3.credentials, { method: 'GET', url: url(), region: 'eu-west-1' }), status: 400, code: 'AuthorizationHeaderMalformed' },
    { name: 'x-amz-content-sha256 not the body\'s', send: () => signedFetch(s3.credentials, { method: 'PUT', url: `${s3.endpoint}/${B}/h1.txt`, body: 'abc', headers: { 'content-length': '3' }, payloadHash: 'a'.repeat(64) }), status: 400, code: 'XAmzContentSHA256Mismatch' },
    { name: 'x-amz-content-sha256 UNSIGNED-PAYLOAD', send: () => signedFetch(s3.credentials, { method: 'PUT', url: `${s3.endpoint}/${B}/h2.txt`, body: 'abc', headers: { 'content-length': '3' }, payloadHash: 'UNSIGNED-PAYLOAD' }), status: 200, code: '' },
    { name: 'signed chunks (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) are not implemented', send: () => signedFetch(s3.credentials, { method: 'PUT', url: `${s3.endpoint}/${B}/h3.txt`, body: 'abc', headers: { 'content-length': '3' }, payloadHash: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' }), status: 501, code: 'NotImplemented' },
    { name: 'an x-amz-* header added after signing (HeadersNotSigned)', send: () => signedFetch(s3.credentials, { method: 'GET', url: url(), unsigned: { 'x-amz-meta-late': '1' } }), status: 403, code: 'AccessDenied' },
    { name: 'no x-amz-content-sha256 signed or sent', send: () => fetch(url(), { headers: { authorization: 'AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=00', 'x-amz-date': '20260101T000000Z' } }), status: 400, code: 'InvalidRequest' },
    { name: 'AWS signature version 2 in the query', send: () => fetch(`${url()}?AWSAccessKeyId=AKIA&Signature=abc&Expires=1`), status: 400, code: 'InvalidRequest' },
    { name: 'an Authorization header and a presigned query together', send: async () => fetch(await getUrl(), { headers: { authorization: 'AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=0' } }), status: 400, code: 'InvalidArgument' },
    { name: 'anonymous GET of a private object', send: () => fetch(url()), status: 403, code: 'AccessDenied' },
  ]
  it.each(cases)('$name → $status $code', async ({ send, status, code }) => {
    const res = await outcome(await send())
    expect({ status: res.status, code: res.code }).toEqual({ status, code })
  })
})
