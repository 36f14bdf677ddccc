// uploadFile() with PUT and POST grants against a fake handler and S3: what is sent, what is
// completed, which failures are retried, and what the caller sees when S3 gives no readable answer.
import { createHash } from 'node:crypto'
import { describe, expect, it, vi } from 'vitest'
import { isSafePresignClientError, MOST_LIKELY, SafePresignClientError, uploadFile, type Progress } from '../../../src/client/index.js'
import { bytes, committed, ENDPOINT, fake, putGrant, refusal } from './fake.js'

const png = () => new File([bytes(10)], 'photo.png', { type: 'image/png' })
const fast = { endpoint: ENDPOINT, retryDelay: 0 }
const caught = async (p: Promise<unknown>) => {
  try {
    await p
  } catch (error) {
    if (isSafePresignClientError(error)) return error
    throw error
  }
  throw new Error('expected a rejection')
}

describe('uploadFile: PUT grants', () => {
  it('asks for a grant with the file\'s name, type and size, PUTs exactly the grant\'s headers less Content-Length, then completes the grant\'s key', async () => {
    const f = fake({ routes: { grant: () => putGrant({ 'x-amz-meta-filename': 'photo.png', 'x-amz-acl': 'bucket-owner-full-control' }), complete: (b) => committed(b.key, 10) } })
    const seen: Progress[] = []
    const result = await uploadFile(png(), { ...fast, fetch: f.fetch, headers: { authorization: 'Bearer t' }, onProgress: (p) => seen.push(p) })
    expect(result).toEqual({ key: 'uploads/0000.png', size: 10, contentType: 'image/png' })
    expect(f.calls[0]).toMatchObject({ route: 'grant', body: { filename: 'photo.png', contentType: 'image/png', size: 10 }, headers: { authorization: 'Bearer t', 'content-type': 'application/json' } })
    expect(f.calls[0]!.body).not.toHaveProperty('checksum')
    expect(f.s3).toHaveLength(1)
    expect(f.s3[0]!.method).toBe('PUT')
    expect(f.s3[0]!.url).toBe(putGrant().url)
    expect(f.s3[0]!.headers).toEqual({ 'content-type': 'image/png', 'if-none-match': '*', 'x-amz-meta-filename': 'photo.png', 'x-amz-acl': 'bucket-owner-full-control' })
    expect(f.s3[0]!.headers).not.toHaveProperty('authorization') // the app's headers go to the handler only
    expect(f.calls[1]).toMatchObject({ route: 'complete', body: { key: 'uploads/0000.png' } })
    expect(seen.at(-1)).toEqual({ loaded: 10, total: 10 })
  })

  it('a 412 on the retry after a lost response is the first attempt\'s object: it goes on to complete', async () => {
    const f = fake({ routes: { grant: () => putGrant(), complete: (b) => committed(b.key, 10) }, s3: (_, n) => (n === 0 ? 'network' : 412) })
    expect(await uploadFile(png(), { ...fast, fetch: f.fetch })).toMatchObject({ key: 'uploads/0000.png' })
    expect(f.s3).toHaveLength(2)
    expect(f.routes()).toEqual(['grant', 'complete'])
  })

  it('a 412 on the first attempt is a failure (something else holds the key), and nothing is completed', async () => {
    const f = fake({ routes: { grant: () => putGrant(), complete: (b) => committed(b.key, 10) }, s3: () => ({ status: 412, body: '<Error><Code>PreconditionFailed</Code></Error>' }) })
    const error = await caught(uploadFile(png(), { ...fast, fetch: f.fetch }))
    expect(error).toMatchObject({ code: 'S3_REFUSED', status: 412 })
    expect(error.message).toContain('412 PreconditionFailed')
    expect(f.s3).toHaveLength(1)
    expect(f.routes()).toEqual(['grant'])
  })

  it('retries network errors and 5xx `retries` times, then fails; a 4xx is never retried', async () => {
    const flaky = fake({ routes: { grant: () => putGrant(), complete: (b) => committed(b.key, 10) }, s3: (_, n) => [503, 'network', 500, 200][n] as number | 'network' })
    await uploadFile(png(), { ...fast, fetch: flaky.fetch })
    expect(flaky.s3).toHaveLength(4)

    const down = fake({ routes: { grant: () => putGrant() }, s3: () => 503 })
    expect(await caught(uploadFile(png(), { ...fast, fetch: down.fetch, retries: 2 }))).toMatchObject({ code: 'S3_REFUSED', status: 503 })
    expect(down.s3).toHaveLength(3)

    const refused = fake({ routes: { grant: () => putGrant() }, s3: () => ({ status: 403, body: '<Error><Code>SignatureDoesNotMatch</Code></Error>' }) })
    const error = await caught(uploadFile(png(), { ...fast, fetch: refused.fetch }))
    expect(refused.s3).toHaveLength(1)
    expect(error).toMatchObject({ code: 'S3_REFUSED', status: 403 })
    expect(error.message).toBe(`S3 answered 403 SignatureDoesNotMatch to the upload (PUT): most likely ${MOST_LIKELY}`)
  })

  it('waits retryDelay, doubled, between attempts (fake clock)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] })
    try {
      const f = fake({ routes: { grant: () => putGrant(), complete: (b) => committed(b.key, 10) }, s3: (_, n) => (n < 2 ? 503 : 200) })
      const done = uploadFile(png(), { endpoint: ENDPOINT, fetch: f.fetch, retryDelay: 40 })
      await vi.advanceTimersByTimeAsync(0)
      expect(f.s3).toHaveLength(1)
      await vi.advanceTimersByTimeAsync(39)
      expect(f.s3).toHaveLength(1)
      await vi.advanceTimersByTimeAsync(1)
      expect(f.s3).toHaveLength(2)
      await vi.advanceTimersByTimeAsync(79)
      expect(f.s3).toHaveLength(2)
      await vi.advanceTimersByTimeAsync(1)
      expect(f.s3).toHaveLength(3)
      expect(await done).toMatchObject({ key: 'uploads/0000.png' })
    } finally {
      vi.useRealTimers()
    }
  })

  it('no readable response at all (RGW\'s 403 has no CORS headers): the message says what most likely happened, and never the URL', async () => {
    const f = fake({ routes: { grant: () => putGrant() }, s3: () => 'network' })
    const error = await caught(uploadFile(png(), { ...fast, fetch: f.fetch, retries: 1 }))
    expect(error).toBeInstanceOf(SafePresignClientError)
    expect(error).toMatchObject({ name: 'SafePresignClientError', code: 'S3_NO_RESPONSE', status: 0 })
    expect(error.message).toContain(`most likely ${MOST_LIKELY}`)
    expect(error.message).not.toContain('X-Amz-Signature')
    expect(f.s3).toHaveLength(2)
  })

  it('a refusal of the handler keeps its code, status and message, and is not retried', async () => {
    const f = fake({ routes: { grant: () => refusal(415, 'CONTENT_TYPE_NOT_ALLOWED', '`contentType` is "image/png"; allowed: image/jpeg', { option: 'contentType' }) } })
    const error = await caught(uploadFile(png(), { ...fast, fetch: f.fetch }))
    expect(error).toMatchObject({ code: 'CONTENT_TYPE_NOT_ALLOWED', status: 415, message: '`contentType` is "image/png"; allowed: image/jpeg', details: { option: 'contentType' } })
    expect(f.routes()).toEqual(['grant'])
    expect(f.s3).toHaveLength(0)
  })

  it('a completion the server rejects (the bytes are not a PNG) surfaces as its code', async () => {
    const f = fake({ routes: { grant: () => putGrant(), complete: () => refusal(422, 'CONTENT_MISMATCH', 'the bytes are not image/png') } })
    expect(await caught(uploadFile(png(), { ...fast, fetch: f.fetch }))).toMatchObject({ code: 'CONTENT_MISMATCH', status: 422 })
  })

  it('the handler unreachable, or answering HTML: NETWORK_ERROR and BAD_RESPONSE', async () => {
    const offline = (async () => {
      throw new TypeError('Failed to fetch')
    }) as typeof fetch
    expect(await caught(uploadFile(png(), { ...fast, fetch: offline }))).toMatchObject({ code: 'NETWORK_ERROR', status: 0 })
    const html = (async () => new Response('<html>oops</html>', { status: 502 })) as typeof fetch
    expect(await caught(uploadFile(png(), { ...fast, fetch: html }))).toMatchObject({ code: 'BAD_RESPONSE', status: 502 })
  })

  it('a file without a type and no contentType option is refused before anything is sent', async () => {
    const f = fake({})
    expect(await caught(uploadFile(new Blob([bytes(3)]), { ...fast, fetch: f.fetch }))).toMatchObject({ code: 'INVALID_REQUEST' })
    expect(f.calls).toHaveLength(0)
  })
})

describe('uploadFile: whole-file digests', () => {
  it("'auto': after CHECKSUM_REQUIRED the grant is asked again once, with the digest the message names", async () => {
    const f = fake({
      routes: {
        grant: (b) => (b.checksum ? putGrant({ 'x-amz-checksum-sha256': b.checksum }) : refusal(400, 'CHECKSUM_REQUIRED', '`checksum` is undefined; this builder requires the base64 sha256 digest of the file', { option: 'checksum' })),
        complete: (b) => committed(b.key, 10),
      },
    })
    await uploadFile(png(), { ...fast, fetch: f.fetch })
    const digest = Buffer.from(await crypto.subtle.digest('SHA-256', bytes(10))).toString('base64')
    expect(f.calls.map((c) => c.body.checksum)).toEqual([undefined, digest, undefined])
    expect(f.s3[0]!.headers['x-amz-checksum-sha256']).toBe(digest)
  })

  it("'md5' sends the MD5 up front; false never sends one and lets CHECKSUM_REQUIRED through", async () => {
    const f = fake({ routes: { grant: (b) => putGrant({ 'content-md5': b.checksum }), complete: (b) => committed(b.key, 10) } })
    await uploadFile(png(), { ...fast, fetch: f.fetch, digest: 'md5' })
    expect(f.calls[0]!.body.checksum).toBe(createHash('md5').update(bytes(10)).digest('base64'))
    expect(f.s3[0]!.headers['content-md5']).toBe(f.calls[0]!.body.checksum)

    const never = fake({ routes: { grant: () => refusal(400, 'CHECKSUM_REQUIRED', 'this builder requires the base64 md5 digest of the file') } })
    expect(await caught(uploadFile(png(), { ...fast, fetch: never.fetch, digest: false }))).toMatchObject({ code: 'CHECKSUM_REQUIRED' })
    expect(never.calls).toHaveLength(1)
  })
})

describe('uploadFile: POST grants', () => {
  it('sends the fields in order and the file last as "file", then completes the grant\'s key, never fields.key', async () => {
    const fields = { success_action_status: '201', 'Content-Type': 'image/png', key: 'quarantine/0000.png', policy: 'p', 'x-amz-signature': 's' }
    const f = fake({ routes: { grant: () => ({ kind: 'post', key: 'uploads/0000.png', url: 'https://s3.test/bucket', fields, expiresAt: Date.now() + 60_000, checksum: null }), complete: (b) => committed(b.key, 10) }, s3: () => 201 })
    const seen: Progress[] = []
    await uploadFile(png(), { ...fast, fetch: f.fetch, onProgress: (p) => seen.push(p) })
    const form = f.s3[0]!.body as FormData
    expect(f.s3[0]!.method).toBe('POST')
    expect([...form.keys()]).toEqual([...Object.keys(fields), 'file'])
    for (const [name, value] of Object.entries(fields)) expect(form.get(name)).toBe(value)
    const file = form.get('file') as File
    expect(file.name).toBe('photo.png')
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(bytes(10))
    expect(f.calls[1]).toEqual(expect.objectContaining({ route: 'complete', body: { key: 'uploads/0000.png' } }))
    expect(seen.at(-1)).toEqual({ loaded: 10, total: 10 })
  })
})

describe('uploadFile: abort', () => {
  it('an aborted signal stops the PUT in flight with ABORTED, and nothing is completed', async () => {
    const controller = new AbortController()
    const f = fake({ routes: { grant: () => putGrant() }, s3: () => (setTimeout(() => controller.abort(), 5), 'hang') })
    expect(await caught(uploadFile(png(), { ...fast, fetch: f.fetch, signal: controller.signal }))).toMatchObject({ code: 'ABORTED' })
    expect(f.s3[0]!.signal?.aborted).toBe(true)
    expect(f.routes()).toEqual(['grant'])
  })
})
