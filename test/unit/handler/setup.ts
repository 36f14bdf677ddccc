// Shared by the handler unit tests: builders over a memory store and the fake multipart S3 (which also
// answers HEAD, GET, COPY and DELETE), a handler whose user is the `x-user` header, and `call()`, which
// sends a web Request and returns the status, headers and parsed body.
import { expect } from 'vitest'
import { createSafeDownload, type SafeDownloadConfig } from '../../../src/download.js'
import { createUploadHandler, type UploadHandler, type UploadHandlerOptions } from '../../../src/handler/index.js'
import { memoryStore } from '../../../src/stores/memory.js'
import type { OwnershipStore } from '../../../src/stores/types.js'
import { createSafeUpload, type SafeUploadConfig } from '../../../src/upload.js'
import { s3Client, sequentialIds, T } from '../core/fixtures.js'
import { fakeMultipart, type FakeMultipart } from '../multipart/fake-multipart.js'

export const MiB = 1024 ** 2
export const BUCKET = 'handler-bucket'
export const ORIGIN = 'http://localhost'

/** A real 1×1 PNG: what the sniffer accepts as image/png. */
export const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5e1b1d60000000049454e44ae426082',
  'hex',
)

export interface HandlerWorld {
  s3: FakeMultipart
  store: OwnershipStore
  handler: UploadHandler
  /** Sends a request to the handler. `json` is stringified with Content-Type application/json unless `headers` says otherwise. */
  call(method: string, path: string, options?: CallOptions): Promise<Answer>
  /** Puts an object into the fake bucket, as a client's PUT would have. */
  putObject(key: string, bytes: Uint8Array, contentType: string): void
}

export interface CallOptions {
  user?: string
  json?: unknown
  body?: RequestInit['body']
  headers?: Record<string, string>
}

export interface Answer {
  status: number
  headers: Headers
  body: any
}

export interface WorldOptions {
  upload?: Partial<SafeUploadConfig>
  download?: Partial<SafeDownloadConfig> | false
  handler?: Partial<UploadHandlerOptions>
}

export function handlerWorld(options: WorldOptions = {}): HandlerWorld {
  const client = s3Client()
  const s3 = fakeMultipart({ clients: [client], now: () => T })
  const store = memoryStore()
  const uploads = createSafeUpload({
    client,
    bucket: BUCKET,
    store,
    allowedContentTypes: ['image/png', 'application/pdf'],
    maxSize: 64 * MiB,
    now: () => T,
    generateId: sequentialIds(),
    ...options.upload,
  })
  const downloads = options.download === false ? undefined : createSafeDownload({ client, bucket: BUCKET, store, now: () => T, ...options.download })
  const handler = createUploadHandler({
    uploads,
    downloads,
    authenticate: (request) => request.headers.get('x-user'),
    ...options.handler,
  })
  return {
    s3,
    store,
    handler,
    async call(method, path, { user, json, body, headers = {} } = {}) {
      const init: RequestInit & { duplex?: 'half' } = {
        method,
        headers: { ...(json !== undefined ? { 'content-type': 'application/json' } : {}), ...(user ? { 'x-user': user } : {}), ...headers },
        body: json !== undefined ? JSON.stringify(json) : body,
      }
      if (init.body instanceof ReadableStream) init.duplex = 'half'
      const res = await handler(new Request(`${ORIGIN}${path}`, init))
      const text = await res.text()
      return { status: res.status, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) }
    },
    putObject(key, bytes, contentType) {
      s3.objects.set(key, { size: bytes.length, head: bytes, contentType, etag: `"${key.length}"` })
    },
  }
}

/** `{ name, code, message }` of a refusal, with the status it came with. */
export const refusal = (status: number, code: string) => ({ status, body: expectError(code) })

export function expectError(code: string) {
  return { name: 'SafePresignError', code, message: expect.any(String) }
}
