// bucketPolicy() on RGW: PutBucketPolicy accepts it, and each Deny is tried with a request it should
// refuse. Every case runs on a fresh bucket: a Deny on the whole bucket that RGW did enforce would lock
// out the rest of the file (observed: a Null aws:SecureTransport Deny refused even DeleteBucketPolicy).
// What RGW 16.2 enforces differs from AWS; each test asserts what RGW does, and says which it is.
import { DeleteBucketPolicyCommand, GetBucketPolicyCommand, GetObjectCommand, PutBucketPolicyCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { bucketPolicy, createSafeUpload, memoryStore, type PolicyDocument } from '../../../src/index.js'
import { describeWithServer } from '../../helpers/env.js'
import { freshBucket, httpRequest, postForm, removeBucket, rgwPeer, s3ClientFor } from '../../helpers/rgw.js'
import { asPost, asPut, enforcementTable, minimalPng, putWith } from './support.js'

const peer = rgwPeer()
const PNG = minimalPng(4)
const KEY = 'uploads/existing.png'

describeWithServer('bucketPolicy on RGW', peer.missing, () => {
  let client: S3Client
  const buckets: string[] = []
  const table = enforcementTable('hardening-policy')

  beforeAll(() => {
    client = s3ClientFor(peer)
  })
  afterAll(async () => {
    table.flush()
    for (const bucket of buckets) {
      await client.send(new DeleteBucketPolicyCommand({ Bucket: bucket })).catch(() => {})
      await removeBucket(client, bucket).catch((error) => console.warn(`[cleanup] ${bucket}: ${String(error)}`))
    }
    client?.destroy()
  })

  /** A fresh bucket holding KEY, with `policy` applied. */
  async function bucketWith(policy: (bucket: string) => PolicyDocument): Promise<string> {
    const bucket = await freshBucket(client)
    buckets.push(bucket)
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: KEY, Body: PNG, ContentType: 'image/png' }))
    await client.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy(bucket)) }))
    return bucket
  }

  /** A presigned GET of KEY, signed `ageSeconds` ago, valid 900 s, sent over plain http. */
  async function presignedGet(bucket: string, ageSeconds = 0) {
    const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: KEY }), { expiresIn: 900, signingDate: new Date(Date.now() - ageSeconds * 1000) })
    return httpRequest(url)
  }

  const without = (doc: PolicyDocument, ...sids: string[]): PolicyDocument => ({ ...doc, Statement: doc.Statement.filter((s) => !sids.includes(s.Sid)) })

  it('PutBucketPolicy accepts bucketPolicy() as generated, and GetBucketPolicy returns it', async () => {
    const bucket = await bucketWith((b) => bucketPolicy({ bucket: b, prefix: 'uploads/', quarantinePrefix: 'quarantine/', sourceIp: ['127.0.0.1/32'] }))
    const got = await client.send(new GetBucketPolicyCommand({ Bucket: bucket }))
    expect(JSON.parse(got.Policy ?? '{}')).toEqual(bucketPolicy({ bucket, prefix: 'uploads/', quarantinePrefix: 'quarantine/', sourceIp: ['127.0.0.1/32'] }))
    table.note('PutBucketPolicy(bucketPolicy(), all three Denies)', 'accepted; GetBucketPolicy returns it unchanged')
    // The policy is in force and lets a fresh presigned GET from an allowed address through.
    table.http('presigned GET, fresh signature, from 127.0.0.1 (allowed by sourceIp)', await presignedGet(bucket), [200, undefined])
  })

  it("aws:SecureTransport 'false' is accepted but not enforced: RGW serves plain http (it does not set the key; AWS sets it and refuses)", async () => {
    const bucket = await bucketWith((b) => bucketPolicy({ bucket: b, prefix: 'uploads/' }))
    table.http('presigned GET over plain http, Deny Bool aws:SecureTransport false (AWS: 403)', await presignedGet(bucket), [200, undefined])
    const sdk = await client.send(new GetObjectCommand({ Bucket: bucket, Key: KEY }))
    await sdk.Body?.transformToByteArray()
    table.note('SDK GetObject over plain http, same policy (AWS: 403)', `${sdk.$metadata.httpStatusCode}`)
    expect(sdk.$metadata.httpStatusCode).toBe(200)
  })

  it('a Null aws:SecureTransport Deny is enforced on http, but RGW denies with Null "true" and "false" alike', async () => {
    // Not something bucketPolicy() generates: it shows why the generator keeps AWS's Bool form. Objects
    // only, so DeleteBucketPolicy stays possible.
    const deny = (value: string) => (b: string): PolicyDocument => ({
      Version: '2012-10-17',
      Statement: [{ Sid: 'NullTls', Effect: 'Deny', Principal: '*', Action: ['s3:*'], Resource: [`arn:aws:s3:::${b}/*`], Condition: { Null: { 'aws:SecureTransport': value } } }],
    })
    table.http('presigned GET over http, Deny Null aws:SecureTransport "true" (key absent)', await presignedGet(await bucketWith(deny('true'))), [403, 'AccessDenied'])
    table.http('presigned GET over http, Deny Null aws:SecureTransport "false" (key present)', await presignedGet(await bucketWith(deny('false'))), [403, 'AccessDenied'])
  })

  it('s3:signatureAge is accepted but NOT enforced: a 10-minute-old signature passes a 1 s limit on GET, PUT and POST (AWS: 403)', async () => {
    const bucket = await bucketWith((b) => without(bucketPolicy({ bucket: b, prefix: 'uploads/', quarantinePrefix: 'quarantine/', maxSignatureAgeSeconds: 1 }), 'SafePresignDenyInsecureTransport'))
    table.http('presigned GET signed 600 s ago, Deny s3:signatureAge > 1000 ms (AWS: 403)', await presignedGet(bucket, 600), [200, undefined])

    // The library's own grants, signed 10 minutes ago through the injected clock, valid 15 minutes.
    const store = memoryStore()
    const tenMinutesAgo = () => Date.now() - 600_000
    const put = createSafeUpload({ client, bucket, store, allowedContentTypes: ['image/png'], maxSize: 1024, expiresIn: 900, now: tenMinutesAgo })
    const putGrant = asPut(await put.presign({ owner: 'alice', contentType: 'image/png', size: PNG.length }))
    table.http('safe PUT grant signed 600 s ago, s3:signatureAge > 1000 ms denied (AWS: 403)', await putWith(putGrant, PNG), [200, undefined])
    const post = createSafeUpload({ client, bucket, store, method: 'POST', quarantine: { prefix: 'quarantine/' }, allowedContentTypes: ['image/png'], maxSize: 1024, expiresIn: 900, now: tenMinutesAgo })
    const postGrant = asPost(await post.presign({ owner: 'alice', contentType: 'image/png' }))
    table.http('safe POST grant signed 600 s ago, s3:signatureAge > 1000 ms denied (AWS: 403)', await postForm(postGrant.url, postGrant.fields, { body: PNG, contentType: 'image/png', filename: 'a.png' }), [201, undefined])
  })

  it('neither half of the signature-age Deny is evaluated: s3:authType alone and s3:signatureAge alone deny nothing', async () => {
    const deny = (condition: Record<string, Record<string, string | string[]>>) => (b: string): PolicyDocument => ({
      Version: '2012-10-17',
      Statement: [{ Sid: 'Half', Effect: 'Deny', Principal: '*', Action: ['s3:*'], Resource: [`arn:aws:s3:::${b}/*`], Condition: condition }],
    })
    const authType = await bucketWith(deny({ StringEquals: { 's3:authType': ['REST-QUERY-STRING', 'POST'] } }))
    table.http('presigned GET, Deny StringEquals s3:authType REST-QUERY-STRING (AWS: 403)', await presignedGet(authType), [200, undefined])
    const age = await bucketWith(deny({ NumericGreaterThan: { 's3:signatureAge': '1000' } }))
    table.http('presigned GET signed 600 s ago, Deny s3:signatureAge > 1000 alone (AWS: 403)', await presignedGet(age, 600), [200, undefined])
  })

  it('sourceIp / sourceVpce are enforced: outside the network 403, inside 200', async () => {
    const only = (options: { sourceIp?: string[]; sourceVpce?: string[] }) => (b: string) =>
      without(bucketPolicy({ bucket: b, prefix: 'uploads/', ...options }), 'SafePresignDenyInsecureTransport', 'SafePresignDenyOldSignatures')
    table.http('presigned GET from 127.0.0.1, sourceIp 10.0.0.0/8', await presignedGet(await bucketWith(only({ sourceIp: ['10.0.0.0/8'] }))), [403, 'AccessDenied'])
    table.http('presigned GET from 127.0.0.1, sourceIp 127.0.0.1/32', await presignedGet(await bucketWith(only({ sourceIp: ['127.0.0.1/32'] }))), [200, undefined])
    table.http('presigned GET from 127.0.0.1 (no VPC endpoint), sourceVpce vpce-1a2b3c4d', await presignedGet(await bucketWith(only({ sourceVpce: ['vpce-1a2b3c4d'] }))), [403, 'AccessDenied'])
    table.http(
      'presigned GET from 127.0.0.1, sourceIp 127.0.0.1/32 or sourceVpce vpce-1a2b3c4d',
      await presignedGet(await bucketWith(only({ sourceIp: ['127.0.0.1/32'], sourceVpce: ['vpce-1a2b3c4d'] }))),
      [200, undefined],
    )
    // The Deny covers the prefix only: the bucket's own settings stay reachable for its owner.
    const bucket = await bucketWith(only({ sourceIp: ['10.0.0.0/8'] }))
    await client.send(new DeleteBucketPolicyCommand({ Bucket: bucket }))
    table.http('presigned GET from 127.0.0.1 after DeleteBucketPolicy', await presignedGet(bucket), [200, undefined])
  })
})
