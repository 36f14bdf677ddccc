// A browser-form POST upload (S3 POST Object) with a signed policy. Same result as
// createPresignedPost from @aws-sdk/s3-presigned-post (a differential test proves the fields and
// policy byte-identical), but with the builder's injectable clock, the credentials' expiry honoured
// and the endpoint resolved once per bucket.
import type { S3Client } from '@aws-sdk/client-s3'
import { toBase64, toHex, utf8 } from '../_internal/bytes.js'
import { amzDate, hmacWith, iso8601, signingKey } from './sigv4.js'
import { clampToCredentials, validUntil } from './credentials.js'
import { signingContext } from './target.js'

export type PostCondition = Record<string, string> | [string, string, string] | ['content-length-range', number, number]

export interface PostSpec {
  bucket: string
  key: string
  /** Form fields the client must send as-is (besides the signature fields and `file`). */
  fields: Record<string, string>
  /** Conditions besides the ones for `fields`, the key and the signature fields. */
  conditions: PostCondition[]
  expiresIn: number
  signingDate: Date
}

export interface SignedPost {
  url: string
  fields: Record<string, string>
  /** Lifetime actually signed, seconds. */
  expiresIn: number
  /** The policy's expiration: the true end of validity (ms since the epoch). */
  expiresAt: number
}

export async function presignPost(client: S3Client, spec: PostSpec): Promise<SignedPost> {
  const { target, credentials } = await signingContext(client, spec.bucket)
  const expiresIn = clampToCredentials(spec.expiresIn, credentials.expiration, spec.signingDate)
  const date = amzDate(spec.signingDate)
  const shortDate = date.slice(0, 8)
  const scope = `${shortDate}/${target.signingRegion}/${target.signingService}/aws4_request`
  const signatureFields: Record<string, string> = {
    bucket: spec.bucket,
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': `${credentials.accessKeyId}/${scope}`,
    'X-Amz-Date': date,
    ...(credentials.sessionToken ? { 'X-Amz-Security-Token': credentials.sessionToken } : {}),
  }
  const fields = { ...spec.fields, ...signatureFields }
  // Same order and de-duplication as createPresignedPost: caller conditions, one {k: v} per field, the key.
  const seen = new Set<string>()
  const conditions: unknown[] = []
  const add = (c: unknown) => {
    const s = JSON.stringify(c)
    if (!seen.has(s)) {
      seen.add(s)
      conditions.push(c)
    }
  }
  spec.conditions.forEach(add)
  for (const [k, v] of Object.entries(fields)) add({ [k]: v })
  add({ key: spec.key })
  const expiresAt = validUntil(spec.signingDate, expiresIn)
  const expiration = new Date(expiresAt)
  const policy = toBase64(utf8(JSON.stringify({ expiration: iso8601(expiration), conditions })))
  const hmac = hmacWith(client)
  const key = await signingKey(hmac, credentials.secretAccessKey, shortDate, target.signingRegion, target.signingService)
  const signature = toHex(await hmac(key, policy))
  const host = target.port === undefined ? target.hostname : `${target.hostname}:${target.port}`
  return {
    url: `${target.protocol}//${host}${target.basePath || '/'}`,
    fields: { ...fields, key: spec.key, Policy: policy, 'X-Amz-Signature': signature },
    expiresIn,
    expiresAt,
  }
}
