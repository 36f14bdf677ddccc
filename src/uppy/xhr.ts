// Uppy 5's `uploadPartBytes`, replaced: its own needs an ETag header on every answer and never settles
// without one, which RGW's 201 to a POST form does not send; and it fails the 412 that a create-once
// PUT's retry gets after a lost response, although the first attempt stored the object.
// XMLHttpRequest rather than fetch: upload progress.

/** The headers a script may set: a browser refuses Content-Length and Host and sets them itself. */
export function browserHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).filter(([name]) => !['content-length', 'host'].includes(name.toLowerCase())))
}

interface Xhr {
  open(method: string, url: string, async: boolean): void
  setRequestHeader(name: string, value: string): void
  getResponseHeader(name: string): string | null
  send(body: unknown): void
  abort(): void
  status: number
  responseText: string
  responseType: string
  upload: { addEventListener(type: 'progress', cb: (ev: { loaded: number; total: number; lengthComputable: boolean }) => void): void }
  addEventListener(type: 'load' | 'error' | 'abort', cb: () => void): void
}

export interface UploadPartBytesOptions {
  signature: { url: string; method?: string; headers?: Record<string, string> }
  body: Blob | FormData
  size?: number
  onProgress?: (ev: { loaded: number; lengthComputable: boolean }) => void
  onComplete?: (etag: string) => void
  signal?: AbortSignal
}

/** S3's error code from an XML error body (`<Code>AccessDenied</Code>`), never the body itself. */
const s3Code = (text: string) => /<Code>([A-Za-z0-9.]{1,64})<\/Code>/.exec(text)?.[1]

export function uploadPartBytes({ signature, body, size, onProgress, onComplete, signal }: UploadPartBytesOptions): Promise<{ ETag: string }> {
  const method = (signature.method ?? 'PUT').toUpperCase()
  const headers = signature.headers ?? {}
  const createOnce = method === 'PUT' && Object.entries(headers).some(([k, v]) => k.toLowerCase() === 'if-none-match' && v === '*')
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(Object.assign(new Error('The upload was aborted'), { name: 'AbortError' }))
    const xhr = new (globalThis as unknown as { XMLHttpRequest: new () => Xhr }).XMLHttpRequest()
    xhr.open(method, signature.url, true)
    for (const [name, value] of Object.entries(browserHeaders(headers))) xhr.setRequestHeader(name, value)
    xhr.responseType = 'text'
    const onAbort = () => xhr.abort()
    signal?.addEventListener('abort', onAbort)
    const done = () => signal?.removeEventListener('abort', onAbort)
    xhr.upload.addEventListener('progress', (ev) => onProgress?.(ev))
    xhr.addEventListener('abort', () => {
      done()
      reject(Object.assign(new Error('The upload was aborted'), { name: 'AbortError' }))
    })
    xhr.addEventListener('error', () => {
      done()
      // Also what a CORS refusal looks like: RGW's 403 answers carry no CORS headers.
      reject(Object.assign(new Error(`${method} to S3 failed before an answer could be read (network, CORS, or a refusal without CORS headers)`), { source: xhr }))
    })
    xhr.addEventListener('load', () => {
      done()
      const stored = (xhr.status >= 200 && xhr.status < 300) || (createOnce && xhr.status === 412)
      if (!stored) {
        const code = s3Code(xhr.responseText)
        // `source` is what Uppy 5 reads the status from to decide on a retry.
        return reject(Object.assign(new Error(`S3 answered ${method} with ${xhr.status}${code ? ` (${code})` : ''}`), { source: xhr }))
      }
      onProgress?.({ loaded: size ?? (body as Blob).size ?? 0, lengthComputable: true })
      // A 412 here is a retry of a PUT that already stored the object: the server's complete verifies it.
      const etag = xhr.getResponseHeader('etag') ?? ''
      onComplete?.(etag)
      // No Location: for a POST it names the quarantine key; the completion reports the final one.
      resolve({ ETag: etag })
    })
    xhr.send(body)
  })
}
