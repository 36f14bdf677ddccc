// auditBucket() against aws-sdk-client-mock: each branch of each check, a missing configuration is a
// finding (never a throw), an unsupported API is an `unknown` finding (never ok), and any other S3
// failure is S3_ERROR with the cause. What a real store answers: hardening-audit.test.ts (RGW).
// The Object Ownership cases with rules are AWS-only (RGW 16 has no such API): mocks are all there is.
import {
  GetBucketAclCommand,
  GetBucketCorsCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLoggingCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  type CORSRule,
  type Grant,
  type OwnershipControls,
} from '@aws-sdk/client-s3'
import { mockClient } from 'aws-sdk-client-mock'
import fc from 'fast-check'
import { beforeEach, describe, expect, it } from 'vitest'
import { auditBucket, bucketPolicy, corsConfiguration, isSafePresignError, multipartLifecycleRule, quarantineLifecycleRule, type AuditFinding } from '../../../src/index.js'
import { s3Client } from '../core/fixtures.js'

const client = s3Client()
const s3 = mockClient(client)
const BUCKET = 'user-files'
const APP = 'https://app.example.com'

const s3Error = (name: string, status: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } })
const ALL_ON = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true }
const OWNER = { Type: 'CanonicalUser', ID: '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be', DisplayName: 'owner' } as const
const OWNER_ONLY: Grant[] = [{ Grantee: OWNER, Permission: 'FULL_CONTROL' }]
const ENFORCED = { OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' as const }] } }

/** A bucket set up as safe-presign recommends. */
function hardened() {
  s3.reset()
  s3.on(GetBucketLoggingCommand).resolves({ LoggingEnabled: { TargetBucket: 'logs-bucket', TargetPrefix: 'user-files/' } })
  s3.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: ALL_ON })
  s3.on(GetBucketCorsCommand).resolves(corsConfiguration({ origins: [APP] }))
  s3.on(GetBucketVersioningCommand).resolves({ Status: 'Enabled' })
  s3.on(GetBucketPolicyCommand).resolves({ Policy: JSON.stringify(bucketPolicy({ bucket: BUCKET, prefix: 'uploads/' })) })
  s3.on(GetBucketAclCommand).resolves({ Owner: OWNER, Grants: OWNER_ONLY })
  s3.on(GetBucketOwnershipControlsCommand).resolves(ENFORCED)
  s3.on(GetBucketLifecycleConfigurationCommand).resolves({ Rules: [multipartLifecycleRule({ prefix: 'uploads/' })] })
}

async function finding(id: string, origins?: string[]): Promise<AuditFinding> {
  const findings = await auditBucket({ client, bucket: BUCKET, origins })
  const found = findings.find((f) => f.id === id)
  if (!found) throw new Error(`no finding ${id} in ${JSON.stringify(findings)}`)
  return found
}

const cors = (rule: Partial<CORSRule>) => s3.on(GetBucketCorsCommand).resolves({ CORSRules: [{ ...corsConfiguration({ origins: [APP] }).CORSRules![0]!, ...rule }] })

describe('auditBucket', () => {
  beforeEach(hardened)

  it('a hardened bucket: eight findings, all ok, in a fixed order, read with one call each', async () => {
    const findings = await auditBucket({ client, bucket: BUCKET, origins: [APP] })
    expect(findings.map((f) => [f.id, f.ok, f.severity])).toEqual([
      ['access-logging', true, 'info'],
      ['public-access-block', true, 'info'],
      ['cors', true, 'info'],
      ['versioning', true, 'info'],
      ['bucket-policy', true, 'info'],
      ['bucket-acl', true, 'info'],
      ['object-ownership', true, 'info'],
      ['multipart-cleanup', true, 'info'],
    ])
    expect(findings.every((f) => f.unknown === undefined)).toBe(true)
    for (const command of [
      GetBucketLoggingCommand,
      GetPublicAccessBlockCommand,
      GetBucketCorsCommand,
      GetBucketVersioningCommand,
      GetBucketPolicyCommand,
      GetBucketAclCommand,
      GetBucketOwnershipControlsCommand,
      GetBucketLifecycleConfigurationCommand,
    ] as const) {
      expect(s3.commandCalls(command).map((c) => c.args[0].input)).toEqual([{ Bucket: BUCKET }])
    }
  })

  it('a bucket with nothing configured: findings, never a throw', async () => {
    s3.on(GetBucketLoggingCommand).resolves({})
    s3.on(GetPublicAccessBlockCommand).rejects(s3Error('NoSuchPublicAccessBlockConfiguration', 404))
    s3.on(GetBucketCorsCommand).rejects(s3Error('NoSuchCORSConfiguration', 404))
    s3.on(GetBucketVersioningCommand).resolves({})
    s3.on(GetBucketPolicyCommand).rejects(s3Error('NoSuchBucketPolicy', 404))
    // A bucket always has an ACL (its owner's grant); a bucket made before April 2023 has no ownership controls.
    s3.on(GetBucketOwnershipControlsCommand).rejects(s3Error('OwnershipControlsNotFoundError', 404))
    s3.on(GetBucketLifecycleConfigurationCommand).rejects(s3Error('NoSuchLifecycleConfiguration', 404))
    const findings = await auditBucket({ client, bucket: BUCKET })
    expect(findings.map(({ id, severity, ok }) => ({ id, severity, ok }))).toEqual([
      { id: 'access-logging', severity: 'medium', ok: false },
      { id: 'public-access-block', severity: 'high', ok: false },
      { id: 'cors', severity: 'info', ok: true },
      { id: 'versioning', severity: 'info', ok: false },
      { id: 'bucket-policy', severity: 'low', ok: false },
      { id: 'bucket-acl', severity: 'info', ok: true },
      { id: 'object-ownership', severity: 'medium', ok: false },
      { id: 'multipart-cleanup', severity: 'low', ok: false },
    ])
    expect(findings[7]!.message).toContain('multipartLifecycleRule()')
    expect(findings[0]!.message).toContain('logging is off')
    expect(findings[1]!.message).toContain('No public access block')
    expect(findings[1]!.message).toContain('On Ceph RGW 16 leave BlockPublicAcls off')
    expect(findings[2]!.message).toContain('No CORS rules')
    expect(findings[4]!.message).toContain('s3:signatureAge')
    expect(findings[6]!.message).toContain('No Object Ownership setting')
    expect(findings[6]!.message).toContain('Set BucketOwnerEnforced')
  })

  describe('multipart cleanup', () => {
    it.each([
      ['a multipartLifecycleRule', [multipartLifecycleRule({ prefix: 'uploads/', days: 3 })], true, '"uploads/" after 3 day(s)'],
      ['the quarantine rule (it aborts too)', [quarantineLifecycleRule({ prefix: 'quarantine/' })], true, '"quarantine/" after 1 day(s)'],
      ['a disabled rule', [{ ...multipartLifecycleRule({ prefix: '' }), Status: 'Disabled' as const }], false, 'No lifecycle rule aborts'],
      ['an expiry rule without AbortIncompleteMultipartUpload', [{ ID: 'x', Status: 'Enabled' as const, Filter: { Prefix: 'logs/' }, Expiration: { Days: 30 } }], false, 'No lifecycle rule aborts'],
    ])('%s → ok %s', async (_name, rules, ok, says) => {
      s3.on(GetBucketLifecycleConfigurationCommand).resolves({ Rules: rules })
      const f = await finding('multipart-cleanup')
      expect(f.ok).toBe(ok)
      expect(f.message).toContain(says)
    })

    it('an unsupported lifecycle API is an unknown finding, never ok', async () => {
      s3.on(GetBucketLifecycleConfigurationCommand).rejects(s3Error('NotImplemented', 501))
      expect(await finding('multipart-cleanup')).toMatchObject({ ok: false, unknown: true })
    })
  })

  describe('access logging', () => {
    it.each([
      ['405 MethodNotAllowed (Ceph RGW for PutBucketLogging)', s3Error('MethodNotAllowed', 405)],
      ['501 NotImplemented', s3Error('NotImplemented', 501)],
    ])('%s: an unknown finding that says it could not be read, never ok', async (_, error) => {
      s3.on(GetBucketLoggingCommand).rejects(error)
      const f = await finding('access-logging')
      expect(f).toMatchObject({ ok: false, unknown: true, severity: 'medium' })
      expect(f.message).toContain('could not be read')
      expect(f.message).toContain(error.name)
    })
  })

  describe('public access block', () => {
    const PER_PROVIDER = ['Set IgnorePublicAcls, BlockPublicPolicy and RestrictPublicBuckets', 'On AWS also set BlockPublicAcls', 'On Ceph RGW 16 leave BlockPublicAcls off', 'refuses every PutObject (403)']

    it.each([
      [{ ...ALL_ON, RestrictPublicBuckets: false }, 'RestrictPublicBuckets is not true'],
      [{ BlockPublicAcls: true, IgnorePublicAcls: false }, 'IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets are not true'],
      [{ BlockPublicAcls: true }, 'IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets are not true'],
      [{}, 'IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets are not true'],
      [{ IgnorePublicAcls: true, BlockPublicPolicy: true }, 'RestrictPublicBuckets is not true'],
    ])('%j: a high finding naming the missing baseline flags, with advice per provider', async (config, says) => {
      s3.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: config })
      const f = await finding('public-access-block')
      expect(f).toMatchObject({ ok: false, severity: 'high' })
      expect(f.message).toContain(says)
      for (const advice of PER_PROVIDER) expect(f.message).toContain(advice)
    })

    it.each([
      ['the three flags, BlockPublicAcls false (works on RGW 16 and AWS)', { ...ALL_ON, BlockPublicAcls: false }, 'BlockPublicAcls is off: on AWS turn it on too'],
      ['the three flags, BlockPublicAcls absent', { IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true }, 'on Ceph RGW 16 keep it off'],
      ['all four flags (AWS; on RGW 16 uploads then get 403)', ALL_ON, 'On Ceph RGW 16, BlockPublicAcls refuses every PutObject (403): there, turn it off'],
    ])('%s: ok, and the message says what differs per provider', async (_, config, says) => {
      s3.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: config })
      const f = await finding('public-access-block')
      expect(f).toMatchObject({ ok: true, severity: 'info' })
      expect(f.message).toContain(says)
    })
  })

  describe('CORS', () => {
    const cases: { name: string; rule: Partial<CORSRule>; severity: AuditFinding['severity']; says: string; origins?: string[] }[] = [
      { name: 'AllowedOrigins *', rule: { AllowedOrigins: ['*'] }, severity: 'high', says: 'every origin ("*")' },
      { name: 'AllowedHeaders *', rule: { AllowedHeaders: ['*'] }, severity: 'medium', says: 'any request header' },
      { name: 'AllowedHeaders x-amz-*', rule: { AllowedHeaders: ['x-amz-*'] }, severity: 'medium', says: 'any request header' },
      { name: 'DELETE allowed', rule: { AllowedMethods: ['GET', 'DELETE'] }, severity: 'medium', says: 'allows DELETE' },
      { name: 'a plain-http origin', rule: { AllowedOrigins: ['http://app.example.com'] }, severity: 'medium', says: 'http://app.example.com' },
      { name: 'a wildcard subdomain', rule: { AllowedOrigins: ['https://*.example.com'] }, severity: 'medium', says: 'https://*.example.com' },
      { name: 'an origin not in your list', rule: { AllowedOrigins: [APP, 'https://old.example.com'] }, severity: 'medium', says: 'not in your list: https://old.example.com', origins: [APP] },
    ]
    it.each(cases)('$name: not ok ($severity)', async ({ rule, severity, says, origins }) => {
      cors(rule)
      const f = await finding('cors', origins)
      expect(f).toMatchObject({ ok: false, severity })
      expect(f.message).toContain(says)
      expect(f.message).toContain('corsConfiguration()')
    })

    it('HEAD and lower-case methods are fine; every problem of every rule is listed', async () => {
      cors({ AllowedMethods: ['get', 'HEAD'] })
      expect(await finding('cors')).toMatchObject({ ok: true })
      s3.on(GetBucketCorsCommand).resolves({ CORSRules: [{ ID: 'a', AllowedOrigins: ['*'], AllowedMethods: ['PUT'] }, { ID: 'b', AllowedOrigins: [APP], AllowedMethods: ['DELETE'], AllowedHeaders: ['*'] }] })
      const f = await finding('cors')
      expect(f.severity).toBe('high')
      expect(f.message).toContain('rule "a" allows every origin')
      expect(f.message).toContain('rule "b" allows any request header')
      expect(f.message).toContain('rule "b" allows DELETE')
    })
  })

  it('versioning suspended: info, not ok', async () => {
    s3.on(GetBucketVersioningCommand).resolves({ Status: 'Suspended' })
    expect(await finding('versioning')).toMatchObject({ ok: false, severity: 'info', message: expect.stringContaining('Versioning is suspended') })
  })

  describe('bucket policy', () => {
    const R = `arn:aws:s3:::${BUCKET}/uploads/*`
    /** bucketPolicy()'s Deny statements (s3:signatureAge included) plus `extra`. */
    const withStatement = (extra: Record<string, unknown>) => {
      const doc = bucketPolicy({ bucket: BUCKET, prefix: 'uploads/' })
      return JSON.stringify({ ...doc, Statement: [...doc.Statement, { Sid: 'Extra', Effect: 'Allow', Action: 's3:GetObject', Resource: R, ...extra }] })
    }
    const policyIs = (Policy: string) => s3.on(GetBucketPolicyCommand).resolves({ Policy })

    const everyone: [string, Record<string, unknown>][] = [
      ['Principal "*"', { Principal: '*' }],
      ['Principal {"AWS":"*"}', { Principal: { AWS: '*' } }],
      ['Principal {"AWS":["*"]}', { Principal: { AWS: ['*'] } }],
      ['Principal {"aws":"*"} (any case)', { Principal: { aws: '*' } }],
      ['"*" beside a named principal', { Principal: { AWS: ['arn:aws:iam::111122223333:root', '*'] } }],
      ['Effect "allow" in lower case', { Effect: 'allow', Principal: '*' }],
      ['NotPrincipal with Allow (everyone but the named, anonymous included)', { NotPrincipal: { AWS: ['arn:aws:iam::111122223333:user/bob'] } }],
      ['only aws:SecureTransport', { Principal: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } }],
      ['only s3:signatureAge', { Principal: '*', Condition: { NumericLessThan: { 's3:signatureAge': 600000 } } }],
      ['aws:Referer (any client can send it)', { Principal: '*', Condition: { StringLike: { 'aws:Referer': 'https://app.example.com/*' } } }],
      ['a negated operator: StringNotEquals aws:PrincipalOrgID', { Principal: '*', Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-abc123' } } }],
      ['a negated operator: NotIpAddress aws:SourceIp', { Principal: '*', Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }],
      ['…IfExists: passes when the key is absent', { Principal: '*', Condition: { StringEqualsIfExists: { 'aws:SourceVpce': 'vpce-1a2b3c' } } }],
      ['ForAllValues: passes when the key is absent', { Principal: '*', Condition: { 'ForAllValues:StringEquals': { 'aws:PrincipalOrgID': 'o-abc123' } } }],
      ['aws:SourceIp 0.0.0.0/0', { Principal: '*', Condition: { IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '0.0.0.0/0'] } } }],
      ['aws:SourceIp ::/0', { Principal: '*', Condition: { IpAddress: { 'aws:SourceIp': '::/0' } } }],
      ['aws:PrincipalArn like "*"', { Principal: '*', Condition: { ArnLike: { 'aws:PrincipalArn': '*' } } }],
      ['a restricting key with no value', { Principal: '*', Condition: { StringEquals: { 'aws:PrincipalAccount': [] } } }],
    ]
    it.each(everyone)('an Allow to everyone, %s: critical, even beside the s3:signatureAge Deny', async (_, extra) => {
      policyIs(withStatement(extra))
      const f = await finding('bucket-policy')
      expect(f).toMatchObject({ ok: false, severity: 'critical' })
      expect(f.unknown).toBeUndefined()
      expect(f.message).toContain('allows anyone, without signing: statement "Extra" (Allow, ')
      expect(f.message).toContain('"s3:GetObject"')
      expect(f.message).toContain('the s3:signatureAge Deny does not apply to unsigned requests')
    })

    const restricted: [string, Record<string, unknown>][] = [
      ['aws:SourceIp', { IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:db8::/32'] } }],
      ['aws:SourceVpce', { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c' } }],
      ['aws:sourcevpc (keys in any case)', { StringEquals: { 'aws:sourcevpc': 'vpc-111bbb22' } }],
      ['aws:PrincipalOrgID', { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } }],
      ['ForAnyValue:StringLike aws:PrincipalOrgPaths', { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': 'o-abc123/r-ab12/ou-ab12-11111111/*' } }],
      ['aws:PrincipalAccount as a number', { StringEquals: { 'aws:PrincipalAccount': 111122223333 } }],
      ['aws:PrincipalArn', { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/uploader-*' } }],
      ['aws:userid', { StringEquals: { 'aws:userid': 'AIDAJQABLZS4A3QDU576Q' } }],
      ['aws:SourceAccount, beside a non-restricting one', { StringEquals: { 'aws:SourceAccount': '111122223333' }, Bool: { 'aws:SecureTransport': 'true' } }],
      ['aws:SourceArn', { ArnEquals: { 'aws:SourceArn': 'arn:aws:cloudfront::111122223333:distribution/EDFDVBD6EXAMPLE' } }],
    ]
    it.each(restricted)('an Allow to "*" restricted by %s: not critical, so the s3:signatureAge Deny makes it ok', async (_, Condition) => {
      policyIs(withStatement({ Principal: '*', Condition }))
      expect(await finding('bucket-policy')).toMatchObject({ ok: true, severity: 'info' })
    })

    it('an Allow to a named principal is not public; a Deny to "*" (bucketPolicy) never is', async () => {
      policyIs(withStatement({ Principal: { AWS: ['arn:aws:iam::111122223333:role/signer'] } }))
      expect(await finding('bucket-policy')).toMatchObject({ ok: true, severity: 'info' })
    })

    it('every public Allow is listed (by Sid, else by position), NotAction said so, a Sid with a bidi override escaped', async () => {
      policyIs(
        JSON.stringify({
          Statement: [
            { Effect: 'Allow', Principal: '*', Action: ['s3:GetObject', 's3:PutObject'], Resource: R },
            { Sid: 'evil\u202Etxt.exe', Effect: 'Allow', Principal: { AWS: '*' }, NotAction: 's3:DeleteBucket', Resource: R },
          ],
        }),
      )
      const f = await finding('bucket-policy')
      expect(f).toMatchObject({ ok: false, severity: 'critical' })
      expect(f.message).toContain('statement 1 (Allow, Principal "*", "s3:GetObject", "s3:PutObject")')
      expect(f.message).toContain('statement "evil\\u202etxt.exe" (Allow, Principal "*", every action but some)')
      expect(f.message).not.toContain('\u202E')
      expect(f.message).toContain(' have no condition that restricts who')
      // No s3:signatureAge here, so the message does not mention one.
      expect(f.message).not.toContain('signatureAge')
    })

    it.each([
      ['a policy without s3:signatureAge', JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }] }), { ok: false, severity: 'low' }],
      ['a single Statement object with s3:SignatureAge (any case)', JSON.stringify({ Statement: { Effect: 'Deny', Condition: { NumericGreaterThan: { 's3:SignatureAge': 1 } } } }), { ok: true, severity: 'info' }],
      ['a single public Allow Statement object', JSON.stringify({ Statement: { Effect: 'Allow', Principal: '*', Action: 's3:GetObject' } }), { ok: false, severity: 'critical' }],
      ['a policy that is not JSON: a public Allow cannot be ruled out', '{', { ok: false, severity: 'high', unknown: true }],
      ['JSON that is not a policy', JSON.stringify(['Allow', '*']), { ok: false, severity: 'low' }],
    ])('%s', async (_, Policy, expected) => {
      policyIs(Policy)
      expect(await finding('bucket-policy')).toMatchObject(expected)
    })

    it('property: an Allow to "*" whose conditions use only non-restricting keys is critical, whatever Deny statements surround it', async () => {
      const loose = fc.constantFrom('s3:signatureAge', 'aws:SecureTransport', 's3:authType', 'aws:Referer', 'aws:CurrentTime', 's3:x-amz-acl', 's3:prefix')
      const operator = fc.constantFrom('StringEquals', 'StringLike', 'NumericLessThan', 'Bool', 'DateLessThan')
      const condition = fc.dictionary(operator, fc.dictionary(loose, fc.string(), { minKeys: 1, maxKeys: 2 }), { maxKeys: 3 })
      const deny = fc.record({ Effect: fc.constant('Deny'), Principal: fc.constant('*'), Action: fc.constant('s3:*'), Condition: condition })
      await fc.assert(
        fc.asyncProperty(fc.array(deny, { maxLength: 3 }), condition, fc.constantFrom<unknown>('*', { AWS: '*' }, { AWS: ['*'] }), async (denies, Condition, Principal) => {
          policyIs(JSON.stringify({ Statement: [...denies, { Effect: 'Allow', Principal, Action: 's3:GetObject', Resource: R, Condition }] }))
          expect(await finding('bucket-policy')).toMatchObject({ ok: false, severity: 'critical' })
        }),
        { numRuns: 60 },
      )
    })

    it('property: any JSON document gives a bucket-policy finding, never a throw; only an Allow can make it critical', async () => {
      await fc.assert(
        fc.asyncProperty(fc.jsonValue(), async (doc) => {
          policyIs(JSON.stringify(doc))
          const f = await finding('bucket-policy')
          if (f.severity === 'critical') expect(JSON.stringify(doc).toLowerCase()).toContain('allow')
        }),
        { numRuns: 100 },
      )
    })
  })

  describe('bucket ACL', () => {
    const ALL = 'http://acs.amazonaws.com/groups/global/AllUsers'
    const AUTH = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers'
    const group = (URI: string, Permission: Grant['Permission']): Grant => ({ Grantee: { Type: 'Group', URI }, Permission })
    const aclIs = (...grants: Grant[]) => s3.on(GetBucketAclCommand).resolves({ Owner: OWNER, Grants: [...OWNER_ONLY, ...grants] })

    it.each([
      ['AllUsers READ (public-read)', [group(ALL, 'READ')], 'high', 'AllUsers (anyone, unsigned) "READ" (list every key)'],
      ['AllUsers READ_ACP', [group(ALL, 'READ_ACP')], 'high', 'AllUsers (anyone, unsigned) "READ_ACP" (read the ACL)'],
      ['AuthenticatedUsers READ (authenticated-read)', [group(AUTH, 'READ')], 'high', 'AuthenticatedUsers (any AWS account, not only yours) "READ"'],
      ['AllUsers WRITE', [group(ALL, 'WRITE')], 'critical', '"WRITE" (create, overwrite and delete objects)'],
      ['AllUsers WRITE_ACP', [group(ALL, 'WRITE_ACP')], 'critical', '"WRITE_ACP" (change the ACL)'],
      ['AuthenticatedUsers FULL_CONTROL', [group(AUTH, 'FULL_CONTROL')], 'critical', 'AuthenticatedUsers (any AWS account, not only yours) "FULL_CONTROL"'],
      ['public-read-write: READ and WRITE, both listed', [group(ALL, 'READ'), group(ALL, 'WRITE')], 'critical', '"READ" (list every key); AllUsers (anyone, unsigned) "WRITE"'],
      ['the group URI in another case', [group('http://acs.amazonaws.com/groups/global/allusers', 'READ')], 'high', 'AllUsers'],
    ] as const)('%s: not ok (%s)', async (_, grants, severity, says) => {
      aclIs(...grants)
      const f = await finding('bucket-acl')
      expect(f).toMatchObject({ ok: false, severity })
      expect(f.message).toContain(says)
      expect(f.message).toContain('PutBucketAcl with ACL "private"')
    })

    it('the owner, another account and the LogDelivery group are not public: ok', async () => {
      aclIs({ Grantee: { Type: 'CanonicalUser', ID: 'f'.repeat(64) }, Permission: 'READ' }, group('http://acs.amazonaws.com/groups/s3/LogDelivery', 'WRITE'))
      expect(await finding('bucket-acl')).toMatchObject({ ok: true, severity: 'info', message: expect.stringContaining('grants nothing to AllUsers or AuthenticatedUsers') })
    })

    it('501 NotImplemented: an unknown finding (high), never ok', async () => {
      s3.on(GetBucketAclCommand).rejects(s3Error('NotImplemented', 501))
      expect(await finding('bucket-acl')).toMatchObject({ ok: false, unknown: true, severity: 'high', message: expect.stringContaining('GetBucketAcl answered 501 NotImplemented') })
    })
  })

  describe('Object Ownership', () => {
    const ownership = (ObjectOwnership: 'BucketOwnerPreferred' | 'ObjectWriter') => s3.on(GetBucketOwnershipControlsCommand).resolves({ OwnershipControls: { Rules: [{ ObjectOwnership }] } })

    it.each([
      ['BucketOwnerPreferred', 'low', 'ACLs still apply'],
      ['ObjectWriter', 'medium', 'an object belongs to whoever wrote it'],
    ] as const)('%s: not ok (%s), with the remedy', async (setting, severity, says) => {
      ownership(setting)
      const f = await finding('object-ownership')
      expect(f).toMatchObject({ ok: false, severity })
      expect(f.message).toContain(says)
      expect(f.message).toContain('Set BucketOwnerEnforced (PutBucketOwnershipControls)')
    })

    it.each([
      // What the SDK makes of RGW 16's answer: it treats ?ownershipControls as a ListObjects (200, ListBucketResult).
      ['200 with an empty OwnershipControls (Ceph RGW 16)', () => s3.on(GetBucketOwnershipControlsCommand).resolves({ OwnershipControls: {} as OwnershipControls }), 'answered 200 without a rule'],
      ['200 with no OwnershipControls at all', () => s3.on(GetBucketOwnershipControlsCommand).resolves({}), 'answered 200 without a rule'],
      ['405 MethodNotAllowed', () => s3.on(GetBucketOwnershipControlsCommand).rejects(s3Error('MethodNotAllowed', 405)), 'answered 405 MethodNotAllowed'],
    ])('%s: an unknown finding (medium), never ok, with what to do where ACLs stay on', async (_, arrange, says) => {
      arrange()
      const f = await finding('object-ownership')
      expect(f).toMatchObject({ ok: false, unknown: true, severity: 'medium' })
      expect(f.message).toContain(says)
      expect(f.message).toContain('keep uploads on bucket-owner-full-control')
    })
  })

  describe('real S3 failures throw S3_ERROR, with the cause', () => {
    it.each([
      ['AccessDenied on GetBucketCors', GetBucketCorsCommand, s3Error('AccessDenied', 403)],
      ['NoSuchBucket on GetBucketPolicy', GetBucketPolicyCommand, s3Error('NoSuchBucket', 404)],
      ['a network error on GetPublicAccessBlock', GetPublicAccessBlockCommand, Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
      ['a 500 on GetBucketLogging', GetBucketLoggingCommand, s3Error('InternalError', 500)],
      ['AccessDenied on GetBucketAcl (no s3:GetBucketAcl)', GetBucketAclCommand, s3Error('AccessDenied', 403)],
      ['AccessDenied on GetBucketOwnershipControls', GetBucketOwnershipControlsCommand, s3Error('AccessDenied', 403)],
    ] as const)('%s', async (_, command, error) => {
      s3.on(command as typeof GetBucketCorsCommand).rejects(error)
      const thrown = await auditBucket({ client, bucket: BUCKET }).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(isSafePresignError(thrown)).toBe(true)
      if (!isSafePresignError(thrown)) return
      expect(thrown.code).toBe('S3_ERROR')
      expect(thrown.message).toContain(command.name.replace(/Command$/, ''))
      expect(thrown.message).toContain('"user-files"')
      expect(thrown.cause).toBe(error)
    })
  })

  it.each([
    ['a bucket name that is not one', { client, bucket: 'User Files' }, 'bucket'],
    ['a client that is not an S3Client', { client: { send() {} }, bucket: BUCKET }, 'client'],
    ['origins not an array', { client, bucket: BUCKET, origins: APP }, 'origins'],
  ])('%s: INVALID_CONFIG before any call', async (_, options, option) => {
    s3.resetHistory()
    const error = await auditBucket(options as never).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toMatchObject({ code: 'INVALID_CONFIG', details: { option } })
    expect(s3.calls()).toHaveLength(0)
  })
})
