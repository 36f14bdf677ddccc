import { SafePresignError, type ErrorCode } from '../errors.js'

/** Shorthand for the messages every validator writes: the option, the value and the limit. */
export function invalid(code: ErrorCode, option: string, value: unknown, rule: string, extra: Record<string, unknown> = {}): never {
  throw new SafePresignError(code, `\`${option}\` is ${describe(value)}; ${rule}`, { details: { option, value: jsonable(value), ...extra } })
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)
  if (typeof value === 'function') return 'a function'
  if (typeof value === 'bigint') return `${value}n`
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

function jsonable(value: unknown): unknown {
  if (value === undefined || typeof value === 'function' || typeof value === 'bigint' || typeof value === 'symbol') return String(value)
  if (typeof value === 'string' && value.length > 200) return `${value.slice(0, 200)}…`
  return typeof value === 'object' && value !== null ? describe(value).slice(0, 200) : value
}

// A lone UTF-16 surrogate: no UTF-8 form. encodeURIComponent throws on it, and stores that encode
// strings as UTF-8 (PostgreSQL through node-postgres, Redis) turn it into U+FFFD, merging two values.
const LONE_SURROGATE = /\p{Cs}/u

/** True when `value` holds a lone surrogate (a well-formed pair is fine). */
export function hasLoneSurrogate(value: string): boolean {
  return LONE_SURROGATE.test(value)
}

/** An end-user id (owner, requester): a non-empty string of well-formed Unicode. */
export function checkSubject(option: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') invalid('INVALID_REQUEST', option, value, 'it must be a non-empty string')
  if (hasLoneSurrogate(value)) {
    invalid('INVALID_REQUEST', option, value, 'it contains a lone UTF-16 surrogate; stores would save it as U+FFFD, which is another user id')
  }
  return value
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
  return typeof value === 'string' && BASE64.test(value) && Buffer.from(value, 'base64').length === bytes
}
