import { SafePresignError, type ErrorCode } from '../errors.js'
import { MAX_SUBJECT_LENGTH } from '../limits.js'
import { base64ByteLength } from './text.js'

/** Shorthand for the messages every validator writes: the option, the value and the limit. */
export function invalid(code: ErrorCode, option: string, value: unknown, rule: string, extra: Record<string, unknown> = {}): never {
  throw new SafePresignError(code, `\`${option}\` is ${describe(value)}; ${rule}`, { details: { option, value: jsonable(value), ...extra } })
}

// Echoed values are cut before they are rendered (the work stays bounded, whatever the size of the
// value) and escaped after: a bidi override reorders a log line, a CR/LF forges a new one, and a
// zero-width character hides the difference between two ids.
const DESCRIBE_CODE_POINTS = 80
// Strings inside arrays and objects: short enough that five items and the item count fit.
const NESTED_CODE_POINTS = 24
// An id is the one value its message is about: room for a generated id after a long prefix.
const QUOTE_CODE_POINTS = 160
const DESCRIBE_ITEMS = 5
const DESCRIBE_DEPTH = 2
const DESCRIBE_CHARS = 200

// What JSON.stringify leaves raw and a terminal or a log viewer acts on, or shows as nothing: C0,
// DEL, C1, U+2028/U+2029, format characters (bidi controls U+202A-U+202E, U+2066-U+2069,
// U+200E/U+200F, U+061C; zero-width U+200B-U+200D, U+2060, U+FEFF; U+00AD; tags) and the other
// default-ignorable code points (variation selectors, Hangul fillers); and lone surrogates, which a
// UTF-8 encoder would turn into U+FFFD.
const UNSAFE_TO_SHOW = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/gu

/** `text` with controls, bidi, zero-width and other invisible characters written as `\uXXXX` (per UTF-16 unit). */
export function escapeUnsafe(text: string): string {
  return text.replace(UNSAFE_TO_SHOW, (char) => {
    let out = ''
    for (let i = 0; i < char.length; i++) out += `\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`
    return out
  })
}

/**
 * How a message echoes an id (a key, an owner, a requester): JSON-quoted, cut to 160 code points
 * (a `…` inside the quotes marks the cut), with controls, bidi and zero-width characters escaped.
 * Anything but a string is shown as {@link describe} shows it.
 * @example quote('invoice\u202Efdp.exe') // '"invoice\\u202efdp.exe"'
 */
export function quote(value: unknown): string {
  return typeof value === 'string' ? quoteString(value, QUOTE_CODE_POINTS) : describe(value)
}

/** Any value, for a message: at most ~200 characters whatever its size or depth, escaped like {@link quote}. */
export function describe(value: unknown): string {
  const text = render(value, 0)
  if (text.length <= DESCRIBE_CHARS) return text
  const end = /[\ud800-\udbff]/.test(text[DESCRIBE_CHARS - 1]!) ? DESCRIBE_CHARS - 1 : DESCRIBE_CHARS // never split a pair
  return `${text.slice(0, end)}…`
}

function quoteString(value: string, codePoints: number): string {
  // The string iterator is lazy: a 10 MB string costs `codePoints` steps.
  let cut = ''
  let n = 0
  for (const char of value) {
    if (n++ === codePoints) break
    cut += char
  }
  return escapeUnsafe(JSON.stringify(cut.length < value.length ? `${cut}…` : cut))
}

function render(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      return quoteString(value, depth === 0 ? DESCRIBE_CODE_POINTS : NESTED_CODE_POINTS)
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value)
    case 'bigint':
      return `${value}n`
    case 'function':
      return 'a function'
    case 'symbol':
      return 'a symbol'
    case 'boolean':
    case 'undefined':
      return String(value)
  }
  if (value === null) return 'null'
  try {
    return renderObject(value as object, depth)
  } catch {
    return 'an object' // a throwing getter or Proxy trap
  }
}

// The first few items, a few levels deep: never a walk (or a JSON.stringify) of the whole value.
function renderObject(value: object, depth: number): string {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : quoteString(value.toISOString(), DESCRIBE_CODE_POINTS)
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of ${value.byteLength} bytes`
  if (Array.isArray(value)) {
    const length = value.length
    if (length === 0) return '[]'
    if (depth >= DESCRIBE_DEPTH) return `[… ${length} items]`
    const shown: string[] = []
    for (let i = 0; i < Math.min(length, DESCRIBE_ITEMS); i++) shown.push(render(value[i], depth + 1))
    if (length > DESCRIBE_ITEMS) shown.push(`… ${length} items`)
    return `[${shown.join(',')}]`
  }
  const shown: string[] = []
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue
    if (depth >= DESCRIBE_DEPTH || shown.length === DESCRIBE_ITEMS) {
      shown.push('…')
      break
    }
    shown.push(`${quoteString(key, NESTED_CODE_POINTS)}:${render((value as Record<string, unknown>)[key], depth + 1)}`)
  }
  return `{${shown.join(',')}}`
}

// `details.value`: primitives as they are (long strings cut), everything else as its description.
function jsonable(value: unknown): unknown {
  if (value === undefined || typeof value === 'function' || typeof value === 'bigint' || typeof value === 'symbol') return describe(value)
  if (typeof value === 'string' && value.length > 200) return `${value.slice(0, 200)}…`
  return typeof value === 'object' && value !== null ? describe(value) : value
}

// A lone UTF-16 surrogate: no UTF-8 form. encodeURIComponent throws on it, and stores that encode
// strings as UTF-8 (PostgreSQL through node-postgres, Redis) turn it into U+FFFD, merging two values.
const LONE_SURROGATE = /\p{Cs}/u

/** True when `value` holds a lone surrogate (a well-formed pair is fine). */
export function hasLoneSurrogate(value: string): boolean {
  return LONE_SURROGATE.test(value)
}

// C0, DEL, C1 and the Unicode line/paragraph separators: a CR/LF in an id forges log lines and
// header values wherever the id is written.
const SUBJECT_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/

/**
 * An end-user id (owner, requester): a non-empty string of well-formed Unicode without control
 * characters, at most MAX_SUBJECT_LENGTH UTF-16 units (checked first, so a huge value costs nothing).
 */
export function checkSubject(option: string, value: unknown): string {
  if (typeof value !== 'string') invalid('INVALID_REQUEST', option, value, 'it must be a non-empty string')
  if (value.length > MAX_SUBJECT_LENGTH) {
    invalid('INVALID_REQUEST', option, value, `it is ${value.length} UTF-16 code units long; the maximum is ${MAX_SUBJECT_LENGTH}`, { limit: MAX_SUBJECT_LENGTH })
  }
  if (value.trim() === '') invalid('INVALID_REQUEST', option, value, 'it must be a non-empty string')
  if (hasLoneSurrogate(value)) {
    invalid('INVALID_REQUEST', option, value, 'it contains a lone UTF-16 surrogate; stores would save it as U+FFFD, which is another user id')
  }
  const control = SUBJECT_CONTROL.exec(value)
  if (control) {
    invalid('INVALID_REQUEST', option, value, `it contains ${codePoint(control[0])}, a control character (C0, DEL, C1, U+2028 and U+2029 are refused)`)
  }
  return value
}

/** `'U+000A'` for `'\n'`. */
export function codePoint(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`
}

export function isPositiveInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0
}

/**
 * A per-request lifetime in seconds: `fallback` when absent, INVALID_REQUEST when malformed,
 * EXPIRY_TOO_LONG above the builder's cap.
 */
export function requestLifetime(option: string, value: unknown, cap: number, fallback: number): number {
  if (value === undefined) return fallback
  if (!isPositiveInteger(value)) invalid('INVALID_REQUEST', option, value, 'it must be a whole number of seconds above 0')
  if (value > cap) invalid('EXPIRY_TOO_LONG', option, value, `the maximum is ${cap} s`, { limit: cap })
  return value
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/** True when `value` is canonical base64 of exactly `bytes` bytes. */
export function isBase64Digest(value: unknown, bytes: number): value is string {
  return typeof value === 'string' && BASE64.test(value) && base64ByteLength(value) === bytes
}
