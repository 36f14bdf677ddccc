// `npm run demo`: one upload and download round trip, and the attacks safe-presign stops, each
// labelled with who stopped it: safe-presign (before anything is signed) or S3 (the signature).
//
// No setup: without S3_ENDPOINT it starts the strict test S3 (safe-presign/testing/s3: in this process,
// in memory, on loopback), which refuses what AWS S3 refuses, with the same statuses and error codes.
// Against RGW, MinIO or S3: S3_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN,
// AWS_REGION, and S3_BUCKET to use an existing bucket instead of a throw-away one).
// Exit code 0 when every step behaved as expected, 1 otherwise.

// The SDK's documented opt-out of its "Node 20 support ends" notice; checked when the client is built.
// Only that notice: every other warning still prints.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

import { randomBytes } from 'node:crypto'
import { type BucketLocationConstraint, CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3'
// In your project: from 'safe-presign'.
import { createSafeDownload, createSafeUpload, isSafePresignError, memoryStore, redact, type PutGrant } from '../../src/index.js'
// In your project: from 'safe-presign/testing/s3'.
import { startTestS3 } from '../../src/testing/s3/index.js'

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5e1b1d60000000049454e44ae426082',
  'hex',
)
const HTML = Buffer.from('<!doctype html><html><body><script>fetch("/steal?c=" + document.cookie)</script></body></html>')
const MAX_SIZE = 5 * 1024 * 1024

interface Target {
  client: S3Client
  bucket: string
  description: string
  cleanup(keys: readonly string[]): Promise<void>
}

async function connect(): Promise<Target> {
  const env = process.env
  if (!env.S3_ENDPOINT) {
    const s3 = await startTestS3({ buckets: ['demo'] })
    const client = s3.client()
    const cleanup = async () => {
      client.destroy()
      await s3.close()
    }
    return { client, bucket: 'demo', description: `the strict test S3 (safe-presign/testing/s3, in-process) at ${s3.endpoint}, bucket "demo"`, cleanup }
  }
  if (!env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY) throw new Error('S3_ENDPOINT is set, so AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be too')
  const region = env.AWS_REGION ?? 'us-east-1'
  const client = new S3Client({
    region,
    endpoint: env.S3_ENDPOINT,
    forcePathStyle: true,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN },
    // Checksums only where an operation requires one: older RGW and MinIO reject the SDK's default CRC32.
    requestChecksumCalculation: 'WHEN_REQUIRED',
  })
  const bucket = env.S3_BUCKET ?? `safe-presign-demo-${randomBytes(4).toString('hex')}`
  if (!env.S3_BUCKET) {
    await client.send(new CreateBucketCommand({ Bucket: bucket, ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }) }))
  }
  return {
    client,
    bucket,
    description: `${env.S3_ENDPOINT} (path-style), bucket "${bucket}"${env.S3_BUCKET ? '' : ' (created for this run, deleted after)'}`,
    async cleanup(keys) {
      for (const key of keys) await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(() => {})
      if (!env.S3_BUCKET) await client.send(new DeleteBucketCommand({ Bucket: bucket })).catch((e) => console.error(`could not delete bucket ${bucket}: ${e}`))
    },
  }
}

let failures = 0
function line(mark: '✔' | '✘', text: string, details: string[] = []): void {
  if (mark === '✘') failures++
  console.log(`${mark} ${text}`)
  for (const d of details) console.log(`     ${d}`)
}
const check = (ok: boolean, text: string, details: string[] = []) => line(ok ? '✔' : '✘', text, details)

/** Runs one step; anything it throws that it did not expect is a failed step, not a crash. */
async function step(n: number, fn: () => Promise<void>): Promise<void> {
  try {
    await fn()
  } catch (error) {
    line('✘', `${n}. unexpected ${isSafePresignError(error) ? error.code : 'error'}: ${redact(error instanceof Error ? error.message : String(error))}`)
  }
}

/** The typed error a call was expected to throw, or undefined when it returned. */
async function rejection(fn: () => Promise<unknown>) {
  try {
    await fn()
    return undefined
  } catch (error) {
    if (isSafePresignError(error)) return error
    throw error
  }
}

const s3Code = (body: string) => /<Code>([^<]+)<\/Code>/.exec(body)?.[1] ?? 'no error code'
const describe = async (res: Response) => `${res.status}${res.ok ? '' : ` ${s3Code(await res.text())}`}`
const seconds = (at: number) => Math.round((at - Date.now()) / 1000)

async function main(): Promise<void> {
  const target = await connect()
  const { client, bucket } = target
  const keys: string[] = []
  console.log(`safe-presign demo: ${target.description}\n`)
  try {
    const store = memoryStore()
    const uploads = createSafeUpload({ client, bucket, store, allowedContentTypes: ['image/png', 'application/pdf'], maxSize: MAX_SIZE })
    const downloads = createSafeDownload({ client, bucket, store })
    let grant: PutGrant | undefined
    let link: string | undefined

    await step(1, async () => {
      grant = (await uploads.presign({ owner: 'alice', filename: 'Holiday photo (1).png', contentType: 'image/png', size: PNG.length })) as PutGrant
      keys.push(grant.key)
      line('✔', '1. alice gets an upload grant: type allowlisted, exact size signed, fresh UUID key (enforced by safe-presign)', [
        `key      ${grant.key}  ("Holiday photo (1).png" is only metadata)`,
        `expires  ${new Date(grant.expiresAt).toISOString()} (in ${seconds(grant.expiresAt)} s)`,
        `signed   ${new URL(grant.url).searchParams.get('X-Amz-SignedHeaders')}`,
        `headers  ${Object.entries(grant.headers).map(([k, v]) => `${k}: ${v}`).join(', ')}`,
        `url      ${redact(grant.url)}`,
      ])
    })

    await step(2, async () => {
      const res = await fetch(grant!.url, { method: 'PUT', headers: grant!.headers, body: PNG })
      check(res.status === 200, `2. alice PUTs ${PNG.length} bytes with exactly those headers → ${await describe(res)} (signature checked by S3)`)
    })

    await step(3, async () => {
      const done = await uploads.complete({ key: grant!.key, owner: 'alice' })
      check(done.state === 'committed' && done.sniffedType === 'image/png', `3. complete() → ${done.state}, sniffed as ${done.sniffedType}: size, stored type and magic bytes verified (enforced by safe-presign)`)
    })

    await step(4, async () => {
      const issued = await downloads.presign({ key: grant!.key, requester: 'alice' })
      link = issued.url
      const res = await fetch(issued.url)
      const body = Buffer.from(await res.arrayBuffer())
      const outcome = res.status !== 200 ? `${res.status} ${s3Code(body.toString())}` : `200, ${body.length} bytes, ${body.equals(PNG) ? 'identical to the upload' : 'NOT the uploaded bytes'}`
      check(res.status === 200 && body.equals(PNG), `4. alice's download link (valid ${seconds(issued.expiresAt)} s) → ${outcome} (owner checked by safe-presign, link checked by S3)`, [
        `Content-Disposition: ${res.headers.get('content-disposition')}`,
        `Content-Type: ${res.headers.get('content-type')}`,
      ])
    })

    await step(5, async () => {
      const error = await rejection(() => downloads.presign({ key: grant!.key, requester: 'bob' }))
      check(error?.code === 'FORBIDDEN', `5. bob asks for a link to alice's file → ${error?.code ?? 'a link!'}, nothing signed (enforced by safe-presign)`, error ? [error.message] : [])
    })

    await step(6, async () => {
      // Flip one hex digit of the signature, leaving the rest of the URL byte for byte.
      const tampered = link!.replace(/(X-Amz-Signature=)([0-9a-f])/, (_, name: string, c: string) => name + (c === '0' ? '1' : '0'))
      const res = await fetch(tampered)
      check(res.status === 403 && tampered !== link, `6. alice's link with one signature digit flipped → ${await describe(res)} (enforced by S3)`)
    })

    await step(7, async () => {
      const error = await rejection(() => uploads.presign({ owner: 'alice', filename: 'huge.png', contentType: 'image/png', size: 50 * 1024 * 1024 }))
      check(error?.code === 'FILE_TOO_LARGE', `7. alice asks to upload 50 MiB → ${error?.code ?? 'a grant!'}, nothing signed (enforced by safe-presign)`, error ? [error.message] : [])
    })

    await step(8, async () => {
      const res = await fetch(grant!.url, { method: 'PUT', headers: grant!.headers, body: PNG })
      const outcome = await describe(res)
      check(res.status === 412, `8. the upload URL replayed → ${outcome}${res.status === 412 ? '' : ', expected 412 PreconditionFailed'}: create-once, by the signed If-None-Match: * (enforced by S3)`)
    })

    await step(9, async () => {
      const spoof = (await uploads.presign({ owner: 'alice', filename: 'cute cat.png', contentType: 'image/png', size: HTML.length })) as PutGrant
      keys.push(spoof.key)
      const put = await fetch(spoof.url, { method: 'PUT', headers: spoof.headers, body: HTML })
      const error = await rejection(() => uploads.complete({ key: spoof.key, owner: 'alice' }))
      const gone = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: spoof.key })).then(
        () => false,
        (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode === 404,
      )
      check(put.status === 200 && error?.code === 'CONTENT_MISMATCH' && gone, `9. HTML declared as image/png: S3 stores it (${put.status}), complete() → ${error?.code ?? 'committed!'}, object ${gone ? 'deleted' : 'NOT deleted'} (enforced by safe-presign)`, error ? [error.message] : [])
    })
  } finally {
    await target.cleanup(keys)
  }
  console.log(failures === 0 ? '\nEvery step behaved as expected.' : `\n✘ ${failures} step(s) did not behave as expected.`)
  process.exitCode = failures === 0 ? 0 : 1
}

await main().catch((error: unknown) => {
  console.error(`✘ demo failed: ${redact(error instanceof Error ? error.message : String(error))}`)
  process.exitCode = 1
})
