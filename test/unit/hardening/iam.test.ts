// signerPolicy() and bucketPolicy(): the exact JSON for the configurations users will paste into IAM,
// no statement that grants a wildcard action or the whole of S3, and (fast-check) every Resource stays
// inside the bucket and the prefixes, for any prefix the library would accept.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bucketPolicy, signerPolicy, type BucketPolicyOptions, type PolicyDocument, type PolicyStatement, type SignerPolicyOptions } from '../../../src/index.js'
import { prefixProblem } from '../../../src/key/key.js'
import { thrown } from '../core/fixtures.js'

const OLD = { NumericGreaterThan: { 's3:signatureAge': '600000' }, StringEquals: { 's3:authType': ['REST-QUERY-STRING', 'POST'] } }

describe('signerPolicy', () => {
  const cases: { name: string; options: SignerPolicyOptions; statements: PolicyDocument['Statement'] }[] = [
    {
      name: 'defaults, no quarantine: one prefix, put/get/delete',
      options: { bucket: 'user-files', prefix: 'uploads/' },
      statements: [{ Sid: 'SafePresignObjects', Effect: 'Allow', Action: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'], Resource: ['arn:aws:s3:::user-files/uploads/*'] }],
    },
    {
      name: 'quarantine: grants write quarantine/, complete() copies into uploads/',
      options: { bucket: 'user-files', prefix: 'uploads/', quarantinePrefix: 'quarantine/' },
      statements: [
        { Sid: 'SafePresignQuarantine', Effect: 'Allow', Action: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'], Resource: ['arn:aws:s3:::user-files/quarantine/*'] },
        { Sid: 'SafePresignObjects', Effect: 'Allow', Action: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'], Resource: ['arn:aws:s3:::user-files/uploads/*'] },
      ],
    },
    {
      name: 'quarantine, signer only (upload + download): no write on the final prefix',
      options: { bucket: 'user-files', prefix: 'uploads/', quarantinePrefix: 'quarantine/', actions: ['upload', 'download'] },
      statements: [
        { Sid: 'SafePresignQuarantine', Effect: 'Allow', Action: ['s3:PutObject'], Resource: ['arn:aws:s3:::user-files/quarantine/*'] },
        { Sid: 'SafePresignObjects', Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::user-files/uploads/*'] },
      ],
    },
    {
      name: 'download only',
      options: { bucket: 'user-files', prefix: 'users/a/', actions: ['download'] },
      statements: [{ Sid: 'SafePresignObjects', Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::user-files/users/a/*'] }],
    },
    {
      name: 'list asked for: ListBucket on the bucket, limited to the prefixes',
      options: { bucket: 'user-files', prefix: 'uploads/', quarantinePrefix: 'quarantine/', actions: ['complete', 'list'] },
      statements: [
        { Sid: 'SafePresignQuarantine', Effect: 'Allow', Action: ['s3:DeleteObject', 's3:GetObject'], Resource: ['arn:aws:s3:::user-files/quarantine/*'] },
        { Sid: 'SafePresignObjects', Effect: 'Allow', Action: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'], Resource: ['arn:aws:s3:::user-files/uploads/*'] },
        { Sid: 'SafePresignList', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: ['arn:aws:s3:::user-files'], Condition: { StringLike: { 's3:prefix': ['uploads/*', 'quarantine/*'] } } },
      ],
    },
    {
      name: 'maxSignatureAgeSeconds: a Deny on the same actions and resources, presigned only',
      options: { bucket: 'user-files', prefix: 'uploads/', quarantinePrefix: 'quarantine/', actions: ['upload', 'download', 'list'], maxSignatureAgeSeconds: 600 },
      statements: [
        { Sid: 'SafePresignQuarantine', Effect: 'Allow', Action: ['s3:PutObject'], Resource: ['arn:aws:s3:::user-files/quarantine/*'] },
        { Sid: 'SafePresignObjects', Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::user-files/uploads/*'] },
        { Sid: 'SafePresignList', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: ['arn:aws:s3:::user-files'], Condition: { StringLike: { 's3:prefix': ['uploads/*', 'quarantine/*'] } } },
        { Sid: 'SafePresignDenyOldSignatures', Effect: 'Deny', Action: ['s3:GetObject', 's3:PutObject'], Resource: ['arn:aws:s3:::user-files/quarantine/*', 'arn:aws:s3:::user-files/uploads/*'], Condition: OLD },
      ],
    },
  ]

  it.each(cases)('$name', ({ options, statements }) => {
    const policy = signerPolicy(options)
    expect(policy).toEqual({ Version: '2012-10-17', Statement: statements })
    // What users paste: plain JSON that survives a round trip.
    expect(JSON.parse(JSON.stringify(policy))).toEqual(policy)
  })

  it('never grants a wildcard action, s3:* or the whole of S3, and no ListBucket unless asked', () => {
    for (const { options } of cases) {
      for (const s of signerPolicy(options).Statement.filter((st) => st.Effect === 'Allow')) {
        for (const action of s.Action) expect(action).not.toContain('*')
        for (const resource of s.Resource) {
          expect(resource).not.toBe('*')
          expect(resource.startsWith('arn:aws:s3:::*')).toBe(false)
          expect(resource).toMatch(/^arn:aws:s3:::user-files(\/.+)?$/)
        }
        if (!options.actions?.includes('list')) expect(s.Action).not.toContain('s3:ListBucket')
      }
    }
  })
})

describe('bucketPolicy', () => {
  const TLS: PolicyStatement = {
    Sid: 'SafePresignDenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: ['s3:*'],
    Resource: ['arn:aws:s3:::user-files', 'arn:aws:s3:::user-files/*'],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  }
  const cases: { name: string; options: BucketPolicyOptions; statements: PolicyDocument['Statement'] }[] = [
    {
      name: 'defaults: presigned signatures older than 600 s (600000 ms) denied, plain HTTP denied',
      options: { bucket: 'user-files', prefix: 'uploads/' },
      statements: [{ Sid: 'SafePresignDenyOldSignatures', Effect: 'Deny', Principal: '*', Action: ['s3:*'], Resource: ['arn:aws:s3:::user-files/uploads/*'], Condition: OLD }, TLS],
    },
    {
      name: '60 s and a quarantine prefix',
      options: { bucket: 'user-files', prefix: 'uploads/', quarantinePrefix: 'quarantine/', maxSignatureAgeSeconds: 60 },
      statements: [
        {
          Sid: 'SafePresignDenyOldSignatures',
          Effect: 'Deny',
          Principal: '*',
          Action: ['s3:*'],
          Resource: ['arn:aws:s3:::user-files/uploads/*', 'arn:aws:s3:::user-files/quarantine/*'],
          Condition: { ...OLD, NumericGreaterThan: { 's3:signatureAge': '60000' } },
        },
        TLS,
      ],
    },
    {
      name: "prefix '': the Denies cover the whole bucket",
      options: { bucket: 'user-files', prefix: '', maxSignatureAgeSeconds: 604800 },
      statements: [{ Sid: 'SafePresignDenyOldSignatures', Effect: 'Deny', Principal: '*', Action: ['s3:*'], Resource: ['arn:aws:s3:::user-files/*'], Condition: { ...OLD, NumericGreaterThan: { 's3:signatureAge': '604800000' } } }, TLS],
    },
    {
      name: 'sourceIp and sourceVpce: one Deny, so either network passes',
      options: { bucket: 'user-files', prefix: 'uploads/', sourceIp: ['203.0.113.0/24', '2001:db8::/32'], sourceVpce: ['vpce-1a2b3c4d'] },
      statements: [
        { Sid: 'SafePresignDenyOldSignatures', Effect: 'Deny', Principal: '*', Action: ['s3:*'], Resource: ['arn:aws:s3:::user-files/uploads/*'], Condition: OLD },
        TLS,
        {
          Sid: 'SafePresignDenyOutsideNetwork',
          Effect: 'Deny',
          Principal: '*',
          Action: ['s3:*'],
          Resource: ['arn:aws:s3:::user-files/uploads/*'],
          Condition: {
            NotIpAddressIfExists: { 'aws:SourceIp': ['203.0.113.0/24', '2001:db8::/32'] },
            StringNotEqualsIfExists: { 'aws:SourceVpce': ['vpce-1a2b3c4d'] },
            BoolIfExists: { 'aws:ViaAWSService': 'false' },
          },
        },
      ],
    },
  ]

  it.each(cases)('$name', ({ options, statements }) => {
    expect(bucketPolicy(options)).toEqual({ Version: '2012-10-17', Statement: statements })
  })

  it('only denies: no statement allows anything', () => {
    for (const { options } of cases) for (const s of bucketPolicy(options).Statement) expect(s.Effect).toBe('Deny')
  })
})

describe('invalid options: INVALID_CONFIG naming the option, the value and the limit', () => {
  const table: { name: string; call: () => unknown; option: string; says: string[]; limit?: number }[] = [
    { name: 'signer: empty prefix', call: () => signerPolicy({ bucket: 'b-1', prefix: '' }), option: 'prefix', says: ['`prefix`', 'whole bucket'] },
    { name: 'signer: prefix without a slash', call: () => signerPolicy({ bucket: 'b-1', prefix: 'uploads' }), option: 'prefix', says: ['"uploads"', 'end with "/"'] },
    { name: 'signer: prefix with ..', call: () => signerPolicy({ bucket: 'b-1', prefix: 'a/../' }), option: 'prefix', says: ['".."'] },
    { name: 'signer: prefix with *', call: () => signerPolicy({ bucket: 'b-1', prefix: 'a*/' }), option: 'prefix', says: ['"a*/"', '"*"', 'wildcard'] },
    { name: 'signer: prefix with ?', call: () => signerPolicy({ bucket: 'b-1', prefix: 'a?/' }), option: 'prefix', says: ['"?"'] },
    { name: 'signer: prefix with a policy variable', call: () => signerPolicy({ bucket: 'b-1', prefix: '${aws:username}/' }), option: 'prefix', says: ['"$"', 'variable'] },
    { name: 'signer: bucket with upper case', call: () => signerPolicy({ bucket: 'Bucket', prefix: 'u/' }), option: 'bucket', says: ['`bucket`', '"Bucket"', 'bucket name'] },
    { name: 'signer: bucket *', call: () => signerPolicy({ bucket: '*', prefix: 'u/' }), option: 'bucket', says: ['"*"'] },
    { name: 'signer: quarantine overlaps prefix', call: () => signerPolicy({ bucket: 'b-1', prefix: 'u/', quarantinePrefix: 'u/q/' }), option: 'quarantinePrefix', says: ['"u/q/"', 'overlap', '"u/"'] },
    { name: 'signer: unknown action', call: () => signerPolicy({ bucket: 'b-1', prefix: 'u/', actions: ['delete' as never] }), option: 'actions', says: ['"delete"', '"upload"'] },
    { name: 'signer: no actions', call: () => signerPolicy({ bucket: 'b-1', prefix: 'u/', actions: [] }), option: 'actions', says: ['`actions`', 'non-empty'] },
    { name: 'signer: signature age 0', call: () => signerPolicy({ bucket: 'b-1', prefix: 'u/', maxSignatureAgeSeconds: 0 }), option: 'maxSignatureAgeSeconds', says: ['`maxSignatureAgeSeconds`', '0', 'above 0'] },
    { name: 'bucket: signature age above 7 days', call: () => bucketPolicy({ bucket: 'b-1', prefix: 'u/', maxSignatureAgeSeconds: 604801 }), option: 'maxSignatureAgeSeconds', says: ['604801', '604800 s'], limit: 604800 },
    { name: 'bucket: signature age 1.5', call: () => bucketPolicy({ bucket: 'b-1', prefix: 'u/', maxSignatureAgeSeconds: 1.5 }), option: 'maxSignatureAgeSeconds', says: ['1.5', 'whole number'] },
    { name: 'bucket: sourceIp not an address', call: () => bucketPolicy({ bucket: 'b-1', prefix: 'u/', sourceIp: ['10.0.0.0/33'] }), option: 'sourceIp', says: ['"10.0.0.0/33"', 'CIDR'] },
    { name: 'bucket: sourceIp a hostname', call: () => bucketPolicy({ bucket: 'b-1', prefix: 'u/', sourceIp: ['example.com'] }), option: 'sourceIp', says: ['"example.com"'] },
    { name: 'bucket: sourceIp empty', call: () => bucketPolicy({ bucket: 'b-1', prefix: 'u/', sourceIp: [] }), option: 'sourceIp', says: ['non-empty', 'deny every request'] },
    { name: 'bucket: sourceVpce malformed', call: () => bucketPolicy({ bucket: 'b-1', prefix: 'u/', sourceVpce: ['vpc-123'] }), option: 'sourceVpce', says: ['"vpc-123"', 'vpce-'] },
    { name: 'bucket: prefix with a leading slash', call: () => bucketPolicy({ bucket: 'b-1', prefix: '/u/' }), option: 'prefix', says: ['"/u/"'] },
  ]

  it.each(table)('$name', ({ call, option, says, limit }) => {
    const error = thrown(call)
    expect(error.code).toBe('INVALID_CONFIG')
    expect(error.details?.option).toBe(option)
    for (const s of says) expect(error.message).toContain(s)
    if (limit !== undefined) expect(error.details?.limit).toBe(limit)
  })
})

describe('property: every Resource is inside the bucket and the prefixes', () => {
  const segment = fc.stringMatching(/^[a-zA-Z0-9_.=+-]{1,12}$/).filter((s) => s !== '.' && s !== '..')
  const prefix = fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => `${parts.join('/')}/`)
  const bucket = fc.stringMatching(/^[a-z0-9][a-z0-9-]{1,20}[a-z0-9]$/)
  const actions = fc.subarray(['upload', 'complete', 'download', 'list', 'multipart'] as const, { minLength: 1 })

  it('signerPolicy and bucketPolicy, for any valid prefix', () => {
    fc.assert(
      fc.property(bucket, prefix, fc.option(prefix, { nil: undefined }), actions, fc.option(fc.integer({ min: 1, max: 604800 }), { nil: undefined }), (b, p, q, a, age) => {
        fc.pre(prefixProblem(p) === undefined && (q === undefined || (!q.startsWith(p) && !p.startsWith(q))))
        const inside = (resource: string) =>
          resource === `arn:aws:s3:::${b}` || resource === `arn:aws:s3:::${b}/${p}*` || (q !== undefined && resource === `arn:aws:s3:::${b}/${q}*`)
        const signer = signerPolicy({ bucket: b, prefix: p, quarantinePrefix: q, actions: a, maxSignatureAgeSeconds: age })
        for (const s of signer.Statement) {
          for (const r of s.Resource) expect(inside(r), r).toBe(true)
          // The bucket ARN itself only for ListBucket (then limited by s3:prefix) and the multipart listing.
          if (s.Resource.includes(`arn:aws:s3:::${b}`)) expect([['s3:ListBucket'], ['s3:ListBucketMultipartUploads']]).toContainEqual(s.Action)
          for (const action of s.Action) expect(action).not.toContain('*')
        }
        const denies = bucketPolicy({ bucket: b, prefix: p, quarantinePrefix: q, maxSignatureAgeSeconds: age })
        for (const s of denies.Statement.filter((st) => st.Sid !== 'SafePresignDenyInsecureTransport')) for (const r of s.Resource) expect(inside(r), r).toBe(true)
      }),
      { numRuns: 300 },
    )
  })
})

describe('the split setup: signerPolicy({ role }) and bucketPolicy({ principals })', () => {
  const ACL = { StringEqualsIfExists: { 's3:x-amz-acl': 'bucket-owner-full-control' } }

  it.each([
    {
      role: 'upload' as const,
      quarantinePrefix: undefined,
      statements: [{ Sid: 'SafePresignObjects', Effect: 'Allow', Action: ['s3:PutObject'], Resource: ['arn:aws:s3:::user-files/uploads/*'], Condition: ACL }],
    },
    {
      role: 'upload' as const,
      quarantinePrefix: 'quarantine/',
      statements: [{ Sid: 'SafePresignQuarantine', Effect: 'Allow', Action: ['s3:PutObject'], Resource: ['arn:aws:s3:::user-files/quarantine/*'], Condition: ACL }],
    },
    {
      role: 'download' as const,
      quarantinePrefix: 'quarantine/',
      statements: [{ Sid: 'SafePresignObjects', Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::user-files/uploads/*'] }],
    },
    {
      role: 'worker' as const,
      quarantinePrefix: 'quarantine/',
      statements: [
        { Sid: 'SafePresignQuarantine', Effect: 'Allow', Action: ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:ListMultipartUploadParts'], Resource: ['arn:aws:s3:::user-files/quarantine/*'] },
        { Sid: 'SafePresignObjects', Effect: 'Allow', Action: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'], Resource: ['arn:aws:s3:::user-files/uploads/*'] },
        { Sid: 'SafePresignList', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: ['arn:aws:s3:::user-files'], Condition: { StringLike: { 's3:prefix': ['uploads/*', 'quarantine/*'] } } },
        { Sid: 'SafePresignListMultipart', Effect: 'Allow', Action: ['s3:ListBucketMultipartUploads'], Resource: ['arn:aws:s3:::user-files'] },
      ],
    },
  ])('role $role, quarantine $quarantinePrefix', ({ role, quarantinePrefix, statements }) => {
    expect(signerPolicy({ bucket: 'user-files', prefix: 'uploads/', quarantinePrefix, role })).toEqual({ Version: '2012-10-17', Statement: statements })
  })

  it('the upload role can never read, list, delete or change ACLs', () => {
    const actions = signerPolicy({ bucket: 'user-files', prefix: 'uploads/', role: 'upload' }).Statement.flatMap((s) => s.Action)
    expect(actions).toEqual(['s3:PutObject'])
  })

  it('bucketPolicy({ principals }) adds the two Allows and an explicit Deny of reads for the upload signer, after the Denies', () => {
    const up = 'arn:aws:iam:::user/upload-signer'
    const down = 'arn:aws:iam::111122223333:role/downloader'
    const doc = bucketPolicy({ bucket: 'user-files', prefix: 'uploads/', quarantinePrefix: 'quarantine/', principals: { upload: [up], download: [down] } })
    const bySid = Object.fromEntries(doc.Statement.map((s) => [s.Sid, s]))
    expect(doc.Statement.map((s) => s.Sid)).toEqual(['SafePresignDenyOldSignatures', 'SafePresignDenyInsecureTransport', 'SafePresignAllowUploadSigner', 'SafePresignDenyUploadSignerReads', 'SafePresignAllowDownloadSigner'])
    expect(bySid.SafePresignAllowUploadSigner).toEqual({ Sid: 'SafePresignAllowUploadSigner', Effect: 'Allow', Principal: { AWS: [up] }, Action: ['s3:PutObject'], Resource: ['arn:aws:s3:::user-files/quarantine/*'], Condition: ACL })
    expect(bySid.SafePresignAllowDownloadSigner).toEqual({ Sid: 'SafePresignAllowDownloadSigner', Effect: 'Allow', Principal: { AWS: [down] }, Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::user-files/uploads/*'] })
    const deny = bySid.SafePresignDenyUploadSignerReads!
    expect(deny).toMatchObject({ Effect: 'Deny', Principal: { AWS: [up] }, Resource: ['arn:aws:s3:::user-files', 'arn:aws:s3:::user-files/*'] })
    for (const action of ['s3:GetObject', 's3:ListBucket', 's3:PutObjectAcl', 's3:DeleteObject']) expect(deny.Action).toContain(action)
    expect(deny.Action).not.toContain('s3:PutObject')
    // Without principals: Denies only, as before.
    expect(bucketPolicy({ bucket: 'user-files', prefix: 'uploads/' }).Statement.every((s) => s.Effect === 'Deny')).toBe(true)
  })

  it.each([
    { name: 'role and actions together', call: () => signerPolicy({ bucket: 'b-1', prefix: 'u/', role: 'upload', actions: ['upload'] }), option: 'role', says: ['"upload"', 'not both'] },
    { name: 'unknown role', call: () => signerPolicy({ bucket: 'b-1', prefix: 'u/', role: 'admin' as never }), option: 'role', says: ['"admin"', '"worker"'] },
    { name: 'a * principal', call: () => bucketPolicy({ bucket: 'b-1', prefix: 'u/', principals: { upload: ['*'] } }), option: 'principals.upload', says: ['"*"', 'never "*"'] },
    { name: 'a principal that is no ARN', call: () => bucketPolicy({ bucket: 'b-1', prefix: 'u/', principals: { download: ['alice'] } }), option: 'principals.download', says: ['"alice"', 'arn:aws:iam:::user/name'] },
    { name: 'an empty principal list', call: () => bucketPolicy({ bucket: 'b-1', prefix: 'u/', principals: { upload: [] } }), option: 'principals.upload', says: ['non-empty'] },
    { name: 'an unknown role in principals', call: () => bucketPolicy({ bucket: 'b-1', prefix: 'u/', principals: { worker: ['111122223333'] } as never }), option: 'principals', says: ['"worker"'] },
    { name: 'principals with an empty prefix', call: () => bucketPolicy({ bucket: 'b-1', prefix: '', principals: { upload: ['111122223333'] } }), option: 'prefix', says: ['whole bucket'] },
  ])('$name → INVALID_CONFIG', ({ call, option, says }) => {
    const error = thrown(call)
    expect(error.code).toBe('INVALID_CONFIG')
    expect(error.details?.option).toBe(option)
    for (const s of says) expect(error.message).toContain(s)
  })
})
