// Reading a request body: `application/json` only (checked before a byte is read), at most `maxBytes`
// (counted while streaming: Content-Length may be absent or a lie), strict UTF-8, one JSON object.
// A cross-site HTML form can only send urlencoded, multipart or text/plain bodies, so JSON-only is what
// keeps a forged form from reaching the routes; the cap keeps one request from holding memory.
import { SafePresignError } from '../errors.js'

export type JsonBody = Record<string, unknown>

/** Throws UNSUPPORTED_MEDIA_TYPE unless the request says `application/json` (charset, if any, UTF-8). */
export function assertJsonContentType(request: Request): void {
  const header = request.headers.get('content-type')
  const [type = '', ...params] = (header ?? '').split(';').map((s) => s.trim().toLowerCase())
  const charset = params.find((p) => p.startsWith('charset='))?.slice('charset='.length).replace(/^"|"$/g, '')
  if (type !== 'application/json' || (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')) {
    throw new SafePresignError('UNSUPPORTED_MEDIA_TYPE', `the request body must be \`application/json\` (UTF-8); it was ${header === null ? 'not labelled' : JSON.stringify(header.slice(0, 100))}`, {
      details: { expected: 'application/json' },
    })
  }
}

/** The body as a JSON object. BODY_TOO_LARGE past `maxBytes`, INVALID_REQUEST for anything but a JSON object. */
export async function readJsonBody(request: Request, maxBytes: number): Promise<JsonBody> {
  const declared = request.headers.get('content-length')
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > maxBytes) tooLarge(maxBytes)
  const bytes = await readCapped(request.body, maxBytes)
  let value: unknown
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    // Not the parser's message: it quotes the input.
    throw new SafePresignError('INVALID_REQUEST', 'the request body is not valid JSON (UTF-8)')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SafePresignError('INVALID_REQUEST', 'the request body must be a JSON object')
  }
  return value as JsonBody
}

async function readCapped(stream: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Uint8Array> {
  if (stream === null) return new Uint8Array(0)
  const reader = stream.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > maxBytes) {
      // Stop reading: the rest is never buffered (the node adapter then closes the connection).
      reader.cancel().catch(() => {})
      tooLarge(maxBytes)
    }
    chunks.push(value)
  }
  const out = new Uint8Array(total)
  let at = 0
  for (const chunk of chunks) {
    out.set(chunk, at)
    at += chunk.byteLength
  }
  return out
}

function tooLarge(maxBytes: number): never {
  throw new SafePresignError('BODY_TOO_LARGE', `the request body is over ${maxBytes} bytes, the handler's \`maxBodyBytes\``, { details: { limit: maxBytes } })
}
