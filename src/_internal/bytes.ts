// Byte helpers over Uint8Array, in place of Node's Buffer: the root entry and the handler run on any
// runtime with web APIs (Workers, Deno, Bun, browsers), so they use TextEncoder and these instead.
// Each decoder reads what Buffer.from(…) read before (test/unit/core/bytes.test.ts compares them).
import { utf8 } from './text.js'

export { base64ByteLength, utf8, utf8ByteLength } from './text.js'

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
// Both alphabets decode, as Buffer's 'base64' does ('-' and '_' read as '+' and '/').
const SEXTET = new Map<string, number>([...ALPHABET].map((c, i) => [c, i] as [string, number]).concat([...URL_ALPHABET.slice(62)].map((c, i) => [c, 62 + i])))

function encode(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  let out = ''
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0)
    const left = bytes.length - i
    out += alphabet[(n >> 18) & 63]! + alphabet[(n >> 12) & 63]!
    out += left > 1 ? alphabet[(n >> 6) & 63]! : pad ? '=' : ''
    out += left > 2 ? alphabet[n & 63]! : pad ? '=' : ''
  }
  return out
}

/** Standard base64 with padding, as `buffer.toString('base64')`. */
export function toBase64(bytes: Uint8Array): string {
  return encode(bytes, ALPHABET, true)
}

/** URL-safe base64 without padding, as `buffer.toString('base64url')`. */
export function toBase64Url(bytes: Uint8Array): string {
  return encode(bytes, URL_ALPHABET, false)
}

/**
 * Decodes base64 or base64url as `Buffer.from(text, 'base64')` does: characters outside both
 * alphabets are skipped, the first '=' ends the input, and a lone trailing sextet is dropped.
 */
export function fromBase64(text: string): Uint8Array {
  const out: number[] = []
  let bits = 0
  let count = 0
  for (const char of text) {
    if (char === '=') break
    const sextet = SEXTET.get(char)
    if (sextet === undefined) continue
    bits = ((bits << 6) | sextet) & 0xffffff
    count += 6
    if (count >= 8) {
      count -= 8
      out.push((bits >> count) & 0xff)
    }
  }
  return Uint8Array.from(out)
}

export function toHex(bytes: Uint8Array): string {
  let out = ''
  for (const b of bytes) out += b.toString(16).padStart(2, '0')
  return out
}

/** Decodes hex as `Buffer.from(text, 'hex')` does: pairs until the first one that is not hex. */
export function fromHex(text: string): Uint8Array {
  const out = new Uint8Array(text.length >> 1)
  for (let i = 0; i < out.length; i++) {
    const pair = text.slice(2 * i, 2 * i + 2)
    if (!/^[0-9a-fA-F]{2}$/.test(pair)) return out.slice(0, i)
    out[i] = parseInt(pair, 16)
  }
  return out
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/** Same length, same bytes. Not constant-time: it compares digests S3 and the grant already hold. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** The hex SHA-256 of a string's UTF-8 bytes, with WebCrypto (`globalThis.crypto`). */
export async function sha256Hex(text: string): Promise<string> {
  return toHex(new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', utf8(text))))
}
