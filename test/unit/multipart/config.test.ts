// The `multipart` option and what it changes about maxSize: checked once, when the builder is
// created (INVALID_CONFIG naming the option), and per request (a single PUT still holds 5 GiB).
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DEFAULT_MULTIPART_THRESHOLD_BYTES, DEFAULT_MULTIPART_TTL_SECONDS, DEFAULT_PART_SIZE_BYTES, MAX_OBJECT_SIZE_BYTES, MAX_PRESIGNED_EXPIRY_SECONDS, MAX_PUT_SIZE_BYTES } from '../../../src/limits.js'
import { failure, thrown } from '../core/fixtures.js'
import { GiB, MiB, TiB, world, type World } from './setup.js'

let w: World
beforeEach(() => (w = world()))
afterEach(() => w.s3.restore())

describe('`multipart` resolves to the plan defaults', () => {
  it.each([
    { name: 'true', multipart: true, resolved: { partSize: DEFAULT_PART_SIZE_BYTES, threshold: DEFAULT_MULTIPART_THRESHOLD_BYTES, expiresIn: DEFAULT_MULTIPART_TTL_SECONDS } },
    { name: '{}', multipart: {}, resolved: { partSize: 8 * MiB, threshold: 100 * MiB, expiresIn: 86_400 } },
    { name: '{ partSize: 16 MiB }', multipart: { partSize: 16 * MiB }, resolved: { partSize: 16 * MiB, threshold: 100 * MiB, expiresIn: 86_400 } },
    { name: 'every option', multipart: { partSize: 5 * MiB, threshold: 5 * GiB, expiresIn: 3600 }, resolved: { partSize: 5 * MiB, threshold: 5 * GiB, expiresIn: 3600 } },
    { name: 'the largest part and lifetime', multipart: { partSize: 5 * GiB, expiresIn: MAX_PRESIGNED_EXPIRY_SECONDS }, resolved: { partSize: 5 * GiB, threshold: 100 * MiB, expiresIn: 604_800 } },
  ])('$name', ({ multipart, resolved }) => {
    expect(w.uploader({ multipart }).config.multipart).toEqual(resolved)
  })

  it.each([{ multipart: false }, { multipart: undefined }])('multipart: $multipart → none, and maxSize stays at most 5 GiB', ({ multipart }) => {
    expect(w.uploader({ multipart, maxSize: 5 * GiB }).config.multipart).toBeUndefined()
  })
})

describe('bad `multipart` values → INVALID_CONFIG naming the option', () => {
  it.each([
    { name: 'a string', multipart: 'yes', option: 'multipart', says: ['`multipart`', '"yes"', 'boolean or { partSize?, threshold?, expiresIn? }'] },
    { name: 'a number', multipart: 1, option: 'multipart', says: ['`multipart`'] },
    { name: 'null', multipart: null, option: 'multipart', says: ['`multipart`', 'null'] },
    { name: 'partSize under 5 MiB', multipart: { partSize: 5 * MiB - 1 }, option: 'multipart.partSize', says: ['`multipart.partSize`', '5242879', '5242880 (5 MiB)'] },
    { name: 'partSize over 5 GiB', multipart: { partSize: 5 * GiB + 1 }, option: 'multipart.partSize', says: ['`multipart.partSize`', '5368709121', '5368709120 (5 GiB)'] },
    { name: 'partSize a fraction', multipart: { partSize: 8 * MiB + 0.5 }, option: 'multipart.partSize', says: ['`multipart.partSize`'] },
    { name: 'partSize a string', multipart: { partSize: '8MiB' }, option: 'multipart.partSize', says: ['`multipart.partSize`', '"8MiB"'] },
    { name: 'threshold 0', multipart: { threshold: 0 }, option: 'multipart.threshold', says: ['`multipart.threshold`', 'above 0'] },
    { name: 'threshold negative', multipart: { threshold: -1 }, option: 'multipart.threshold', says: ['`multipart.threshold`'] },
    { name: 'threshold above a single PUT', multipart: { threshold: 5 * GiB + 1 }, option: 'multipart.threshold', says: ['`multipart.threshold`', '5368709120', "single PUT's limit"] },
    { name: 'expiresIn 0', multipart: { expiresIn: 0 }, option: 'multipart.expiresIn', says: ['`multipart.expiresIn`', 'above 0'] },
    { name: 'expiresIn a fraction', multipart: { expiresIn: 1.5 }, option: 'multipart.expiresIn', says: ['`multipart.expiresIn`', '1.5'] },
    { name: 'expiresIn above 7 days', multipart: { expiresIn: MAX_PRESIGNED_EXPIRY_SECONDS + 1 }, option: 'multipart.expiresIn', says: ['`multipart.expiresIn`', '604801', '604800 s (7 days)'] },
  ])('$name', ({ multipart, option, says }) => {
    const error = thrown(() => w.uploader({ multipart: multipart as never }))
    expect(error.code).toBe('INVALID_CONFIG')
    expect(error.details?.option).toBe(option)
    for (const s of says) expect(error.message).toContain(s)
  })
})

describe('maxSize: 5 GiB for a single PUT, 5 TiB with multipart', () => {
  it.each([
    { maxSize: 5 * GiB + 1, multipart: false, ok: false, limit: MAX_PUT_SIZE_BYTES },
    { maxSize: 6 * GiB, multipart: false, ok: false, limit: MAX_PUT_SIZE_BYTES },
    { maxSize: 6 * GiB, multipart: true, ok: true },
    { maxSize: 5 * TiB, multipart: true, ok: true },
    { maxSize: 5 * TiB + 1, multipart: true, ok: false, limit: MAX_OBJECT_SIZE_BYTES },
    { maxSize: 5 * TiB + 1, multipart: false, ok: false, limit: MAX_PUT_SIZE_BYTES },
  ])('maxSize $maxSize with multipart: $multipart → ok: $ok', ({ maxSize, multipart, ok, limit }) => {
    if (ok) {
      expect(w.uploader({ maxSize, multipart }).config.maxSize).toBe(maxSize)
      return
    }
    const error = thrown(() => w.uploader({ maxSize, multipart }))
    expect(error.code).toBe('INVALID_CONFIG')
    expect(error.details).toMatchObject({ option: 'maxSize', value: maxSize, limit })
    expect(error.message).toContain(String(limit))
  })

  it('with multipart and maxSize 6 GiB: a single PUT of 6 GiB is FILE_TOO_LARGE at 5 GiB, createMultipart of 6 GiB is planned', async () => {
    const up = w.uploader({ maxSize: 6 * GiB })
    const put = await failure(up.presign({ owner: 'alice', contentType: 'image/png', size: 6 * GiB }))
    expect(put.code).toBe('FILE_TOO_LARGE')
    expect(put.details).toMatchObject({ option: 'size', value: 6 * GiB, limit: MAX_PUT_SIZE_BYTES })
    expect(put.message).toContain('5368709120 bytes (5 GiB)')
    expect(put.message).toContain('createMultipart')
    // A single PUT of exactly 5 GiB is still fine.
    await expect(up.presign({ owner: 'alice', contentType: 'image/png', size: 5 * GiB })).resolves.toMatchObject({ method: 'PUT' })

    const created = await up.createMultipart({ owner: 'alice', contentType: 'image/png', size: 6 * GiB })
    expect(created).toMatchObject({ partSize: 8 * MiB, partCount: 768 })
    // The plan only: S3 was asked to create the upload, and nothing else happened.
    expect(w.s3.ops()).toEqual([`CreateMultipartUpload ${created.key}`])
    expect(w.s3.uploads.get(created.uploadId)?.parts.size).toBe(0)
  })

  it('createMultipart above maxSize → FILE_TOO_LARGE with the limit, nothing asked of S3', async () => {
    const error = await failure(w.uploader({ maxSize: 6 * GiB }).createMultipart({ owner: 'alice', contentType: 'image/png', size: 6 * GiB + 1 }))
    expect(error.code).toBe('FILE_TOO_LARGE')
    expect(error.details).toMatchObject({ option: 'size', limit: 6 * GiB })
    expect(w.s3.calls).toEqual([])
  })
})
