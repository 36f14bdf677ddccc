// Object keys are generated here and only here: prefix + UUIDv4 (+ an extension derived from
// the allowed content type). The user's filename never reaches a key.
import { SafePresignError } from '../errors.js'
import { MAX_KEY_BYTES } from '../limits.js'
import { utf8ByteLength } from '../_internal/text.js'
import { codePoint, quote } from '../_internal/validate.js'

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const KEY_LEAF = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}(\.[a-z0-9]{1,8})?$/
// C0, DEL, C1, and the Unicode line/paragraph separators.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/
// Not Unicode: no UTF-8 form, so it cannot be URL-encoded (encodeURIComponent throws), and a store
// that writes UTF-8 would save it as U+FFFD.
const LONE_SURROGATE = /\p{Cs}/u

/**
 * The default id generator: a random (v4) UUID from the platform's CSPRNG, `crypto.randomUUID()`
 * (Node 19+, Bun, Deno, Workers, browsers). It replaced the `uuid` package, which does the same on
 * these runtimes but cost a cold start about 10 ms to load its modules.
 */
export const defaultGenerateId = (): string => globalThis.crypto.randomUUID()

/**
 * Why a key prefix is unsafe, or undefined when it is fine. A prefix is '' or ends with '/',
 * has no leading '/', no empty, '.' or '..' segment, no control character, and leaves room
 * for the id within S3's 1024-byte key limit.
 */
export function prefixProblem(prefix: string): string | undefined {
  if (typeof prefix !== 'string') return 'it must be a string'
  if (prefix === '') return undefined
  if (prefix.startsWith('/')) return 'it must not start with "/"'
  if (!prefix.endsWith('/')) return 'it must end with "/"'
  if (CONTROL.test(prefix)) return 'it must not contain control characters'
  if (LONE_SURROGATE.test(prefix)) return 'it must not contain a lone UTF-16 surrogate'
  if (prefix.normalize('NFC') !== prefix) return 'it must be NFC-normalized'
  const segments = prefix.slice(0, -1).split('/')
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return 'it must not contain empty, "." or ".." segments'
  if (utf8ByteLength(prefix) > MAX_KEY_BYTES - 64) return `it is ${utf8ByteLength(prefix)} bytes; the maximum is ${MAX_KEY_BYTES - 64}`
  return undefined
}

// Characters that are, or look like, a path separator: '/', '\\' and the look-alikes filename.ts
// replaces (fraction and division slash, set minus, solidus and reverse-solidus operators, box-drawing
// and mathematical diagonals, CJK strokes, small and fullwidth forms). Keys only split on '/', but a
// look-alike in a key shown to a person reads as one, and '\\' splits paths in Windows tools that
// sync buckets.
const SEPARATOR_LIKE = /[/\\\u1735\u2041\u2044\u2215\u2216\u2571\u2572\u27cb\u27cd\u29f5\u29f8\u29f9\u31d3\u31d4\ufe68\uff0f\uff3c]/
// Controls, bidi and zero-width characters, and the rest that renders as nothing: two owners that
// differ only by one would get prefixes that look the same, and a bidi override reorders the key.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/u
/** NAME_MAX: the longest segment a bucket synced to a file system keeps as one directory name. */
const MAX_SEGMENT_BYTES = 255

/**
 * Why `owner` cannot be one path segment of a key prefix, or undefined when it can. Refused, never
 * encoded: an id that needs escaping to be a segment is not one. Each character is checked as it is
 * and after NFKC (which turns `／` into '/', `℅` into 'c/o', `﹪` into '%'): no separator or look-alike,
 * no '%' (a later decode could make one), no control, bidi or invisible character, not '.' or '..'
 * (nor `．．` or `‥`), NFC, well-formed, and at most 255 UTF-8 bytes.
 */
export function ownerSegmentProblem(owner: string): string | undefined {
  if (typeof owner !== 'string' || owner === '') return 'it must be a non-empty string'
  const folded = owner.normalize('NFKC')
  if (folded === '.' || folded === '..') return `it is ${folded === owner ? '' : 'NFKC-equivalent to '}"${folded}", a relative path segment`
  if (LONE_SURROGATE.test(owner)) return 'it contains a lone UTF-16 surrogate'
  for (const char of owner) {
    const nfkc = char.normalize('NFKC')
    const name = `${codePoint(char)}${nfkc === char ? '' : ` (${quote(nfkc)} under NFKC)`}`
    if (SEPARATOR_LIKE.test(char) || SEPARATOR_LIKE.test(nfkc)) return `it contains ${name}, a path separator or a look-alike`
    if (nfkc.includes('%')) return `it contains ${name}; a later percent-decode could turn "%2F" into a separator`
    if (INVISIBLE.test(char)) return `it contains ${name}, a control, bidi or invisible character`
  }
  if (owner.normalize('NFC') !== owner) return 'it must be NFC-normalized, or the same name could be two different prefixes'
  const bytes = utf8ByteLength(owner)
  if (bytes > MAX_SEGMENT_BYTES) return `it is ${bytes} UTF-8 bytes; one segment holds at most ${MAX_SEGMENT_BYTES}`
  return undefined
}

export function assertPrefix(prefix: string, option: string): string {
  const problem = prefixProblem(prefix)
  if (problem) {
    throw new SafePresignError('INVALID_CONFIG', `\`${option}\` is ${quote(prefix)}: ${problem}`, { details: { option, value: prefix } })
  }
  return prefix
}

export function buildKey(prefix: string, id: string, extension: string | undefined): string {
  if (!UUID_V4.test(id)) {
    throw new SafePresignError('INVALID_CONFIG', `\`generateId\` returned ${quote(id)}; it must return a lower-case UUIDv4`, { details: { option: 'generateId', value: id } })
  }
  return extension ? `${prefix}${id}.${extension}` : `${prefix}${id}`
}

/** The UUID inside a key generated by {@link buildKey}, or undefined if the key is not one. */
export function keyId(key: string): string | undefined {
  const leaf = key.slice(key.lastIndexOf('/') + 1)
  return KEY_LEAF.test(leaf) ? leaf.slice(0, 36) : undefined
}

/**
 * Why `key` cannot be one of ours under `prefix`, or undefined when it can: well-formed,
 * inside the prefix, and ending in a generated id.
 */
export function keyProblem(key: unknown, prefix: string | undefined): string | undefined {
  if (typeof key !== 'string' || key === '') return 'it must be a non-empty string'
  if (utf8ByteLength(key) > MAX_KEY_BYTES) return `it is longer than ${MAX_KEY_BYTES} bytes`
  if (CONTROL.test(key)) return 'it contains control characters'
  if (LONE_SURROGATE.test(key)) return 'it contains a lone UTF-16 surrogate'
  if (key.startsWith('/') || key.split('/').some((s) => s === '.' || s === '..' || s === '')) {
    return 'it contains an empty, "." or ".." segment'
  }
  if (prefix !== undefined && !key.startsWith(prefix)) return `it is outside the prefix ${quote(prefix)}`
  if (!keyId(key)) return 'it does not end in a generated id'
  return undefined
}

// Extensions come from the (allowed, normalized) content type, never from the filename.
const EXTENSIONS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/avif': 'avif',
  'image/heic': 'heic',
  'image/tiff': 'tif',
  'image/bmp': 'bmp',
  'image/svg+xml': 'svg',
  'application/pdf': 'pdf',
  'application/zip': 'zip',
  'application/gzip': 'gz',
  'application/json': 'json',
  'application/octet-stream': 'bin',
  'text/plain': 'txt',
  'text/csv': 'csv',
  'text/markdown': 'md',
  'audio/mpeg': 'mp3',
  'audio/ogg': 'ogg',
  'audio/wav': 'wav',
  'video/mp4': 'mp4',
  'video/webm': 'webm',
  'video/quicktime': 'mov',
}

/** The key extension for a content type, or undefined when none is known (or it is a wildcard). */
export function extensionFor(contentType: string): string | undefined {
  return EXTENSIONS[contentType]
}
