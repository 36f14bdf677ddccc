// The test S3 section of `npm run bench`: how fast startTestS3() answers an SDK client in the same
// process (PUT and GET of 1 KiB objects, one at a time and 16 in flight), next to a bare node:http
// server that only answers, and how long a start takes. What a user's test suite pays for a strict S3
// over a mock. See bench/README.md.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { availableParallelism, loadavg } from 'node:os'
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { startTestS3 } from '../src/testing/s3/index.js'
import { fmtDec, fmtInt, table } from './harness.js'

const REQUESTS = Number(process.env.BENCH_TEST_S3_REQUESTS ?? 2000)
const IN_FLIGHT = 16
const ROUNDS = 3
const STARTS = 20
const BODY = new Uint8Array(1024).fill(0x61)
const BUCKET = 'bench'

interface Target {
  client: S3Client
  close(): Promise<void>
}

/** `count` calls of `op`, `inFlight` at a time; returns requests per second. */
async function timed(count: number, inFlight: number, op: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0
  const worker = async () => {
    while (next < count) await op(next++)
  }
  const t0 = process.hrtime.bigint()
  await Promise.all(Array.from({ length: inFlight }, worker))
  return count / (Number(process.hrtime.bigint() - t0) / 1e9)
}

const put = (client: S3Client, i: number) => client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `objects/${i % 1000}`, Body: BODY, ContentType: 'application/octet-stream' }))
async function get(client: S3Client, i: number): Promise<void> {
  const out = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: `objects/${i % 1000}` }))
  const bytes = await out.Body!.transformToByteArray()
  if (bytes.length !== BODY.length) throw new Error(`GET objects/${i % 1000}: ${bytes.length} bytes, expected ${BODY.length}`)
}

/**
 * The floor: a node:http server that reads the body and answers as S3 would (200 with an ETag; 1 KiB on
 * GET), checking nothing. The same SDK calls to it show what the client and HTTP cost by themselves.
 */
async function bareServer(): Promise<Target> {
  const server: Server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      if (req.method === 'GET') res.writeHead(200, { 'content-length': String(BODY.length), 'content-type': 'application/octet-stream', etag: '"x"' }).end(BODY)
      else res.writeHead(200, { etag: '"x"', 'content-length': '0' }).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, maxAttempts: 1, credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' } })
  return {
    client,
    close: () =>
      new Promise((resolve) => {
        client.destroy()
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

async function testS3(): Promise<Target> {
  const s3 = await startTestS3({ buckets: [BUCKET] })
  const client = s3.client()
  return {
    client,
    close: async () => {
      client.destroy()
      await s3.close()
    },
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const range = (xs: number[], digits = 0) => `${fmtDec(Math.min(...xs), digits)}–${fmtDec(Math.max(...xs), digits)}`

export async function runTestS3Section(): Promise<void> {
  console.log(`\nThe test S3 (startTestS3, in this process; the SDK client in the same process, loopback HTTP)`)
  const targets = { 'test S3': await testS3(), 'bare node:http': await bareServer() }
  const cases = [
    { name: 'PUT 1 KiB, sequential', inFlight: 1, op: put },
    { name: `PUT 1 KiB, ${IN_FLIGHT} in flight`, inFlight: IN_FLIGHT, op: put },
    { name: 'GET 1 KiB, sequential', inFlight: 1, op: get },
    { name: `GET 1 KiB, ${IN_FLIGHT} in flight`, inFlight: IN_FLIGHT, op: get },
  ]
  const runs = new Map<string, number[]>()
  try {
    // Warm-up (JIT, keep-alive sockets, the signing-key cache), and the 1000 keys the GETs read.
    for (const target of Object.values(targets)) await timed(1000, IN_FLIGHT, (i) => put(target.client, i))
    for (let round = 0; round < ROUNDS; round++) {
      for (const c of cases) {
        for (const [name, target] of Object.entries(targets)) {
          const key = `${c.name} [${name}]`
          runs.set(key, [...(runs.get(key) ?? []), await timed(REQUESTS, c.inFlight, (i) => c.op(target.client, i))])
        }
      }
    }
  } finally {
    for (const target of Object.values(targets)) await target.close()
  }
  const rate = (c: string, t: string) => median(runs.get(`${c} [${t}]`)!)
  console.log(
    table(
      ['case', 'test S3 req/s', 'runs', 'bare node:http req/s', 'test S3 / bare'],
      cases.map((c) => [c.name, fmtInt(rate(c.name, 'test S3')), range(runs.get(`${c.name} [test S3]`)!), fmtInt(rate(c.name, 'bare node:http')), `${fmtDec(rate(c.name, 'test S3') / rate(c.name, 'bare node:http'), 2)}×`]),
    ),
  )
  for (const verb of ['PUT', 'GET']) {
    const speedup = rate(`${verb} 1 KiB, ${IN_FLIGHT} in flight`, 'test S3') / rate(`${verb} 1 KiB, sequential`, 'test S3')
    console.log(`  ${verb}: ${IN_FLIGHT} in flight vs sequential, test S3: ${fmtDec(speedup, 2)}×`)
  }
  console.log(`  ${fmtInt(REQUESTS)} requests per run, ${ROUNDS} runs per case interleaved, median shown; the SDK's default checksums (CRC32 on PUT).`)
  console.log(`  Load average (1 min) now: ${fmtDec(loadavg()[0]!, 2)} on ${availableParallelism()} CPUs; client and server share this one thread, so other work slows both.`)

  // Start: startTestS3() until it listens, one bucket; each closed before the next.
  const starts: number[] = []
  let first = 0
  for (let i = 0; i < STARTS + 1; i++) {
    const t0 = process.hrtime.bigint()
    const s3 = await startTestS3({ buckets: [BUCKET] })
    const ms = Number(process.hrtime.bigint() - t0) / 1e6
    await s3.close()
    if (i === 0) first = ms
    else starts.push(ms)
  }
  console.log(`  start (startTestS3 to listening, one bucket): median ${fmtDec(median(starts), 2)} ms of ${STARTS} (${range(starts, 2)} ms), after a first one of ${fmtDec(first, 2)} ms`)
}
