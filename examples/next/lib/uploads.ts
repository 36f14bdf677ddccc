// lib/uploads.ts: the builders and the handler, created once per server process (on first request).
// In your project: from 'safe-presign' and 'safe-presign/handler'.
import { S3Client } from '@aws-sdk/client-s3'
import { createSafeDownload, createSafeUpload, memoryStore } from '../../../src/index.js'
import { createUploadHandler, type UploadHandler } from '../../../src/handler/index.js'

let ready: Promise<{ handler: UploadHandler; close(): Promise<void> }> | undefined

async function create() {
  const env = process.env
  let s3: { client: S3Client; bucket: string; close: () => Promise<void> }
  if (env.S3_ENDPOINT && env.S3_BUCKET) {
    s3 = { client: new S3Client({ endpoint: env.S3_ENDPOINT, forcePathStyle: true, region: env.AWS_REGION ?? 'us-east-1', requestChecksumCalculation: 'WHEN_REQUIRED' }), bucket: env.S3_BUCKET, close: async () => {} }
  } else {
    // For trying it out only (`next dev` without S3_ENDPOINT): not part of what you copy.
    const { startTestS3 } = await import('../../../src/testing/s3/index.js')
    const testS3 = await startTestS3({ buckets: ['uploads'] })
    const client = testS3.client()
    s3 = { client, bucket: 'uploads', close: () => (client.destroy(), testS3.close()) }
  }
  // memoryStore is for one process; use safe-presign/stores/redis, /postgres or /dynamodb in production.
  const store = memoryStore()
  const uploads = createSafeUpload({ client: s3.client, bucket: s3.bucket, store, allowedContentTypes: ['image/png', 'image/jpeg', 'application/pdf'], maxSize: 10 * 1024 * 1024 })
  const downloads = createSafeDownload({ client: s3.client, bucket: s3.bucket, store })
  const handler = createUploadHandler({
    uploads,
    downloads,
    // The route lives at app/api/uploads/[...path]: the handler sees the full path.
    basePath: '/api/uploads',
    // Your session check goes here (e.g. your auth library's session from the cookie); null → 401.
    authenticate: (request) => request.headers.get('x-user'),
    onError: (error) => console.error(error),
  })
  return { handler, close: () => s3.close() }
}

/** The handler for the route file: builds everything on the first request, then reuses it. */
export async function uploadHandler(request: Request): Promise<Response> {
  // A failed start (S3 unreachable) is retried on the next request rather than remembered.
  ready ??= create().catch((error: unknown) => {
    ready = undefined
    throw error
  })
  return (await ready).handler(request)
}

/** Stops the test S3, if one was started (for tests and scripts). */
export async function closeUploads(): Promise<void> {
  const current = ready
  ready = undefined
  if (current) await (await current).close()
}
