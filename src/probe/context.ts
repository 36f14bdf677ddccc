// What every check shares: the probe's folder, the builders that make its grants (the library's own,
// with a memoryStore), its bytes, and S3 calls through `client`, each bounded in time. Every key a
// grant or a canary names is tracked, so cleanup() can delete it even if listing is not allowed.
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { createSafeUpload, type PostGrant, type PutGrant, type SafeUpload, type SafeUploadConfig, type UploadRequest } from '../upload.js'
import { memoryStore } from '../stores/memory.js'
import { send, type Reply } from './http.js'

/** The probe's honest bytes (33), and other bytes of the same length. */
export const BODY = new TextEncoder().encode('safe-presign probe: honest bytes\n')
export const OTHER = new TextEncoder().encode('SAFE-PRESIGN PROBE: HONEST BYTES\n')
// Precomputed (a unit test re-hashes BODY): WebCrypto has no MD5, and the probe imports no Node built-ins.
export const BODY_MD5 = 'QlmXMD++SmIH54IZv+/7qw=='
export const BODY_SHA256 = '/0eQHg0ShXxTYNVW87Y+Q3sEzXNn7ldFwyAIAn6mnA4='
export const TYPE = 'text/plain'
const OWNER = 'safe-presign-probe'

export interface ProbeContext {
  client: S3Client
  signer: S3Client | undefined
  bucket: string
  /** `${prefix}safe-presign-probe-<uuid>/`: everything the probe writes is under it. */
  folder: string
  timeoutMs: number
  /** A PUT grant for BODY (or `size` bytes) from the named builder. */
  putGrant(kind: Exclude<Kind, 'post'>, request?: Partial<UploadRequest>): Promise<PutGrant>
  postGrant(request?: Partial<UploadRequest>): Promise<PostGrant>
  /** Sends `body` with the grant's headers; `headers` adds or replaces some. Content-Length is left to fetch. */
  put(grant: PutGrant, body: Uint8Array, change?: { headers?: Record<string, string>; url?: string }): Promise<Reply>
  /** GetObject as `client`: the status (200, 403, 404, …) and, on 200, the bytes. */
  read(key: string): Promise<{ status: number; bytes?: Uint8Array; metadata?: Record<string, string> }>
  /** PutObject as `client`. */
  write(key: string, bytes: Uint8Array): Promise<void>
  track(key: string): void
  /** Deletes every object under the folder and every tracked key, as `client`. Returns the keys left behind. */
  cleanup(): Promise<string[]>
}

type Kind = 'put' | 'past' | 'md5' | 'sha256' | 'post'

/** The builders the grants come from: the library's own, as an app would configure them. */
function builders(client: S3Client, signer: S3Client | undefined, bucket: string, folder: string): Record<Kind, SafeUpload> {
  const base: SafeUploadConfig = {
    client,
    ...(signer ? { signer } : {}),
    bucket,
    store: memoryStore(),
    keyPrefix: `${folder}objects/`,
    allowedContentTypes: [TYPE],
    maxSize: 1024,
    expiresIn: 60,
  }
  return {
    put: createSafeUpload(base),
    past: createSafeUpload({ ...base, now: () => Date.now() - 10 * 60_000 }),
    md5: createSafeUpload({ ...base, checksum: 'md5' }),
    sha256: createSafeUpload({ ...base, checksum: 'sha256' }),
    post: createSafeUpload({ ...base, method: 'POST', quarantine: { prefix: `${folder}quarantine/` } }),
  }
}

export function probeContext(options: { client: S3Client; signer: S3Client | undefined; bucket: string; prefix: string; timeoutMs: number }): ProbeContext {
  const { client, signer, bucket, timeoutMs } = options
  const folder = `${options.prefix}safe-presign-probe-${crypto.randomUUID()}/`
  const made = builders(client, signer, bucket, folder)
  const tracked = new Set<string>()
  const track = (key: string) => void tracked.add(key)
  const limit = () => ({ abortSignal: AbortSignal.timeout(timeoutMs) as never })
  const checksums = { put: undefined, past: undefined, md5: BODY_MD5, sha256: BODY_SHA256 }

  return {
    client,
    signer,
    bucket,
    folder,
    timeoutMs,
    track,
    async putGrant(kind, request = {}) {
      const checksum = checksums[kind]
      const grant = await made[kind].presign({ owner: OWNER, contentType: TYPE, size: BODY.length, ...(checksum ? { checksum } : {}), ...request })
      if (grant.method !== 'PUT') throw new Error('expected a PUT grant')
      track(grant.key)
      return grant
    },
    async postGrant(request = {}) {
      const grant = await made.post.presign({ owner: OWNER, contentType: TYPE, size: BODY.length, ...request })
      if (grant.method !== 'POST') throw new Error('expected a POST grant')
      track(grant.fields.key ?? grant.key)
      track(grant.key)
      return grant
    },
    put(grant, body, change = {}) {
      const headers: Record<string, string> = { ...grant.headers, ...change.headers }
      // fetch sets Content-Length from the body (browsers refuse to set it at all).
      delete headers['content-length']
      return send(change.url ?? grant.url, { method: 'PUT', headers, body }, timeoutMs)
    },
    read: (key) => readObject(client, bucket, key, limit),
    async write(key, bytes) {
      track(key)
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, ContentType: TYPE }), limit())
    },
    cleanup: () => removeAll(client, bucket, folder, tracked, limit),
  }
}

async function readObject(client: S3Client, bucket: string, key: string, limit: () => object): Promise<{ status: number; bytes?: Uint8Array; metadata?: Record<string, string> }> {
  try {
    const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), limit())
    const bytes = await out.Body?.transformToByteArray()
    return { status: 200, bytes: bytes ?? new Uint8Array(), metadata: out.Metadata ?? {} }
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode
    if (status === undefined) throw error
    return { status }
  }
}

async function removeAll(client: S3Client, bucket: string, folder: string, tracked: Set<string>, limit: () => object): Promise<string[]> {
  const keys = new Set(tracked)
  try {
    let token: string | undefined
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: folder, ContinuationToken: token }), limit())
      for (const { Key } of page.Contents ?? []) if (Key !== undefined) keys.add(Key)
      token = page.IsTruncated ? page.NextContinuationToken : undefined
    } while (token)
  } catch {
    // Listing may be denied to `client`: the tracked keys are every key the probe named.
  }
  const left: string[] = []
  for (const key of keys) {
    // One DeleteObject per key: DeleteObjects needs a body checksum whose flavours differ across stores.
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }), limit()).catch(() => left.push(key))
  }
  // A delete that "succeeded" on an object `client` may not delete (another owner's, on some stores) would
  // still leave it: confirm with HEAD.
  for (const key of keys) {
    if (left.includes(key)) continue
    const gone = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), limit()).then(
      () => false,
      (error: { $metadata?: { httpStatusCode?: number } }) => error.$metadata?.httpStatusCode === 404,
    )
    if (!gone) left.push(key)
  }
  return left
}
