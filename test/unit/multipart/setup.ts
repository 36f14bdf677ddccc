// Shared setup for the multipart unit tests: a worker client and a separate signer (distinct fake
// credentials, so a URL's credential and each S3 call's sender can be told apart), the fake S3 over
// both, a memory store, a settable clock and the builder.
import { createHash } from 'node:crypto'
import type { SafePresignEvent } from '../../../src/events.js'
import { memoryStore } from '../../../src/stores/memory.js'
import type { OwnershipStore } from '../../../src/stores/types.js'
import { createSafeUpload, type SafeUploadConfig } from '../../../src/upload.js'
import { s3Client, sequentialIds, T } from '../core/fixtures.js'
import { fakeMultipart, type FakeMultipart, type FakeMultipartOptions } from './fake-multipart.js'

export const MiB = 1024 ** 2
export const GiB = 1024 ** 3
export const TiB = 1024 ** 4
export const BUCKET = 'photos-bucket'
export const SIGNER_KEY = 'AKIAI44QH8DHBEXAMPLE'

/** The worker: HEAD, GET, COPY, DELETE, and the sweep's list and abort. */
export const client = s3Client()
/** Another principal: signs the part URLs and sends the multipart calls. */
export const signer = s3Client({ credentials: { accessKeyId: SIGNER_KEY, secretAccessKey: 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY' } })
export const CLIENT = 0
export const SIGNER = 1

/** The keys sequentialIds() generates, in order. */
export const id = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`

export const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('base64')
export const md5 = (bytes: Uint8Array | string) => createHash('md5').update(bytes).digest('base64')

export interface World {
  s3: FakeMultipart
  store: OwnershipStore
  events: SafePresignEvent[]
  clock: { now: number }
  uploader(config?: Partial<SafeUploadConfig>): ReturnType<typeof createSafeUpload>
}

/** A fresh world per test: call in beforeEach, restore the mocks in afterEach with `world.s3.restore()`. */
export function world(fake: Partial<FakeMultipartOptions> = {}, store: OwnershipStore = memoryStore()): World {
  const clock = { now: T }
  const events: SafePresignEvent[] = []
  const s3 = fakeMultipart({ clients: [client, signer], now: () => clock.now, ...fake })
  const w: World = {
    s3,
    store,
    events,
    clock,
    uploader: (config = {}) =>
      createSafeUpload({
        client,
        signer,
        bucket: BUCKET,
        store: w.store,
        allowedContentTypes: ['image/png', 'application/pdf', 'video/*'],
        maxSize: 6 * GiB,
        multipart: true,
        now: () => clock.now,
        generateId: sequentialIds(),
        onEvent: (e) => void events.push(e),
        ...config,
      }),
  }
  return w
}
