// IAM evaluation of principals' identity policies, beyond what signerPolicy() generates: each row a
// policy shape AWS documents (negated operators on an absent key, Date*, ForAnyValue:, policy variables,
// CIDR, copy-source keys), with the answer AWS gives. A Deny that is skipped would let a user's test
// pass what AWS refuses; an Allow that is missed would fail what AWS allows.
import { CopyObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestS3, type TestS3, type TestS3Statement } from '../../../../src/testing/s3/index.js'

const B = 'iam-bucket'
let s3: TestS3
let root: S3Client
const ALL: TestS3Statement = { Effect: 'Allow', Action: 's3:*', Resource: '*' }

beforeAll(async () => {
  s3 = await startTestS3({ buckets: [B] })
  root = s3.client()
  await root.send(new PutObjectCommand({ Bucket: B, Key: 'source', Body: 'hello' }))
})
afterAll(async () => {
  root.destroy()
  await s3.close()
})

/** The status of `send` made by a fresh principal holding `statements`. */
async function statusAs(name: string, statements: TestS3Statement[], send: (c: S3Client) => Promise<unknown>): Promise<number> {
  const client = s3.client({ credentials: s3.addPrincipal({ name, policy: { Version: '2012-10-17', Statement: statements } }) })
  try {
    await send(client)
    return 200
  } catch (error) {
    return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0
  } finally {
    client.destroy()
  }
}
const put = (key: string, acl?: 'bucket-owner-full-control') => (c: S3Client) => c.send(new PutObjectCommand({ Bucket: B, Key: key, Body: 'x', ACL: acl }))

describe('identity policies, as IAM evaluates them', () => {
  const cases: { name: string; statements: TestS3Statement[]; send: (c: S3Client) => Promise<unknown>; status: number; user?: string }[] = [
    { name: 'Deny StringNotEquals s3:x-amz-acl, PUT without an ACL (absent key: a negated operator is true)', statements: [ALL, { Effect: 'Deny', Action: 's3:PutObject', Resource: '*', Condition: { StringNotEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } } }], send: put('n1'), status: 403 },
    { name: 'the same Deny, PUT with that ACL', statements: [ALL, { Effect: 'Deny', Action: 's3:PutObject', Resource: '*', Condition: { StringNotEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } } }], send: put('n2', 'bucket-owner-full-control'), status: 200 },
    { name: 'Allow StringEquals s3:x-amz-acl, PUT without an ACL (absent key: false)', statements: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: '*', Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } } }], send: put('n3'), status: 403 },
    { name: 'Allow StringEqualsIfExists s3:x-amz-acl, PUT without an ACL', statements: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: '*', Condition: { StringEqualsIfExists: { 's3:x-amz-acl': 'bucket-owner-full-control' } } }], send: put('n4'), status: 200 },
    { name: 'Deny DateGreaterThan aws:CurrentTime 2000-01-01', statements: [ALL, { Effect: 'Deny', Action: 's3:*', Resource: '*', Condition: { DateGreaterThan: { 'aws:CurrentTime': '2000-01-01T00:00:00Z' } } }], send: put('d1'), status: 403 },
    { name: 'Deny DateLessThan aws:CurrentTime 2000-01-01', statements: [ALL, { Effect: 'Deny', Action: 's3:*', Resource: '*', Condition: { DateLessThan: { 'aws:CurrentTime': '2000-01-01T00:00:00Z' } } }], send: put('d2'), status: 200 },
    { name: 'Deny ForAnyValue:StringLike s3:x-amz-acl *, PUT with an ACL', statements: [ALL, { Effect: 'Deny', Action: 's3:PutObject', Resource: '*', Condition: { 'ForAnyValue:StringLike': { 's3:x-amz-acl': ['*'] } } }], send: put('f1', 'bucket-owner-full-control'), status: 403 },
    { name: 'Deny StringEquals aws:username (the signer)', statements: [ALL, { Effect: 'Deny', Action: 's3:*', Resource: '*', Condition: { StringEquals: { 'aws:username': 'v1' } } }], send: put('v1'), status: 403, user: 'v1' },
    { name: 'Allow on ${aws:username}/*, PUT under the own name', statements: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: `arn:aws:s3:::${B}/\${aws:username}/*` }], send: put('v2/file'), status: 200, user: 'v2' },
    { name: 'Allow on ${aws:username}/*, PUT under another name', statements: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: `arn:aws:s3:::${B}/\${aws:username}/*` }], send: put('someone-else/file'), status: 403 },
    { name: 'Allow on ${aws:username}/*, PUT under the literal text ${aws:username}', statements: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: `arn:aws:s3:::${B}/\${aws:username}/*` }], send: put('${aws:username}/file'), status: 403 },
    { name: 'Deny NotIpAddress aws:SourceIp 127.5.0.0/16 (127.0.0.1 is outside it)', statements: [ALL, { Effect: 'Deny', Action: 's3:*', Resource: '*', Condition: { NotIpAddress: { 'aws:SourceIp': '127.5.0.0/16' } } }], send: put('i1'), status: 403 },
    { name: 'Deny NotIpAddress aws:SourceIp 127.0.0.0/8', statements: [ALL, { Effect: 'Deny', Action: 's3:*', Resource: '*', Condition: { NotIpAddress: { 'aws:SourceIp': '127.0.0.0/8' } } }], send: put('i2'), status: 200 },
    { name: 'Allow CopyObject only from one source (s3:x-amz-copy-source), that source', statements: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }, { Effect: 'Allow', Action: 's3:PutObject', Resource: '*', Condition: { StringLike: { 's3:x-amz-copy-source': `${B}/source` } } }], send: (c) => c.send(new CopyObjectCommand({ Bucket: B, Key: 'c1', CopySource: `${B}/source` })), status: 200 },
    { name: 'the same Allow, a plain PUT (no copy source)', statements: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: '*', Condition: { StringLike: { 's3:x-amz-copy-source': `${B}/source` } } }], send: put('c2'), status: 403 },
    { name: 'NotAction: Allow everything but s3:PutObject', statements: [{ Effect: 'Allow', NotAction: 's3:PutObject', Resource: '*' }], send: put('na'), status: 403 },
  ]
  it.each(cases.map((c, i) => ({ ...c, id: c.user ?? `p${i}` })))('$name → $status', async ({ id, statements, send, status }) => {
    expect(await statusAs(id, statements, send)).toBe(status)
  })

  it('a policy IAM would refuse is refused when the principal is added, naming the operator', () => {
    expect(() => s3.addPrincipal({ name: 'bad-op', policy: { Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { StringMatches: { 's3:prefix': 'x' } } }] } })).toThrow(/"StringMatches" is not one IAM documents/)
    expect(() => s3.addPrincipal({ name: 'bad-effect', policy: { Statement: [{ Effect: 'Maybe' as 'Allow', Action: 's3:*', Resource: '*' }] } })).toThrow(/Effect is "Maybe"/)
  })
})
