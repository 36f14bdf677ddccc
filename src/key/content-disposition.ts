/**
 * The Content-Disposition header for downloads (sent as S3's `ResponseContentDisposition`, which
 * SigV4 signs as part of the query). RFC 6266 with an RFC 5987 `filename*`, like Werkzeug's
 * `send_file` and Rails' `ActionDispatch::Http::ContentDisposition`. Format and why: docs/filenames.md.
 */
import { SafePresignError } from '../errors.js'
import { sanitizeFilename } from './filename.js'

export type DispositionType = 'attachment' | 'inline'

export interface ContentDispositionOptions {
  /**
   * `attachment` makes the browser save the file. `inline` lets it render the file in the page,
   * where HTML or SVG runs script in the bucket's origin: use it only for types you checked.
   * @default 'attachment'
   */
  type?: DispositionType
}

// RFC 5987 attr-char: ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~".
// Everything else, including `%`, `'`, `(`, `)`, `*`, `;`, `=` and space, is percent-encoded.
const ATTR_CHAR = /^[A-Za-z0-9!#$&+\-.^_`|~]$/

// Kept in the quoted ASCII fallback: printable ASCII except `"` and `\` (quoted-string syntax),
// `;` (parsers that split on it before honouring quotes) and `%` (clients that percent-decode
// `filename=`, which would turn a literal `%22` into `"`). Everything else becomes `_`.
const FALLBACK_CHAR = /^[\x20-\x7e]$/
const FALLBACK_EXCLUDED = new Set(['"', '\\', ';', '%'])

const encoder = new TextEncoder()

/**
 * `attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded name>`, or just the
 * type when `filename` is undefined. The name goes through {@link sanitizeFilename} first, so it
 * throws `INVALID_FILENAME` when nothing safe remains. The result is printable ASCII only.
 * @example contentDisposition('€ rates') // `attachment; filename="_ rates"; filename*=UTF-8''%E2%82%AC%20rates`
 */
export function contentDisposition(filename: string | undefined, options: ContentDispositionOptions = {}): string {
  const type = options.type ?? 'attachment'
  if (type !== 'attachment' && type !== 'inline') {
    throw new SafePresignError('INVALID_CONFIG', `\`type\` is ${JSON.stringify(type)}; it must be "attachment" or "inline"`, {
      details: { option: 'type', value: String(type), allowed: ['attachment', 'inline'] },
    })
  }
  if (filename === undefined) return type
  const name = sanitizeFilename(filename)
  return `${type}; filename="${asciiFallback(name)}"; filename*=UTF-8''${encodeRfc5987(name)}`
}

// One `_` per code point outside the kept set. No transliteration: `café` → `caf_`, not `cafe`.
// Recipients that understand `filename*` (every current browser) never show it.
function asciiFallback(name: string): string {
  let out = ''
  for (const char of name) out += FALLBACK_CHAR.test(char) && !FALLBACK_EXCLUDED.has(char) ? char : '_'
  return out
}

// The name is never decoded, only encoded: a literal `%22` in it is sent as `%2522` and comes back as `%22`.
function encodeRfc5987(name: string): string {
  let out = ''
  for (const byte of encoder.encode(name)) {
    const char = String.fromCharCode(byte)
    out += ATTR_CHAR.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}
