// The multipart section of `npm run bench`: what signing part URLs costs (10,000 URLs in 100 calls of
// 100, as a client uploading a ~52 GB file asks for them), and how many store calls each multipart
// operation makes. S3 is mocked (aws-sdk-client-mock, through the unit tests' fake multipart S3):
// nothing is sent. See bench/README.md.
import { S3Client } from '@aws-sdk/client-s3'
import { createSafeUpload, memoryStore, type OwnershipStore } from '../src/index.js'
import { png } from '../test/unit/lifecycle/bytes.js'
import { fakeMultipart } from '../test/unit/multipart/fake-multipart.js'
import { countCalls } from './count-calls.js'
import { fmtDec, fmtInt } from './harness.js'

const MiB = 1024 ** 2
const PARTS = 10_000
const PER_CALL = 100
const CALLS = PARTS / PER_CALL
const ROUNDS = 3
const TARGET_MS = 150
const BUCKET = 'bench-bucket'

// Clients of their own: the mocks installed on them must not touch the first section's clients.
const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }
const newClient = () => new S3Client({ region: 'eu-west-1', credentials, requestChecksumCalculation: 'WHEN_REQUIRED' })

function builder(client: S3Client, store: OwnershipStore) {
  return createSafeUpload({ client, bucket: BUCKET, store, allowedContentTypes: ['image/png'], maxSize: 5 * 1024 ** 4, multipart: true })
}

/** One timed run: a fresh store and upload of 10,000 parts, then 100 signParts calls of 100 parts each. Returns ms. */
async function signRun(client: S3Client): Promise<number> {
  const up = builder(client, memoryStore())
  const created = await up.createMultipart({ owner: 'alice', contentType: 'image/png', size: PARTS * 5 * MiB, partSize: 5 * MiB })
  if (created.partCount !== PARTS) throw new Error(`expected ${PARTS} parts, planned ${created.partCount}`)
  const ref = { key: created.key, uploadId: created.uploadId, owner: 'alice' }
  const batches = Array.from({ length: CALLS }, (_, c) => Array.from({ length: PER_CALL }, (_, i) => ({ partNumber: c * PER_CALL + i + 1 })))
  const t0 = process.hrtime.bigint()
  let urls = 0
  for (const parts of batches) urls += (await up.signParts({ ...ref, parts })).length
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  if (urls !== PARTS) throw new Error(`signed ${urls} URLs, expected ${PARTS}`)
  return ms
}

/** The store methods called since the last reset, as `get ×2, transition ×1`. */
function describeCounts(counts: Map<string, number>, per = 1): string {
  return [...counts].map(([method, n]) => `${method} ×${per === 1 ? n : fmtDec(n / per, 2)}`).join(', ') || 'none'
}

export async function runMultipartSection(): Promise<void> {
  console.log(`\nMultipart (memory store; S3 mocked with aws-sdk-client-mock, nothing is sent)`)
  const client = newClient()
  const s3 = fakeMultipart({ clients: [client] })
  try {
    // signParts: warm-up run (JIT, signing-key cache), then ROUNDS timed runs; the median is shown.
    await signRun(client)
    const runs: number[] = []
    for (let r = 0; r < ROUNDS; r++) runs.push(await signRun(client))
    const median = [...runs].sort((a, b) => a - b)[Math.floor(ROUNDS / 2)]!
    const met = median < TARGET_MS
    console.log(`  signParts, ${fmtInt(PARTS)} part URLs in ${CALLS} calls of ${PER_CALL}: ${fmtDec(median, 1)} ms in total, ${fmtDec((median * 1000) / PARTS, 2)} µs per URL (runs: ${runs.map((ms) => fmtDec(ms, 1)).join(', ')} ms)`)
    console.log(`  target: under ${TARGET_MS} ms in total${met ? '  ✔ met' : '  ✘ missed'}`)

    // Store calls per operation, counted by the same wrapper as the store section.
    const counted = countCalls(memoryStore())
    const up = builder(client, counted.store)
    let ok = true
    const line = (label: string, counts: Map<string, number>, expected: string | undefined, per = 1) => {
      const got = describeCounts(counts, per)
      const verdict = expected === undefined ? '' : got === expected ? '  ✔' : `  ✘ expected ${expected}`
      if (expected !== undefined && got !== expected) ok = false
      console.log(`  ${label.padEnd(44)} ${got}${verdict}`)
    }
    console.log(`\n  Store calls per operation:`)
    counted.reset()
    const size = 3 * 5 * MiB - 1000 // three parts: 5 MiB, 5 MiB, 5 MiB - 1000
    const created = await up.createMultipart({ owner: 'alice', contentType: 'image/png', size, partSize: 5 * MiB })
    line('createMultipart', counted.counts(), 'create ×1')
    const ref = { key: created.key, uploadId: created.uploadId, owner: 'alice' }
    counted.reset()
    for (let c = 0; c < CALLS; c++) await up.signParts({ ...ref, parts: [{ partNumber: (c % created.partCount) + 1 }] })
    line(`signParts (per call, ${CALLS} calls)`, counted.counts(), 'get ×1.00', CALLS)
    // The client's part PUTs, as the fake S3 records them; only the sniffed first bytes are held.
    for (let n = 1; n <= created.partCount; n++) {
      const length = n < created.partCount ? created.partSize : size - created.partSize * (created.partCount - 1)
      s3.uploadPart(created.uploadId, n, { size: length, head: n === 1 ? png(5000) : undefined })
    }
    counted.reset()
    const result = await up.completeMultipart(ref)
    if (result.state !== 'committed') throw new Error('completeMultipart did not commit')
    // Measured, not asserted: the multipart open reads the record, then complete()'s verification
    // reads it again before its commit (a transition).
    line('completeMultipart (3 parts, committed)', counted.counts(), undefined)
    counted.reset()
    await up.completeMultipart(ref)
    line('completeMultipart again (alreadyCommitted)', counted.counts(), undefined)
    if (!ok) process.exitCode = 1
  } finally {
    s3.restore()
  }
}
