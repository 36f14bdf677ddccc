// Every bad request the handler refuses before a builder sees it: each answer's status and typed body.
import { describe, expect, it } from 'vitest'
import { ERROR_STATUS } from '../../../src/handler/index.js'
import { T } from '../core/fixtures.js'
import { handlerWorld, refusal } from './setup.js'

const GRANT = { contentType: 'image/png', size: 10 }

/** A body stream that records whether anything pulled from it, and whether it was cancelled. */
function watchedStream(chunk: Uint8Array, times = Infinity) {
  const seen = { pulls: 0, cancelled: false }
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (seen.pulls++ >= times) controller.close()
      else controller.enqueue(chunk)
    },
    cancel() {
      seen.cancelled = true
    },
  })
  return { stream, seen }
}

describe('request bodies', () => {
  it.each([
    ['text/plain', 'text/plain'],
    ['a urlencoded form', 'application/x-www-form-urlencoded'],
    ['a multipart form', 'multipart/form-data; boundary=x'],
    ['a JSON lookalike', 'application/json-patch+json'],
    ['JSON in another charset', 'application/json; charset=iso-8859-1'],
  ])('refuses %s with 415 UNSUPPORTED_MEDIA_TYPE, before reading the body', async (_, type) => {
    const w = handlerWorld()
    const { stream, seen } = watchedStream(new TextEncoder().encode(JSON.stringify(GRANT)), 1)
    const res = await w.call('POST', '/uploads/grant', { user: 'alice', body: stream, headers: { 'content-type': type } })
    expect(res).toMatchObject(refusal(415, 'UNSUPPORTED_MEDIA_TYPE'))
    // Anything pulled beyond the stream's own start would be the handler reading it.
    expect(seen.pulls).toBeLessThanOrEqual(1)
    // Nothing was granted: the next grant gets the first generated id.
    const next = await w.call('POST', '/uploads/grant', { user: 'alice', json: GRANT })
    expect(next.body.key).toBe('uploads/00000000-0000-4000-8000-000000000001.png')
  })

  it('refuses a body with no Content-Type', async () => {
    const w = handlerWorld()
    const res = await w.call('POST', '/uploads/grant', { user: 'alice', body: new Blob([JSON.stringify(GRANT)]) })
    expect(res).toMatchObject(refusal(415, 'UNSUPPORTED_MEDIA_TYPE'))
  })

  it('takes application/json with a UTF-8 charset, in any case', async () => {
    const w = handlerWorld()
    for (const type of ['application/json; charset=utf-8', 'Application/JSON;charset="UTF-8"']) {
      const res = await w.call('POST', '/uploads/grant', { user: 'alice', body: JSON.stringify(GRANT), headers: { 'content-type': type } })
      expect({ type, status: res.status }).toEqual({ type, status: 200 })
    }
  })

  it('refuses a declared Content-Length over the cap with 413 BODY_TOO_LARGE', async () => {
    const w = handlerWorld({ handler: { maxBodyBytes: 1000 } })
    const { stream, seen } = watchedStream(new Uint8Array(100))
    const res = await w.call('POST', '/uploads/grant', { user: 'alice', body: stream, headers: { 'content-type': 'application/json', 'content-length': '1001' } })
    expect(res).toMatchObject(refusal(413, 'BODY_TOO_LARGE'))
    expect(res.body.details).toEqual({ limit: 1000 })
    expect(seen.pulls).toBeLessThanOrEqual(1)
  })

  it('stops reading an endless body without Content-Length at the cap: 413, the stream cancelled', async () => {
    const w = handlerWorld()
    const { stream, seen } = watchedStream(new Uint8Array(4096).fill(0x20))
    const res = await w.call('POST', '/uploads/grant', { user: 'alice', body: stream, headers: { 'content-type': 'application/json' } })
    expect(res).toMatchObject(refusal(413, 'BODY_TOO_LARGE'))
    expect(res.body.details).toEqual({ limit: 64 * 1024 })
    expect(seen.cancelled).toBe(true)
    // 64 KiB in 4 KiB chunks: the 17th chunk crosses the cap (plus the one the stream queues ahead).
    expect(seen.pulls).toBeLessThanOrEqual(18)
  })

  it('takes a body of exactly maxBodyBytes', async () => {
    const w = handlerWorld({ handler: { maxBodyBytes: 200 } })
    const json = JSON.stringify(GRANT)
    const body = json + ' '.repeat(200 - json.length)
    expect((await w.call('POST', '/uploads/grant', { user: 'alice', body, headers: { 'content-type': 'application/json' } })).status).toBe(200)
    expect((await w.call('POST', '/uploads/grant', { user: 'alice', body: body + ' ', headers: { 'content-type': 'application/json' } })).status).toBe(413)
  })

  it.each([
    ['malformed JSON', '{"contentType": "image/png",'],
    ['an empty body', ''],
    ['a JSON array', '[1,2]'],
    ['a JSON string', '"grant"'],
    ['null', 'null'],
    ['invalid UTF-8', new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])],
  ])('refuses %s with 400 INVALID_REQUEST, without echoing it', async (_, body) => {
    const w = handlerWorld()
    const res = await w.call('POST', '/uploads/grant', { user: 'alice', body, headers: { 'content-type': 'application/json' } })
    expect(res).toMatchObject(refusal(400, 'INVALID_REQUEST'))
    expect(res.body.message).not.toContain('contentType')
  })
})

describe('fields', () => {
  it.each([
    ['no contentType', { size: 10 }, 'contentType'],
    ['a numeric contentType', { contentType: 7, size: 10 }, 'contentType'],
    ['size as a string', { contentType: 'image/png', size: '10' }, 'size'],
    ['multipart as a string', { contentType: 'image/png', size: 10, multipart: 'yes' }, 'multipart'],
    ['a filename object', { contentType: 'image/png', size: 10, filename: { name: 'a' } }, 'filename'],
    ['multipart on a builder without it', { contentType: 'image/png', size: 10, multipart: true }, 'multipart'],
  ])('grant: %s → 400 INVALID_REQUEST naming the field', async (_, json, field) => {
    const w = handlerWorld()
    const res = await w.call('POST', '/uploads/grant', { user: 'alice', json })
    expect(res).toMatchObject(refusal(400, 'INVALID_REQUEST'))
    expect(res.body.details.option).toBe(field)
  })

  it.each([
    ['/parts', { key: 'uploads/x.png', uploadId: '1', parts: 'all' }, 'parts'],
    ['/parts', { key: 'uploads/x.png', uploadId: '1', parts: [7] }, 'parts[0]'],
    ['/parts', { key: 'uploads/x.png', uploadId: '1', parts: [{ partNumber: '1' }] }, 'parts[0].partNumber'],
    ['/parts', { key: 'uploads/x.png', uploadId: '1', parts: [{ partNumber: 1, checksum: 5 }] }, 'parts[0].checksum'],
    ['/parts/list', { key: 'uploads/x.png' }, 'uploadId'],
    ['/abort', { uploadId: '1' }, 'key'],
    ['/complete', {}, 'key'],
    ['/complete', { key: 'uploads/x.png', uploadId: 9 }, 'uploadId'],
  ])('%s %j → 400 INVALID_REQUEST naming %s', async (path, json, field) => {
    const w = handlerWorld({ upload: { multipart: true } })
    const res = await w.call('POST', `/uploads${path}`, { user: 'alice', json })
    expect(res).toMatchObject(refusal(400, 'INVALID_REQUEST'))
    expect(res.body.details.option).toBe(field)
  })

  it('download: no key → 400 INVALID_REQUEST; a key outside the prefix → 400 INVALID_KEY', async () => {
    const w = handlerWorld()
    expect(await w.call('GET', '/uploads/download', { user: 'alice' })).toMatchObject(refusal(400, 'INVALID_REQUEST'))
    expect(await w.call('GET', '/uploads/download?key=etc/passwd', { user: 'alice' })).toMatchObject(refusal(400, 'INVALID_KEY'))
  })
})

describe('routing', () => {
  it.each(['/uploads/nope', '/uploads/grant/', '/uploads', '/other/grant', '/uploadsgrant', '/uploads/parts/list/x'])('%s → 404 ROUTE_NOT_FOUND', async (path) => {
    const w = handlerWorld()
    expect(await w.call('POST', path, { user: 'alice', json: GRANT })).toMatchObject(refusal(404, 'ROUTE_NOT_FOUND'))
  })

  it('answers /download with 404 ROUTE_NOT_FOUND when the handler has no downloads', async () => {
    const w = handlerWorld({ download: false })
    expect(await w.call('GET', '/uploads/download?key=uploads/x.png', { user: 'alice' })).toMatchObject(refusal(404, 'ROUTE_NOT_FOUND'))
  })

  it.each([
    ['GET', '/uploads/grant', 'POST'],
    ['PUT', '/uploads/complete', 'POST'],
    ['DELETE', '/uploads/abort', 'POST'],
    ['OPTIONS', '/uploads/parts', 'POST'],
    ['POST', '/uploads/download', 'GET'],
    ['HEAD', '/uploads/download', 'GET'],
  ])('%s %s → 405 METHOD_NOT_ALLOWED with Allow: %s', async (method, path, allow) => {
    const w = handlerWorld()
    const res = await w.call(method, path, { user: 'alice' })
    expect(res.status).toBe(405)
    expect(res.headers.get('allow')).toBe(allow)
    if (method !== 'HEAD') expect(res.body).toMatchObject({ name: 'SafePresignError', code: 'METHOD_NOT_ALLOWED' })
  })
})

describe('who is asking', () => {
  it('no user → 401 UNAUTHENTICATED, on every route, before the body is read', async () => {
    const w = handlerWorld()
    for (const [method, path] of [['POST', '/uploads/grant'], ['POST', '/uploads/parts'], ['POST', '/uploads/parts/list'], ['POST', '/uploads/complete'], ['POST', '/uploads/abort'], ['GET', '/uploads/download?key=uploads/x.png']]) {
      const res = await w.call(method!, path!, method === 'POST' ? { body: '{not json', headers: { 'content-type': 'application/json' } } : {})
      expect({ path, ...res, headers: undefined }).toMatchObject({ path, ...refusal(401, 'UNAUTHENTICATED') })
    }
  })

  it('treats an empty user id and undefined as no user', async () => {
    for (const id of ['', undefined]) {
      const w = handlerWorld({ handler: { authenticate: () => id } })
      expect(await w.call('POST', '/uploads/grant', { json: GRANT })).toMatchObject(refusal(401, 'UNAUTHENTICATED'))
    }
  })

  it('awaits an async authenticate()', async () => {
    const w = handlerWorld({ handler: { authenticate: async () => 'carol' } })
    const res = await w.call('POST', '/uploads/grant', { json: GRANT })
    expect((await w.store.get(res.body.key, T))?.owner).toBe('carol')
  })

  it('refuses a foreign Origin with 403 ORIGIN_NOT_ALLOWED; takes a listed one and none', async () => {
    const w = handlerWorld({ handler: { allowedOrigins: ['https://app.example.com'] } })
    expect(await w.call('POST', '/uploads/grant', { user: 'alice', json: GRANT, headers: { origin: 'https://evil.example' } })).toMatchObject(refusal(403, 'ORIGIN_NOT_ALLOWED'))
    expect(await w.call('GET', '/uploads/download?key=uploads/x.png', { user: 'alice', headers: { origin: 'null' } })).toMatchObject(refusal(403, 'ORIGIN_NOT_ALLOWED'))
    expect((await w.call('POST', '/uploads/grant', { user: 'alice', json: GRANT, headers: { origin: 'https://app.example.com' } })).status).toBe(200)
    expect((await w.call('POST', '/uploads/grant', { user: 'alice', json: GRANT })).status).toBe(200)
  })
})

describe('createUploadHandler() options', () => {
  it.each([
    ['a basePath without a leading slash', { basePath: 'uploads' }, 'basePath'],
    ['a basePath with a query', { basePath: '/up?x=1' }, 'basePath'],
    ['an origin with a trailing slash', { allowedOrigins: ['https://app.example.com/'] }, 'allowedOrigins'],
    ['an origin with a path', { allowedOrigins: ['https://app.example.com/app'] }, 'allowedOrigins'],
    ['a zero maxBodyBytes', { maxBodyBytes: 0 }, 'maxBodyBytes'],
    ['no authenticate', { authenticate: undefined }, 'authenticate'],
    ['no uploads', { uploads: undefined }, 'uploads'],
  ])('throws INVALID_CONFIG for %s', (_, options, option) => {
    let error: any
    try {
      handlerWorld({ handler: options as never })
    } catch (e) {
      error = e
    }
    expect(error).toMatchObject({ name: 'SafePresignError', code: 'INVALID_CONFIG', details: { option } })
    expect(ERROR_STATUS[error.code as 'INVALID_CONFIG']).toBe(500)
  })
})
