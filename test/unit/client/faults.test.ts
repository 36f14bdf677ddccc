// The browser client's retries against real S3 failures: the handler in this process, the strict test
// S3 failing on purpose (faults.inject), and uploadFile over fetch (as where there is no
// XMLHttpRequest). A 503 or a dropped connection on a PUT or a part is retried and the upload commits;
// a 4xx is not retried.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { uploadFile } from '../../../src/client/index.js'
import { createUploadHandler } from '../../../src/handler/index.js'
import { createSafeUpload, memoryStore } from '../../../src/index.js'
import { startTestS3, type TestS3 } from '../../../src/testing/s3/index.js'

const MiB = 1024 * 1024
// A PDF to the sniffer: it starts with %PDF-.
const pdf = (size: number) => new Blob([Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(size - 9, 0x41)])], { type: 'application/pdf' })

let s3: TestS3
let handlerFetch: typeof fetch

beforeAll(async () => {
  s3 = await startTestS3({ buckets: ['faults'] })
  const uploads = createSafeUpload({ client: s3.client(), bucket: 'faults', store: memoryStore(), allowedContentTypes: ['application/pdf'], maxSize: 64 * MiB, multipart: { partSize: 5 * MiB, threshold: 8 * MiB } })
  const handler = createUploadHandler({ uploads, authenticate: () => 'alice', basePath: '/uploads' })
  // The handler's routes go to the handler; everything else (S3) over the network.
  handlerFetch = ((input: string | URL | Request, init?: RequestInit) => {
    const url = String(input instanceof Request ? input.url : input)
    return url.startsWith('http://app.test/') ? handler(new Request(url, init)) : fetch(input, init)
  }) as typeof fetch
})
afterAll(() => s3.close())

const upload = (file: Blob, retries = 3) => uploadFile(file, { endpoint: 'http://app.test/uploads', fetch: handlerFetch, filename: 'report.pdf', retries, retryDelay: 1 })
const attempts = (operation: string) => s3.requests.filter((r) => r.operation === operation).map((r) => r.status)

describe('uploadFile against injected S3 faults', () => {
  it('a single PUT answered 503 twice is retried, then commits', async () => {
    s3.reset()
    s3.faults.inject({ count: 2, status: 503, match: { operation: 'PutObject' } })
    const result = await upload(pdf(1024))
    expect([result.size, attempts('PutObject')]).toEqual([1024, [503, 503, 200]])
  })

  it('a part whose connection is dropped is sent again; the multipart upload commits', async () => {
    s3.reset()
    s3.faults.inject({ drop: true, match: { operation: 'UploadPart' } })
    const result = await upload(pdf(12 * MiB))
    expect(result.size).toBe(12 * MiB)
    expect(attempts('UploadPart').sort()).toEqual([0, 200, 200, 200])
  })

  it('with retries spent, the 503 reaches the caller and nothing is committed', async () => {
    s3.reset()
    s3.faults.inject({ count: 5, status: 503, match: { operation: 'PutObject' } })
    await expect(upload(pdf(1024), 1)).rejects.toMatchObject({ name: 'SafePresignClientError', code: 'S3_REFUSED', status: 503 })
    expect(attempts('PutObject')).toEqual([503, 503])
    expect(s3.requests.some((r) => r.operation === 'CopyObject' || (r.operation === 'HeadObject' && r.status === 200))).toBe(false)
  })
})
