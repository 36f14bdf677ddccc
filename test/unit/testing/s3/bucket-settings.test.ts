// Bucket settings on the strict test S3, through the SDK: what a new bucket answers, what GET gives
// back after a PUT (and after a DELETE), what each PUT refuses, and the IAM action each call needs.
// ACLs, the public access block and Object Ownership: bucket-access.test.ts; CORS: cors.test.ts.
import * as S from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bucketPolicy, multipartLifecycleRule, quarantineLifecycleRule } from '../../../../src/index.js'
import { startTestS3, type TestS3 } from '../../../../src/testing/s3/index.js'
import { editedClient, outcome, rawClient } from './bucket-helpers.js'

let s3: TestS3
let client: S.S3Client
beforeAll(async () => {
  s3 = await startTestS3({ buckets: ['fresh-bucket', 'settings-bucket', 'logs-bucket', 'open-bucket'] })
  client = s3.client()
})
afterAll(() => s3.close())

type Call = () => Promise<{ $metadata: { httpStatusCode?: number } }>
const B = 'settings-bucket'

describe('a new bucket answers AWS defaults (since 2023)', () => {
  const Bucket = 'fresh-bucket'
  const cases: [string, [number, string], Call][] = [
    ['GetBucketCors', [404, 'NoSuchCORSConfiguration'], () => client.send(new S.GetBucketCorsCommand({ Bucket }))],
    ['GetBucketPolicy', [404, 'NoSuchBucketPolicy'], () => client.send(new S.GetBucketPolicyCommand({ Bucket }))],
    ['GetBucketLifecycleConfiguration', [404, 'NoSuchLifecycleConfiguration'], () => client.send(new S.GetBucketLifecycleConfigurationCommand({ Bucket }))],
    ['GetBucketTagging', [404, 'NoSuchTagSet'], () => client.send(new S.GetBucketTaggingCommand({ Bucket }))],
    ['GetPublicAccessBlock', [200, 'ok'], () => client.send(new S.GetPublicAccessBlockCommand({ Bucket }))],
    ['GetBucketOwnershipControls', [200, 'ok'], () => client.send(new S.GetBucketOwnershipControlsCommand({ Bucket }))],
    ['GetBucketVersioning', [200, 'ok'], () => client.send(new S.GetBucketVersioningCommand({ Bucket }))],
    ['GetBucketLogging', [200, 'ok'], () => client.send(new S.GetBucketLoggingCommand({ Bucket }))],
    ['GetBucketEncryption', [200, 'ok'], () => client.send(new S.GetBucketEncryptionCommand({ Bucket }))],
    ['GetBucketLocation', [200, 'ok'], () => client.send(new S.GetBucketLocationCommand({ Bucket }))],
    ['GetBucketAcl', [200, 'ok'], () => client.send(new S.GetBucketAclCommand({ Bucket }))],
    ['GetBucketCors of a missing bucket', [404, 'NoSuchBucket'], () => client.send(new S.GetBucketCorsCommand({ Bucket: 'missing-bucket' }))],
  ]
  it.each(cases)('%s → %j', async (_name, expected, call) => expect(await outcome(call())).toEqual(expected))

  it('the values: all four public access block flags, BucketOwnerEnforced, SSE-S3, no versioning or logging, no constraint', async () => {
    expect((await client.send(new S.GetPublicAccessBlockCommand({ Bucket }))).PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true })
    expect((await client.send(new S.GetBucketOwnershipControlsCommand({ Bucket }))).OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] })
    expect((await client.send(new S.GetBucketEncryptionCommand({ Bucket }))).ServerSideEncryptionConfiguration?.Rules).toEqual([{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false }])
    expect((await client.send(new S.GetBucketVersioningCommand({ Bucket }))).Status).toBeUndefined()
    expect((await client.send(new S.GetBucketLoggingCommand({ Bucket }))).LoggingEnabled).toBeUndefined()
    expect((await client.send(new S.GetBucketLocationCommand({ Bucket }))).LocationConstraint).toBeUndefined()
  })
})

describe('GET gives back what PUT stored; DELETE removes it', () => {
  const Bucket = B
  const policy = JSON.stringify(bucketPolicy({ bucket: B, prefix: 'uploads/', quarantinePrefix: 'quarantine/' }))
  const rules = [quarantineLifecycleRule({ prefix: 'quarantine/' }), multipartLifecycleRule({ prefix: 'uploads/' })]
  const cases: [string, Call, () => Promise<unknown>, unknown, Call | undefined, [number, string] | undefined][] = [
    ['policy', () => client.send(new S.PutBucketPolicyCommand({ Bucket, Policy: policy })), async () => (await client.send(new S.GetBucketPolicyCommand({ Bucket }))).Policy, policy, () => client.send(new S.DeleteBucketPolicyCommand({ Bucket })), [404, 'NoSuchBucketPolicy']],
    ['lifecycle', () => client.send(new S.PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules: rules } })), async () => (await client.send(new S.GetBucketLifecycleConfigurationCommand({ Bucket }))).Rules, rules, () => client.send(new S.DeleteBucketLifecycleCommand({ Bucket })), [404, 'NoSuchLifecycleConfiguration']],
    ['versioning', () => client.send(new S.PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } })), async () => (await client.send(new S.GetBucketVersioningCommand({ Bucket }))).Status, 'Enabled', undefined, undefined],
    ['versioning suspended', () => client.send(new S.PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Suspended' } })), async () => (await client.send(new S.GetBucketVersioningCommand({ Bucket }))).Status, 'Suspended', undefined, undefined],
    ['logging', () => client.send(new S.PutBucketLoggingCommand({ Bucket, BucketLoggingStatus: { LoggingEnabled: { TargetBucket: 'logs-bucket', TargetPrefix: `${B}/` } } })), async () => (await client.send(new S.GetBucketLoggingCommand({ Bucket }))).LoggingEnabled, { TargetBucket: 'logs-bucket', TargetPrefix: `${B}/` }, undefined, undefined],
    ['logging off', () => client.send(new S.PutBucketLoggingCommand({ Bucket, BucketLoggingStatus: {} })), async () => (await client.send(new S.GetBucketLoggingCommand({ Bucket }))).LoggingEnabled, undefined, undefined, undefined],
    ['encryption', () => client.send(new S.PutBucketEncryptionCommand({ Bucket, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/app' }, BucketKeyEnabled: true }] } })), async () => (await client.send(new S.GetBucketEncryptionCommand({ Bucket }))).ServerSideEncryptionConfiguration?.Rules, [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/app' }, BucketKeyEnabled: true }], () => client.send(new S.DeleteBucketEncryptionCommand({ Bucket })), undefined],
    ['tagging', () => client.send(new S.PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: [{ Key: 'team', Value: 'files' }, { Key: 'env', Value: '' }] } })), async () => (await client.send(new S.GetBucketTaggingCommand({ Bucket }))).TagSet, [{ Key: 'team', Value: 'files' }, { Key: 'env', Value: '' }], () => client.send(new S.DeleteBucketTaggingCommand({ Bucket })), [404, 'NoSuchTagSet']],
  ]
  it.each(cases)('%s', async (_name, put, get, expected, remove, afterDelete) => {
    expect((await outcome(put()))[1]).toBe('ok')
    expect(await get()).toEqual(expected)
    if (!remove) return
    expect(await outcome(remove())).toEqual([204, 'ok'])
    if (afterDelete) expect(await outcome(get() as never)).toEqual(afterDelete)
  })

  it('a deleted encryption configuration answers the SSE-S3 default again', async () => {
    const rules = (await client.send(new S.GetBucketEncryptionCommand({ Bucket }))).ServerSideEncryptionConfiguration?.Rules
    expect(rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm).toBe('AES256')
  })
})

describe('what each PUT refuses', () => {
  const Bucket = B
  const raw = (body: string, md5?: boolean | string) => rawClient(s3, body, md5)
  const cors = new S.PutBucketCorsCommand({ Bucket, CORSConfiguration: { CORSRules: [] } })
  const lifecycle = new S.PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules: [] } })
  const rule = (extra: object) => ({ ID: 'r', Status: 'Enabled' as const, Filter: { Prefix: 'a/' }, ...extra })
  const lc = (...rules: S.LifecycleRule[]) => client.send(new S.PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules: rules } }))
  const pol = (doc: unknown) => client.send(new S.PutBucketPolicyCommand({ Bucket, Policy: typeof doc === 'string' ? doc : JSON.stringify(doc) }))
  const stmt = (extra: object) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/*`, ...extra }] })
  const open = (Condition?: object) => ({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/*`, Condition }] })
  const cases: [string, [number, string], Call][] = [
    ['policy: not JSON', [400, 'MalformedPolicy'], () => pol('not json')],
    ['policy: no Statement', [400, 'MalformedPolicy'], () => pol({ Version: '2012-10-17' })],
    ['policy: no Effect', [400, 'MalformedPolicy'], () => pol(stmt({ Effect: undefined }))],
    ['policy: Effect Maybe', [400, 'MalformedPolicy'], () => pol(stmt({ Effect: 'Maybe' }))],
    ['policy: no Principal', [400, 'MalformedPolicy'], () => pol(stmt({ Principal: undefined }))],
    ['policy: an action of another service', [400, 'MalformedPolicy'], () => pol(stmt({ Action: 'ec2:RunInstances' }))],
    ['policy: a resource in another bucket', [400, 'MalformedPolicy'], () => pol(stmt({ Resource: 'arn:aws:s3:::other-bucket/*' }))],
    ['policy: an unknown field', [400, 'MalformedPolicy'], () => pol(stmt({ Color: 'red' }))],
    ['policy: over 20 KB', [400, 'PolicyTooLarge'], () => pol(stmt({ Sid: 'x'.repeat(21 * 1024) }))],
    ['policy: public, BlockPublicPolicy on', [403, 'AccessDenied'], () => pol(open())],
    ['policy: Allow to * limited by aws:SourceIp', [204, 'ok'], () => pol(open({ IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }))],
    ['policy: Allow to * with aws:SourceIp 0.0.0.0/0', [403, 'AccessDenied'], () => pol(open({ IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } }))],
    ['policy: Allow to * of a fixed aws:PrincipalAccount', [204, 'ok'], () => pol(open({ StringEquals: { 'aws:PrincipalAccount': '111122223333' } }))],
    ['policy: bucketPolicy() with its signers', [204, 'ok'], () => pol(bucketPolicy({ bucket: B, prefix: 'u/', principals: { upload: ['arn:aws:iam::000000000000:user/up'] } }))],
    ['cors: no rules', [400, 'MalformedXML'], () => raw('<CORSConfiguration/>').send(cors)],
    ['cors: not XML', [400, 'MalformedXML'], () => raw('{"CORSRules":[]}').send(cors)],
    ['cors: no Content-MD5 or checksum', [400, 'InvalidRequest'], () => raw('<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod><AllowedOrigin>*</AllowedOrigin></CORSRule></CORSConfiguration>', false).send(cors)],
    ['cors: a wrong Content-MD5', [400, 'BadDigest'], () => raw('<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod><AllowedOrigin>*</AllowedOrigin></CORSRule></CORSConfiguration>', '1B2M2Y8AsgTpgAmY7PhCfg==').send(cors)],
    ['lifecycle: no rules', [400, 'MalformedXML'], () => raw('<LifecycleConfiguration/>').send(lifecycle)],
    ['lifecycle: Filter and Prefix', [400, 'MalformedXML'], () => raw('<LifecycleConfiguration><Rule><Filter/><Prefix>a</Prefix><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>').send(lifecycle)],
    ['lifecycle: no digest', [400, 'InvalidRequest'], () => raw('<LifecycleConfiguration><Rule><Filter/><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>', false).send(lifecycle)],
    ['lifecycle: Status On', [400, 'MalformedXML'], () => lc(rule({ Status: 'On', Expiration: { Days: 1 } }))],
    ['lifecycle: no action', [400, 'InvalidRequest'], () => lc(rule({}))],
    ['lifecycle: Days 0', [400, 'InvalidArgument'], () => lc(rule({ Expiration: { Days: 0 } }))],
    ['lifecycle: DaysAfterInitiation 0', [400, 'InvalidArgument'], () => lc(rule({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 0 } }))],
    ['lifecycle: the same ID twice', [400, 'InvalidArgument'], () => lc(rule({ Expiration: { Days: 1 } }), rule({ Expiration: { Days: 2 } }))],
    ['lifecycle: abort with a tag filter', [400, 'InvalidRequest'], () => lc(rule({ Filter: { Tag: { Key: 'k', Value: 'v' } }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }))],
    ['lifecycle: an ID over 255 characters', [400, 'InvalidArgument'], () => lc(rule({ ID: 'i'.repeat(256), Expiration: { Days: 1 } }))],
    ['versioning: Status On', [400, 'MalformedXML'], () => client.send(new S.PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'On' as 'Enabled' } }))],
    ['versioning: MFA delete', [501, 'NotImplemented'], () => client.send(new S.PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled', MFADelete: 'Enabled' } }))],
    ['logging: a target bucket that does not exist', [400, 'InvalidTargetBucketForLogging'], () => client.send(new S.PutBucketLoggingCommand({ Bucket, BucketLoggingStatus: { LoggingEnabled: { TargetBucket: 'nowhere-bucket', TargetPrefix: 'x/' } } }))],
    ['logging: no TargetPrefix', [400, 'MalformedXML'], () => raw('<BucketLoggingStatus><LoggingEnabled><TargetBucket>logs-bucket</TargetBucket></LoggingEnabled></BucketLoggingStatus>').send(new S.PutBucketLoggingCommand({ Bucket, BucketLoggingStatus: {} }))],
    ['encryption: an unknown algorithm', [400, 'MalformedXML'], () => client.send(new S.PutBucketEncryptionCommand({ Bucket, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'DES' as 'AES256' } }] } }))],
    ['encryption: a KMS key with AES256', [400, 'InvalidArgument'], () => client.send(new S.PutBucketEncryptionCommand({ Bucket, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256', KMSMasterKeyID: 'k' } }] } }))],
    ['tagging: the same key twice', [400, 'InvalidTag'], () => client.send(new S.PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: [{ Key: 'a', Value: '1' }, { Key: 'a', Value: '2' }] } }))],
    ['tagging: an aws: key', [400, 'InvalidTag'], () => client.send(new S.PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: [{ Key: 'aws:owner', Value: '1' }] } }))],
    ['tagging: a 129-character key', [400, 'InvalidTag'], () => client.send(new S.PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: [{ Key: 'k'.repeat(129), Value: '1' }] } }))],
    ['tagging: 51 tags', [400, 'BadRequest'], () => client.send(new S.PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: '' })) } }))],
  ]
  it.each(cases)('%s → %j', async (_name, expected, call) => expect(await outcome(call())).toEqual(expected))

  it('a public policy is accepted once BlockPublicPolicy is off, and stored as sent', async () => {
    const Bucket = 'open-bucket'
    const doc = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${Bucket}/*` }] })
    await client.send(new S.PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: { BlockPublicPolicy: false, IgnorePublicAcls: true } }))
    expect(await outcome(client.send(new S.PutBucketPolicyCommand({ Bucket, Policy: doc })))).toEqual([204, 'ok'])
    expect((await client.send(new S.GetBucketPolicyCommand({ Bucket }))).Policy).toBe(doc)
  })

  it('GetBucketPolicyStatus: 404 without a policy, IsPublic as BlockPublicPolicy judges it', async () => {
    expect(await outcome(client.send(new S.GetBucketPolicyStatusCommand({ Bucket: 'fresh-bucket' })))).toEqual([404, 'NoSuchBucketPolicy'])
    expect((await client.send(new S.GetBucketPolicyStatusCommand({ Bucket: 'open-bucket' }))).PolicyStatus?.IsPublic).toBe(true)
    await client.send(new S.PutBucketPolicyCommand({ Bucket: B, Policy: JSON.stringify(bucketPolicy({ bucket: B, prefix: 'uploads/' })) }))
    expect((await client.send(new S.GetBucketPolicyStatusCommand({ Bucket: B }))).PolicyStatus?.IsPublic).toBe(false)
  })
})

describe('subresources the test S3 does not implement: 501 NotImplemented (never a CreateBucket or a listing)', () => {
  const Bucket = B
  const cases: [string, Call][] = [
    ['PutBucketWebsite', () => client.send(new S.PutBucketWebsiteCommand({ Bucket, WebsiteConfiguration: { IndexDocument: { Suffix: 'index.html' } } }))],
    ['GetBucketWebsite', () => client.send(new S.GetBucketWebsiteCommand({ Bucket }))],
    ['GetBucketReplication', () => client.send(new S.GetBucketReplicationCommand({ Bucket }))],
    ['GetBucketAccelerateConfiguration', () => client.send(new S.GetBucketAccelerateConfigurationCommand({ Bucket }))],
    ['GetBucketNotificationConfiguration', () => client.send(new S.GetBucketNotificationConfigurationCommand({ Bucket }))],
    ['GetObjectLockConfiguration', () => client.send(new S.GetObjectLockConfigurationCommand({ Bucket }))],
    ['GetBucketRequestPayment', () => client.send(new S.GetBucketRequestPaymentCommand({ Bucket }))],
  ]
  it.each(cases)('%s', async (_name, call) => expect(await outcome(call())).toEqual([501, 'NotImplemented']))
})

describe('methods a subresource does not have: 405 MethodNotAllowed', () => {
  const cases: [string, string][] = [['DELETE', 'versioning'], ['DELETE', 'logging'], ['DELETE', 'acl'], ['DELETE', 'location'], ['PUT', 'location']]
  it.each(cases)('%s ?%s', async (method, sub) => {
    const client = editedClient(s3, (r) => {
      r.method = method
      r.query = { [sub]: '' }
    })
    expect(await outcome(client.send(new S.GetBucketCorsCommand({ Bucket: B })))).toEqual([405, 'MethodNotAllowed'])
  })
})
