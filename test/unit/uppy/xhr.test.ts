// Uppy 5's uploadPartBytes as the adapter replaces it, over a fake XMLHttpRequest: what counts as stored.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { browserHeaders, uploadPartBytes } from '../../../src/uppy/xhr.js'

let answer: { status: number; headers: Record<string, string>; text: string } | 'network'
const sent: { method: string; url: string; headers: Record<string, string> }[] = []
class FakeXhr {
  status = 0
  responseText = ''
  responseType = ''
  #method = ''
  #url = ''
  #headers: Record<string, string> = {}
  #listeners: Record<string, () => void> = {}
  upload = { addEventListener: () => undefined }
  open(method: string, url: string) {
    this.#method = method
    this.#url = url
  }
  setRequestHeader(name: string, value: string) {
    this.#headers[name] = value
  }
  getResponseHeader(name: string) {
    return answer === 'network' ? null : (answer.headers[name.toLowerCase()] ?? null)
  }
  addEventListener(type: string, cb: () => void) {
    this.#listeners[type] = cb
  }
  abort() {}
  send() {
    sent.push({ method: this.#method, url: this.#url, headers: this.#headers })
    queueMicrotask(() => {
      if (answer === 'network') return this.#listeners.error?.()
      this.status = answer.status
      this.responseText = answer.text
      this.#listeners.load?.()
    })
  }
}
beforeEach(() => {
  sent.length = 0
  ;(globalThis as Record<string, unknown>).XMLHttpRequest = FakeXhr
})
afterEach(() => {
  delete (globalThis as Record<string, unknown>).XMLHttpRequest
})

const createOnce = { url: 'https://s3.test/k', method: 'PUT', headers: { 'content-type': 'image/png', 'content-length': '4', 'if-none-match': '*' } }
const body = new Blob([new Uint8Array(4)])

describe('uploadPartBytes (Uppy 5)', () => {
  it('sends the grant headers less content-length; 200 resolves with the ETag', async () => {
    answer = { status: 200, headers: { etag: '"e"' }, text: '' }
    await expect(uploadPartBytes({ signature: createOnce, body })).resolves.toEqual({ ETag: '"e"' })
    expect(sent).toEqual([{ method: 'PUT', url: 'https://s3.test/k', headers: { 'content-type': 'image/png', 'if-none-match': '*' } }])
  })
  it("a POST's 201 without an ETag header (RGW) resolves: Uppy 5's own never settles", async () => {
    answer = { status: 201, headers: {}, text: '<PostResponse><Key>quarantine/k</Key></PostResponse>' }
    await expect(uploadPartBytes({ signature: { url: 'https://s3.test/', method: 'POST' }, body })).resolves.toEqual({ ETag: '' })
  })
  it('412 on a create-once PUT resolves (the object is stored; complete verifies it)', async () => {
    answer = { status: 412, headers: {}, text: '<Error><Code>PreconditionFailed</Code></Error>' }
    await expect(uploadPartBytes({ signature: createOnce, body })).resolves.toEqual({ ETag: '' })
  })
  it.each([
    ['412 without If-None-Match', { ...createOnce, headers: { 'content-type': 'image/png' } }, 412, 'PreconditionFailed'],
    ['403', createOnce, 403, 'AccessDenied'],
    ['503', createOnce, 503, 'SlowDown'],
  ])('%s rejects with the status where Uppy 5 reads it (source.status) and the S3 code, never the URL', async (_label, signature, status, code) => {
    answer = { status, headers: {}, text: `<Error><Code>${code}</Code><Message>x</Message></Error>` }
    const error = (await uploadPartBytes({ signature, body }).then(
      () => undefined,
      (e: unknown) => e,
    )) as (Error & { source: { status: number } }) | undefined
    expect(error).toBeInstanceOf(Error)
    expect(error!.message).toBe(`S3 answered PUT with ${status} (${code})`)
    expect(error!.source.status).toBe(status)
  })
  it('a network or CORS failure rejects with status 0', async () => {
    answer = 'network'
    await expect(uploadPartBytes({ signature: createOnce, body })).rejects.toMatchObject({ source: { status: 0 } })
  })
  it('browserHeaders drops the headers a browser refuses to set, in any case', () => {
    expect(browserHeaders({ 'Content-Length': '4', host: 'h', 'x-amz-acl': 'private' })).toEqual({ 'x-amz-acl': 'private' })
  })
})
