// uppyOptions / uppy5Options / uppy6Options against a fake Uppy and a fake handler: which routes are
// called with what, that the quarantine key never reaches the completion or the file's response, the 412
// rescue, and that the handler's error code ends on the failed file.
import { describe, expect, it } from 'vitest'
import { uppy5Options, uppy6Options, uppyMajor, uppyOptions } from '../../../src/uppy/index.js'
import { committed, fakeHandler, fakeUppy, MP_GRANT, POST_GRANT, PUT_GRANT, refusal, sha256 } from './fake.js'

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47])
const BIG = new Uint8Array(13).map((_, i) => i) // 3 parts of 5, 5 and 3 bytes (MP_GRANT.partSize 5)

function setup(version: '5.2.0' | '6.3.1', routes: Parameters<typeof fakeHandler>[0], extra: Record<string, unknown> = {}) {
  const fake = fakeUppy(version)
  const handler = fakeHandler(routes)
  const options = uppyOptions({ uppy: fake.uppy, endpoint: 'https://app.test/uploads/', fetch: handler.fetch, headers: { authorization: 'Bearer t' }, ...extra })
  return { fake, handler, options }
}

describe('uppyOptions: the major from Uppy.VERSION', () => {
  it.each([
    ['5.2.0', 5, 'getUploadParameters'],
    ['6.3.1', 6, 'signRequest'],
  ] as const)('Uppy %s → the Uppy %s options (%s)', (version, major, callback) => {
    const fake = fakeUppy(version)
    expect(uppyMajor(fake.uppy)).toBe(major)
    expect(uppyOptions({ uppy: fake.uppy, endpoint: '/uploads' })).toHaveProperty(callback)
  })
  it.each(['4.13.0', '7.0.0', undefined])('Uppy %s: INVALID_CONFIG naming both explicit functions', (version) => {
    const fake = fakeUppy(version as string)
    expect(() => uppyOptions({ uppy: fake.uppy, endpoint: '/uploads' })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringMatching(/uppy5Options\(\) or uppy6Options\(\)/) }))
  })
  it('no uppy, or no endpoint: INVALID_CONFIG when the options are made', () => {
    expect(() => uppy6Options({ uppy: {} as never, endpoint: '/uploads' })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }))
    expect(() => uppy6Options({ uppy: fakeUppy('6.3.1').uppy, endpoint: '' })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringMatching(/endpoint/) }))
  })
})

describe('Uppy 6: signRequest', () => {
  it('PUT: one grant before the upload (with the caller headers), the grant headers less content-length, the handler completes the final key', async () => {
    const { fake, handler, options } = setup('6.3.1', { grant: () => ({ json: PUT_GRANT }), complete: () => committed(PUT_GRANT.key) })
    const o = options as ReturnType<typeof uppy6Options>
    const file = fake.add('f1', PNG)
    expect(o.generateObjectKey(file)).toBe('f1')
    await fake.preprocess(['f1'])
    expect(handler.routes('grant')).toEqual([{ route: 'grant', body: { filename: 'photo.png', contentType: 'image/png', size: 4 }, headers: { authorization: 'Bearer t', 'content-type': 'application/json' } }])
    expect(o.shouldUseMultipart(file)).toBe(false)
    const signed = await o.signRequest({ method: 'PUT', key: 'f1', contentType: 'image/png' })
    expect(signed).toEqual({ url: PUT_GRANT.url, key: PUT_GRANT.key, headers: { 'content-type': 'image/png', 'if-none-match': '*', 'x-amz-checksum-sha256': 'AAAA' } })
    expect(handler.routes('grant')).toHaveLength(1) // the pre-processor's grant, not a second one
    await fake.postprocess(['f1'])
    expect(handler.routes('complete').map((c) => c.body)).toEqual([{ key: 'uploads/final.png' }])
    expect(fake.files.get('f1')).toMatchObject({ error: null, response: { status: 200, body: { key: 'uploads/final.png', state: 'committed' } }, uploadURL: 'https://app.test/uploads/download?key=uploads%2Ffinal.png' })
    expect(fake.emitted.map((e) => e.event)).toEqual(['postprocess-progress', 'postprocess-complete'])
  })

  it('POST: the fields (quarantine key included) go to Uppy; the completion and the file name only the final key', async () => {
    const { fake, handler, options } = setup('6.3.1', { grant: () => ({ json: POST_GRANT }), complete: () => committed(POST_GRANT.key) })
    const o = options as ReturnType<typeof uppy6Options>
    fake.add('f1', PNG)
    await fake.preprocess(['f1'])
    expect(await o.signRequest({ method: 'PUT', key: 'f1' })).toEqual({ url: POST_GRANT.url, fields: POST_GRANT.fields })
    // What Uppy 6 itself reports for a POST: fields.key, the quarantine key.
    fake.uppy.setFileState('f1', { response: { status: 200, body: { key: 'quarantine/final.png' }, uploadURL: 'https://s3.test/bucket/quarantine/final.png' }, uploadURL: 'https://s3.test/bucket/quarantine/final.png' })
    await fake.postprocess(['f1'])
    expect(handler.routes('complete').map((c) => c.body)).toEqual([{ key: 'uploads/final.png' }])
    expect(JSON.stringify(fake.files.get('f1'))).not.toContain('quarantine/')
  })

  it('a 412 from S3 on a create-once PUT (a retry after a lost response): completed, and the file no longer failed', async () => {
    const { fake, handler, options } = setup('6.3.1', { grant: () => ({ json: PUT_GRANT }), complete: () => committed(PUT_GRANT.key) })
    const file = fake.add('f1', PNG)
    await fake.preprocess(['f1'])
    await (options as ReturnType<typeof uppy6Options>).signRequest({ method: 'PUT', key: 'f1' })
    fake.uppy.emit('upload-error', file, Object.assign(new Error('S3 returned 412 – PreconditionFailed'), { name: 'S3ServiceError', status: 412 }))
    expect(fake.files.get('f1')?.error).toMatch(/412/)
    await fake.postprocess(['f1'])
    expect(handler.routes('complete')).toHaveLength(1)
    expect(fake.files.get('f1')).toMatchObject({ error: null, response: { body: { state: 'committed' } }, progress: { uploadComplete: true, percentage: 100 } })
  })

  it.each([
    ['403', { name: 'S3ServiceError', status: 403 }],
    ['412 on a grant without If-None-Match', { name: 'S3ServiceError', status: 412 }],
  ])('a failed upload (%s) stays failed: no completion', async (label, error) => {
    const grant = label.includes('without') ? { ...PUT_GRANT, headers: { 'content-type': 'image/png' } } : PUT_GRANT
    const { fake, handler } = setup('6.3.1', { grant: () => ({ json: grant }), complete: () => committed(PUT_GRANT.key) })
    const file = fake.add('f1', PNG)
    await fake.preprocess(['f1'])
    fake.uppy.emit('upload-error', file, Object.assign(new Error('S3 says no'), error))
    await fake.postprocess(['f1'])
    expect(handler.routes('complete')).toEqual([])
    expect(fake.files.get('f1')?.error).toBe('S3 says no')
  })

  it.each([
    [422, 'CONTENT_MISMATCH'],
    [409, 'UPLOAD_MISSING'],
    [503, 'STORE_UNAVAILABLE'],
  ])('the handler refuses the completion (%s %s): the file fails with that code and status', async (status, code) => {
    const { fake } = setup('6.3.1', { grant: () => ({ json: PUT_GRANT }), complete: () => refusal(status, code) })
    fake.add('f1', PNG)
    await fake.preprocess(['f1'])
    await fake.postprocess(['f1'])
    const failed = fake.files.get('f1')!
    expect(failed.error).toBe(`${code} refusal`) // the handler's message, and nothing appended ("[object Object]")
    expect(failed.response).toEqual({ status, body: { name: 'SafePresignError', code, message: `${code} refusal`, details: { key: 'uploads/x' } } })
    const error = fake.emitted.find((e) => e.event === 'upload-error')?.args[1]
    expect(error).toMatchObject({ name: 'SafePresignError', code })
    expect(error.details).toBeUndefined()
  })

  it('a refused grant reaches Uppy through signRequest with its code; the next upload asks for a new grant', async () => {
    const { fake, handler, options } = setup('6.3.1', { grant: (_b, n) => (n === 1 ? refusal(429, 'TOO_MANY_PENDING') : { json: PUT_GRANT }) })
    const o = options as ReturnType<typeof uppy6Options>
    fake.add('f1', PNG)
    await fake.preprocess(['f1'])
    await expect(o.signRequest({ method: 'PUT', key: 'f1' })).rejects.toMatchObject({ code: 'TOO_MANY_PENDING', failure: { status: 429 } })
    await fake.preprocess(['f1'])
    await expect(o.signRequest({ method: 'PUT', key: 'f1' })).resolves.toMatchObject({ key: PUT_GRANT.key })
    expect(handler.routes('grant')).toHaveLength(2)
  })

  it('a builder that requires the SHA-256: learned from CHECKSUM_REQUIRED, asked once more with the digest of the file', async () => {
    const { fake, handler } = setup('6.3.1', {
      grant: (body) => (body.checksum ? { json: PUT_GRANT } : refusal(400, 'CHECKSUM_REQUIRED', '`checksum` is undefined; this builder requires the base64 sha256 digest of the file')),
    })
    fake.add('f1', PNG)
    await fake.preprocess(['f1'])
    expect(handler.routes('grant').map((c) => c.body.checksum)).toEqual([undefined, sha256(PNG)])
  })

  it('checksum "md5" without an md5 function: CHECKSUM_REQUIRED saying what to pass; with one, its digest is sent', async () => {
    const routes = { grant: () => ({ json: PUT_GRANT }) }
    const a = setup('6.3.1', routes, { checksum: 'md5' })
    a.fake.add('f1', PNG)
    await a.fake.preprocess(['f1'])
    await expect((a.options as ReturnType<typeof uppy6Options>).signRequest({ method: 'PUT', key: 'f1' })).rejects.toMatchObject({ code: 'CHECKSUM_REQUIRED', message: expect.stringMatching(/`md5`/) })
    const b = setup('6.3.1', routes, { checksum: 'md5', md5: async () => 'MD5BASE64' })
    b.fake.add('f1', PNG)
    await b.fake.preprocess(['f1'])
    expect(b.handler.routes('grant')[0]?.body.checksum).toBe('MD5BASE64')
  })

  it('multipart: asked for by shouldUseMultipart; create, complete and abort answered with data: URLs, parts signed with the SHA-256 of their slice', async () => {
    const { fake, handler, options } = setup(
      '6.3.1',
      {
        grant: () => ({ json: MP_GRANT }),
        parts: (body) => ({ json: { parts: body.parts.map((p: { partNumber: number }) => ({ partNumber: p.partNumber, url: `https://s3.test/p${p.partNumber}`, headers: { 'content-length': '5', 'x-amz-checksum-sha256': 'x' }, expiresAt: 1 })) } }),
        complete: () => committed(MP_GRANT.key),
        abort: () => ({ json: { key: MP_GRANT.key, state: 'rejected' } }),
      },
      { shouldUseMultipart: () => true },
    )
    const o = options as ReturnType<typeof uppy6Options>
    const file = fake.add('big', BIG)
    await fake.preprocess(['big'])
    expect(handler.routes('grant')[0]?.body).toMatchObject({ multipart: true, size: 13 })
    expect(o.shouldUseMultipart(file)).toBe(true)
    expect(o.getChunkSize({ size: 13 })).toBe(5)

    const created = await o.signRequest({ method: 'POST', key: 'big' })
    expect(created.key).toBe(MP_GRANT.key)
    expect(decodeURIComponent(created.url)).toBe('data:application/xml;charset=utf-8,<InitiateMultipartUploadResult><Key>uploads/big.png</Key><UploadId>2~abc</UploadId></InitiateMultipartUploadResult>')

    for (const partNumber of [1, 3]) {
      expect(await o.signRequest({ method: 'PUT', key: MP_GRANT.key, uploadId: '2~abc', partNumber })).toEqual({ url: `https://s3.test/p${partNumber}`, headers: { 'x-amz-checksum-sha256': 'x' } })
    }
    expect(handler.routes('parts').map((c) => c.body)).toEqual([
      { key: MP_GRANT.key, uploadId: '2~abc', parts: [{ partNumber: 1, checksum: sha256(BIG.slice(0, 5)) }] },
      { key: MP_GRANT.key, uploadId: '2~abc', parts: [{ partNumber: 3, checksum: sha256(BIG.slice(10, 13)) }] },
    ])

    const completion = await o.signRequest({ method: 'POST', key: MP_GRANT.key, uploadId: '2~abc' })
    expect(decodeURIComponent(completion.url)).toContain('<Key>uploads/big.png</Key>')
    expect(handler.routes('complete')).toEqual([]) // not yet: the post-processor completes
    await fake.postprocess(['big'])
    expect(handler.routes('complete').map((c) => c.body)).toEqual([{ key: MP_GRANT.key, uploadId: '2~abc' }])

    await expect(o.signRequest({ method: 'PUT', key: MP_GRANT.key, uploadId: 'other', partNumber: 1 })).rejects.toMatchObject({ code: 'INVALID_REQUEST' })
    await expect(o.signRequest({ method: 'DELETE', key: 'uploads/big.png' })).rejects.toMatchObject({ code: 'INVALID_REQUEST' })
  })

  it('multipart abort goes to the handler, and the file gets a new grant next time', async () => {
    const { fake, handler, options } = setup('6.3.1', { grant: () => ({ json: MP_GRANT }), abort: () => ({ json: { key: MP_GRANT.key, state: 'rejected' } }) }, { shouldUseMultipart: () => true })
    const o = options as ReturnType<typeof uppy6Options>
    fake.add('big', BIG)
    await fake.preprocess(['big'])
    await o.signRequest({ method: 'POST', key: 'big' })
    await o.signRequest({ method: 'DELETE', key: MP_GRANT.key, uploadId: '2~abc' })
    expect(handler.routes('abort').map((c) => c.body)).toEqual([{ key: MP_GRANT.key, uploadId: '2~abc' }])
    await fake.postprocess(['big'])
    expect(handler.routes('complete')).toEqual([])
  })
})

describe('Uppy 5: getUploadParameters and the multipart callbacks', () => {
  it('PUT and POST parameters from the grant; POST keeps its fields, the completion uses the final key', async () => {
    for (const grant of [PUT_GRANT, POST_GRANT]) {
      const { fake, handler, options } = setup('5.2.0', { grant: () => ({ json: grant }), complete: () => committed(grant.key) })
      const o = options as ReturnType<typeof uppy5Options>
      const file = fake.add('f1', PNG)
      await fake.preprocess(['f1'])
      expect(o.shouldUseMultipart(file)).toBe(false)
      const params = await o.getUploadParameters(file)
      if (grant.kind === 'put') expect(params).toEqual({ method: 'PUT', url: PUT_GRANT.url, headers: { 'content-type': 'image/png', 'if-none-match': '*', 'x-amz-checksum-sha256': 'AAAA' } })
      else expect(params).toEqual({ method: 'POST', url: POST_GRANT.url, fields: POST_GRANT.fields, headers: {} })
      fake.uppy.setFileState('f1', { s3Multipart: { key: 'quarantine/final.png' } })
      await fake.postprocess(['f1'])
      expect(handler.routes('complete').map((c) => c.body)).toEqual([{ key: 'uploads/final.png' }])
      expect(JSON.stringify(fake.files.get('f1'))).not.toContain('quarantine/')
    }
  })

  it('multipart: the part body is hashed for signPart; listParts maps to Uppy 5 names; completeMultipartUpload does not call anything', async () => {
    const { fake, handler, options } = setup(
      '5.2.0',
      {
        grant: () => ({ json: MP_GRANT }),
        parts: (body) => ({ json: { parts: [{ partNumber: body.parts[0].partNumber, url: 'https://s3.test/p', headers: { 'content-length': '5' }, expiresAt: 1 }] } }),
        'parts/list': () => ({ json: { ...MP_GRANT, parts: [{ partNumber: 1, size: 5, etag: '"e1"' }] } }),
        complete: () => committed(MP_GRANT.key),
      },
      { shouldUseMultipart: () => true },
    )
    const o = options as ReturnType<typeof uppy5Options>
    const file = fake.add('big', BIG)
    await fake.preprocess(['big'])
    expect(o.shouldUseMultipart(file)).toBe(true)
    expect(o.getChunkSize(file.data)).toBe(5)
    expect(await o.createMultipartUpload(file)).toEqual({ uploadId: '2~abc', key: MP_GRANT.key })
    const body = new Blob([BIG.slice(5, 10)])
    expect(await o.signPart(file, { uploadId: '2~abc', key: MP_GRANT.key, partNumber: 2, body })).toEqual({ method: 'PUT', url: 'https://s3.test/p', headers: {} })
    expect(handler.routes('parts')[0]?.body).toEqual({ key: MP_GRANT.key, uploadId: '2~abc', parts: [{ partNumber: 2, checksum: sha256(BIG.slice(5, 10)) }] })
    expect(await o.listParts(file, { uploadId: '2~abc', key: MP_GRANT.key })).toEqual([{ PartNumber: 1, Size: 5, ETag: '"e1"' }])
    const before = handler.calls.length
    expect(await o.completeMultipartUpload(file, { uploadId: '2~abc', key: MP_GRANT.key })).toEqual({ key: MP_GRANT.key })
    expect(handler.calls.length).toBe(before)
    await expect(o.signPart(file, { uploadId: '2~abc', key: 'uploads/other.png', partNumber: 1, body })).rejects.toMatchObject({ code: 'INVALID_REQUEST' })
    await fake.postprocess(['big'])
    expect(handler.routes('complete').map((c) => c.body)).toEqual([{ key: MP_GRANT.key, uploadId: '2~abc' }])
  })

  it('getUploadParameters for a file granted multipart (Uppy 5 sends 5 MiB or less in one request): INVALID_REQUEST saying so', async () => {
    const { fake, options } = setup('5.2.0', { grant: () => ({ json: MP_GRANT }) }, { shouldUseMultipart: () => true })
    const file = fake.add('small', PNG)
    await fake.preprocess(['small'])
    await expect((options as ReturnType<typeof uppy5Options>).getUploadParameters(file)).rejects.toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringMatching(/5 MiB/) })
  })

  it('an expiring PUT grant is asked for again when Uppy gets to the file', async () => {
    const { fake, handler, options } = setup('5.2.0', { grant: (_b, n) => ({ json: { ...PUT_GRANT, url: `https://s3.test/${n}`, expiresAt: n === 1 ? Date.now() + 1_000 : Date.now() + 300_000 } }) })
    const file = fake.add('f1', PNG)
    await fake.preprocess(['f1'])
    expect(await (options as ReturnType<typeof uppy5Options>).getUploadParameters(file)).toMatchObject({ url: 'https://s3.test/2' })
    expect(handler.routes('grant')).toHaveLength(2)
  })
})
