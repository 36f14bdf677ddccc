// Base64 digests of a Blob, as the handler takes them: SHA-256 by WebCrypto, MD5 by ./md5.ts.
import { md5 } from './md5.js'

export type DigestAlgorithm = 'md5' | 'sha256'

// MD5 reads the Blob in slices, so any size hashes in bounded memory.
const SLICE = 4 * 1024 * 1024

export function base64(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary)
}

/**
 * The base64 digest of `blob`. SHA-256 reads the whole Blob into memory (WebCrypto cannot hash
 * incrementally): fine for parts and ordinary files, heavy for multi-GiB ones.
 */
export async function digestBase64(blob: Blob, algorithm: DigestAlgorithm): Promise<string> {
  if (algorithm === 'sha256') return base64(new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer())))
  const hash = md5()
  for (let at = 0; at < blob.size; at += SLICE) hash.update(new Uint8Array(await blob.slice(at, at + SLICE).arrayBuffer()))
  return base64(hash.digest())
}

/** Which digest a CHECKSUM_REQUIRED refusal asks for: `details.algorithm`, else the message's wording. */
export function algorithmAsked(details: Record<string, unknown> | undefined, message: string): DigestAlgorithm | undefined {
  const named = details?.algorithm
  if (named === 'md5' || named === 'sha256') return named
  const said = /\b(md5|sha256)\b/i.exec(message)?.[1]?.toLowerCase()
  return said === 'md5' || said === 'sha256' ? said : undefined
}
