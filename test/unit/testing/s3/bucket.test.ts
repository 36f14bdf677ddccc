// CreateBucket, DeleteBucket, HeadBucket and ListBuckets on the strict test S3, through the SDK and
// raw HTTP: each rule with the requests it accepts and those it refuses, by status and S3 error code.
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetBucketLocationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketTaggingCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  PutObjectCommand,
  type CreateBucketCommandInput,
} from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestS3, type TestS3 } from '../../../../src/testing/s3/index.js'
import { outcome } from './bucket-helpers.js'

let s3: TestS3
let west: TestS3
beforeAll(async () => {
  s3 = await startTestS3({ buckets: ['full-bucket', 'empty-bucket'] })
  west = await startTestS3({ region: 'eu-west-1', buckets: ['west-bucket'] })
})
afterAll(async () => {
  await s3.close()
  await west.close()
})

describe('CreateBucket: names (400 InvalidBucketName)', () => {
  const cases: [string, string][] = [
    ['abc', 'ok'],
    ['a'.repeat(63), 'ok'],
    ['my.bucket-1', 'ok'],
    ['123bucket', 'ok'],
    ['ab', 'InvalidBucketName'],
    ['a'.repeat(64), 'InvalidBucketName'],
    ['My-Bucket', 'InvalidBucketName'],
    ['my_bucket', 'InvalidBucketName'],
    ['-bucket', 'InvalidBucketName'],
    ['bucket.', 'InvalidBucketName'],
    ['my..bucket', 'InvalidBucketName'],
    ['192.168.5.4', 'InvalidBucketName'],
    ['xn--bucket', 'InvalidBucketName'],
    ['sthree-bucket', 'InvalidBucketName'],
    ['amzn-s3-demo-bucket', 'InvalidBucketName'],
    ['bucket-s3alias', 'InvalidBucketName'],
    ['bucket--ol-s3', 'InvalidBucketName'],
  ]
  it.each(cases)('%s → %s', async (name, expected) => {
    expect(await outcome(s3.client().send(new CreateBucketCommand({ Bucket: name })))).toEqual(expected === 'ok' ? [200, 'ok'] : [400, expected])
  })
  // The SDK signs names ending in --x-s3 for S3 Express; S3 checks the name before who sent it.
  it('bucket--x-s3 (unsigned) → InvalidBucketName', async () => {
    const res = await fetch(`${s3.endpoint}/bucket--x-s3`, { method: 'PUT' })
    expect([res.status, /<Code>(\w+)<\/Code>/.exec(await res.text())?.[1]]).toEqual([400, 'InvalidBucketName'])
  })
})

describe('CreateBucket: LocationConstraint', () => {
  const cases: [string, () => TestS3, string | undefined, [number, string]][] = [
    ['us-east-1, none', () => s3, undefined, [200, 'ok']],
    ['us-east-1, us-east-1 named', () => s3, 'us-east-1', [400, 'InvalidLocationConstraint']],
    ['us-east-1, another region', () => s3, 'eu-west-1', [400, 'IllegalLocationConstraintException']],
    ['eu-west-1, its own', () => west, 'eu-west-1', [200, 'ok']],
    ['eu-west-1, another region', () => west, 'us-west-2', [400, 'IllegalLocationConstraintException']],
  ]
  it.each(cases)('%s', async (_label, server, constraint, expected) => {
    const input: CreateBucketCommandInput = { Bucket: `loc-${Math.random().toString(36).slice(2, 10)}` }
    if (constraint) input.CreateBucketConfiguration = { LocationConstraint: constraint as 'eu-west-1' }
    expect(await outcome(server().client().send(new CreateBucketCommand(input)))).toEqual(expected)
  })

  it('eu-west-1 without a constraint (the SDK adds one; a presigned request does not): 400 IllegalLocationConstraintException', async () => {
    const url = await getSignedUrl(west.client(), new CreateBucketCommand({ Bucket: 'no-constraint' }), { expiresIn: 60, unsignableHeaders: new Set(['content-length']) })
    const res = await fetch(url, { method: 'PUT' })
    expect(res.status).toBe(400)
    const body = await res.text()
    expect(body).toContain('<Code>IllegalLocationConstraintException</Code>')
    expect(body).toContain('The unspecified location constraint is incompatible')
  })
})

describe('CreateBucket: tags in the configuration', () => {
  it('are stored (GetBucketTagging answers them); refused as PutBucketTagging refuses them, and no bucket is made', async () => {
    const c = s3.client()
    const TagSet = [{ Key: 'team', Value: 'files' }]
    expect(await outcome(c.send(new CreateBucketCommand({ Bucket: 'tagged-bucket', CreateBucketConfiguration: { Tags: TagSet } })))).toEqual([200, 'ok'])
    expect((await c.send(new GetBucketTaggingCommand({ Bucket: 'tagged-bucket' }))).TagSet).toEqual(TagSet)
    const twice = { Tags: [{ Key: 'a', Value: '1' }, { Key: 'a', Value: '2' }] }
    expect(await outcome(c.send(new CreateBucketCommand({ Bucket: 'twice-tagged', CreateBucketConfiguration: twice })))).toEqual([400, 'InvalidTag'])
    expect(await outcome(c.send(new HeadBucketCommand({ Bucket: 'twice-tagged' })))).toEqual([404, 'NotFound'])
  })
})

describe('CreateBucket: a bucket that exists', () => {
  it('us-east-1 answers 200 to its owner and keeps the objects (legacy behaviour)', async () => {
    await s3.client().send(new PutObjectCommand({ Bucket: 'full-bucket', Key: 'kept', Body: 'x' }))
    expect(await outcome(s3.client().send(new CreateBucketCommand({ Bucket: 'full-bucket' })))).toEqual([200, 'ok'])
    expect(await outcome(s3.client().send(new HeadBucketCommand({ Bucket: 'full-bucket' })))).toEqual([200, 'ok'])
    expect(await outcome(s3.client().send(new DeleteBucketCommand({ Bucket: 'full-bucket' })))).toEqual([409, 'BucketNotEmpty'])
  })
  it('any other region: 409 BucketAlreadyOwnedByYou', async () => {
    const input = { Bucket: 'west-bucket', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' as const } }
    expect(await outcome(west.client().send(new CreateBucketCommand(input)))).toEqual([409, 'BucketAlreadyOwnedByYou'])
  })
})

describe('CreateBucket: ACLs and Object Ownership (AWS since April 2023)', () => {
  const cases: [string, Partial<CreateBucketCommandInput>, [number, string], string?][] = [
    ['no ACL: BucketOwnerEnforced', {}, [200, 'ok'], 'BucketOwnerEnforced'],
    ['private under BucketOwnerEnforced', { ACL: 'private' }, [200, 'ok'], 'BucketOwnerEnforced'],
    ['public-read under BucketOwnerEnforced', { ACL: 'public-read' }, [400, 'InvalidBucketAclWithObjectOwnership']],
    ['a grant to AllUsers under BucketOwnerEnforced', { GrantRead: 'uri="http://acs.amazonaws.com/groups/global/AllUsers"' }, [400, 'InvalidBucketAclWithObjectOwnership']],
    ['ObjectWriter', { ObjectOwnership: 'ObjectWriter' }, [200, 'ok'], 'ObjectWriter'],
    ['BucketOwnerPreferred, private', { ObjectOwnership: 'BucketOwnerPreferred', ACL: 'private' }, [200, 'ok'], 'BucketOwnerPreferred'],
    ['ObjectWriter, public-read', { ObjectOwnership: 'ObjectWriter', ACL: 'public-read' }, [400, 'InvalidBucketAclWithBlockPublicAccessError']],
    ['ObjectWriter, authenticated-read', { ObjectOwnership: 'ObjectWriter', ACL: 'authenticated-read' }, [400, 'InvalidBucketAclWithBlockPublicAccessError']],
    ['an unknown ownership', { ObjectOwnership: 'Everyone' as 'ObjectWriter' }, [400, 'InvalidArgument']],
    ['an unknown canned ACL', { ACL: 'world' as 'private' }, [400, 'InvalidArgument']],
    ['Object Lock (not implemented)', { ObjectLockEnabledForBucket: true }, [501, 'NotImplemented']],
  ]
  it.each(cases)('%s', async (_label, input, expected, ownership) => {
    const Bucket = `acl-${Math.random().toString(36).slice(2, 10)}`
    expect(await outcome(s3.client().send(new CreateBucketCommand({ Bucket, ...input })))).toEqual(expected)
    if (ownership) {
      const got = await s3.client().send(new GetBucketOwnershipControlsCommand({ Bucket }))
      expect(got.OwnershipControls?.Rules?.[0]?.ObjectOwnership).toBe(ownership)
    } else {
      expect(await outcome(s3.client().send(new HeadBucketCommand({ Bucket })))).toEqual([404, 'NotFound'])
    }
  })
})

describe('who may create, delete, head and list', () => {
  const policy = (Action: string[], Resource = '*') => ({ Version: '2012-10-17' as const, Statement: [{ Effect: 'Allow' as const, Action, Resource }] })
  const as = (name: string, Action: string[], Resource?: string) => s3.client({ credentials: s3.addPrincipal({ name, policy: policy(Action, Resource) }) })

  it('CreateBucket needs s3:CreateBucket', async () => {
    expect(await outcome(as('no-create', ['s3:ListBucket']).send(new CreateBucketCommand({ Bucket: 'denied-bucket' })))).toEqual([403, 'AccessDenied'])
    expect(await outcome(as('creator', ['s3:CreateBucket'], 'arn:aws:s3:::allowed-*').send(new CreateBucketCommand({ Bucket: 'allowed-bucket' })))).toEqual([200, 'ok'])
    expect((await fetch(`${s3.endpoint}/anonymous-bucket`, { method: 'PUT' })).status).toBe(403)
  })
  it('DeleteBucket needs s3:DeleteBucket; HeadBucket needs s3:ListBucket', async () => {
    await s3.client().send(new CreateBucketCommand({ Bucket: 'guarded-bucket' }))
    const lister = as('lister', ['s3:ListBucket'])
    expect(await outcome(lister.send(new DeleteBucketCommand({ Bucket: 'guarded-bucket' })))).toEqual([403, 'AccessDenied'])
    expect(await outcome(lister.send(new HeadBucketCommand({ Bucket: 'guarded-bucket' })))).toEqual([200, 'ok'])
    // A HEAD's 403 has no body, so the SDK cannot name the code: the status is what it gets.
    expect((await outcome(as('deleter', ['s3:DeleteBucket']).send(new HeadBucketCommand({ Bucket: 'guarded-bucket' }))))[0]).toBe(403)
    expect(await outcome(as('deleter2', ['s3:DeleteBucket']).send(new DeleteBucketCommand({ Bucket: 'guarded-bucket' })))).toEqual([204, 'ok'])
  })
  it('ListBuckets needs s3:ListAllMyBuckets on "*" (it has no resource type)', async () => {
    expect(await outcome(as('all-lister', ['s3:ListAllMyBuckets']).send(new ListBucketsCommand({})))).toEqual([200, 'ok'])
    expect(await outcome(as('arn-lister', ['s3:ListAllMyBuckets'], 'arn:aws:s3:::*').send(new ListBucketsCommand({})))).toEqual([403, 'AccessDenied'])
    expect((await fetch(`${s3.endpoint}/`)).status).toBe(403)
  })
})

describe('DeleteBucket and HeadBucket', () => {
  it('a bucket with objects: 409 BucketNotEmpty; emptied: 204, then HeadBucket 404', async () => {
    const c = s3.client()
    await c.send(new CreateBucketCommand({ Bucket: 'short-lived' }))
    await c.send(new PutObjectCommand({ Bucket: 'short-lived', Key: 'a', Body: 'a' }))
    expect(await outcome(c.send(new DeleteBucketCommand({ Bucket: 'short-lived' })))).toEqual([409, 'BucketNotEmpty'])
    await c.send(new DeleteObjectCommand({ Bucket: 'short-lived', Key: 'a' }))
    expect(await outcome(c.send(new DeleteBucketCommand({ Bucket: 'short-lived' })))).toEqual([204, 'ok'])
    expect(await outcome(c.send(new HeadBucketCommand({ Bucket: 'short-lived' })))).toEqual([404, 'NotFound'])
    expect(await outcome(c.send(new DeleteBucketCommand({ Bucket: 'short-lived' })))).toEqual([404, 'NoSuchBucket'])
  })
  it('HeadBucket answers x-amz-bucket-region, and a missing bucket 404 with no body', async () => {
    const head = async (bucket: string) => fetch(await getSignedUrl(s3.client(), new HeadBucketCommand({ Bucket: bucket })), { method: 'HEAD' })
    const found = await head('empty-bucket')
    expect([found.status, found.headers.get('x-amz-bucket-region')]).toEqual([200, 'us-east-1'])
    const missing = await head('no-such-bucket')
    expect([missing.status, await missing.text()]).toEqual([404, ''])
    const west1 = await west.client().send(new HeadBucketCommand({ Bucket: 'west-bucket' }))
    expect(west1.BucketRegion).toBe('eu-west-1')
    expect((await west.client().send(new GetBucketLocationCommand({ Bucket: 'west-bucket' }))).LocationConstraint).toBe('eu-west-1')
  })
})

describe('ListBuckets', () => {
  it('ListAllMyBucketsResult: every bucket, by name, with its region and creation date', async () => {
    const out = await s3.client().send(new ListBucketsCommand({}))
    const names = out.Buckets!.map((b) => b.Name!)
    expect(names).toEqual([...names].sort())
    expect(names).toEqual(expect.arrayContaining(['empty-bucket', 'full-bucket']))
    expect(out.Buckets!.every((b) => b.BucketRegion === 'us-east-1' && b.CreationDate instanceof Date)).toBe(true)
    expect(out.Owner?.ID).toMatch(/^[0-9a-f]{64}$/)
  })
  it('pages by MaxBuckets with a ContinuationToken, and filters by Prefix', async () => {
    const c = s3.client()
    const all = (await c.send(new ListBucketsCommand({}))).Buckets!.map((b) => b.Name!)
    const seen: string[] = []
    let token: string | undefined
    do {
      const page = await c.send(new ListBucketsCommand({ MaxBuckets: 2, ContinuationToken: token }))
      expect(page.Buckets!.length).toBeLessThanOrEqual(2)
      seen.push(...page.Buckets!.map((b) => b.Name!))
      token = page.ContinuationToken
    } while (token)
    expect(seen).toEqual(all)
    const prefixed = await c.send(new ListBucketsCommand({ Prefix: 'empty' }))
    expect(prefixed.Buckets!.map((b) => b.Name)).toEqual(['empty-bucket'])
  })
  it.each([[0], [10001]])('MaxBuckets %d: 400 InvalidArgument', async (max) => {
    expect(await outcome(s3.client().send(new ListBucketsCommand({ MaxBuckets: max })))).toEqual([400, 'InvalidArgument'])
  })
})
