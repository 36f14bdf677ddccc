// auditBucket() on RGW: what a fresh bucket looks like to the audit, and which findings turn ok once the
// bucket is hardened with safe-presign's own generators. RGW 16.2 answers GetBucketLogging (with no
// LoggingEnabled) but refuses PutBucketLogging (405), so on this peer access logging can only be off.
import { PutBucketCorsCommand, PutBucketLoggingCommand, PutBucketPolicyCommand, PutBucketVersioningCommand, PutPublicAccessBlockCommand, type S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { auditBucket, bucketPolicy, corsConfiguration, type AuditFinding } from '../../../src/index.js'
import { describeWithServer } from '../../helpers/env.js'
import { freshBucket, removeBucket, rgwPeer, s3ClientFor } from '../../helpers/rgw.js'
import { enforcementTable } from './support.js'

const peer = rgwPeer()
const APP = 'https://app.example.com'

describeWithServer('auditBucket on RGW', peer.missing, () => {
  let client: S3Client
  const buckets: string[] = []
  const table = enforcementTable('hardening-audit')

  beforeAll(() => {
    client = s3ClientFor(peer)
  })
  afterAll(async () => {
    table.flush()
    for (const bucket of buckets) await removeBucket(client, bucket).catch((error) => console.warn(`[cleanup] ${bucket}: ${String(error)}`))
    client?.destroy()
  })

  async function bucket(): Promise<string> {
    const name = await freshBucket(client)
    buckets.push(name)
    return name
  }

  const byId = (findings: AuditFinding[]) => Object.fromEntries(findings.map((f) => [f.id, f]))
  const summary = (f: AuditFinding | undefined) => (f ? `${f.ok ? 'ok' : 'not ok'} (${f.severity}${f.unknown ? ', unknown' : ''})` : 'absent')

  it('a fresh bucket: logging off, public access block all false, no CORS, versioning off, no bucket policy; never a throw', async () => {
    const name = await bucket()
    const found = byId(await auditBucket({ client, bucket: name, origins: [APP] }))
    for (const id of ['access-logging', 'public-access-block', 'cors', 'versioning', 'bucket-policy']) table.note(`fresh bucket: ${id}`, summary(found[id]))
    // RGW reports a stored (all-false) public access block rather than NoSuchPublicAccessBlockConfiguration.
    expect(found['public-access-block']).toMatchObject({ ok: false, severity: 'high', message: expect.stringContaining('BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets are not true') })
    // GetBucketLogging answers 200 with no LoggingEnabled: the setting is readable, and off.
    expect(found['access-logging']).toMatchObject({ ok: false, severity: 'medium' })
    expect(found['access-logging']?.unknown).toBeUndefined()
    expect(found['cors']).toMatchObject({ ok: true, severity: 'info', message: expect.stringContaining('No CORS rules') })
    expect(found['versioning']).toMatchObject({ ok: false, severity: 'info' })
    expect(found['bucket-policy']).toMatchObject({ ok: false, severity: 'low' })
  })

  it('PutBucketLogging is not implemented (405), so the logging finding cannot be turned ok on this peer', async () => {
    const name = await bucket()
    const error = await client
      .send(new PutBucketLoggingCommand({ Bucket: name, BucketLoggingStatus: { LoggingEnabled: { TargetBucket: name, TargetPrefix: 'logs/' } } }))
      .then(() => undefined, (e: { name?: string; $metadata?: { httpStatusCode?: number } }) => e)
    table.note('PutBucketLogging', error ? `${error.$metadata?.httpStatusCode} ${error.name}` : 'accepted')
    expect([error?.$metadata?.httpStatusCode, error?.name]).toEqual([405, 'MethodNotAllowed'])
    expect(byId(await auditBucket({ client, bucket: name }))['access-logging']).toMatchObject({ ok: false })
  })

  it('after corsConfiguration(), PutPublicAccessBlock (all true), versioning and bucketPolicy(): those findings turn ok', async () => {
    const name = await bucket()
    await client.send(new PutBucketCorsCommand({ Bucket: name, CORSConfiguration: corsConfiguration({ origins: [APP] }) }))
    await client.send(new PutPublicAccessBlockCommand({ Bucket: name, PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true } }))
    await client.send(new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Enabled' } }))
    // Without the TLS Deny: the harness talks plain http (RGW does not enforce it anyway, see hardening-policy).
    const policy = bucketPolicy({ bucket: name, prefix: 'uploads/' })
    policy.Statement = policy.Statement.filter((s) => s.Sid !== 'SafePresignDenyInsecureTransport')
    await client.send(new PutBucketPolicyCommand({ Bucket: name, Policy: JSON.stringify(policy) }))

    const found = byId(await auditBucket({ client, bucket: name, origins: [APP] }))
    for (const id of ['cors', 'public-access-block', 'versioning', 'bucket-policy', 'access-logging']) table.note(`hardened bucket: ${id}`, summary(found[id]))
    expect(found['cors']).toMatchObject({ ok: true, severity: 'info', message: expect.stringContaining('CORS is narrow') })
    expect(found['public-access-block']).toMatchObject({ ok: true })
    expect(found['versioning']).toMatchObject({ ok: true })
    expect(found['bucket-policy']).toMatchObject({ ok: true, message: expect.stringContaining('Ceph RGW 16 accepts it and does not') })
    expect(found['access-logging']).toMatchObject({ ok: false })
  })

  it('a wide CORS rule set by hand (origin *, any header, DELETE) is a high finding', async () => {
    const name = await bucket()
    await client.send(new PutBucketCorsCommand({ Bucket: name, CORSConfiguration: { CORSRules: [{ AllowedOrigins: ['*'], AllowedMethods: ['GET', 'PUT', 'DELETE'], AllowedHeaders: ['*'] }] } }))
    const cors = byId(await auditBucket({ client, bucket: name }))['cors']
    table.note('bucket with CORS origin *, header *, DELETE: cors', summary(cors))
    expect(cors).toMatchObject({ ok: false, severity: 'high' })
    expect(cors?.message).toContain('every origin ("*")')
    expect(cors?.message).toContain('any request header')
    expect(cors?.message).toContain('DELETE')
  })
})
