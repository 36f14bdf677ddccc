// probeBucket() against the demo's in-process s3rver emulator (examples/demo/emulator.ts): an S3 that
// checks SigV4 signatures but not If-None-Match or POST policies. The probe must say so, so nobody
// takes a passing demo for a safe store. Needs no external server.
import { S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEmulator, type Emulator } from '../../../examples/demo/emulator.js'
import { probeBucket, PROBE_FINDING_IDS, type ProbeFinding } from '../../../src/index.js'

let emulator: Emulator
let client: S3Client

beforeAll(async () => {
  emulator = await startEmulator({ buckets: ['probe'] })
  client = new S3Client({ region: emulator.region, endpoint: emulator.endpoint, credentials: emulator.credentials, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' })
})
afterAll(async () => {
  client?.destroy()
  await emulator?.close()
})

describe('probeBucket on s3rver (the demo emulator)', () => {
  let findings: ProbeFinding[]
  beforeAll(async () => {
    ;({ findings } = await probeBucket({ client, bucket: 'probe', prefix: 'uploads/' }))
    console.log(`probe matrix (s3rver)\n| id | ok | severity | observed |\n|---|---|---|---|\n${findings.map((f) => `| ${f.id} | ${f.ok} | ${f.severity} | ${f.observed} |`).join('\n')}`)
  })
  const row = (id: string) => findings.find((f) => f.id === id)

  it('reports every row, in the stable order', () => {
    expect(findings.map((f) => f.id)).toEqual([...PROBE_FINDING_IDS])
  })

  it('if-none-match and the POST policy rows are not ok: s3rver checks neither', () => {
    expect(row('if-none-match')).toMatchObject({ ok: false, severity: 'high', observed: 'first PUT 200, second 200; overwritten' })
    // s3rver takes a POST form but checks no part of its policy.
    expect(row('post-supported')).toMatchObject({ ok: true, severity: 'info' })
    expect(row('post-length-range')).toMatchObject({ ok: false, severity: 'high', observed: `201; stored (34 bytes)` })
    expect(row('post-extra-field')).toMatchObject({ ok: false, severity: 'medium', observed: '201; stored (33 bytes)' })
  })

  it('the whole matrix as observed: signatures, expiry, key, length and type enforced; digests and unsigned headers not', () => {
    const notOk = findings.filter((f) => !f.ok).map((f) => `${f.id}:${f.severity}`)
    expect(notOk).toEqual([
      'content-md5:medium',
      'checksum-sha256:medium',
      'if-none-match:high',
      'unsigned-meta:low',
      // s3rver serves every object to anonymous GETs, ACL or not.
      'unsigned-acl:high',
      'unsigned-grant:high',
      'unsigned-copy-source:critical',
      'post-length-range:high',
      'post-extra-field:medium',
      'signer-separate:high',
    ])
    expect(row('unsigned-copy-source')?.observed).toBe("client's object: 200, COPIED; another upload: 200, COPIED")
    expect(row('tampered-signature')?.observed).toBe('403 SignatureDoesNotMatch; nothing stored')
  })

  it('leaves nothing in the bucket', async () => {
    // s3rver refuses the SDK's signature on every bucket listing, and serves anonymous requests (the
    // unsigned-acl row shows it): list anonymously. The probe's own listing failed too, so it deleted the
    // keys it tracked.
    const res = await fetch(`${emulator.endpoint}/probe?list-type=2`)
    const xml = await res.text()
    expect(res.status, xml.slice(0, 200)).toBe(200)
    expect(xml).toContain('<ListBucketResult')
    expect(xml.match(/<Key>[^<]*<\/Key>/g) ?? []).toEqual([])
  })
})
