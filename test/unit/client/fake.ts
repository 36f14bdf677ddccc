// A fake handler + S3 behind one fetch, for the client's unit tests (not a test file). Handler routes
// live under ENDPOINT and answer JSON; every other URL is "S3" and answers what `s3` says.
export const ENDPOINT = 'https://app.test/uploads'

export interface S3Request {
  method: string
  url: string
  headers: Record<string, string>
  body: Blob | FormData
  signal: AbortSignal | undefined
}

/** 'network': fetch rejects (no response); 'hang': never answers until aborted. */
export type S3Answer = number | 'network' | 'hang' | { status: number; body: string }
type RouteAnswer = unknown | { status: number; json: unknown }

export interface FakeOptions {
  routes?: Record<string, (body: any, n: number) => RouteAnswer | Promise<RouteAnswer>>
  s3?: (request: S3Request, n: number) => S3Answer | Promise<S3Answer>
}

export const refusal = (status: number, code: string, message = code, details?: Record<string, unknown>) => ({ status, json: { name: 'SafePresignError', code, message, ...(details ? { details } : {}) } })

export function fake(options: FakeOptions) {
  const calls: { route: string; body: any; headers: Record<string, string> }[] = []
  const s3: S3Request[] = []
  const counts = new Map<string, number>()
  const fetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = String(input)
    const signal = init.signal ?? undefined
    if (signal?.aborted) throw new DOMException('aborted', 'AbortError')
    const headers = Object.fromEntries(new Headers(init.headers).entries())
    if (url.startsWith(`${ENDPOINT}/`)) {
      const route = url.slice(ENDPOINT.length + 1)
      const body = JSON.parse(String(init.body))
      calls.push({ route, body, headers })
      const n = counts.get(route) ?? 0
      counts.set(route, n + 1)
      const handler = options.routes?.[route]
      if (!handler) return Response.json({ code: 'ROUTE_NOT_FOUND', message: route }, { status: 404 })
      const answer = await handler(body, n)
      const withStatus = typeof answer === 'object' && answer !== null && 'json' in answer && 'status' in answer
      return Response.json(withStatus ? (answer as { json: unknown }).json : answer, { status: withStatus ? (answer as { status: number }).status : 200 })
    }
    const request: S3Request = { method: init.method ?? 'GET', url, headers, body: init.body as Blob | FormData, signal }
    s3.push(request)
    const answer = await (options.s3 ?? (() => 200))(request, s3.length - 1)
    if (answer === 'network') throw new TypeError('Failed to fetch')
    if (answer === 'hang') {
      return new Promise((_, reject) => {
        if (signal?.aborted) return reject(new DOMException('aborted', 'AbortError'))
        signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))
      })
    }
    return typeof answer === 'number' ? new Response(answer === 204 ? null : '', { status: answer }) : new Response(answer.body, { status: answer.status })
  }
  return { fetch: fetch as typeof globalThis.fetch, calls, s3, routes: () => calls.map((c) => c.route) }
}

export const bytes = (n: number, seed = 1) => {
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed * 7) & 0xff
  return out
}

export const putGrant = (headers: Record<string, string> = {}) => ({
  kind: 'put',
  key: 'uploads/0000.png',
  url: 'https://s3.test/bucket/uploads/0000.png?X-Amz-Signature=secret',
  headers: { 'content-type': 'image/png', 'content-length': '10', 'if-none-match': '*', ...headers },
  expiresAt: Date.now() + 300_000,
  checksum: null,
})

export const committed = (key: string, size: number, contentType = 'image/png') => ({ key, state: 'committed', size, contentType, sniffedType: contentType, alreadyCommitted: false })
