// auditBucket() against aws-sdk-client-mock: each branch of each check, a missing configuration is a
// finding (never a throw), an unsupported API is an `unknown` finding (never ok), and any other S3
// failure is S3_ERROR with the cause. What a real store answers: hardening-audit.test.ts (RGW).
import {
  GetBucketCorsCommand,
  GetBucketLoggingCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  type CORSRule,
} from '@aws-sdk/client-s3'
import { mockClient } from 'aws-sdk-client-mock'
import { beforeEach, describe, expect, it } from 'vitest'
import { auditBucket, bucketPolicy, corsConfiguration, isSafePresignError, type AuditFinding } from '../../../src/index.js'
import { s3Client } from '../core/fixtures.js'

const client = s3Client()
const s3 = mockClient(client)
const BUCKET = 'user-files'
const APP = 'https://app.example.com'

const s3Error = (name: string, status: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } })
const ALL_ON = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true }

/** A bucket set up as safe-presign recommends. */
function hardened() {
  s3.reset()
  s3.on(GetBucketLoggingCommand).resolves({ LoggingEnabled: { TargetBucket: 'logs-bucket', TargetPrefix: 'user-files/' } })
  s3.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: ALL_ON })
  s3.on(GetBucketCorsCommand).resolves(corsConfiguration({ origins: [APP] }))
  s3.on(GetBucketVersioningCommand).resolves({ Status: 'Enabled' })
  s3.on(GetBucketPolicyCommand).resolves({ Policy: JSON.stringify(bucketPolicy({ bucket: BUCKET, prefix: 'uploads/' })) })
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

  it('a hardened bucket: five findings, all ok, in a fixed order, read with one call each', async () => {
    const findings = await auditBucket({ client, bucket: BUCKET, origins: [APP] })
    expect(findings.map((f) => [f.id, f.ok, f.severity])).toEqual([
      ['access-logging', true, 'info'],
      ['public-access-block', true, 'info'],
      ['cors', true, 'info'],
      ['versioning', true, 'info'],
      ['bucket-policy', true, 'info'],
    ])
    expect(findings.every((f) => f.unknown === undefined)).toBe(true)
    for (const command of [GetBucketLoggingCommand, GetPublicAccessBlockCommand, GetBucketCorsCommand, GetBucketVersioningCommand, GetBucketPolicyCommand]) {
      expect(s3.commandCalls(command).map((c) => c.args[0].input)).toEqual([{ Bucket: BUCKET }])
    }
  })

  it('a bucket with nothing configured: findings, never a throw', async () => {
    s3.on(GetBucketLoggingCommand).resolves({})
    s3.on(GetPublicAccessBlockCommand).rejects(s3Error('NoSuchPublicAccessBlockConfiguration', 404))
    s3.on(GetBucketCorsCommand).rejects(s3Error('NoSuchCORSConfiguration', 404))
    s3.on(GetBucketVersioningCommand).resolves({})
    s3.on(GetBucketPolicyCommand).rejects(s3Error('NoSuchBucketPolicy', 404))
    const findings = await auditBucket({ client, bucket: BUCKET })
    expect(findings.map(({ id, severity, ok }) => ({ id, severity, ok }))).toEqual([
      { id: 'access-logging', severity: 'medium', ok: false },
      { id: 'public-access-block', severity: 'high', ok: false },
      { id: 'cors', severity: 'info', ok: true },
      { id: 'versioning', severity: 'info', ok: false },
      { id: 'bucket-policy', severity: 'low', ok: false },
    ])
    expect(findings[0]!.message).toContain('logging is off')
    expect(findings[1]!.message).toContain('No public access block')
    expect(findings[2]!.message).toContain('No CORS rules')
    expect(findings[4]!.message).toContain('s3:signatureAge')
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
    it.each([
      [{ ...ALL_ON, RestrictPublicBuckets: false }, 'RestrictPublicBuckets is not true'],
      [{ BlockPublicAcls: true, IgnorePublicAcls: false }, 'IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets are not true'],
      [{}, 'BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets'],
    ])('%j: a high finding naming the flags', async (config, says) => {
      s3.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: config })
      const f = await finding('public-access-block')
      expect(f).toMatchObject({ ok: false, severity: 'high' })
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

  it.each([
    ['a policy without s3:signatureAge', JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }] }), false],
    ['a single Statement object with s3:SignatureAge (any case)', JSON.stringify({ Statement: { Effect: 'Deny', Condition: { NumericGreaterThan: { 's3:SignatureAge': 1 } } } }), true],
    ['a policy that is not JSON', '{', false],
  ])('bucket policy: %s', async (_, Policy, ok) => {
    s3.on(GetBucketPolicyCommand).resolves({ Policy })
    expect(await finding('bucket-policy')).toMatchObject({ ok, severity: ok ? 'info' : 'low' })
  })

  describe('real S3 failures throw S3_ERROR, with the cause', () => {
    it.each([
      ['AccessDenied on GetBucketCors', GetBucketCorsCommand, s3Error('AccessDenied', 403)],
      ['NoSuchBucket on GetBucketPolicy', GetBucketPolicyCommand, s3Error('NoSuchBucket', 404)],
      ['a network error on GetPublicAccessBlock', GetPublicAccessBlockCommand, Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
      ['a 500 on GetBucketLogging', GetBucketLoggingCommand, s3Error('InternalError', 500)],
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
