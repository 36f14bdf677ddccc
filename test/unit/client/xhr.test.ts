// Where there is an XMLHttpRequest (browsers), S3 requests go through it for upload progress: the
// grant's headers less the forbidden ones, progress events passed on, onerror as "no response".
import { afterEach, describe, expect, it } from 'vitest'
import { MOST_LIKELY, uploadFile, type Progress } from '../../../src/client/index.js'
import { bytes, committed, ENDPOINT, fake, putGrant } from './fake.js'

type Outcome = { status: number } | 'error'
const sent: { method: string; url: string; headers: Record<string, string>; body: unknown }[] = []
let outcomes: Outcome[] = []

class FakeXhr {
  status = 0
  responseText = ''
  upload: { onprogress: ((e: { loaded: number }) => void) | null } = { onprogress: null }
  onload: (() => void) | null = null
  onerror: (() => void) | null = null
  onabort: (() => void) | null = null
  ontimeout: (() => void) | null = null
  private request = { method: '', url: '', headers: {} as Record<string, string>, body: undefined as unknown }
  open(method: string, url: string) {
    this.request.method = method
    this.request.url = url
  }
  setRequestHeader(name: string, value: string) {
    // What a browser does with a forbidden name: refuses it (Chromium logs "Refused to set unsafe header").
    if (name.toLowerCase() === 'content-length') throw new Error(`Refused to set unsafe header "${name}"`)
    this.request.headers[name] = value
  }
  send(body: unknown) {
    this.request.body = body
    sent.push(this.request)
    const outcome = outcomes.shift() ?? { status: 200 }
    setTimeout(() => {
      if (outcome === 'error') return this.onerror?.()
      for (const loaded of [3, 7, 10]) this.upload.onprogress?.({ loaded })
      this.status = outcome.status
      this.onload?.()
    })
  }
  abort() {
    this.onabort?.()
  }
}

describe('uploadFile through XMLHttpRequest', () => {
  afterEach(() => {
    delete (globalThis as { XMLHttpRequest?: unknown }).XMLHttpRequest
    sent.length = 0
    outcomes = []
  })

  it('PUTs the grant\'s headers without Content-Length and reports the XHR\'s upload progress', async () => {
    ;(globalThis as { XMLHttpRequest?: unknown }).XMLHttpRequest = FakeXhr
    const f = fake({ routes: { grant: () => putGrant(), complete: (b) => committed(b.key, 10) } })
    const seen: Progress[] = []
    await uploadFile(new File([bytes(10)], 'p.png', { type: 'image/png' }), { endpoint: ENDPOINT, fetch: f.fetch, onProgress: (p) => seen.push(p) })
    expect(f.s3).toHaveLength(0) // S3 went through the XHR, the handler through fetch
    expect(sent).toHaveLength(1)
    expect(sent[0]).toMatchObject({ method: 'PUT', url: putGrant().url, headers: { 'content-type': 'image/png', 'if-none-match': '*' } })
    expect(Object.keys(sent[0]!.headers).sort()).toEqual(['content-type', 'if-none-match'])
    expect(seen.map((p) => p.loaded)).toEqual([3, 7, 10])
  })

  it('an XHR error event (RGW\'s 403 without CORS headers) is "no response": retried, then the most likely cause', async () => {
    ;(globalThis as { XMLHttpRequest?: unknown }).XMLHttpRequest = FakeXhr
    outcomes = ['error', 'error']
    const f = fake({ routes: { grant: () => putGrant() } })
    await expect(uploadFile(new File([bytes(10)], 'p.png', { type: 'image/png' }), { endpoint: ENDPOINT, fetch: f.fetch, retries: 1, retryDelay: 0 })).rejects.toMatchObject({
      code: 'S3_NO_RESPONSE',
      status: 0,
      message: expect.stringContaining(MOST_LIKELY),
    })
    expect(sent).toHaveLength(2)
  })
})
