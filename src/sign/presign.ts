// One SigV4 presign on a hand-built request. Every SDK pitfall for presigned URLs is handled
// here, in one place:
// - Content-Type is only signed when asked for by name: the presigner puts it in
//   unsignableHeaders unless it is in signableHeaders.
// - x-amz-* headers are hoisted into the query string by default, where S3 ignores checksums:
//   the checksum header is kept a header (unhoistableHeaders), so it is signed and enforced.
// - Since SDK 3.729, getSignedUrl adds x-amz-checksum-crc32 of an EMPTY body to PUTs. We never
//   run the flexible-checksums middleware, so it cannot appear, whatever the client's config.
import type { S3Client } from '@aws-sdk/client-s3'
import { clampToCredentials, validUntil } from './credentials.js'
import { encodeKeyPath, signingContext, type SigningContext } from './target.js'
import { formatUrl } from './format-url.js'

export interface PresignSpec {
  method: 'GET' | 'PUT'
  bucket: string
  key: string
  /** Headers the client must send, all signed. Lower-case names. */
  headers?: Record<string, string>
  /** Extra query parameters, signed (e.g. response-content-disposition). */
  query?: Record<string, string>
  /** x-amz-* headers that must stay headers (not hoisted into the query). */
  unhoistable?: readonly string[]
  /** The operation named in the `x-id` query parameter, as the SDK adds it. @default PutObject or GetObject */
  operation?: 'PutObject' | 'GetObject' | 'UploadPart'
  /** Requested lifetime in seconds; may be shortened to the credentials' own expiry. */
  expiresIn: number
  signingDate: Date
}

export interface Presigned {
  url: string
  /** The lifetime actually signed, in seconds (≤ the requested one). */
  expiresIn: number
  /** The true end of validity (ms since the epoch). */
  expiresAt: number
}

const SIGN_CONTENT_TYPE = new Set(['content-type'])

export async function presign(client: S3Client, spec: PresignSpec): Promise<Presigned> {
  return presignWith(await signingContext(client, spec.bucket), spec)
}

/**
 * The same, with a signing context resolved once for many URLs (a batch of links, a call's part URLs):
 * every URL of the batch is signed with the same credentials, and their expiry checked once.
 */
export async function presignWith({ target, credentials }: SigningContext, spec: PresignSpec): Promise<Presigned> {
  const expiresIn = clampToCredentials(spec.expiresIn, credentials.expiration, spec.signingDate)
  const headers: Record<string, string> = { ...spec.headers }
  headers.host = target.port === undefined ? target.hostname : `${target.hostname}:${target.port}`
  const query: Record<string, string> = { ...spec.query, 'x-id': spec.operation ?? (spec.method === 'PUT' ? 'PutObject' : 'GetObject') }
  if (spec.method === 'GET' && target.responseChecksumMode) query['x-amz-checksum-mode'] = 'ENABLED'
  const request = {
    method: spec.method,
    protocol: target.protocol,
    hostname: target.hostname,
    port: target.port,
    path: `${target.basePath}/${encodeKeyPath(spec.key)}`,
    query,
    headers,
  }
  // Signed with the credentials just checked against the expiry, not with a second fetch inside
  // the presigner, which could return rotated ones that `expiresIn` does not describe.
  const signed = await target.presignerFor(credentials).presign(request as never, {
    expiresIn,
    signingDate: spec.signingDate,
    signingRegion: target.signingRegion,
    signingService: target.signingService,
    signableHeaders: SIGN_CONTENT_TYPE,
    unhoistableHeaders: unhoistableSet(spec.unhoistable),
  })
  return { url: formatUrl(signed), expiresIn, expiresAt: validUntil(spec.signingDate, expiresIn) }
}

// The same few lists come in on every call: build each Set once.
const unhoistableSets = new Map<string, Set<string>>()
function unhoistableSet(names: readonly string[] = []): Set<string> {
  const id = names.join(',')
  let set = unhoistableSets.get(id)
  if (!set) unhoistableSets.set(id, (set = new Set(names)))
  return set
}
