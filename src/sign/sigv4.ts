// The SigV4 pieces the library computes itself, through the S3 client's own hash (`config.sha256`,
// an HMAC when given a key: Node's crypto under Node, WebCrypto or a JS fallback elsewhere), as the SDK's
// signer does: the signing key, HMACs and digests. Used where one signing key serves many signatures
// (POST policies, a batch of download links); everything else signs through the SDK's presigner.
import type { S3Client } from '@aws-sdk/client-s3'
import { toHex, utf8 } from '../_internal/bytes.js'

export type Hmac = (key: Uint8Array, data: string) => Promise<Uint8Array>

export function hmacWith(client: S3Client): Hmac {
  return async (key, data) => {
    const hash = new client.config.sha256(key)
    hash.update(utf8(data))
    return hash.digest()
  }
}

/** The hex SHA-256 of a string, through the client's hash. */
export async function sha256HexWith(client: S3Client, data: string): Promise<string> {
  const hash = new client.config.sha256()
  hash.update(utf8(data))
  return toHex(await hash.digest())
}

export async function signingKey(hmac: Hmac, secret: string, shortDate: string, region: string, service: string): Promise<Uint8Array> {
  let key = utf8(`AWS4${secret}`)
  for (const part of [shortDate, region, service, 'aws4_request']) key = await hmac(key, part)
  return key
}

/** ISO 8601 without milliseconds: `2026-12-01T12:00:00Z`. */
export function iso8601(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** X-Amz-Date's basic format: `20261201T120000Z`. */
export const amzDate = (date: Date): string => iso8601(date).replace(/[-:]/g, '')
