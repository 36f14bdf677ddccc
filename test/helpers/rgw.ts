// The S3 peer for integration tests: the endpoint that test/helpers/global-setup.ts started (Ceph RGW on
// loopback) or the one named by S3_ENDPOINT, plus raw HTTP helpers that send exactly what a browser or
// curl would, so a test sees what S3 itself answers rather than what the SDK retried or parsed away.
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3'
import { afterAll, beforeAll, inject } from 'vitest'

/** What global-setup.ts provides under the key `rgw` (it must survive structured cloning). */
export interface RgwProvided {
  /** Why there is no peer; undefined when there is one. */
  missing?: string
  endpoint?: string
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  /** `harness`: a cluster this run started; `env`: S3_ENDPOINT from the environment. */
  source?: 'harness' | 'env'
  /** The cluster's directory (holds ceph.conf), for `radosgw-admin`: set by the harness, or RGW_CLUSTER_DIR. */
  cluster?: string
}

declare module 'vitest' {
  export interface ProvidedContext {
    rgw: RgwProvided
  }
}

export interface RgwPeer {
  missing?: string
  endpoint?: string
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  cluster?: string
  region: 'us-east-1'
}

/** The S3 peer for this run. Pass `peer.missing` to `describeWithServer`. */
export function rgwPeer(): RgwPeer {
  const provided = inject('rgw') as RgwProvided | undefined
  if (!provided) {
    return {
      missing: 'nothing provided under "rgw": is test/helpers/global-setup.ts in vitest.config.ts globalSetup?',
      region: 'us-east-1',
    }
  }
  const { missing, endpoint, credentials, cluster } = provided
  return { missing, endpoint, credentials, cluster, region: 'us-east-1' }
}

/**
 * Why extra RGW users cannot be made for this run, or undefined when they can: the split-signer tests
 * need `radosgw-admin` and the cluster's ceph.conf (the harness's cluster, or RGW_CLUSTER_DIR).
 */
export function usersMissing(peer: RgwPeer): string | undefined {
  if (peer.missing !== undefined) return peer.missing
  if (!peer.cluster) return 'S3_ENDPOINT names an S3 without RGW_CLUSTER_DIR, so no extra RGW users can be created'
  if (!existsSync(join(peer.cluster, 'ceph.conf'))) return `${peer.cluster}/ceph.conf not found`
  return undefined
}

export interface RgwUser {
  uid: string
  /** The principal a bucket policy names: RGW's form, without account or tenant. */
  arn: string
  credentials: { accessKeyId: string; secretAccessKey: string }
}

/**
 * Creates one more RGW user (`radosgw-admin user create`) with fresh random keys. Objects it writes
 * belong to it: the bucket owner cannot read them unless it is granted (bucket-owner-full-control).
 */
export function createRgwUser(peer: RgwPeer, label: string): RgwUser {
  const reason = usersMissing(peer)
  if (reason !== undefined) throw new Error(`createRgwUser: ${reason}`)
  const uid = `${label}-${randomBytes(4).toString('hex')}`
  const credentials = { accessKeyId: `AK${randomBytes(9).toString('hex').toUpperCase()}`, secretAccessKey: randomBytes(20).toString('base64url') }
  const out = spawnSync(
    'radosgw-admin',
    ['-c', join(peer.cluster!, 'ceph.conf'), 'user', 'create', `--uid=${uid}`, `--display-name=${uid}`, `--access-key=${credentials.accessKeyId}`, `--secret-key=${credentials.secretAccessKey}`],
    { encoding: 'utf8', timeout: 30_000 },
  )
  if (out.status !== 0) throw new Error(`radosgw-admin user create ${uid} failed (${out.status}): ${out.stderr.trim().slice(-300)}`)
  return { uid, arn: `arn:aws:iam:::user/${uid}`, credentials }
}

/**
 * An S3Client for the peer: path-style (RGW has no wildcard DNS on loopback) and checksums only where an
 * operation requires them (RGW 16.2 predates the SDK's default CRC32 on every PUT).
 */
export function s3ClientFor(peer: RgwPeer, extra?: Partial<S3ClientConfig>): S3Client {
  if (peer.missing !== undefined || !peer.endpoint || !peer.credentials) {
    throw new Error(`s3ClientFor: no S3 peer (${peer.missing ?? 'no endpoint'}); call it inside describeWithServer`)
  }
  return new S3Client({
    region: peer.region,
    endpoint: peer.endpoint,
    credentials: peer.credentials,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...extra,
  })
}

/** Creates an empty bucket with a unique name (`t-` and 16 hex digits) and returns the name. */
export async function freshBucket(client: S3Client): Promise<string> {
  const bucket = `t-${randomBytes(8).toString('hex')}`
  await client.send(new CreateBucketCommand({ Bucket: bucket }))
  return bucket
}

/**
 * Registers beforeAll/afterAll for one describe block: a client for the peer and a fresh bucket, removed
 * afterwards. Read the values inside tests: `const { client, bucket } = fixture()`.
 */
export function bucketFixture(peer: RgwPeer): () => { client: S3Client; bucket: string } {
  let client: S3Client | undefined
  let bucket: string | undefined
  beforeAll(async () => {
    client = s3ClientFor(peer)
    bucket = await freshBucket(client)
  })
  afterAll(async () => {
    if (client && bucket) await removeBucket(client, bucket)
    client?.destroy()
  })
  return () => {
    if (!client || !bucket) throw new Error('bucketFixture: read it inside a test, after beforeAll')
    return { client, bucket }
  }
}

/**
 * Deletes every object in `bucket`, then the bucket. The harness's cluster is thrown away after the run
 * anyway; this matters when S3_ENDPOINT points at a long-lived S3. Not for versioned buckets.
 */
export async function removeBucket(client: S3Client, bucket: string): Promise<void> {
  let token: string | undefined
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }))
    // One DeleteObject per key: DeleteObjects needs a body checksum, whose flavours differ across peers.
    for (const { Key } of page.Contents ?? []) {
      if (Key !== undefined) await client.send(new DeleteObjectCommand({ Bucket: bucket, Key }))
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined
  } while (token)
  await client.send(new DeleteBucketCommand({ Bucket: bucket }))
}

export interface HttpResult {
  status: number
  /** Response headers, names in lower case. */
  headers: Record<string, string>
  /** The whole body, always read. */
  body: Buffer
  /** `<Code>` of an S3 XML error body, e.g. `SignatureDoesNotMatch`. */
  code?: string
  /** `<Message>` of an S3 XML error body, when there is one. */
  message?: string
}

export interface HttpRequestInit {
  method?: string
  headers?: Record<string, string>
  /** A string is sent as UTF-8 bytes without the `text/plain` Content-Type fetch would otherwise add. */
  body?: Buffer | Uint8Array | string
}

/**
 * One HTTP request with Node's fetch, no redirects followed, body fully read. fetch adds a few unsigned
 * headers of its own (accept, accept-encoding, user-agent, sec-fetch-mode); a presigned URL ignores them.
 */
export async function httpRequest(url: string, init: HttpRequestInit = {}): Promise<HttpResult> {
  const body = typeof init.body === 'string' ? Buffer.from(init.body, 'utf8') : init.body
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers: init.headers,
    body,
    redirect: 'manual',
    signal: AbortSignal.timeout(20_000),
  })
  return readResult(res)
}

/**
 * A browser-style POST upload: multipart/form-data with `fields` in order and the file LAST, as S3
 * requires (fields after the file are ignored). The part's own type is `file.contentType`.
 */
export async function postForm(
  url: string,
  fields: Record<string, string>,
  file: { body: Buffer; contentType: string; filename: string },
): Promise<HttpResult> {
  const form = new FormData()
  for (const [name, value] of Object.entries(fields)) form.append(name, value)
  form.append('file', new Blob([new Uint8Array(file.body)], { type: file.contentType }), file.filename)
  const res = await fetch(url, {
    method: 'POST',
    body: form,
    redirect: 'manual',
    signal: AbortSignal.timeout(20_000),
  })
  return readResult(res)
}

// An unread body keeps the socket busy, and Node alive until RGW's 65 s idle timeout: always read it.
async function readResult(res: Response): Promise<HttpResult> {
  const body = Buffer.from(await res.arrayBuffer())
  const headers: Record<string, string> = {}
  res.headers.forEach((value, name) => {
    headers[name] = value
  })
  const result: HttpResult = { status: res.status, headers, body }
  const text = body.subarray(0, 4096).toString('utf8')
  if (text.trimStart().startsWith('<')) {
    const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1]
    const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1]
    if (code !== undefined) result.code = code
    if (message !== undefined) result.message = message
  }
  return result
}
