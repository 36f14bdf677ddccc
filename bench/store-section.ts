// The store section of `npm run bench`: the safe PUT grant, the single download link and
// presignMany against each ownership store on a loopback server, with ops/s and the p50/p99 of
// single calls, and a count of the store calls each operation makes. See bench/README.md.
import { randomUUID } from 'node:crypto'
import { loadavg } from 'node:os'
import type { S3Client } from '@aws-sdk/client-s3'
import { createSafeDownload, createSafeUpload, type OwnershipStore, type SafeUploadConfig, type UploadRecord, type UploadRequest } from '../src/index.js'
import { countCalls } from './count-calls.js'
import { fmtDec, fmtInt, table } from './harness.js'
import { fmtLatency, linksPerSec, percentile, timeCalls, type Latency } from './latency.js'
import { benchServers, type Backend } from './servers.js'

export interface StoreSectionConfig {
  upload: Omit<SafeUploadConfig, 'store'>
  s3: S3Client
  bucket: string
  putRequest: UploadRequest
  filename: string
}

const ITERATIONS = Number(process.env.BENCH_STORE_ITERATIONS ?? 2000)
const BATCH = 1000
const BATCHES = Math.max(1, Math.round(ITERATIONS / 100))
const WARMUP = 0.1
const SEED_PARALLEL = 8
const OWNERS = 1000
const ONLY = process.env.BENCH_STORES?.split(',').map((s) => s.trim())

interface Measured {
  label: string
  /** The one store method this operation should call, once per call. */
  expect: keyof OwnershipStore
  latency: Latency
  /** The store calls' own latencies (ns, ascending), timed by the same wrapper. */
  inStore: Float64Array
  calls: Map<string, number>
  requests?: Map<string, number>
}

interface StoreRun {
  name: string
  cost: string
  cases: Measured[]
}

export async function runStoreSection(cfg: StoreSectionConfig): Promise<void> {
  console.log(`\nStores on loopback: ${fmtInt(ITERATIONS)} calls per case (presignMany: ${BATCHES} calls × ${BATCH} keys), one after another, after a ${WARMUP * 100}% warm-up.`)
  console.log(`Load average (1 min) now: ${fmtDec(loadavg()[0]!, 2)}.`)
  for (const s of benchServers) if (s.env && process.env[s.env]) console.log(`[note] ${s.env} is set; the bench starts its own ${s.name} server on loopback and does not use it`)

  // Ctrl-C would end the process without 'exit' handlers; the harnesses stop their servers in those.
  const onSignal = (signal: NodeJS.Signals) => process.exit(signal === 'SIGINT' ? 130 : 143)
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal)
  const runs: StoreRun[] = []
  try {
    for (const server of benchServers) {
      if (ONLY && !ONLY.includes(server.name)) continue
      const t0 = performance.now()
      let backend: Backend | string
      try {
        backend = await server.start()
      } catch (error) {
        console.log(`[error] ${server.name}: the server did not start: ${(error as Error).message}`)
        process.exitCode = 1
        continue
      }
      if (typeof backend === 'string') {
        console.log(`[skip] ${server.name}: ${backend}`)
        continue
      }
      try {
        const started = (performance.now() - t0) / 1000
        runs.push(await benchOne(server.name, backend, cfg, started))
      } catch (error) {
        console.log(`[error] ${server.name}: ${(error as Error).message}`)
        process.exitCode = 1
      } finally {
        await backend.close()
      }
    }
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal)
  }
  if (runs.length > 0) report(runs)
}

async function benchOne(name: string, backend: Backend, cfg: StoreSectionConfig, startedSec: number): Promise<StoreRun> {
  const counted = countCalls(backend.store)
  const upload = createSafeUpload({ ...cfg.upload, store: counted.store })
  const download = createSafeDownload({ client: cfg.s3, bucket: cfg.bucket, store: counted.store })
  const t0 = performance.now()
  const keys = await seedCommitted(backend.store, BATCH, cfg.filename)
  console.log(`  ${name}: ${backend.about}; up in ${fmtDec(startedSec, 1)} s, ${BATCH} records seeded in ${fmtDec((performance.now() - t0) / 1000, 1)} s`)

  // Every link of a batch must be issued, or the batch would time failures.
  const check = await download.presignMany({ keys, requester: 'alice' })
  const failed = check.filter((r) => !r.ok)
  if (failed.length > 0) throw new Error(`presignMany issued ${BATCH - failed.length} of ${BATCH} links; first failure: ${failed[0]!.ok ? '' : failed[0]!.error.code}`)

  const cases = [
    // Rotating owners keeps each under the builder's default maxPendingPerOwner (100), and each owner's
    // quota state (a sorted set, an owner item) as small as in a service with many users.
    { label: 'safe PUT grant', expect: 'create' as const, perCall: 1, calls: ITERATIONS, run: (i: number) => upload.presign({ ...cfg.putRequest, owner: `${cfg.putRequest.owner}-${i % OWNERS}` }) },
    { label: 'download link', expect: 'get' as const, perCall: 1, calls: ITERATIONS, run: (i: number) => download.presign({ key: keys[i % BATCH]!, requester: 'alice' }) },
    { label: `presignMany ×${BATCH}`, expect: 'getMany' as const, perCall: BATCH, calls: BATCHES, run: () => download.presignMany({ keys, requester: 'alice' }) },
  ]
  const measured: Measured[] = []
  for (const c of cases) {
    progress(`  [${name}] ${c.label}…`)
    for (let i = 0; i < Math.max(1, Math.ceil(c.calls * WARMUP)); i++) await c.run(i)
    counted.reset()
    backend.requests?.reset()
    const latency = await timeCalls(c.calls, c.perCall, c.run)
    measured.push({ label: c.label, expect: c.expect, latency, inStore: counted.durations(), calls: counted.counts(), requests: backend.requests?.counts() })
  }
  progress('')
  return { name, cost: backend.cost, cases: measured }
}

/**
 * `count` committed records owned by alice. Written as committed in one `create` each (not
 * create + transition, as an upload would get there): half the writes, and on dynalite that is
 * seconds. The download cases only read them.
 */
async function seedCommitted(store: OwnershipStore, count: number, filename: string): Promise<string[]> {
  const now = Date.now()
  const keys = Array.from({ length: count }, () => `uploads/${randomUUID()}.pdf`)
  const record = (key: string): UploadRecord => ({ key, owner: 'alice', state: 'committed', filename, contentType: 'application/pdf', minSize: 1000, maxSize: 1000, createdAt: now, expiresAt: now + 300_000, settledAt: now, sniffedType: 'application/pdf' })
  for (let i = 0; i < count; i += SEED_PARALLEL) {
    await Promise.all(
      keys.slice(i, i + SEED_PARALLEL).map(async (key) => {
        if (!(await store.create(record(key), now))) throw new Error(`seed: ${key} already exists`)
      }),
    )
  }
  return keys
}

const progress = (text: string) => process.stderr.isTTY && process.stderr.write(`${text.padEnd(60)}\r`)

/** `create ×1.00; get ×0.01`: every method called, per operation. */
const perOp = (counts: Map<string, number>, ops: number) =>
  counts.size === 0 ? 'none' : [...counts].map(([method, n]) => `${method} ×${fmtDec(n / ops, 2)}`).join('; ')

function report(runs: StoreRun[]): void {
  const memory = runs.find((r) => r.name === 'memory')
  const p50 = (sorted: Float64Array) => percentile(sorted, 50)
  const rows = runs.flatMap((r) =>
    r.cases.map((c, i) => {
      const base = memory?.cases[i]
      const over = base && r !== memory ? fmtLatency(p50(c.latency.sorted) - p50(base.latency.sorted), true) : ''
      return [`${c.label} [${r.name}]`, fmtInt(linksPerSec(c.latency)), fmtLatency(p50(c.latency.sorted)), fmtLatency(percentile(c.latency.sorted, 99)), fmtLatency(p50(c.inStore)), over]
    }),
  )
  console.log('')
  console.log(table(['case', 'ops/s', 'p50', 'p99', 'store call p50', 'p50 over memory'], rows))
  console.log(`  ops/s counts links: presignMany's is keys per second, and its latencies are of one call for ${BATCH} keys,`)
  console.log(`  where signing ${BATCH} URLs varies by more than a store round trip: read its store call p50, not its p50 over memory.`)

  console.log('\nStore calls per operation, counted by a wrapper around each store over the timed calls:')
  let allOne = true
  for (const r of runs) {
    const [put, link, many] = r.cases
    const ok = r.cases.every((c) => c.calls.size === 1 && c.calls.get(c.expect) === c.latency.calls)
    allOne &&= ok
    console.log(`  ${r.name.padEnd(9)} per safe PUT grant: ${perOp(put!.calls, put!.latency.calls)}; per download link: ${perOp(link!.calls, link!.latency.calls)}; per presignMany(${BATCH}): ${perOp(many!.calls, many!.latency.calls)}  ${ok ? '✔' : '✘'}`)
    if (many!.requests) {
      console.log(`  ${''.padEnd(9)} requests sent: per grant ${perOp(put!.requests!, put!.latency.calls)}; per link ${perOp(link!.requests!, link!.latency.calls)}; per presignMany(${BATCH}) ${perOp(many!.requests, many!.latency.calls)}`)
    }
  }
  console.log(allOne ? '  One store call per grant, per link and per batch: ✔ met' : '  ✘ missed: an operation made more than its one store call (see above)')
  if (!allOne) process.exitCode = 1
  const dynamo = runs.find((r) => r.name === 'dynamodb')
  if (dynamo) {
    console.log(`  DynamoDB: getMany is one store call but ceil(${BATCH}/100) = ${Math.ceil(BATCH / 100)} BatchGetItem requests, sent in parallel (DynamoDB's limit is 100 keys per request).`)
  }
  console.log('\nWhat one store call costs:')
  for (const r of runs) console.log(`  ${r.name.padEnd(9)} ${r.cost}`)
  console.log('\nLoopback on this machine, one call at a time: the p50 over memory is the store round trip plus the')
  console.log('client library\'s own work. PostgreSQL runs with fsync=off; dynalite is an emulator running in this')
  console.log('process (its CPU time is inside every latency), not DynamoDB, whose round trip is the network\'s.')
}
