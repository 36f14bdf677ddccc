// uploadFile() with multipart grants against a fake handler and S3: parts in parallel, URLs signed
// just in time in batches of at most 100, per-part digests, retries, abort and resume.
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { isSafePresignClientError, uploadFile, uploadFiles, type Progress } from '../../../src/client/index.js'
import { bytes, committed, ENDPOINT, fake, putGrant, refusal, type S3Answer, type S3Request } from './fake.js'

const KEY = 'uploads/0000.mp4'
const grant = (partSize: number, partCount: number, checksum: 'md5' | 'sha256' | null = null) => ({ kind: 'multipart', key: KEY, uploadId: 'up-1', partSize, partCount, expiresAt: Date.now() + 86_400_000, checksum })
const partOf = (url: string) => Number(new URL(url).searchParams.get('partNumber'))

/** A handler that signs what it is asked for, remembering each parts call. */
function multipartServer(size: number, partSize: number, options: { checksum?: 'md5' | 'sha256' | null; s3?: (r: S3Request, n: number) => S3Answer | Promise<S3Answer>; list?: number[] } = {}) {
  const partCount = Math.ceil(size / partSize)
  const signed: { partNumber: number; checksum?: string }[][] = []
  const f = fake({
    routes: {
      grant: () => grant(partSize, partCount, options.checksum ?? null),
      parts: (b) => {
        signed.push(b.parts)
        return {
          parts: b.parts.map((p: { partNumber: number; checksum?: string }) => ({
            partNumber: p.partNumber,
            url: `https://s3.test/bucket/${KEY}?partNumber=${p.partNumber}&uploadId=up-1`,
            headers: { 'content-length': String(p.partNumber < partCount ? partSize : size - partSize * (partCount - 1)), ...(p.checksum ? { [options.checksum === 'md5' ? 'content-md5' : 'x-amz-checksum-sha256']: p.checksum } : {}) },
            expiresAt: Date.now() + 300_000,
          })),
        }
      },
      'parts/list': () => ({ key: KEY, uploadId: 'up-1', partSize, partCount, parts: (options.list ?? []).map((n) => ({ partNumber: n, size: n < partCount ? partSize : size - partSize * (partCount - 1), etag: `"e${n}"` })) }),
      complete: (b) => committed(b.key, size, 'video/mp4'),
      abort: (b) => ({ key: b.key, state: 'rejected' }),
    },
    s3: options.s3,
  })
  return { ...f, signed, partCount }
}

const video = (size: number) => new File([bytes(size)], 'talk.mp4', { type: 'video/mp4' })
const caught = async (p: Promise<unknown>) => {
  try {
    await p
  } catch (error) {
    if (isSafePresignClientError(error)) return error
    throw error
  }
  throw new Error('expected a rejection')
}

describe('uploadFile: multipart', () => {
  it('sends every part\'s exact bytes, at most `concurrency` at once, signs in batches of ≤100, completes with the uploadId, and reports monotonic progress ending at total', async () => {
    let inFlight = 0
    let most = 0
    const size = 250 * 16 + 7
    const s = multipartServer(size, 16, {
      s3: async () => {
        most = Math.max(most, ++inFlight)
        await new Promise((r) => setTimeout(r, 1))
        inFlight--
        return 200
      },
    })
    const seen: Progress[] = []
    const states: unknown[] = []
    const result = await uploadFile(video(size), { endpoint: ENDPOINT, fetch: s.fetch, concurrency: 3, onProgress: (p) => seen.push(p), onResumeState: (st) => states.push(st) })
    expect(result).toEqual({ key: KEY, size, contentType: 'video/mp4' })
    expect(s.partCount).toBe(251)
    expect(most).toBe(3)
    expect(s.signed.every((b) => b.length >= 1 && b.length <= 100)).toBe(true)
    expect(s.signed.flat().map((p) => p.partNumber).sort((a, b) => a - b)).toEqual(Array.from({ length: 251 }, (_, i) => i + 1))
    expect(s.signed.length).toBe(3) // just in time, but not one call per part
    const file = bytes(size)
    for (const req of s.s3) {
      const n = partOf(req.url)
      expect(new Uint8Array(await (req.body as Blob).arrayBuffer())).toEqual(file.subarray((n - 1) * 16, Math.min(n * 16, size)))
      expect(req.headers).not.toHaveProperty('content-length')
    }
    expect(s.s3).toHaveLength(251)
    expect(s.calls.at(-1)).toMatchObject({ route: 'complete', body: { key: KEY, uploadId: 'up-1' } })
    expect(states).toEqual([{ key: KEY, uploadId: 'up-1' }])
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.loaded).toBeGreaterThan(seen[i - 1]!.loaded)
    expect(seen.at(-1)).toEqual({ loaded: size, total: size })
  })

  it.each(['sha256', 'md5'] as const)('checksum %s: each part is signed with its own digest, and sent with it', async (algorithm) => {
    const size = 5 * 20 + 3
    const s = multipartServer(size, 20, { checksum: algorithm })
    await uploadFile(video(size), { endpoint: ENDPOINT, fetch: s.fetch })
    const file = bytes(size)
    const digest = (n: number) => createHash(algorithm).update(file.subarray((n - 1) * 20, n * 20)).digest('base64')
    expect(s.signed.flat().sort((a, b) => a.partNumber - b.partNumber)).toEqual(Array.from({ length: 6 }, (_, i) => ({ partNumber: i + 1, checksum: digest(i + 1) })))
    for (const req of s.s3) expect(req.headers[algorithm === 'md5' ? 'content-md5' : 'x-amz-checksum-sha256']).toBe(digest(partOf(req.url)))
  })

  it('a part that fails with a network error or a 5xx is retried and the upload completes; progress never goes back', async () => {
    const fails = new Map<number, S3Answer[]>([[2, ['network', 503]], [3, [500]]])
    const s = multipartServer(40, 10, { s3: (r) => fails.get(partOf(r.url))?.shift() ?? 200 })
    const seen: Progress[] = []
    await uploadFile(video(40), { endpoint: ENDPOINT, fetch: s.fetch, retryDelay: 0, onProgress: (p) => seen.push(p) })
    expect(s.s3.map((r) => partOf(r.url)).filter((n) => n === 2)).toHaveLength(3)
    expect(s.s3.map((r) => partOf(r.url)).filter((n) => n === 3)).toHaveLength(2)
    expect(s.routes().at(-1)).toBe('complete')
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.loaded).toBeGreaterThanOrEqual(seen[i - 1]!.loaded)
  })

  it('a 4xx on a part is never retried: the upload fails with it, the other parts stop, nothing is completed', async () => {
    const s = multipartServer(80, 10, { s3: (r) => (partOf(r.url) === 1 ? { status: 400, body: '<Error><Code>BadDigest</Code></Error>' } : 200) })
    const error = await caught(uploadFile(video(80), { endpoint: ENDPOINT, fetch: s.fetch, retryDelay: 0, concurrency: 2 }))
    expect(error).toMatchObject({ code: 'S3_REFUSED', status: 400 })
    expect(error.message).toContain('part 1')
    expect(s.s3.filter((r) => partOf(r.url) === 1)).toHaveLength(1)
    expect(s.s3.length).toBeLessThan(8)
    expect(s.routes()).not.toContain('complete')
  })

  it('a part refused by the handler (4xx) is not retried either', async () => {
    const s = multipartServer(30, 10)
    const f = fake({ routes: { grant: () => grant(10, 3), parts: () => refusal(410, 'UPLOAD_EXPIRED', 'the upload expired') } })
    expect(await caught(uploadFile(video(30), { endpoint: ENDPOINT, fetch: f.fetch, retryDelay: 0 }))).toMatchObject({ code: 'UPLOAD_EXPIRED', status: 410 })
    expect(f.routes()).toEqual(['grant', 'parts'])
    expect(s.calls).toHaveLength(0)
  })

  it('aborting the signal stops the parts in flight and aborts the upload on the server', async () => {
    const controller = new AbortController()
    const s = multipartServer(40, 10, { s3: (_, n) => (n === 1 && setTimeout(() => controller.abort(), 5), 'hang') })
    expect(await caught(uploadFile(video(40), { endpoint: ENDPOINT, fetch: s.fetch, signal: controller.signal, concurrency: 2 }))).toMatchObject({ code: 'ABORTED' })
    expect(s.s3).toHaveLength(2)
    expect(s.s3.every((r) => r.signal?.aborted)).toBe(true)
    expect(s.calls.at(-1)).toMatchObject({ route: 'abort', body: { key: KEY, uploadId: 'up-1' } })
    expect(s.routes()).not.toContain('complete')
  })

  it('resume: lists the parts, uploads only the missing ones, completes, and asks for no grant', async () => {
    const s = multipartServer(45, 10, { list: [1, 3, 5] })
    const seen: Progress[] = []
    await uploadFile(video(45), { endpoint: ENDPOINT, fetch: s.fetch, resume: { key: KEY, uploadId: 'up-1' }, onProgress: (p) => seen.push(p) })
    expect(s.routes()).toEqual(['parts/list', 'parts', 'complete'])
    expect(s.calls[0]!.body).toEqual({ key: KEY, uploadId: 'up-1' })
    expect(s.s3.map((r) => partOf(r.url)).sort()).toEqual([2, 4])
    expect(seen[0]!.loaded).toBeGreaterThanOrEqual(25) // the held parts count from the start
    expect(seen.at(-1)).toEqual({ loaded: 45, total: 45 })
  })

  it('resume of a checksum builder: learns the algorithm from CHECKSUM_REQUIRED and signs again with digests', async () => {
    const s = multipartServer(30, 10, { checksum: 'md5', list: [1] })
    const f = fake({
      routes: {
        'parts/list': () => ({ key: KEY, uploadId: 'up-1', partSize: 10, partCount: 3, parts: [{ partNumber: 1, size: 10, etag: '"a"' }] }),
        parts: (b) => (b.parts.every((p: { checksum?: string }) => p.checksum) ? s.fetch(`${ENDPOINT}/parts`, { method: 'POST', body: JSON.stringify(b) }).then((r) => r.json()) : refusal(400, 'CHECKSUM_REQUIRED', '`parts[0].checksum` is undefined; this builder requires the base64 md5 digest of part 2')),
        complete: (b) => committed(b.key, 30),
      },
      s3: () => 200,
    })
    await uploadFile(video(30), { endpoint: ENDPOINT, fetch: f.fetch, resume: { key: KEY, uploadId: 'up-1' } })
    expect(f.routes()).toEqual(['parts/list', 'parts', 'parts', 'complete'])
    expect(s.signed[0]!.map((p) => p.partNumber)).toEqual([2, 3])
    expect(s.signed[0]![0]!.checksum).toBe(createHash('md5').update(bytes(30).subarray(10, 20)).digest('base64'))
  })

  it('resume with another file than the upload was started for is refused before any part is sent', async () => {
    const s = multipartServer(45, 10, { list: [1] })
    expect(await caught(uploadFile(video(60), { endpoint: ENDPOINT, fetch: s.fetch, resume: { key: KEY, uploadId: 'up-1' } }))).toMatchObject({ code: 'SIZE_MISMATCH' })
    expect(s.s3).toHaveLength(0)
  })
})

describe('uploadFiles', () => {
  it('uploads each file, reports progress over the sum, and keeps one file\'s failure to itself', async () => {
    const f = fake({
      routes: {
        grant: (b) => (b.size === 13 ? refusal(413, 'FILE_TOO_LARGE', 'the maximum is 12 bytes') : { ...putGrant({ 'content-length': String(b.size) }), key: `uploads/${b.size}.png` }),
        complete: (b) => committed(b.key, Number(b.key.match(/\d+/)![0])),
      },
    })
    const seen: Progress[] = []
    const files = [new File([bytes(5)], 'a.png', { type: 'image/png' }), new File([bytes(13)], 'b.png', { type: 'image/png' }), new File([bytes(7)], 'c.png', { type: 'image/png' })]
    const outcomes = await uploadFiles(files, { endpoint: ENDPOINT, fetch: f.fetch, onProgress: (p) => seen.push(p) })
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true])
    expect(outcomes[0]).toMatchObject({ result: { key: 'uploads/5.png', size: 5 } })
    expect(outcomes[2]).toMatchObject({ result: { key: 'uploads/7.png', size: 7 } })
    expect(outcomes[1]).toMatchObject({ error: { code: 'FILE_TOO_LARGE', status: 413 } })
    expect(seen.every((p) => p.total === 25)).toBe(true)
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.loaded).toBeGreaterThan(seen[i - 1]!.loaded)
    expect(seen.at(-1)!.loaded).toBe(12) // the refused file's 13 bytes were never sent
  })
})
