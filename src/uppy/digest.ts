// Part and file digests in the browser. WebCrypto has SHA-256 but no MD5: a builder with
// `checksum: 'md5'` needs the caller's `md5` function.
import { SafePresignError } from '../errors.js'
import type { Checksum } from './protocol.js'

export type DigestFn = (data: Blob) => Promise<string>

function base64(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary)
}

/** The base64 SHA-256 of `data`, through WebCrypto (reads `data` into memory once). */
export async function sha256Base64(data: Blob): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', await data.arrayBuffer())
  return base64(new Uint8Array(digest))
}

/** The base64 digest `algorithm` asks for, or undefined when the grant requires none. */
export async function digestFor(algorithm: Checksum | undefined, data: Blob, md5: DigestFn | undefined): Promise<string | undefined> {
  if (!algorithm) return undefined
  if (algorithm === 'sha256') return sha256Base64(data)
  if (!md5) {
    throw new SafePresignError('CHECKSUM_REQUIRED', "the handler's builder requires MD5 digests and WebCrypto has no MD5: pass `md5` to uppyOptions(), or use `checksum: 'sha256'`")
  }
  return md5(data)
}
