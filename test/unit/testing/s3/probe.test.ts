// The provider probe is the test S3's oracle: probeBucket() against startTestS3() must find every row
// ok, as it would on AWS, where RGW and the old emulator did not (test/integration/s3/probe.test.ts,
// docs/probe.md). With one client, only the setup row signer-separate is not ok: that row is about who
// signs, not about the store.
import { PutBucketCorsCommand, type S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { corsConfiguration, PROBE_FINDING_IDS, probeBucket, signerPolicy, type ProbeFinding } from '../../../../src/index.js'
import { startTestS3, type TestS3 } from '../../../../src/testing/s3/index.js'

const B = 'probe-bucket'
let s3: TestS3
let owner: S3Client
let signer: S3Client

beforeAll(async () => {
  s3 = await startTestS3({ buckets: [B] })
  owner = s3.client()
  const upload = s3.addPrincipal({ name: 'upload-signer', policy: signerPolicy({ role: 'upload', bucket: B, prefix: 'uploads/' }) })
  signer = s3.client({ credentials: upload })
  await owner.send(new PutBucketCorsCommand({ Bucket: B, CORSConfiguration: corsConfiguration({ origins: ['https://app.example'] }) }))
})
afterAll(async () => {
  owner?.destroy()
  signer?.destroy()
  await s3?.close()
})

const table = (findings: ProbeFinding[]) => findings.map((f) => `| ${f.id} | ${f.ok} | ${f.observed} |`).join('\n')

describe('probeBucket against startTestS3()', () => {
  it('split setup (an upload signer limited by signerPolicy): every row ok', async () => {
    const { findings } = await probeBucket({ client: owner, signer, bucket: B, prefix: 'uploads/', origin: 'https://app.example' })
    console.log(`probe matrix (test S3, split setup)\n| id | ok | observed |\n|---|---|---|\n${table(findings)}`)
    expect(findings.map((f) => f.id).sort()).toEqual([...PROBE_FINDING_IDS].sort())
    expect(findings.filter((f) => !f.ok).map((f) => `${f.id}: ${f.observed}`)).toEqual([])
    expect(findings.find((f) => f.id === 'cors-foreign-origin')!.observed).toMatch(/from https:\/\/app\.example \(yours\): 200/)
  })

  it('one client (the bucket owner signs): every store row ok; signer-separate not ok', async () => {
    const { findings } = await probeBucket({ client: owner, signer: owner, bucket: B, prefix: 'uploads/' })
    expect(findings.filter((f) => !f.ok).map((f) => f.id)).toEqual(['signer-separate'])
  })

  it('leaves nothing under the prefix', async () => {
    const { ListObjectsV2Command } = await import('@aws-sdk/client-s3')
    const left = await owner.send(new ListObjectsV2Command({ Bucket: B, Prefix: 'uploads/' }))
    expect(left.KeyCount).toBe(0)
  })
})
