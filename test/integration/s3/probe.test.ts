// probeBucket() against the real RGW peer, twice: with one client (the signer is the bucket owner) and
// with the split setup (a separate upload signer and bucketPolicy({ principals })). Each row is asserted
// as RGW 16 answers it; where AWS answers differently, the row's comment says so. Afterwards nothing may
// be left under the prefix.
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3'
import { expect, it } from 'vitest'
import { probeBucket, type ProbeFinding } from '../../../src/index.js'
import { describeWithServer } from '../../helpers/env.js'
import { bucketFixture, rgwPeer, usersMissing } from '../../helpers/rgw.js'
import { splitFixture } from './split.js'

const peer = rgwPeer()
type Row = [ok: boolean, severity: ProbeFinding['severity'], observed: RegExp]

// Rows both setups share: RGW enforces these whoever signs.
const ENFORCED: Record<string, Row> = {
  'put-supported': [true, 'high', /^200; GetObject as client: 200$/],
  'tampered-signature': [true, 'critical', /^403 SignatureDoesNotMatch; nothing stored$/],
  expired: [true, 'critical', /^403 AccessDenied; nothing stored$/],
  'other-key': [true, 'critical', /^403 SignatureDoesNotMatch; nothing stored$/],
  'content-length': [true, 'high', /^403 SignatureDoesNotMatch; nothing stored$/],
  'content-type': [true, 'medium', /^text\/html on a text\/plain grant: 403 SignatureDoesNotMatch; nothing stored$/],
  'content-md5': [true, 'medium', /^400 BadDigest; nothing stored$/],
  // RGW 16 does not compare x-amz-checksum-sha256 with the body (AWS: 400 BadDigest); complete() re-hashes.
  'checksum-sha256': [false, 'medium', /^200; the object was stored$/],
  'if-none-match': [true, 'high', /^first PUT 200, second 412 PreconditionFailed; the first bytes kept$/],
  // RGW stores an unsigned x-amz-meta-* (AWS refuses unsigned x-amz-* headers: 403).
  'unsigned-meta': [false, 'low', /^200; x-amz-meta-probe stored$/],
}

const ONE_CLIENT: Record<string, Row> = {
  ...ENFORCED,
  // RGW obeys unsigned ACL headers (AWS: 403): the object becomes world-readable.
  'unsigned-acl': [false, 'high', /^PUT 200; anonymous GET 200$/],
  'unsigned-grant': [false, 'high', /^PUT 200; anonymous GET 200$/],
  // RGW turns the PUT into a server-side copy with the signer's rights (AWS: 403, unsigned header).
  'unsigned-copy-source': [false, 'critical', /^client's object: 200, COPIED; another upload: 200, COPIED$/],
  'post-supported': [true, 'info', /^201; GetObject as client: 200$/],
  'post-length-range': [true, 'high', /^400 EntityTooLarge; nothing stored$/],
  'post-extra-field': [true, 'medium', /^403 AccessDenied; nothing stored$/],
  'cors-foreign-origin': [true, 'medium', /^from https:\/\/probe\.invalid: 403 AccessDenied, no Access-Control-Allow-Origin$/],
  'signer-separate': [false, 'high', /^no separate signer: `client` signs the grants$/],
}

const SPLIT: Record<string, Row> = {
  ...ENFORCED,
  // The grant signs x-amz-acl: bucket-owner-full-control; replacing it breaks the signature.
  'unsigned-acl': [true, 'high', /^PUT 403 SignatureDoesNotMatch; anonymous GET 403 AccessDenied$/],
  'unsigned-grant': [true, 'high', /^PUT 400 InvalidRequest; anonymous GET 403 AccessDenied$/],
  // bucketPolicy({ principals }) denies the upload signer every read, so there is nothing it can copy.
  'unsigned-copy-source': [true, 'critical', /^client's object: 403 AccessDenied, nothing stored; another upload: 403 AccessDenied, nothing stored$/],
  'post-supported': [true, 'info', /^20[14]; GetObject as client: 200$/],
  'post-length-range': [true, 'high', /^400 EntityTooLarge; nothing stored$/],
  'post-extra-field': [true, 'medium', /^403 AccessDenied; nothing stored$/],
  'cors-foreign-origin': [true, 'medium', /^from https:\/\/probe\.invalid: 403 AccessDenied, no Access-Control-Allow-Origin$/],
  'signer-separate': [true, 'high', /^the signer uses another access key id than `client`$/],
}

function expectMatrix(findings: ProbeFinding[], expected: Record<string, Row>, label: string) {
  console.log(`probe matrix (${label})\n| id | ok | severity | observed |\n|---|---|---|---|\n${findings.map((f) => `| ${f.id} | ${f.ok} | ${f.severity} | ${f.observed} |`).join('\n')}`)
  expect(findings.map((f) => f.id)).toEqual(Object.keys(expected))
  for (const f of findings) {
    const [ok, severity, observed] = expected[f.id]!
    expect({ id: f.id, ok: f.ok, severity: f.severity }).toEqual({ id: f.id, ok, severity })
    expect(f.observed, f.id).toMatch(observed)
    expect(f.expected.length, f.id).toBeGreaterThan(10)
    expect(f.remedy.length, f.id).toBeGreaterThan(10)
    // A finding is a report, not a credential: no presigned URL or signature in it.
    expect(JSON.stringify(f), f.id).not.toMatch(/X-Amz-(Signature|Credential)=|https?:\/\/127\./)
  }
}

async function keysUnder(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))
  return (page.Contents ?? []).map((o) => o.Key ?? '')
}

describeWithServer('probeBucket on RGW, one client (signer = client)', peer.missing, () => {
  const fixture = bucketFixture(peer)

  it('reports copy-source (critical), unsigned ACLs and grants (high), unsigned meta and sha256 as not ok; the rest ok; leaves nothing', async () => {
    const { client, bucket } = fixture()
    const { findings } = await probeBucket({ client, signer: client, bucket, prefix: 'uploads/' })
    expectMatrix(findings, ONE_CLIENT, 'RGW, one client')
    expect(await keysUnder(client, bucket, 'uploads/')).toEqual([])
  })

  it("with `origin`, also reports whether the app's own origin passes the preflight (no CORS rules: it does not)", async () => {
    const { client, bucket } = fixture()
    const { findings } = await probeBucket({ client, bucket, prefix: '', origin: 'https://app.example' })
    const cors = findings.find((f) => f.id === 'cors-foreign-origin')
    expect(cors).toMatchObject({ ok: true })
    expect(cors?.observed).toMatch(/from https:\/\/app\.example \(yours\): 403 AccessDenied, no Access-Control-Allow-Origin \(browser uploads from your origin would fail\)$/)
    // Without `signer`, the client signs: the same finding as signer = client.
    expect(findings.find((f) => f.id === 'signer-separate')).toMatchObject({ ok: false, severity: 'high' })
    expect(await keysUnder(client, bucket, '')).toEqual([])
  })
})

describeWithServer('probeBucket on RGW, split setup (upload signer + bucketPolicy({ principals }))', usersMissing(peer), () => {
  const fixture = splitFixture(peer, { prefix: 'uploads/' })

  it('stops copy-source, unsigned ACLs and grants; leaves only unsigned meta (low) and sha256 (medium) not ok; leaves nothing', async () => {
    const { owner, split } = fixture()
    const { findings } = await probeBucket({ client: owner, signer: split.uploadSigner, bucket: split.bucket, prefix: 'uploads/' })
    expectMatrix(findings, SPLIT, 'RGW, split signers')
    expect(findings.filter((f) => !f.ok).map((f) => f.id)).toEqual(['checksum-sha256', 'unsigned-meta'])
    expect(await keysUnder(owner, split.bucket, 'uploads/')).toEqual([])
  })
})
