// Who besides the owner can reach a bucket, on the strict test S3: bucket ACLs under each Object
// Ownership, the public access block, and that the objects' ACL rules follow these settings; the IAM
// action every bucket-setting call needs; and auditBucket() reading all of it as it reads AWS.
import * as S from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { auditBucket, bucketPolicy, corsConfiguration, multipartLifecycleRule } from '../../../../src/index.js'
import { startTestS3, type TestS3 } from '../../../../src/testing/s3/index.js'
import { outcome, rawClient } from './bucket-helpers.js'

let s3: TestS3
let client: S.S3Client
beforeAll(async () => {
  s3 = await startTestS3({ buckets: ['enforced-bucket', 'writer-bucket', 'open-bucket', 'audit-bucket', 'audit-logs', 'exposed-bucket', 'blocked-writer'] })
  client = s3.client()
  for (const Bucket of ['writer-bucket', 'open-bucket', 'exposed-bucket', 'blocked-writer']) await client.send(new S.PutBucketOwnershipControlsCommand({ Bucket, OwnershipControls: { Rules: [{ ObjectOwnership: 'ObjectWriter' }] } }))
  for (const Bucket of ['open-bucket', 'exposed-bucket']) await client.send(new S.DeletePublicAccessBlockCommand({ Bucket }))
})
afterAll(() => s3.close())

type Call = () => Promise<{ $metadata: { httpStatusCode?: number } }>
const ALL_USERS = 'uri="http://acs.amazonaws.com/groups/global/AllUsers"'
const acp = (owner: string, grants: string) =>
  `<AccessControlPolicy><Owner><ID>${owner}</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>${owner}</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant>${grants}</AccessControlList></AccessControlPolicy>`
const allUsersRead = '<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant>'

describe('PutBucketAcl', () => {
  let owner = ''
  beforeAll(async () => {
    owner = (await client.send(new S.GetBucketAclCommand({ Bucket: 'enforced-bucket' }))).Owner!.ID!
  })
  const acl = (Bucket: string, input: Partial<S.PutBucketAclCommandInput>) => client.send(new S.PutBucketAclCommand({ Bucket, ...input }))
  const body = (Bucket: string, xml: () => string, extra: Partial<S.PutBucketAclCommandInput> = {}): Call => () =>
    rawClient(s3, xml()).send(new S.PutBucketAclCommand({ Bucket, AccessControlPolicy: {}, ...extra }))
  const cases: [string, [number, string], Call][] = [
    ['BucketOwnerEnforced: private', [200, 'ok'], () => acl('enforced-bucket', { ACL: 'private' })],
    ['BucketOwnerEnforced: bucket-owner-full-control', [200, 'ok'], () => acl('enforced-bucket', { ACL: 'bucket-owner-full-control' as S.BucketCannedACL })],
    ['BucketOwnerEnforced: owner-only XML', [200, 'ok'], body('enforced-bucket', () => acp(owner, ''))],
    ['BucketOwnerEnforced: public-read', [400, 'AccessControlListNotSupported'], () => acl('enforced-bucket', { ACL: 'public-read' })],
    ['BucketOwnerEnforced: log-delivery-write', [400, 'AccessControlListNotSupported'], () => acl('enforced-bucket', { ACL: 'log-delivery-write' as S.BucketCannedACL })],
    ['BucketOwnerEnforced: a grant to AllUsers', [400, 'AccessControlListNotSupported'], () => acl('enforced-bucket', { GrantRead: ALL_USERS })],
    ['BucketOwnerEnforced: XML granting AllUsers', [400, 'AccessControlListNotSupported'], body('enforced-bucket', () => acp(owner, allUsersRead))],
    ['ACLs on, BlockPublicAcls: public-read', [403, 'AccessDenied'], () => acl('writer-bucket', { ACL: 'public-read' })],
    ['ACLs on, BlockPublicAcls: authenticated-read', [403, 'AccessDenied'], () => acl('writer-bucket', { ACL: 'authenticated-read' })],
    ['ACLs on, BlockPublicAcls: XML granting AllUsers', [403, 'AccessDenied'], body('writer-bucket', () => acp(owner, allUsersRead))],
    ['ACLs on, BlockPublicAcls: log-delivery-write', [200, 'ok'], () => acl('writer-bucket', { ACL: 'log-delivery-write' as S.BucketCannedACL })],
    ['ACLs on, no public access block: public-read', [200, 'ok'], () => acl('open-bucket', { ACL: 'public-read' })],
    ['ACLs on, no public access block: an AccessControlPolicy from the SDK', [200, 'ok'], () => acl('open-bucket', { AccessControlPolicy: { Owner: { ID: owner }, Grants: [{ Grantee: { Type: 'CanonicalUser', ID: owner }, Permission: 'FULL_CONTROL' }, { Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/s3/LogDelivery' }, Permission: 'WRITE' }] } })],
    ['an AccessControlPolicy naming another owner', [403, 'AccessDenied'], body('open-bucket', () => acp(owner, '').replace(`<Owner><ID>${owner}`, `<Owner><ID>${'1'.repeat(64)}`))],
    ['canned and grant headers together', [400, 'InvalidRequest'], () => acl('open-bucket', { ACL: 'private', GrantRead: ALL_USERS })],
    ['an unknown canned ACL', [400, 'InvalidArgument'], () => acl('open-bucket', { ACL: 'everyone' as 'private' })],
    ['a grant to an unknown canonical id', [400, 'InvalidArgument'], () => acl('open-bucket', { GrantRead: `id="${'0'.repeat(64)}"` })],
    ['a grant by e-mail address', [400, 'UnresolvableGrantByEmailAddress'], () => acl('open-bucket', { GrantRead: 'emailAddress="a@example.com"' })],
    ['an AccessControlPolicy with x-amz-acl', [400, 'UnexpectedContent'], body('open-bucket', () => acp(owner, ''), { ACL: 'private' })],
    ['an AccessControlPolicy that is not XML', [400, 'MalformedACLError'], body('open-bucket', () => 'grant everyone')],
    ['no ACL at all', [400, 'MissingSecurityHeader'], () => acl('open-bucket', {})],
  ]
  it.each(cases)('%s → %j', async (_name, expected, call) => expect(await outcome(call())).toEqual(expected))

  it('GetBucketAcl returns the grants put, with their grantee types', async () => {
    await acl('open-bucket', { ACL: 'public-read' })
    const got = await client.send(new S.GetBucketAclCommand({ Bucket: 'open-bucket' }))
    expect(got.Grants).toEqual([
      { Grantee: { Type: 'CanonicalUser', ID: owner }, Permission: 'FULL_CONTROL' },
      { Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' }, Permission: 'READ' },
    ])
  })
})

describe('the public access block and Object Ownership', () => {
  const Bucket = 'open-bucket'
  const pab = (xml: string) => rawClient(s3, xml).send(new S.PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: {} }))
  const own = (xml: string) => rawClient(s3, xml).send(new S.PutBucketOwnershipControlsCommand({ Bucket, OwnershipControls: { Rules: [] } }))
  const cases: [string, [number, string], Call][] = [
    ['GetPublicAccessBlock after DeletePublicAccessBlock', [404, 'NoSuchPublicAccessBlockConfiguration'], () => client.send(new S.GetPublicAccessBlockCommand({ Bucket: 'exposed-bucket' }))],
    ['a flag that is not a boolean', [400, 'MalformedXML'], () => pab('<PublicAccessBlockConfiguration><BlockPublicAcls>yes</BlockPublicAcls></PublicAccessBlockConfiguration>')],
    ['an unknown flag', [400, 'MalformedXML'], () => pab('<PublicAccessBlockConfiguration><BlockEverything>true</BlockEverything></PublicAccessBlockConfiguration>')],
    ['an unknown ownership', [400, 'MalformedXML'], () => own('<OwnershipControls><Rule><ObjectOwnership>Nobody</ObjectOwnership></Rule></OwnershipControls>')],
    ['two ownership rules', [400, 'MalformedXML'], () => own('<OwnershipControls><Rule><ObjectOwnership>ObjectWriter</ObjectOwnership></Rule><Rule><ObjectOwnership>ObjectWriter</ObjectOwnership></Rule></OwnershipControls>')],
    ['BucketOwnerEnforced while the bucket ACL is public', [400, 'InvalidBucketAclWithObjectOwnership'], async () => {
      await client.send(new S.PutBucketAclCommand({ Bucket, ACL: 'public-read' }))
      return client.send(new S.PutBucketOwnershipControlsCommand({ Bucket, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } }))
    }],
  ]
  it.each(cases)('%s → %j', async (_name, expected, call) => expect(await outcome(call())).toEqual(expected))

  it('flags left out are false; GetBucketOwnershipControls after a delete is 404 OwnershipControlsNotFoundError', async () => {
    const Bucket = 'writer-bucket'
    await client.send(new S.PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: { IgnorePublicAcls: true } }))
    expect((await client.send(new S.GetPublicAccessBlockCommand({ Bucket }))).PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: false, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: false })
    expect(await outcome(client.send(new S.DeleteBucketOwnershipControlsCommand({ Bucket })))).toEqual([204, 'ok'])
    expect(await outcome(client.send(new S.GetBucketOwnershipControlsCommand({ Bucket })))).toEqual([404, 'OwnershipControlsNotFoundError'])
  })

  // The object rules (acl.ts) read these settings: a PutObject's ACL follows what the bucket says.
  const put = (Bucket: string, ACL: S.ObjectCannedACL) => client.send(new S.PutObjectCommand({ Bucket, Key: `acl-${ACL}`, Body: 'x', ACL }))
  const objects: [string, [number, string], Call][] = [
    ['BucketOwnerEnforced, public-read object', [400, 'AccessControlListNotSupported'], () => put('enforced-bucket', 'public-read')],
    ['BucketOwnerEnforced, bucket-owner-full-control object', [200, 'ok'], () => put('enforced-bucket', 'bucket-owner-full-control')],
    ['ObjectWriter, BlockPublicAcls, public-read object', [403, 'AccessDenied'], () => put('blocked-writer', 'public-read')],
    ['ObjectWriter, BlockPublicAcls, private object', [200, 'ok'], () => put('blocked-writer', 'private')],
    ['ObjectWriter, no BlockPublicAcls, public-read object', [200, 'ok'], () => put('open-bucket', 'public-read')],
  ]
  it.each(objects)('%s → %j', async (_name, expected, call) => expect(await outcome(call())).toEqual(expected))
})

describe('the IAM action of each bucket-setting call', () => {
  const Bucket = 'audit-bucket'
  const calls: [string, (c: S.S3Client) => Promise<{ $metadata: { httpStatusCode?: number } }>][] = [
    ['s3:GetBucketCORS', (c) => c.send(new S.GetBucketCorsCommand({ Bucket }))],
    ['s3:PutBucketCORS', (c) => c.send(new S.PutBucketCorsCommand({ Bucket, CORSConfiguration: corsConfiguration({ origins: ['https://app.example.com'] }) }))],
    ['s3:PutBucketCORS', (c) => c.send(new S.DeleteBucketCorsCommand({ Bucket }))],
    ['s3:GetBucketPolicy', (c) => c.send(new S.GetBucketPolicyCommand({ Bucket }))],
    ['s3:PutBucketPolicy', (c) => c.send(new S.PutBucketPolicyCommand({ Bucket, Policy: JSON.stringify(bucketPolicy({ bucket: Bucket, prefix: 'u/' })) }))],
    ['s3:DeleteBucketPolicy', (c) => c.send(new S.DeleteBucketPolicyCommand({ Bucket }))],
    ['s3:GetLifecycleConfiguration', (c) => c.send(new S.GetBucketLifecycleConfigurationCommand({ Bucket }))],
    ['s3:PutLifecycleConfiguration', (c) => c.send(new S.PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules: [multipartLifecycleRule({ prefix: 'u/' })] } }))],
    ['s3:PutLifecycleConfiguration', (c) => c.send(new S.DeleteBucketLifecycleCommand({ Bucket }))],
    ['s3:GetBucketPublicAccessBlock', (c) => c.send(new S.GetPublicAccessBlockCommand({ Bucket }))],
    ['s3:PutBucketPublicAccessBlock', (c) => c.send(new S.PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true } }))],
    ['s3:GetBucketVersioning', (c) => c.send(new S.GetBucketVersioningCommand({ Bucket }))],
    ['s3:PutBucketVersioning', (c) => c.send(new S.PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Suspended' } }))],
    ['s3:GetBucketLogging', (c) => c.send(new S.GetBucketLoggingCommand({ Bucket }))],
    ['s3:PutBucketLogging', (c) => c.send(new S.PutBucketLoggingCommand({ Bucket, BucketLoggingStatus: {} }))],
    ['s3:GetBucketOwnershipControls', (c) => c.send(new S.GetBucketOwnershipControlsCommand({ Bucket }))],
    ['s3:PutBucketOwnershipControls', (c) => c.send(new S.PutBucketOwnershipControlsCommand({ Bucket, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } }))],
    ['s3:GetBucketAcl', (c) => c.send(new S.GetBucketAclCommand({ Bucket }))],
    ['s3:PutBucketAcl', (c) => c.send(new S.PutBucketAclCommand({ Bucket, ACL: 'private' }))],
    ['s3:GetBucketLocation', (c) => c.send(new S.GetBucketLocationCommand({ Bucket }))],
    ['s3:GetEncryptionConfiguration', (c) => c.send(new S.GetBucketEncryptionCommand({ Bucket }))],
    ['s3:PutEncryptionConfiguration', (c) => c.send(new S.DeleteBucketEncryptionCommand({ Bucket }))],
    ['s3:GetBucketTagging', (c) => c.send(new S.GetBucketTaggingCommand({ Bucket }))],
    ['s3:PutBucketTagging', (c) => c.send(new S.PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: [] } }))],
  ]
  const only = (action: string, i: number) =>
    s3.client({ credentials: s3.addPrincipal({ name: `p${i}-${action.slice(3)}`, policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: `arn:aws:s3:::${Bucket}` }] } }) })
  it.each(calls.map(([action, call], i) => [action, call, i] as const))('%s: allowed with it, 403 AccessDenied with every other', async (action, call, i) => {
    expect((await outcome(call(only(action, i))))[0]).not.toBe(403)
    const other = calls.find(([a]) => a !== action)![0]
    expect(await outcome(call(only(other, i + 100)))).toEqual([403, 'AccessDenied'])
  })
})

describe('auditBucket() reads the test S3 as it reads AWS', () => {
  const ok = (findings: { id: string; ok: boolean; unknown?: true }[]) => Object.fromEntries(findings.map((f) => [f.id, f.unknown ? 'unknown' : f.ok]))

  it('a new bucket: AWS defaults pass, the settings nobody made fail, nothing unknown', async () => {
    expect(ok(await auditBucket({ client, bucket: 'audit-logs' }))).toEqual({
      'access-logging': false,
      'public-access-block': true,
      cors: true,
      versioning: false,
      'bucket-policy': false,
      'bucket-acl': true,
      'object-ownership': true,
      'multipart-cleanup': false,
    })
  })

  it('a hardened bucket: every finding ok', async () => {
    const Bucket = 'audit-bucket'
    await client.send(new S.PutBucketLoggingCommand({ Bucket, BucketLoggingStatus: { LoggingEnabled: { TargetBucket: 'audit-logs', TargetPrefix: `${Bucket}/` } } }))
    await client.send(new S.PutBucketCorsCommand({ Bucket, CORSConfiguration: corsConfiguration({ origins: ['https://app.example.com'] }) }))
    await client.send(new S.PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }))
    await client.send(new S.PutBucketPolicyCommand({ Bucket, Policy: JSON.stringify(bucketPolicy({ bucket: Bucket, prefix: 'uploads/' })) }))
    await client.send(new S.PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules: [multipartLifecycleRule({ prefix: 'uploads/' })] } }))
    const findings = await auditBucket({ client, bucket: Bucket, origins: ['https://app.example.com'] })
    expect(findings.filter((f) => !f.ok)).toEqual([])
  })

  it('an exposed bucket: no public access block, ObjectWriter, a public ACL, a public policy, a wide CORS rule', async () => {
    const Bucket = 'exposed-bucket'
    await client.send(new S.DeletePublicAccessBlockCommand({ Bucket }))
    await client.send(new S.PutBucketAclCommand({ Bucket, ACL: 'public-read-write' }))
    await client.send(new S.PutBucketPolicyCommand({ Bucket, Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${Bucket}/*` }] }) }))
    await client.send(new S.PutBucketCorsCommand({ Bucket, CORSConfiguration: { CORSRules: [{ AllowedOrigins: ['*'], AllowedMethods: ['GET', 'PUT'], AllowedHeaders: ['*'] }] } }))
    const findings = await auditBucket({ client, bucket: Bucket })
    const severity = Object.fromEntries(findings.filter((f) => !f.ok).map((f) => [f.id, f.severity]))
    expect(severity).toMatchObject({ 'public-access-block': 'high', cors: 'high', 'bucket-policy': 'critical', 'bucket-acl': 'critical', 'object-ownership': 'medium' })
  })
})
