// The probe's HTTP: the global fetch only (no Node built-ins, so the probe can run on Workers, Deno and
// Bun), every request bounded by a timeout, every body read (an unread body keeps the socket busy).
// What is reported is a status and an S3 error code, never a URL: a presigned URL is a bearer token.

export interface Reply {
  /** The HTTP status, or 0 when no answer came (network error or timeout). */
  status: number
  /** `<Code>` of an S3 XML error body, or why no answer came. */
  code?: string
  headers: Headers
  body: Uint8Array
}

export interface Send {
  method: string
  headers?: Record<string, string>
  body?: Uint8Array | FormData
}

export async function send(url: string, init: Send, timeoutMs: number): Promise<Reply> {
  try {
    const res = await fetch(url, {
      method: init.method,
      headers: init.headers,
      body: init.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    })
    const body = new Uint8Array(await res.arrayBuffer())
    const text = new TextDecoder().decode(body.subarray(0, 4096))
    const code = /<Code>([^<]{1,64})<\/Code>/.exec(text)?.[1]
    return code === undefined ? { status: res.status, headers: res.headers, body } : { status: res.status, code, headers: res.headers, body }
  } catch (error) {
    const name = (error as { name?: string })?.name
    const code = name === 'TimeoutError' || name === 'AbortError' ? `no answer within ${timeoutMs} ms` : 'network error'
    return { status: 0, code, headers: new Headers(), body: new Uint8Array() }
  }
}

/** A multipart/form-data POST: `fields` in order, then the file last, as S3 requires. */
export function sendForm(url: string, fields: Record<string, string>, file: Uint8Array, contentType: string, timeoutMs: number): Promise<Reply> {
  const form = new FormData()
  for (const [name, value] of Object.entries(fields)) form.append(name, value)
  form.append('file', new Blob([file], { type: contentType }), 'probe.txt')
  return send(url, { method: 'POST', body: form }, timeoutMs)
}

/** Accepted: any 2xx. */
export const accepted = (reply: Reply): boolean => reply.status >= 200 && reply.status < 300

/** Refused: a real 3xx-5xx answer (a missing answer is neither accepted nor refused). */
export const refused = (reply: Reply): boolean => reply.status >= 300

/** "403 SignatureDoesNotMatch", "200", "no answer within 5000 ms". */
export function describeReply(reply: Reply): string {
  if (reply.status === 0) return reply.code ?? 'no answer'
  return reply.code ? `${reply.status} ${reply.code}` : String(reply.status)
}

/** The object's plain URL (the presigned URL without its query): what an anonymous client would GET. */
export function plainUrl(presigned: string): string {
  const url = new URL(presigned)
  url.search = ''
  return url.href
}

/** The URL with the last hex digit of X-Amz-Signature changed. */
export function tamperSignature(presigned: string): string {
  const url = new URL(presigned)
  const sig = url.searchParams.get('X-Amz-Signature') ?? ''
  url.searchParams.set('X-Amz-Signature', sig.slice(0, -1) + (sig.endsWith('0') ? '1' : '0'))
  return url.href
}
