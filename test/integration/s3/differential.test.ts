// The same raw requests sent to Ceph RGW and to the strict test S3: where RGW follows AWS both must give
// AWS's documented status and S3 error code; where it does not (a row of deviations.ts) each peer must
// give its own documented answer. The table (request, rgw, test-s3, equal or the deviation's id) is
// printed and written to .test-output/differential-<vitest pid>.md.
import { createHash, randomUUID } from 'node:crypto'
import { appendFileSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketCorsCommand,
  PutObjectCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { corsConfiguration, createSafeUpload, memoryStore, type SafeUploadConfig } from '../../../src/index.js'
import { describeWithServer } from '../../helpers/env.js'
import { rgwAsPeer, testS3Peer, type Peer, type PeerName } from '../../helpers/peers.js'
import { httpRequest, postForm, type HttpResult } from '../../helpers/rgw.js'
import { DEVIATIONS, type DeviationId, type HttpOutcome } from './deviations.js'
import { bytes, etagOf, MIN_PART, partUrl, sdk, sendPart } from './multipart-support.js'
import { asPost, asPut, flip, minimalPng, putWith, tamperUrl } from './support.js'

const TEXT = Buffer.from('differential\n', 'utf8')
const OTHER = Buffer.from('DIFFERENTIAL\n', 'utf8')
const PNG = minimalPng(4)
const APP = 'https://app.example.com'
const ALL_USERS = 'uri="http://acs.amazonaws.com/groups/global/AllUsers"'
const b64 = (algorithm: 'md5' | 'sha256', body: Buffer) => createHash(algorithm).update(body).digest('base64')
const TEN_MINUTES_AGO = () => Date.now() - 10 * 60_000

/** One peer's side of the comparison: its client, a bucket, and a bucket with corsConfiguration() applied. */
interface Side {
  peer: Peer
  client: S3Client
  bucket: string
  corsBucket: string
  /** Why PutBucketCors failed in setup, if it did (the CORS rows then fail with it). */
  corsSetup?: string
}

interface Case {
  name: string
  send(side: Side): Promise<HttpResult>
  /** AWS's documented answer, which both peers must give. */
  expected?: HttpOutcome
  /** Or: the deviation row (and, for a row with several outcomes, which one) each peer answers by. */
  deviation?: [DeviationId, string?]
}

function expectedFor(c: Case, peer: PeerName): HttpOutcome {
  if (c.expected) return c.expected
  const [id, facet] = c.deviation!
  const side = DEVIATIONS[id][peer === 'rgw' ? 'rgw' : 'aws'] as HttpOutcome | Record<string, HttpOutcome>
  return (facet === undefined ? side : (side as Record<string, HttpOutcome>)[facet]) as HttpOutcome
}

const uploads = (s: Side, extra: Partial<SafeUploadConfig> = {}) =>
  createSafeUpload({ client: s.client, bucket: s.bucket, store: memoryStore(), allowedContentTypes: ['image/png', 'text/plain'], maxSize: 1024, expiresIn: 60, ...extra })
const putGrant = async (s: Side, extra: Partial<SafeUploadConfig> = {}, checksum?: string) =>
  asPut(await uploads(s, extra).presign({ owner: 'alice', contentType: 'text/plain', size: TEXT.length, ...(checksum ? { checksum } : {}) }))
const postGrant = async (s: Side, extra: Partial<SafeUploadConfig> = {}) =>
  asPost(await uploads(s, { method: 'POST', quarantine: { prefix: 'quarantine/' }, ...extra }).presign({ owner: 'alice', contentType: 'image/png' }))
const png = (body: Buffer) => ({ body, contentType: 'image/png', filename: 'x.png' })
type Signable = GetObjectCommand | HeadObjectCommand | DeleteObjectCommand | ListObjectsV2Command
// getSignedUrl's command parameter is generic per command; a union of them does not fit its signature.
const signed = (s: Side, command: Signable, signingDate?: Date) =>
  getSignedUrl(s.client, command as GetObjectCommand, { expiresIn: 60, ...(signingDate ? { signingDate } : {}) })
const preflight = (s: Side, bucket: string, origin: string) =>
  httpRequest(`${s.peer.endpoint}/${bucket}/uploads/any.png`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type' } })
async function multipart(s: Side, key: string, sizes: number[]): Promise<{ id: string; parts: CompletedPart[] }> {
  const created = await s.client.send(new CreateMultipartUploadCommand({ Bucket: s.bucket, Key: key }))
  const id = created.UploadId!
  const parts: CompletedPart[] = []
  for (const [i, size] of sizes.entries()) {
    const res = await sendPart(await partUrl(s.client, { Bucket: s.bucket, Key: key, UploadId: id, PartNumber: i + 1, ContentLength: size }), bytes(size))
    parts.push({ PartNumber: i + 1, ETag: res.headers.etag })
  }
  return { id, parts }
}
const complete = (s: Side, key: string, id: string, parts: CompletedPart[], extra: { IfNoneMatch?: string } = {}) =>
  sdk(() => s.client.send(new CompleteMultipartUploadCommand({ Bucket: s.bucket, Key: key, UploadId: id, MultipartUpload: { Parts: parts }, ...extra })))

const CASES: Case[] = [
  // ---- presigned PUT ----
  { name: 'presigned PUT as signed', expected: [200, undefined], send: async (s) => putWith(await putGrant(s), TEXT) },
  { name: 'presigned PUT, expired (signed 10 min ago for 60 s)', expected: [403, 'AccessDenied'], send: async (s) => putWith(await putGrant(s, { now: TEN_MINUTES_AGO }), TEXT) },
  { name: 'presigned PUT, tampered X-Amz-Signature', expected: [403, 'SignatureDoesNotMatch'], send: async (s) => { const g = await putGrant(s); return putWith(g, TEXT, { url: tamperUrl(g.url) }) } },
  {
    name: 'presigned PUT, URL used for another key',
    expected: [403, 'SignatureDoesNotMatch'],
    send: async (s) => {
      const g = await putGrant(s)
      const url = new URL(g.url)
      url.pathname = url.pathname.replace(g.key, `uploads/${randomUUID()}.txt`)
      return putWith(g, TEXT, { url: url.href })
    },
  },
  { name: 'presigned PUT, one byte more than the signed Content-Length', expected: [403, 'SignatureDoesNotMatch'], send: async (s) => putWith(await putGrant(s), Buffer.concat([TEXT, Buffer.from('!')])) },
  { name: 'presigned PUT, Content-Type text/html on a text/plain grant', expected: [403, 'SignatureDoesNotMatch'], send: async (s) => putWith(await putGrant(s), TEXT, { headers: { 'content-type': 'text/html' } }) },
  { name: 'presigned PUT replayed (signed If-None-Match: *)', expected: [412, 'PreconditionFailed'], send: async (s) => { const g = await putGrant(s); await putWith(g, TEXT); return putWith(g, TEXT) } },
  { name: 'presigned PUT (signed Content-MD5), other bytes of the same length', expected: [400, 'BadDigest'], send: async (s) => putWith(await putGrant(s, { checksum: 'md5' }, b64('md5', TEXT)), OTHER) },
  { name: 'presigned PUT (signed x-amz-checksum-sha256), other bytes of the same length', deviation: ['checksum-sha256', 'put'], send: async (s) => putWith(await putGrant(s, { checksum: 'sha256' }, b64('sha256', TEXT)), OTHER) },
  { name: 'presigned PUT + unsigned x-amz-copy-source (the owner\'s object)', deviation: ['unsigned-copy-source', 'put'], send: async (s) => putWith(await putGrant(s), TEXT, { headers: { 'x-amz-copy-source': `/${s.bucket}/private/secret.txt` } }) },
  { name: 'presigned PUT + unsigned x-amz-acl: public-read', deviation: ['unsigned-acl', 'put'], send: async (s) => putWith(await putGrant(s), TEXT, { headers: { 'x-amz-acl': 'public-read' } }) },
  { name: 'presigned PUT + unsigned x-amz-grant-read AllUsers', deviation: ['unsigned-grant', 'put'], send: async (s) => putWith(await putGrant(s), TEXT, { headers: { 'x-amz-grant-read': ALL_USERS } }) },
  { name: 'presigned PUT + unsigned x-amz-meta-extra', deviation: ['unsigned-meta'], send: async (s) => putWith(await putGrant(s), TEXT, { headers: { 'x-amz-meta-extra': 'smuggled' } }) },
  { name: 'owner PutObject with ACL public-read (SDK) on a new bucket', deviation: ['public-acl-default', 'put'], send: (s) => sdk(() => s.client.send(new PutObjectCommand({ Bucket: s.bucket, Key: `public/${randomUUID()}`, Body: TEXT, ACL: 'public-read' }))) },

  // ---- reads, deletes, lists ----
  { name: 'anonymous GET of an object', expected: [403, 'AccessDenied'], send: (s) => httpRequest(`${s.peer.endpoint}/${s.bucket}/private/secret.txt`) },
  { name: 'presigned GET of an object', expected: [200, undefined], send: async (s) => httpRequest(await signed(s, new GetObjectCommand({ Bucket: s.bucket, Key: 'private/secret.txt' }))) },
  { name: 'presigned GET, expired (signed an hour ago for 60 s)', expected: [403, 'AccessDenied'], send: async (s) => httpRequest(await signed(s, new GetObjectCommand({ Bucket: s.bucket, Key: 'private/secret.txt' }), new Date(Date.now() - 3600_000))) },
  {
    name: 'presigned GET, response-content-type changed after signing',
    expected: [403, 'SignatureDoesNotMatch'],
    send: async (s) => {
      const url = new URL(await signed(s, new GetObjectCommand({ Bucket: s.bucket, Key: 'private/secret.txt', ResponseContentType: 'text/plain' })))
      url.searchParams.set('response-content-type', 'text/html')
      return httpRequest(url.href)
    },
  },
  { name: 'presigned GET, tampered X-Amz-Signature', expected: [403, 'SignatureDoesNotMatch'], send: async (s) => httpRequest(tamperUrl(await signed(s, new GetObjectCommand({ Bucket: s.bucket, Key: 'private/secret.txt' })))) },
  { name: 'presigned GET of a missing key, as the owner', expected: [404, 'NoSuchKey'], send: async (s) => httpRequest(await signed(s, new GetObjectCommand({ Bucket: s.bucket, Key: 'missing/none.txt' }))) },
  { name: 'presigned GET with Range: bytes=0-3', expected: [206, undefined], send: async (s) => httpRequest(await signed(s, new GetObjectCommand({ Bucket: s.bucket, Key: 'private/secret.txt' })), { headers: { range: 'bytes=0-3' } }) },
  { name: 'presigned HEAD of a missing key', expected: [404, undefined], send: async (s) => httpRequest(await signed(s, new HeadObjectCommand({ Bucket: s.bucket, Key: 'missing/none.txt' })), { method: 'HEAD' }) },
  { name: 'presigned DELETE of a missing key', expected: [204, undefined], send: async (s) => httpRequest(await signed(s, new DeleteObjectCommand({ Bucket: s.bucket, Key: 'missing/none.txt' })), { method: 'DELETE' }) },
  {
    name: 'presigned ListObjectsV2 with Prefix private/ (lists private/secret.txt only)',
    expected: [200, undefined],
    send: async (s) => {
      const res = await httpRequest(await signed(s, new ListObjectsV2Command({ Bucket: s.bucket, Prefix: 'private/' })))
      const keys = [...res.body.toString('utf8').matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1])
      expect(keys, s.peer.name).toEqual(['private/secret.txt'])
      return res
    },
  },
  { name: 'anonymous ListObjectsV2', expected: [403, 'AccessDenied'], send: (s) => httpRequest(`${s.peer.endpoint}/${s.bucket}?list-type=2`) },

  // ---- multipart ----
  { name: 'UploadPart URL with an unknown uploadId', expected: [404, 'NoSuchUpload'], send: async (s) => sendPart(await partUrl(s.client, { Bucket: s.bucket, Key: 'mp/unknown', UploadId: 'not-an-upload', PartNumber: 1, ContentLength: 16 }), bytes(16)) },
  { name: 'Complete with a 1 KiB non-last part', expected: [400, 'EntityTooSmall'], send: async (s) => { const { id, parts } = await multipart(s, 'mp/small', [1024, 1024]); return complete(s, 'mp/small', id, parts) } },
  { name: 'Complete with a wrong ETag for part 1', expected: [400, 'InvalidPart'], send: async (s) => { const { id } = await multipart(s, 'mp/etag', [1024]); return complete(s, 'mp/etag', id, [{ PartNumber: 1, ETag: etagOf(bytes(8)) }]) } },
  { name: 'Complete with the parts listed 2, 1 (5 MiB, 100 bytes)', deviation: ['complete-part-order'], send: async (s) => { const { id, parts } = await multipart(s, 'mp/order', [MIN_PART, 100]); return complete(s, 'mp/order', id, [parts[1]!, parts[0]!]) } },
  { name: 'Complete with If-None-Match: * over an existing key', deviation: ['complete-if-none-match', 'complete'], send: async (s) => { const { id, parts } = await multipart(s, 'private/secret.txt', [300]); return complete(s, 'private/secret.txt', id, parts, { IfNoneMatch: '*' }) } },
  {
    name: 'UploadPart URL replayed after Complete',
    expected: [404, 'NoSuchUpload'],
    send: async (s) => {
      const created = await s.client.send(new CreateMultipartUploadCommand({ Bucket: s.bucket, Key: 'mp/replay' }))
      const part = await partUrl(s.client, { Bucket: s.bucket, Key: 'mp/replay', UploadId: created.UploadId!, PartNumber: 1, ContentLength: 64 })
      const body = bytes(64)
      const first = await sendPart(part, body)
      await complete(s, 'mp/replay', created.UploadId!, [{ PartNumber: 1, ETag: first.headers.etag }])
      return sendPart(part, body)
    },
  },

  // ---- POST ----
  { name: 'POST form as signed', expected: [201, undefined], send: async (s) => { const g = await postGrant(s); return postForm(g.url, g.fields, png(PNG)) } },
  { name: 'POST, policy expired', expected: [403, 'AccessDenied'], send: async (s) => { const g = await postGrant(s, { now: TEN_MINUTES_AGO }); return postForm(g.url, g.fields, png(PNG)) } },
  { name: 'POST, a field the policy does not list (x-amz-meta-extra)', expected: [403, 'AccessDenied'], send: async (s) => { const g = await postGrant(s); return postForm(g.url, { ...g.fields, 'x-amz-meta-extra': 'smuggled' }, png(PNG)) } },
  { name: 'POST, 1025 bytes on a 1..1024 policy', expected: [400, 'EntityTooLarge'], send: async (s) => { const g = await postGrant(s); return postForm(g.url, g.fields, png(Buffer.concat([PNG, Buffer.alloc(1025 - PNG.length)]))) } },
  { name: 'POST, tampered X-Amz-Signature', deviation: ['post-tampered-signature'], send: async (s) => { const g = await postGrant(s); return postForm(g.url, { ...g.fields, 'X-Amz-Signature': flip(g.fields['X-Amz-Signature']!) }, png(PNG)) } },

  // ---- CORS preflight ----
  { name: 'preflight on a bucket without CORS rules', deviation: ['cors-refused-code'], send: (s) => preflight(s, s.bucket, APP) },
  {
    name: 'preflight from a foreign origin (bucket with corsConfiguration())',
    deviation: ['cors-refused-code'],
    send: async (s) => {
      const res = await preflight(s, s.corsBucket, 'https://evil.example.com')
      expect(res.headers['access-control-allow-origin'], s.peer.name).toBeUndefined()
      return res
    },
  },
  {
    name: 'preflight from the allowed origin (bucket with corsConfiguration())',
    expected: [200, undefined],
    send: async (s) => {
      if (s.corsSetup) throw new Error(`PutBucketCors failed in setup: ${s.corsSetup}`)
      const res = await preflight(s, s.corsBucket, APP)
      expect(res.headers['access-control-allow-origin'], s.peer.name).toBe(res.status === 200 ? APP : undefined)
      return res
    },
  },
]

const TABLE = join(fileURLToPath(new URL('../../../.test-output/', import.meta.url)), `differential-${process.ppid}.md`)
const rgw = rgwAsPeer()

describeWithServer('differential: the same raw requests to rgw and test-s3', rgw.missing, () => {
  const s3 = testS3Peer()
  const sides = {} as Record<PeerName, Side>
  const rows: string[] = []

  beforeAll(async () => {
    await s3.start()
    for (const peer of [rgw, s3]) {
      const client = peer.client()
      const [bucket, corsBucket] = [await peer.freshBucket(), await peer.freshBucket()]
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'private/secret.txt', Body: TEXT, ContentType: 'text/plain' }))
      const cors = await client.send(new PutBucketCorsCommand({ Bucket: corsBucket, CORSConfiguration: corsConfiguration({ origins: [APP] }) })).then(
        () => undefined,
        (e: { name?: string; $metadata?: { httpStatusCode?: number } }) => `${e.$metadata?.httpStatusCode} ${e.name}`,
      )
      sides[peer.name] = { peer, client, bucket, corsBucket, ...(cors ? { corsSetup: cors } : {}) }
    }
  })
  afterAll(async () => {
    if (rows.length > 0) {
      const text = `| request | rgw | test-s3 | equal / deviation |\n|---|---|---|---|\n${rows.join('\n')}\n`
      mkdirSync(dirname(TABLE), { recursive: true })
      appendFileSync(TABLE, text)
      console.log(`differential (${TABLE})\n${text}`)
    }
    for (const side of Object.values(sides)) {
      await side.peer.removeBucket(side.client, side.bucket).catch((e) => console.warn(`[cleanup] ${side.bucket}: ${String(e)}`))
      await side.peer.removeBucket(side.client, side.corsBucket).catch((e) => console.warn(`[cleanup] ${side.corsBucket}: ${String(e)}`))
      side.client.destroy()
    }
    await s3.close()
  })

  const show = (r: HttpResult | Error) => (r instanceof Error ? `threw: ${r.message.slice(0, 80)}` : `${r.status}${r.code ? ` ${r.code}` : ''}`)

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const got = {} as Record<PeerName, HttpResult | Error>
    for (const name of ['rgw', 'test-s3'] as const) got[name] = await c.send(sides[name]).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))))
    const verdict = c.deviation ? `deviation: ${c.deviation[0]}` : show(got.rgw) === show(got['test-s3']) ? 'equal' : 'DIFFERENT'
    rows.push(`| ${c.name} | ${show(got.rgw)} | ${show(got['test-s3'])} | ${verdict} |`)
    // Soft, so one run shows both peers' answers.
    for (const name of ['rgw', 'test-s3'] as const) {
      const res = got[name]
      const [status, code] = expectedFor(c, name)
      expect.soft(show(res), `${name}: ${res instanceof Error ? res.stack : (res.message ?? '')}`).toBe(`${status}${code ? ` ${code}` : ''}`)
    }
  })
})
