// For running the examples locally only, not part of what you copy: an S3 (S3_ENDPOINT and S3_BUCKET,
// or the strict test S3 in this process), the example's builders on a memory store, and a clean stop on
// SIGINT/SIGTERM.
import type { Server } from 'node:http'
import { S3Client } from '@aws-sdk/client-s3'
import { createSafeDownload, createSafeUpload, memoryStore, type SafeDownload, type SafeUpload } from '../../src/index.js'

export interface LocalSetup {
  uploads: SafeUpload
  downloads: SafeDownload
  port: number
  /** Closes `server`, then the test S3 (if one was started), then exits. */
  stopOnSignal(server: Server): void
}

export async function localSetup(): Promise<LocalSetup> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
  const env = process.env
  let s3: { client: S3Client; bucket: string; close?: () => Promise<void> }
  if (env.S3_ENDPOINT && env.S3_BUCKET) {
    s3 = { client: new S3Client({ endpoint: env.S3_ENDPOINT, forcePathStyle: true, region: env.AWS_REGION ?? 'us-east-1', requestChecksumCalculation: 'WHEN_REQUIRED' }), bucket: env.S3_BUCKET }
  } else {
    // In your tests: from 'safe-presign/testing/s3'.
    const { startTestS3 } = await import('../../src/testing/s3/index.js')
    const testS3 = await startTestS3({ buckets: ['uploads'] })
    const client = testS3.client()
    s3 = { client, bucket: 'uploads', close: () => (client.destroy(), testS3.close()) }
    console.log(`the strict test S3 (safe-presign/testing/s3) at ${testS3.endpoint}, bucket "uploads"`)
  }
  // memoryStore is for one process; use safe-presign/stores/redis, /postgres or /dynamodb in production.
  const store = memoryStore()
  const uploads = createSafeUpload({ client: s3.client, bucket: s3.bucket, store, allowedContentTypes: ['image/png', 'image/jpeg', 'application/pdf'], maxSize: 10 * 1024 * 1024 })
  const downloads = createSafeDownload({ client: s3.client, bucket: s3.bucket, store })
  return {
    uploads,
    downloads,
    port: Number(env.PORT ?? 3000),
    stopOnSignal(server) {
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        process.once(signal, () => server.close(() => void s3.close?.().finally(() => process.exit(0))))
      }
    },
  }
}
