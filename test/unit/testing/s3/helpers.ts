// Shared by the test S3's own tests: raw SigV4 signing (header auth, with any payload hash) and a
// short way to read an S3 error answer.
import { createHash, createHmac } from 'node:crypto'
import { SignatureV4 } from '@smithy/signature-v4'

const toBytes = (d: string | ArrayBuffer | ArrayBufferView): string | Uint8Array =>
  typeof d === 'string' ? d : d instanceof ArrayBuffer ? new Uint8Array(d) : new Uint8Array(d.buffer, d.byteOffset, d.byteLength)

class Sha256 {
  private readonly h: ReturnType<typeof createHash> | ReturnType<typeof createHmac>
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(secret))
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.h.update(toBytes(data))
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest())
  }
}

export interface RawRequest {
  method: string
  url: string
  headers?: Record<string, string>
  body?: Uint8Array | string
  /** x-amz-content-sha256 to sign; default: the body's real SHA-256. */
  payloadHash?: string
  signingDate?: Date
  region?: string
  /** Headers added after signing, so the signature does not cover them. */
  unsigned?: Record<string, string>
  /** Send the body as a stream: chunked transfer, no Content-Length. */
  stream?: boolean
}

/** Signs `r` with header auth (every header signed, as the SDK does) and sends it with fetch. */
export async function signedFetch(credentials: { accessKeyId: string; secretAccessKey: string }, r: RawRequest): Promise<Response> {
  const url = new URL(r.url)
  const body = r.body === undefined ? undefined : typeof r.body === 'string' ? new TextEncoder().encode(r.body) : r.body
  const hash = r.payloadHash ?? createHash('sha256').update(body ?? new Uint8Array()).digest('hex')
  const query: Record<string, string> = {}
  for (const [k, v] of url.searchParams) query[k] = v
  const signer = new SignatureV4({ credentials, region: r.region ?? 'us-east-1', service: 's3', sha256: Sha256, uriEscapePath: false, applyChecksum: false })
  const signed = await signer.sign(
    {
      method: r.method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query,
      headers: { host: url.host, 'x-amz-content-sha256': hash, ...r.headers },
      body,
    },
    { signingDate: r.signingDate },
  )
  const sent = (r.stream && body ? new Blob([body]).stream() : body) as RequestInit['body']
  return fetch(r.url, { method: r.method, headers: { ...(signed.headers as Record<string, string>), ...r.unsigned }, body: sent, ...(r.stream ? { duplex: 'half' } : {}) } as RequestInit)
}

/** Status and S3 error code of an answer (code '' when the body holds none). */
export async function outcome(res: Response): Promise<{ status: number; code: string; body: string }> {
  const body = await res.text()
  return { status: res.status, code: /<Code>([^<]*)<\/Code>/.exec(body)?.[1] ?? '', body }
}
