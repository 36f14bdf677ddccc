// auditBucket() on each S3 peer (RGW and the test S3: peers.ts): what a fresh bucket looks like to the
// audit, and which findings turn ok once the bucket is hardened with safe-presign's own generators. RGW
// 16.2 answers GetBucketLogging (with no LoggingEnabled) but refuses PutBucketLogging (405), so there
// access logging can only be off. Bucket defaults and APIs RGW lacks are rows of deviations.ts.
// Each public setting is also proven public (or not) with an anonymous request: a plain fetch, unsigned.
import {
  GetBucketOwnershipControlsCommand,
  PutBucketAclCommand,
  PutBucketCorsCommand,
  PutBucketLoggingCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  type PublicAccessBlockConfiguration,
  type S3Client,
} from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { auditBucket, bucketPolicy, corsConfiguration, multipartLifecycleRule, type AuditFinding } from '../../../src/index.js'
import { describePeers } from '../../helpers/peers.js'
import { expectFor } from './deviations.js'
import { httpRequest } from '../../helpers/rgw.js'
import { enforcementTable } from './support.js'

const APP = 'https://app.example.com'

describePeers('auditBucket', (peer) => {
  let client: S3Client
  const buckets: string[] = []
  const table = enforcementTable(`hardening-audit [${peer.name}]`)

  beforeAll(() => {
    client = peer.client()
  })
  afterAll(async () => {
    table.flush()
    for (const bucket of buckets) await peer.removeBucket(client, bucket).catch((error) => console.warn(`[cleanup] ${bucket}: ${String(error)}`))
    client?.destroy()
  })

  async function bucket(): Promise<string> {
    const name = await peer.freshBucket()
    buckets.push(name)
    return name
  }
  /**
   * A bucket that takes ACLs, as RGW's do. Where a new bucket refuses them (AWS's default: deviation
   * public-acl-default), Object Ownership ObjectWriter and an all-false public access block first, so
   * the ACL cases measure the same thing on each peer.
   */
  async function aclBucket(): Promise<string> {
    const name = await bucket()
    if (expectFor(peer, 'public-acl-default').put[0] !== 200) {
      await client.send(new PutBucketOwnershipControlsCommand({ Bucket: name, OwnershipControls: { Rules: [{ ObjectOwnership: 'ObjectWriter' }] } }))
      await pab(name, { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false })
    }
    return name
  }

  const byId = (findings: AuditFinding[]) => Object.fromEntries(findings.map((f) => [f.id, f]))
  const summary = (f: AuditFinding | undefined) => (f ? `${f.ok ? 'ok' : 'not ok'} (${f.severity}${f.unknown ? ', unknown' : ''})` : 'absent')
  const audit = async (name: string, id: string) => byId(await auditBucket({ client, bucket: name }))[id]
  /** An SDK call's outcome as `200` or `403 AccessDenied`, for the table and the assertion. */
  const outcome = (call: Promise<{ $metadata: { httpStatusCode?: number } }>) =>
    call.then(
      (r) => `${r.$metadata.httpStatusCode}`,
      (e: { name?: string; $metadata?: { httpStatusCode?: number } }) => `${e.$metadata?.httpStatusCode} ${e.name}`,
    )
  /** An unsigned request for the object, or without a key a ListObjectsV2 of the bucket. */
  const anonymous = (name: string, key = '', init?: Parameters<typeof httpRequest>[1]) => httpRequest(`${peer.endpoint}/${name}${key ? `/${key}` : '?list-type=2'}`, init)
  const pab = (name: string, config: PublicAccessBlockConfiguration) => client.send(new PutPublicAccessBlockCommand({ Bucket: name, PublicAccessBlockConfiguration: config }))
  const THREE = { BlockPublicAcls: false, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true }

  it('a fresh bucket: logging off, no CORS, versioning off, no bucket policy, a private ACL; public access block and Object Ownership as the peer\'s defaults (deviation bucket-defaults); never a throw', async () => {
    const name = await bucket()
    const findings = await auditBucket({ client, bucket: name, origins: [APP] })
    const found = byId(findings)
    for (const f of findings) table.note(`fresh bucket: ${f.id}`, summary(f))
    expect(findings.map((f) => f.id)).toEqual(['access-logging', 'public-access-block', 'cors', 'versioning', 'bucket-policy', 'bucket-acl', 'object-ownership', 'multipart-cleanup'])
    // No lifecycle configuration: RGW answers NoSuchLifecycleConfiguration, a finding.
    expect(found['multipart-cleanup']).toMatchObject({ ok: false, severity: 'low' })
    expect(found['multipart-cleanup']?.unknown).toBeUndefined()
    const defaults = expectFor(peer, 'bucket-defaults')
    // RGW reports a stored (all-false) public access block rather than NoSuchPublicAccessBlockConfiguration; AWS's is all on.
    expect(found['public-access-block']).toMatchObject(defaults.publicAccessBlock.ok ? defaults.publicAccessBlock : { ...defaults.publicAccessBlock, message: expect.stringContaining('IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets are not true') })
    // GetBucketLogging answers 200 with no LoggingEnabled: the setting is readable, and off.
    expect(found['access-logging']).toMatchObject({ ok: false, severity: 'medium' })
    expect(found['access-logging']?.unknown).toBeUndefined()
    expect(found['cors']).toMatchObject({ ok: true, severity: 'info', message: expect.stringContaining('No CORS rules') })
    expect(found['versioning']).toMatchObject({ ok: false, severity: 'info' })
    expect(found['bucket-policy']).toMatchObject({ ok: false, severity: 'low' })
    expect(found['bucket-acl']).toMatchObject({ ok: true, severity: 'info' })
    // Unlike AWS, RGW 16 has no Object Ownership API (see the test below): unknown, never ok. AWS: BucketOwnerEnforced.
    expect(found['object-ownership']).toMatchObject(defaults.objectOwnership.ok ? defaults.objectOwnership : { ...defaults.objectOwnership, message: expect.stringContaining('answered 200 without a rule') })
  })

  it('PutBucketLogging: RGW 405 (so the logging finding cannot be turned ok there), AWS 200 and the finding turns ok', async () => {
    const name = await bucket()
    const error = await client
      .send(new PutBucketLoggingCommand({ Bucket: name, BucketLoggingStatus: { LoggingEnabled: { TargetBucket: name, TargetPrefix: 'logs/' } } }))
      .then(() => undefined, (e: { name?: string; $metadata?: { httpStatusCode?: number } }) => e)
    table.note('PutBucketLogging', error ? `${error.$metadata?.httpStatusCode} ${error.name}` : 'accepted')
    const logging = expectFor(peer, 'put-bucket-logging')
    expect(error ? [error.$metadata?.httpStatusCode, error.name] : [200, undefined]).toEqual([...logging])
    expect(byId(await auditBucket({ client, bucket: name }))['access-logging']).toMatchObject({ ok: logging[0] === 200 })
  })

  it('after corsConfiguration(), PutPublicAccessBlock (the three flags that work on RGW), versioning and bucketPolicy(): those findings turn ok', async () => {
    const name = await bucket()
    await client.send(new PutBucketCorsCommand({ Bucket: name, CORSConfiguration: corsConfiguration({ origins: [APP] }) }))
    await pab(name, THREE)
    await client.send(new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Enabled' } }))
    // Without the TLS Deny: the harness talks plain http (RGW does not enforce it anyway, see hardening-policy).
    const policy = bucketPolicy({ bucket: name, prefix: 'uploads/' })
    policy.Statement = policy.Statement.filter((s) => s.Sid !== 'SafePresignDenyInsecureTransport')
    await client.send(new PutBucketPolicyCommand({ Bucket: name, Policy: JSON.stringify(policy) }))
    await client.send(new PutBucketLifecycleConfigurationCommand({ Bucket: name, LifecycleConfiguration: { Rules: [multipartLifecycleRule({ prefix: 'uploads/' })] } }))

    const found = byId(await auditBucket({ client, bucket: name, origins: [APP] }))
    for (const id of ['cors', 'public-access-block', 'versioning', 'bucket-policy', 'access-logging', 'multipart-cleanup']) table.note(`hardened bucket: ${id}`, summary(found[id]))
    expect(found['multipart-cleanup']).toMatchObject({ ok: true, message: expect.stringContaining('"uploads/" after 2 day(s)') })
    expect(found['cors']).toMatchObject({ ok: true, severity: 'info', message: expect.stringContaining('CORS is narrow') })
    expect(found['public-access-block']).toMatchObject({ ok: true, message: expect.stringContaining('on Ceph RGW 16 keep it off') })
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

  // The review's measurement, repeated: RGW 16 departs from AWS here. AWS documents that BlockPublicAcls
  // refuses only requests carrying a public ACL; RGW 16 refuses every PutObject, the bucket owner's own,
  // without an ACL or with bucket-owner-full-control (what safe-presign's grants sign).
  it('public access block: on RGW 16 BlockPublicAcls refuses every PutObject (unlike AWS, deviation block-public-acls); the three other flags let uploads through and hide a public-read object', async () => {
    const name = await aclBucket()
    await client.send(new PutObjectCommand({ Bucket: name, Key: 'public.txt', Body: 'hello', ACL: 'public-read' }))
    table.http('no public access block: anonymous GET of a public-read object', await anonymous(name, 'public.txt'), [200, undefined])

    const put = (label: string, ACL?: 'bucket-owner-full-control') => outcome(client.send(new PutObjectCommand({ Bucket: name, Key: `uploads/${label}`, Body: 'x', ACL })))
    const cases: [string, PublicAccessBlockConfiguration, string][] = [
      ['BlockPublicAcls only', { BlockPublicAcls: true, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false }, expectFor(peer, 'block-public-acls')],
      ['all four flags', { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true }, expectFor(peer, 'block-public-acls')],
      ['IgnorePublicAcls + BlockPublicPolicy + RestrictPublicBuckets', THREE, '200'],
    ]
    for (const [label, config, expected] of cases) {
      await pab(name, config)
      const plain = await put('plain')
      const owner = await put('bofc', 'bucket-owner-full-control')
      table.note(`PAB ${label}: SDK PutObject without ACL / with bucket-owner-full-control`, `${plain} / ${owner}`)
      expect([plain, owner], label).toEqual([expected, expected])
    }
    // Still the three flags: the public-read object is hidden from anonymous callers, and a public policy is refused.
    table.http('PAB three flags: anonymous GET of the public-read object', await anonymous(name, 'public.txt'), [403, 'AccessDenied'])
    const publicPolicy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${name}/*` }] }
    const refused = await outcome(client.send(new PutBucketPolicyCommand({ Bucket: name, Policy: JSON.stringify(publicPolicy) })))
    table.note('PAB three flags: PutBucketPolicy with a public Allow', refused)
    expect(refused).toBe('403 AccessDenied')
    const f = await audit(name, 'public-access-block')
    table.note('PAB three flags: public-access-block', summary(f))
    expect(f).toMatchObject({ ok: true, severity: 'info', message: expect.stringContaining('on AWS turn it on too') })
  })

  it('a public Allow in the bucket policy is critical, even beside the s3:signatureAge Deny; RGW serves anonymous GETs through each form', async () => {
    const name = await aclBucket() // public access block off: on AWS BlockPublicPolicy would refuse these policies
    // The test S3 stores bucket policies but does not evaluate them (src/testing/s3/state.ts): the anonymous reads are RGW's.
    const evaluatesPolicies = peer.name === 'rgw'
    await client.send(new PutObjectCommand({ Bucket: name, Key: 'uploads/private.txt', Body: 'secret' }))
    const base = bucketPolicy({ bucket: name, prefix: 'uploads/' })
    base.Statement = base.Statement.filter((s) => s.Sid !== 'SafePresignDenyInsecureTransport') // the harness talks plain http
    const withAllow = (extra: Record<string, unknown>) =>
      JSON.stringify({ ...base, Statement: [...base.Statement, { Sid: 'Open', Effect: 'Allow', Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::${name}/uploads/*`], ...extra }] })

    // [form, the anonymous GET's status on RGW]
    const forms: [string, Record<string, unknown>, number][] = [
      ['Principal "*"', { Principal: '*' }, 200],
      ['Principal {"AWS":"*"}', { Principal: { AWS: '*' } }, 200],
      ['Principal {"AWS":["*"]}', { Principal: { AWS: ['*'] } }, 200],
      ['NotPrincipal a user, with Allow', { NotPrincipal: { AWS: [`${expectFor(peer, 'principal-arn-form')}nobody`] } }, 200],
      // Critical: on AWS over https anyone matches. RGW never sets aws:SecureTransport (hardening-policy.test.ts), so there it denies.
      ['Principal "*" with only Bool aws:SecureTransport "true"', { Principal: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } }, 403],
    ]
    for (const [label, extra, status] of forms) {
      await client.send(new PutBucketPolicyCommand({ Bucket: name, Policy: withAllow(extra) }))
      const f = await audit(name, 'bucket-policy')
      const res = await anonymous(name, 'uploads/private.txt')
      table.note(`policy Allow ${label}: anonymous GET / bucket-policy`, `${res.status}${res.code ? ` ${res.code}` : ''} / ${summary(f)}`)
      expect(f, label).toMatchObject({ ok: false, severity: 'critical', message: expect.stringContaining('the s3:signatureAge Deny does not apply to unsigned requests') })
      if (evaluatesPolicies) expect(res.status, label).toBe(status)
    }

    // A condition that restricts who: the same Allow limited to a network the loopback caller is not in.
    await client.send(new PutBucketPolicyCommand({ Bucket: name, Policy: withAllow({ Principal: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }) }))
    const res = await anonymous(name, 'uploads/private.txt')
    const f = await audit(name, 'bucket-policy')
    table.note('policy Allow "*" with IpAddress aws:SourceIp 10.0.0.0/8: anonymous GET from 127.0.0.1 / bucket-policy', `${res.status}${res.code ? ` ${res.code}` : ''} / ${summary(f)}`)
    expect(res.status).toBe(403) // a policy the test S3 does not evaluate leaves the object private too
    expect(f).toMatchObject({ ok: true, severity: 'info' })

    // RGW refuses a lower-case principal type; the audit flags it anyway, should a store accept it.
    const lower = await outcome(client.send(new PutBucketPolicyCommand({ Bucket: name, Policy: withAllow({ Principal: { aws: '*' } }) })))
    table.note('PutBucketPolicy with Principal {"aws":"*"}', lower)
    expect(lower).toBe(expectFor(peer, 'policy-principal-case'))
  })

  it('a public bucket ACL: AllUsers READ and AuthenticatedUsers READ are high, AllUsers WRITE critical; anonymous callers may then list and write', async () => {
    const name = await aclBucket()
    const cases: ['public-read' | 'public-read-write' | 'authenticated-read', AuditFinding['severity'], string][] = [
      ['public-read', 'high', 'AllUsers (anyone, unsigned) "READ"'],
      ['authenticated-read', 'high', 'AuthenticatedUsers (any AWS account, not only yours) "READ"'],
      ['public-read-write', 'critical', 'AllUsers (anyone, unsigned) "WRITE"'],
    ]
    for (const [acl, severity, says] of cases) {
      await client.send(new PutBucketAclCommand({ Bucket: name, ACL: acl }))
      const f = await audit(name, 'bucket-acl')
      table.note(`PutBucketAcl ${acl}: bucket-acl`, summary(f))
      expect(f, acl).toMatchObject({ ok: false, severity, message: expect.stringContaining(says) })
    }
    // Still public-read-write: proof that it is what the finding says.
    table.http('bucket ACL public-read-write: anonymous ListObjects', await anonymous(name), [200, undefined])
    table.http('bucket ACL public-read-write: anonymous PUT', await anonymous(name, 'uploads/anonymous.txt', { method: 'PUT', body: 'x' }), [200, undefined])
    // IgnorePublicAcls hides the grant, and the finding stays: turning the block off brings the grant back.
    await pab(name, THREE)
    table.http('bucket ACL public-read-write, PAB three flags: anonymous ListObjects', await anonymous(name), [403, 'AccessDenied'])
    table.http('bucket ACL public-read-write, PAB three flags: anonymous PUT', await anonymous(name, 'uploads/anonymous-2.txt', { method: 'PUT', body: 'x' }), [403, 'AccessDenied'])
    expect(await audit(name, 'bucket-acl')).toMatchObject({ ok: false, severity: 'critical' })
    await pab(name, { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false })
    await client.send(new PutBucketAclCommand({ Bucket: name, ACL: 'private' }))
    table.http('bucket ACL private again: anonymous ListObjects', await anonymous(name), [403, 'AccessDenied'])
    expect(await audit(name, 'bucket-acl')).toMatchObject({ ok: true, severity: 'info' })
  })

  it('Object Ownership: RGW 16 has no such API (unlike AWS, deviation ownership-controls-api): GET ?ownershipControls is answered as a ListObjects, PUT is 400; the finding is unknown', async () => {
    const name = await bucket()
    await client.send(new PutObjectCommand({ Bucket: name, Key: 'uploads/a.txt', Body: 'x' }))
    // The raw answer, signed but unparsed: the SDK would turn it into an OwnershipControls without rules.
    const url = await getSignedUrl(client, new GetBucketOwnershipControlsCommand({ Bucket: name }), { expiresIn: 60 })
    const raw = await httpRequest(url)
    const root = /<(\w+)[\s>]/.exec(raw.body.toString('utf8').replace(/^<\?xml[^>]*\?>/, ''))?.[1]
    table.note('GET ?ownershipControls (presigned, raw)', `${raw.status} <${root}>`)
    const api = expectFor(peer, 'ownership-controls-api')
    expect([raw.status, root]).toEqual([200, api.get])
    expect(raw.body.toString('utf8').includes('<Key>uploads/a.txt</Key>')).toBe(api.get === 'ListBucketResult')

    const put = await outcome(client.send(new PutBucketOwnershipControlsCommand({ Bucket: name, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } })))
    table.note('PutBucketOwnershipControls BucketOwnerEnforced', put)
    expect(put).toBe(api.put)

    const f = await audit(name, 'object-ownership')
    table.note('object-ownership', summary(f))
    expect(f).toMatchObject(api.get === 'ListBucketResult' ? { ok: false, unknown: true, severity: 'medium', message: expect.stringContaining('Ceph RGW 16 answers with an object listing') } : { ok: true, severity: 'info' })
  })
})
