// probeBucket() against each S3 peer (RGW and the test S3: peers.ts), twice: with one client (the signer
// is the bucket owner) and with the split setup (a separate upload signer). Each row is asserted as the
// peer answers it: where RGW departs from AWS the row takes both answers from deviations.ts. Afterwards
// nothing may be left under the prefix.
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3'
import { expect, it } from 'vitest'
import { probeBucket, type ProbeFinding } from '../../../src/index.js'
import { describePeers, peerBucketFixture, type Peer } from '../../helpers/peers.js'
import { expectFor, type HttpOutcome } from './deviations.js'
import { splitFixture } from './split.js'

type Row = [ok: boolean, severity: ProbeFinding['severity'], observed: RegExp]
/** `403 AccessDenied`, as the probe describes a reply. */
const reply = ([status, code]: HttpOutcome) => `${status}${code ? ` ${code}` : ''}`

/** Rows both setups share: each peer enforces these whoever signs (sha256 and meta: where RGW deviates). */
function enforced(peer: Peer): Record<string, Row> {
  const sha = expectFor(peer, 'checksum-sha256')
  const meta = expectFor(peer, 'unsigned-meta')
  return {
    'put-supported': [true, 'high', /^200; GetObject as client: 200$/],
    'tampered-signature': [true, 'critical', /^403 SignatureDoesNotMatch; nothing stored$/],
    expired: [true, 'critical', /^403 AccessDenied; nothing stored$/],
    'other-key': [true, 'critical', /^403 SignatureDoesNotMatch; nothing stored$/],
    'content-length': [true, 'high', /^403 SignatureDoesNotMatch; nothing stored$/],
    'content-type': [true, 'medium', /^text\/html on a text\/plain grant: 403 SignatureDoesNotMatch; nothing stored$/],
    'content-md5': [true, 'medium', /^400 BadDigest; nothing stored$/],
    // RGW does not compare x-amz-checksum-sha256 with the body (AWS: 400 BadDigest); complete() re-hashes.
    'checksum-sha256': sha.stored ? [false, 'medium', /^200; the object was stored$/] : [true, 'medium', new RegExp(`^${reply(sha.put)}; nothing stored$`)],
    'if-none-match': [true, 'high', /^first PUT 200, second 412 PreconditionFailed; the first bytes kept$/],
    // RGW stores an unsigned x-amz-meta-* (AWS refuses unsigned x-amz-* headers: 403).
    'unsigned-meta': meta[0] === 200 ? [false, 'low', /^200; x-amz-meta-probe stored$/] : [true, 'low', new RegExp(`^${reply(meta)}$`)],
  }
}

/** The POST and CORS rows, the same in both setups. */
function postAndCors(peer: Peer, postStatus: RegExp): Record<string, Row> {
  return {
    'post-supported': [true, 'info', postStatus],
    'post-length-range': [true, 'high', /^400 EntityTooLarge; nothing stored$/],
    'post-extra-field': [true, 'medium', /^403 AccessDenied; nothing stored$/],
    'cors-foreign-origin': [true, 'medium', new RegExp(`^from https://probe\\.invalid: ${reply(expectFor(peer, 'cors-refused-code'))}, no Access-Control-Allow-Origin$`)],
  }
}

function oneClient(peer: Peer): Record<string, Row> {
  const acl = expectFor(peer, 'unsigned-acl')
  const grant = expectFor(peer, 'unsigned-grant')
  const copy = expectFor(peer, 'unsigned-copy-source')
  return {
    ...enforced(peer),
    // RGW obeys unsigned ACL headers (AWS: 403): the object becomes world-readable.
    'unsigned-acl': [acl.put[0] !== 200, 'high', new RegExp(`^PUT ${reply(acl.put)}; anonymous GET ${reply(acl.anonymousGet)}$`)],
    'unsigned-grant': [grant.put[0] !== 200, 'high', new RegExp(`^PUT ${reply(grant.put)}; anonymous GET ${reply(grant.anonymousGet)}$`)],
    // RGW turns the PUT into a server-side copy with the signer's rights (AWS: 403, unsigned header).
    'unsigned-copy-source': copy.copied
      ? [false, 'critical', /^client's object: 200, COPIED; another upload: 200, COPIED$/]
      : [true, 'critical', new RegExp(`^client's object: ${reply(copy.put)}, nothing stored; another upload: ${reply(copy.put)}, nothing stored$`)],
    ...postAndCors(peer, /^201; GetObject as client: 200$/),
    'signer-separate': [false, 'high', /^no separate signer: `client` signs the grants$/],
  }
}

function splitRows(peer: Peer): Record<string, Row> {
  return {
    ...enforced(peer),
    // The grant signs x-amz-acl: bucket-owner-full-control; replacing it breaks the signature.
    'unsigned-acl': [true, 'high', /^PUT 403 SignatureDoesNotMatch; anonymous GET 403 AccessDenied$/],
    'unsigned-grant': [true, 'high', new RegExp(`^PUT ${reply(expectFor(peer, 'unsigned-grant-with-signed-acl'))}; anonymous GET 403 AccessDenied$`)],
    // The upload signer may not read (RGW: bucketPolicy({ principals }) denies it; AWS: the unsigned header already is 403).
    'unsigned-copy-source': [true, 'critical', /^client's object: 403 AccessDenied, nothing stored; another upload: 403 AccessDenied, nothing stored$/],
    ...postAndCors(peer, /^20[14]; GetObject as client: 200$/),
    'signer-separate': [true, 'high', /^the signer uses another access key id than `client`$/],
  }
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

describePeers('probeBucket, one client (signer = client)', (peer) => {
  const fixture = peerBucketFixture(peer)

  it('on RGW reports copy-source (critical), unsigned ACLs and grants (high), unsigned meta and sha256 as not ok, on AWS all ok but signer-separate; leaves nothing', async () => {
    const { client, bucket } = fixture()
    const { findings } = await probeBucket({ client, signer: client, bucket, prefix: 'uploads/' })
    expectMatrix(findings, oneClient(peer), `${peer.name}, one client`)
    expect(await keysUnder(client, bucket, 'uploads/')).toEqual([])
  })

  it("with `origin`, also reports whether the app's own origin passes the preflight (no CORS rules: it does not)", async () => {
    const { client, bucket } = fixture()
    const { findings } = await probeBucket({ client, bucket, prefix: '', origin: 'https://app.example' })
    const cors = findings.find((f) => f.id === 'cors-foreign-origin')
    expect(cors).toMatchObject({ ok: true })
    expect(cors?.observed).toMatch(new RegExp(`from https://app\\.example \\(yours\\): ${reply(expectFor(peer, 'cors-refused-code'))}, no Access-Control-Allow-Origin \\(browser uploads from your origin would fail\\)$`))
    // Without `signer`, the client signs: the same finding as signer = client.
    expect(findings.find((f) => f.id === 'signer-separate')).toMatchObject({ ok: false, severity: 'high' })
    expect(await keysUnder(client, bucket, '')).toEqual([])
  })
})

describePeers('probeBucket, split setup (upload signer + bucketPolicy({ principals }) on RGW, signerPolicy({ role }) on the test S3)', (peer) => {
  const fixture = splitFixture(peer, { prefix: 'uploads/' })

  it('stops copy-source, unsigned ACLs and grants; on RGW leaves only unsigned meta (low) and sha256 (medium) not ok, on AWS nothing; leaves nothing', async () => {
    const { owner, split } = fixture()
    const { findings } = await probeBucket({ client: owner, signer: split.uploadSigner, bucket: split.bucket, prefix: 'uploads/' })
    expectMatrix(findings, splitRows(peer), `${peer.name}, split signers`)
    expect(findings.filter((f) => !f.ok).map((f) => f.id)).toEqual(Object.entries(splitRows(peer)).filter(([, [ok]]) => !ok).map(([id]) => id))
    expect(await keysUnder(owner, split.bucket, 'uploads/')).toEqual([])
  })
}, { users: true })
