// `npm run bench`: what safety costs per presigned URL, next to the SDK's own getSignedUrl.
// No network: static fake credentials and an AWS region endpoint; signing is local. See bench/README.md.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true' // the SDK's own opt-out for its Node 20 notice

import { randomUUID } from 'node:crypto'
import { createRequire } from 'node:module'
import { availableParallelism, loadavg } from 'node:os'
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { contentDisposition, createSafeDownload, createSafeUpload, type OwnershipStore } from '../src/index.js'
import { canGc, fmtDec, fmtInt, fmtMB, micros, opsPerSec, runAll, table, type Case, type Result } from './harness.js'
import { runClientSizeSection } from './client-size.js'
import { runMultipartSection } from './multipart.js'
import { runStoreSection } from './store-section.js'
import { runTestS3Section } from './test-s3.js'
import { benchStores, MEMORY_MAX_RECORDS, type BenchStore } from './stores.js'

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 20_000)
const ROUNDS = 3
const WARMUP = 0.1
const BATCH = 1000
const BUCKET = 'bench-bucket'
const REGION = 'eu-west-1'
const FILENAME = 'Quarterly report (final).pdf'
const PUT_REQUEST = { owner: 'alice', filename: 'Holiday photo (1).png', contentType: 'image/png', size: 123_456 }
// Grants rotate over this many owners, so that none reaches the builder's default maxPendingPerOwner
// (100): at most ~22 open grants each per run, as in a service with many users.
const OWNERS = 1000
const putRequest = (i: number) => ({ ...PUT_REQUEST, owner: `${PUT_REQUEST.owner}-${i % OWNERS}` })

const client = new S3Client({
  region: REGION,
  // AWS's documented example keys: nothing here can sign a real request.
  credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
  requestChecksumCalculation: 'WHEN_REQUIRED',
})
const uploadConfig = { client, bucket: BUCKET, allowedContentTypes: ['image/png', 'image/jpeg', 'application/pdf'], maxSize: 10 * 1024 * 1024 }
// The split setup: another client, with its own credentials, signs; grants then also sign x-amz-acl.
const signer = new S3Client({
  region: REGION,
  credentials: { accessKeyId: 'AKIAI44QH8DHBEXAMPLE', secretAccessKey: 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY' },
  requestChecksumCalculation: 'WHEN_REQUIRED',
})

// The raw baselines sign the same headers and query parameters as the safe calls (checked below),
// but validate, sanitize and record nothing.
const rawPutCommand = (key: string) =>
  new PutObjectCommand({ Bucket: BUCKET, Key: key, ContentType: 'image/png', ContentLength: PUT_REQUEST.size, IfNoneMatch: '*', Metadata: { filename: encodeURIComponent(PUT_REQUEST.filename) } })
const RAW_PUT_OPTIONS = { expiresIn: 300, signableHeaders: new Set(['content-type']), unhoistableHeaders: new Set(['x-amz-meta-filename']) }
const DISPOSITION = contentDisposition(FILENAME)
const rawGetCommand = (key: string) => new GetObjectCommand({ Bucket: BUCKET, Key: key, ResponseCacheControl: 'private, no-store', ResponseContentDisposition: DISPOSITION, ResponseContentType: 'application/pdf' })

const newKey = (ext: string) => `uploads/${randomUUID()}.${ext}`

/** `count` committed records owned by alice, written straight into the store. */
async function seed(store: OwnershipStore, count: number): Promise<string[]> {
  const now = Date.now()
  const keys = Array.from({ length: count }, () => newKey('pdf'))
  for (const key of keys) {
    const record = { key, owner: 'alice', state: 'pending' as const, filename: FILENAME, contentType: 'application/pdf', minSize: 1000, maxSize: 1000, createdAt: now, expiresAt: now + 300_000, purgeAt: now + 3_900_000 }
    if (!(await store.create(record, now))) throw new Error(`seed: ${key} already exists`)
    if (!(await store.transition(key, 'pending', 'committed', { purgeAt: undefined, settledAt: now, sniffedType: 'application/pdf' }, now))) throw new Error(`seed: ${key} did not commit`)
  }
  return keys
}

function storeCases(s: BenchStore): Case[] {
  const withStore = async <T>(build: (store: OwnershipStore) => Promise<T> | T, run: (t: T, i: number) => Promise<unknown>) => {
    const store = await s.create()
    const t = await build(store)
    return { run: (i: number) => run(t, i), teardown: () => s.cleanup?.(store) }
  }
  return [
    { name: `safe PUT grant [${s.name}]`, perCall: 1, calls: ITERATIONS, setup: () => withStore((store) => createSafeUpload({ ...uploadConfig, store }), (up, i) => up.presign(putRequest(i))) },
    { name: `safe PUT grant, separate signer [${s.name}]`, perCall: 1, calls: ITERATIONS, setup: () => withStore((store) => createSafeUpload({ ...uploadConfig, signer, store }), (up, i) => up.presign(putRequest(i))) },
    { name: `safe POST grant [${s.name}]`, perCall: 1, calls: ITERATIONS, setup: () => withStore((store) => createSafeUpload({ ...uploadConfig, store, method: 'POST', quarantine: { prefix: 'quarantine/' } }), (up, i) => up.presign(putRequest(i))) },
    {
      name: `safe download link [${s.name}]`,
      perCall: 1,
      calls: ITERATIONS,
      setup: () => withStore(async (store) => ({ down: createSafeDownload({ client, bucket: BUCKET, store }), keys: await seed(store, BATCH) }), ({ down, keys }, i) => down.presign({ key: keys[i % BATCH]!, requester: 'alice' })),
    },
    {
      name: `presignMany ×${BATCH}, per key [${s.name}]`,
      perCall: BATCH,
      calls: Math.max(1, Math.round(ITERATIONS / BATCH)),
      setup: () => withStore(async (store) => ({ down: createSafeDownload({ client, bucket: BUCKET, store }), keys: await seed(store, BATCH) }), ({ down, keys }) => down.presignMany({ keys, requester: 'alice' })),
    },
  ]
}

const rawCases: Case[] = [
  { name: 'raw getSignedUrl PUT', perCall: 1, calls: ITERATIONS, setup: () => ({ run: () => getSignedUrl(client, rawPutCommand(newKey('png')), RAW_PUT_OPTIONS) }) },
  { name: 'raw getSignedUrl GET', perCall: 1, calls: ITERATIONS, setup: () => ({ run: () => getSignedUrl(client, rawGetCommand(newKey('pdf')), { expiresIn: 60 }) }) },
]

/** Fails the bench if a baseline drifts from what the safe call signs: the ratio would be meaningless. */
async function checkParity(): Promise<string> {
  const s = benchStores[0]!
  const store = await s.create()
  const params = (url: string) => new URL(url).searchParams
  const safePut = params((await createSafeUpload({ ...uploadConfig, store }).presign(PUT_REQUEST)).url)
  const rawPut = params(await getSignedUrl(client, rawPutCommand(newKey('png')), RAW_PUT_OPTIONS))
  const [key] = await seed(store, 1)
  const safeGet = params((await createSafeDownload({ client, bucket: BUCKET, store }).presign({ key: key!, requester: 'alice' })).url)
  const rawGet = params(await getSignedUrl(client, rawGetCommand(key!), { expiresIn: 60 }))
  await s.cleanup?.(store)
  const names = (p: URLSearchParams) => [...p.keys()].sort().join(',')
  if (safePut.get('X-Amz-SignedHeaders') !== rawPut.get('X-Amz-SignedHeaders')) throw new Error(`PUT parity: ${safePut.get('X-Amz-SignedHeaders')} vs ${rawPut.get('X-Amz-SignedHeaders')}`)
  if (names(safeGet) !== names(rawGet)) throw new Error(`GET parity: ${names(safeGet)} vs ${names(rawGet)}`)
  return `PUT signs ${safePut.get('X-Amz-SignedHeaders')}; GET signs the query ${names(safeGet)}`
}

function versions(): string {
  const require = createRequire(import.meta.url)
  const v = (name: string) => (require(`${name}/package.json`) as { version: string }).version
  return `Node ${process.version}, @aws-sdk/client-s3 ${v('@aws-sdk/client-s3')}, @aws-sdk/s3-request-presigner ${v('@aws-sdk/s3-request-presigner')}`
}

function report(results: Result[], storeName: string): void {
  const by = (prefix: string) => results.find((r) => r.name.startsWith(prefix))!.median
  const spread = (r: Result) => {
    const ops = r.samples.map(opsPerSec)
    return `${fmtInt(Math.min(...ops))}–${fmtInt(Math.max(...ops))}`
  }
  console.log(table(['case', 'ops/s', 'µs/op', 'runs (ops/s)'], results.map((r) => [r.name, fmtInt(opsPerSec(r.median)), fmtDec(micros(r.median), 2), spread(r)])))

  const ratio = (label: string, value: number, target: string, met: boolean | undefined) =>
    console.log(`  ${label.padEnd(46)} ${`${fmtDec(value, 2)}×`.padStart(7)}  ${target}${met === undefined ? '' : met ? '  ✔ met' : '  ✘ missed'}`)
  const put = opsPerSec(by(`safe PUT grant [${storeName}]`)) / opsPerSec(by('raw getSignedUrl PUT'))
  const split = opsPerSec(by(`safe PUT grant, separate signer [${storeName}]`)) / opsPerSec(by('raw getSignedUrl PUT'))
  const get = opsPerSec(by(`safe download link [${storeName}]`)) / opsPerSec(by('raw getSignedUrl GET'))
  const batch = micros(by(`presignMany`)) / micros(by(`safe download link [${storeName}]`))
  console.log(`\nRatios (${storeName} store; > 1× = the safe call is faster)`)
  ratio('safe PUT grant vs raw getSignedUrl PUT', put, 'target ≥ 5×', put >= 5)
  ratio('safe PUT grant, separate signer, vs raw PUT', split, 'target ≥ 5×', split >= 5)
  ratio('safe download link vs raw getSignedUrl GET', get, '', undefined)
  ratio('presignMany per-key cost vs one download link', batch, 'target ≤ 1.0×', batch <= 1.0)

  const safePut = results.find((r) => r.name.startsWith('safe PUT'))!.median
  const retained = safePut.heapAfter - safePut.heapBefore
  console.log(`\nHeap, safe PUT [${storeName}], median run${canGc ? ' (after a forced GC)' : ' (no --expose-gc: not collected, so noisy)'}:`)
  console.log(`  ${fmtMB(safePut.heapBefore)} before → ${fmtMB(safePut.heapAfter)} after ${fmtInt(ITERATIONS)} grants = ${fmtInt(retained / ITERATIONS)} bytes retained per grant`)
  console.log(`  (the pending records the store keeps for an hour; the bench's memoryStore has maxRecords ${fmtInt(MEMORY_MAX_RECORDS)})`)
}

console.log(`safe-presign bench — ${versions()}`)
console.log(`${fmtInt(ITERATIONS)} links per run (presignMany: ${fmtInt(Math.round(ITERATIONS / BATCH))} calls × ${BATCH} keys), ${ROUNDS} runs per case interleaved, median shown; warm-up ${WARMUP * 100}%.`)
console.log(`Static fake credentials, ${REGION} endpoint; nothing is sent. ${await checkParity()}.`)
console.log(`Load average (1 min) at start: ${fmtDec(loadavg()[0]!, 2)} on ${availableParallelism()} CPUs: other work on the machine slows every case.`)

for (const s of benchStores) {
  const [put, splitPut, post, link, many] = storeCases(s)
  const cases = [rawCases[0]!, put!, splitPut!, post!, rawCases[1]!, link!, many!]
  const progress = (text: string) => process.stderr.isTTY && process.stderr.write(text)
  const results = await runAll(cases, ROUNDS, WARMUP, (round) => progress(`  [${s.name}] run ${round}/${ROUNDS}…\r`))
  progress(' '.repeat(40) + '\r')
  console.log('')
  report(results, s.name)
}

await runMultipartSection()

await runStoreSection({ upload: uploadConfig, s3: client, bucket: BUCKET, putRequest: PUT_REQUEST, filename: FILENAME })

await runTestS3Section()

await runClientSizeSection()
await (await import('./bundle-size.js')).runBundleSizeSection()
