// A batch of URLs signed with one signing key: presignMany's GET links, signParts' part URLs. The SDK's
// presigner derives the key for every URL (an HMAC for its cache key, then the lookup) and clones the
// request twice; here the key, the scope and the fixed X-Amz-* parameters are computed once, and each
// URL costs its canonical request's SHA-256 and one HMAC. The URLs are byte-for-byte those of
// presignWith (test/unit/sign/batch.test.ts). Every header given is signed and stays a header: pass only
// what presignWith would not hoist into the query (not x-amz-*, or in its `unhoistable` list).
import type { S3Client } from '@aws-sdk/client-s3'
import { toHex } from '../_internal/bytes.js'
import { clampToCredentials, validUntil } from './credentials.js'
import { escapeRfc3986 } from './format-url.js'
import type { Presigned } from './presign.js'
import { amzDate, hmacWith, sha256HexWith, signingKey } from './sigv4.js'
import { encodeKeyPath, type SigningContext } from './target.js'


export type SignLink = (key: string, query: Record<string, string>, headers?: Record<string, string>) => Promise<Presigned>

export interface BatchOptions {
  /** @default 'GET' */
  method?: 'GET' | 'PUT'
  /** The operation named in `x-id`, as the SDK adds it. @default 'GetObject' */
  operation?: 'GetObject' | 'UploadPart'
}

/** A signer for the URLs of one batch: one method, one lifetime, one signing date, the context's credentials. */
export async function batchSigner(client: S3Client, { target, credentials }: SigningContext, requested: number, signingDate: Date, options: BatchOptions = {}): Promise<SignLink> {
  const method = options.method ?? 'GET'
  const expiresIn = clampToCredentials(requested, credentials.expiration, signingDate)
  const date = amzDate(signingDate)
  const scope = `${date.slice(0, 8)}/${target.signingRegion}/${target.signingService}/aws4_request`
  const hmac = hmacWith(client)
  const key = await signingKey(hmac, credentials.secretAccessKey, date.slice(0, 8), target.signingRegion, target.signingService)
  const host = target.port === undefined ? target.hostname : `${target.hostname}:${target.port}`
  // What the SDK's presigner adds to a GET: the same names, so the sorted query is the same.
  const fixed: Record<string, string> = {
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD',
    'X-Amz-Credential': `${credentials.accessKeyId}/${scope}`,
    'X-Amz-Date': date,
    'X-Amz-Expires': String(expiresIn),
    'x-id': options.operation ?? 'GetObject',
  }
  if (credentials.sessionToken) fixed['X-Amz-Security-Token'] = credentials.sessionToken
  if (method === 'GET' && target.responseChecksumMode) fixed['x-amz-checksum-mode'] = 'ENABLED'
  const expiresAt = validUntil(signingDate, expiresIn)
  // The query is canonicalized once per batch for its fixed part; a link adds its own parameters and,
  // in the URL, the signature, each at its sorted place (the order of the canonical query and of formatUrl).
  const fixedPairs = sortedPairs(fixed)
  const scheme = target.protocol.endsWith(':') ? target.protocol : `${target.protocol}:`

  return async (objectKey, extra, headers = {}) => {
    const path = `${target.basePath}/${encodeKeyPath(objectKey)}`
    // Header names lower-case and sorted, values trimmed with inner whitespace collapsed, as SigV4 canonicalizes.
    const canonicalHeaders: Record<string, string> = { host }
    for (const [name, value] of Object.entries(headers)) canonicalHeaders[name.toLowerCase()] = value.trim().replace(/\s+/g, ' ')
    const names = Object.keys(canonicalHeaders).sort()
    const signedHeaders = names.join(';')
    const pairs = merge(fixedPairs, sortedPairs({ ...extra, 'X-Amz-SignedHeaders': signedHeaders }))
    const headerLines = names.map((n) => `${n}:${canonicalHeaders[n]}\n`).join('')
    const canonical = `${method}\n${path}\n${pairs.map((p) => p[1]).join('&')}\n${headerLines}\n${signedHeaders}\nUNSIGNED-PAYLOAD`
    const stringToSign = `AWS4-HMAC-SHA256\n${date}\n${scope}\n${await sha256HexWith(client, canonical)}`
    const signature = toHex(await hmac(key, stringToSign))
    const query = merge(pairs, [['X-Amz-Signature', `X-Amz-Signature=${signature}`]]).map((p) => p[1]).join('&')
    return { url: `${scheme}//${host}${path}?${query}`, expiresIn, expiresAt }
  }
}

type Pair = readonly [name: string, encoded: string]
const sortedPairs = (query: Record<string, string>): Pair[] =>
  Object.keys(query).sort().map((k) => [k, `${escapeRfc3986(k)}=${escapeRfc3986(query[k]!)}`] as const)

/** Two lists sorted by name, as one (a name is in one list only). */
function merge(a: readonly Pair[], b: readonly Pair[]): Pair[] {
  const out: Pair[] = []
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) out.push(j >= b.length || (i < a.length && a[i]![0] < b[j]![0]) ? a[i++]! : b[j++]!)
  return out
}
