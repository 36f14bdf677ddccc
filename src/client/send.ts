// One request to S3: by XMLHttpRequest where there is one (it alone reports upload progress), by
// fetch elsewhere. A failure without a readable response resolves with status 0; only an abort rejects.
import { aborted } from './errors.js'

export interface SendRequest {
  method: 'PUT' | 'POST'
  url: string
  headers?: Record<string, string>
  body: Blob | FormData
  signal?: AbortSignal | undefined
  /** Bytes of the body sent so far. */
  onProgress?: (loaded: number) => void
  fetch: typeof fetch
}

export interface SendResult {
  /** 0 when the browser gave the page no response (network error, or an answer without CORS headers). */
  status: number
  body: string
}

// The fetch spec's forbidden request headers: a browser sets them itself and refuses a page's value
// ("Refused to set unsafe header"). Content-Length is the one a grant carries: the browser sends the
// Blob's length, which is the signed one.
const FORBIDDEN = /^(accept-charset|accept-encoding|access-control-request-(headers|method)|connection|content-length|cookie2?|date|dnt|expect|host|keep-alive|origin|referer|set-cookie|te|trailer|transfer-encoding|upgrade|via|proxy-.*|sec-.*)$/i

/** `headers` without the ones a browser forbids a page to set. */
export function sendable(headers: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) if (!FORBIDDEN.test(name)) out[name] = value
  return out
}

interface Xhr {
  open(method: string, url: string): void
  setRequestHeader(name: string, value: string): void
  send(body: unknown): void
  abort(): void
  readonly status: number
  readonly responseText: string
  readonly upload: { onprogress: ((event: { loaded: number }) => void) | null }
  onload: (() => void) | null
  onerror: (() => void) | null
  onabort: (() => void) | null
  ontimeout: (() => void) | null
}

export function send(request: SendRequest): Promise<SendResult> {
  if (request.signal?.aborted) return Promise.reject(aborted())
  const Xhr = (globalThis as { XMLHttpRequest?: new () => Xhr }).XMLHttpRequest
  return Xhr ? viaXhr(new Xhr(), request) : viaFetch(request)
}

function viaXhr(xhr: Xhr, { method, url, headers, body, signal, onProgress }: SendRequest): Promise<SendResult> {
  return new Promise((resolve, reject) => {
    const stop = () => xhr.abort()
    const settle = (result?: SendResult) => {
      signal?.removeEventListener('abort', stop)
      if (result) resolve(result)
      else reject(aborted())
    }
    xhr.open(method, url)
    for (const [name, value] of Object.entries(sendable(headers))) xhr.setRequestHeader(name, value)
    if (onProgress) xhr.upload.onprogress = (event) => onProgress(event.loaded)
    xhr.onload = () => settle({ status: xhr.status, body: xhr.responseText })
    xhr.onerror = xhr.ontimeout = () => settle({ status: 0, body: '' })
    xhr.onabort = () => settle()
    signal?.addEventListener('abort', stop, { once: true })
    xhr.send(body)
  })
}

async function viaFetch({ method, url, headers, body, signal, onProgress, fetch }: SendRequest): Promise<SendResult> {
  try {
    const res = await fetch(url, { method, headers: sendable(headers), body, signal })
    const text = await res.text()
    if (res.ok && onProgress) onProgress(body instanceof Blob ? body.size : 0)
    return { status: res.status, body: text }
  } catch {
    if (signal?.aborted) throw aborted()
    return { status: 0, body: '' }
  }
}
