/**
 * One error class for the whole library. Every failure carries a `code` from
 * {@link ErrorCode}, a message that names the option, the value and the limit,
 * and (where there was one) the underlying `cause`.
 */
import { redact } from './_internal/redact.js'

export const ErrorCode = {
  /** The builder's configuration is invalid. Thrown when the builder is created. */
  INVALID_CONFIG: 'INVALID_CONFIG',
  /** A per-request field is missing or malformed. */
  INVALID_REQUEST: 'INVALID_REQUEST',
  /** The declared Content-Type is not on the builder's allowlist. */
  CONTENT_TYPE_NOT_ALLOWED: 'CONTENT_TYPE_NOT_ALLOWED',
  /** The declared size is above the builder's `maxSize` (or below 1 byte). */
  FILE_TOO_LARGE: 'FILE_TOO_LARGE',
  /** The requested expiry is above the builder's cap. */
  EXPIRY_TOO_LONG: 'EXPIRY_TOO_LONG',
  /** The builder requires a checksum and the request carried none (or a malformed one). */
  CHECKSUM_REQUIRED: 'CHECKSUM_REQUIRED',
  /** Nothing safe remained of a filename after sanitizing. */
  INVALID_FILENAME: 'INVALID_FILENAME',
  /** The key is malformed, or outside the builder's prefix. */
  INVALID_KEY: 'INVALID_KEY',
  /** The key is not recorded in the ownership store. */
  NOT_FOUND: 'NOT_FOUND',
  /** The key is recorded but its upload has not been completed and verified yet. */
  NOT_COMMITTED: 'NOT_COMMITTED',
  /** The requester does not own the key and `authorize` did not allow it. */
  FORBIDDEN: 'FORBIDDEN',
  /** The owner already has `maxPendingPerOwner` open upload grants. Nothing was granted. */
  TOO_MANY_PENDING: 'TOO_MANY_PENDING',
  /** The ownership store failed or timed out. Nothing was granted. */
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
  /** The signing credentials expire too soon to honour the grant. */
  CREDENTIALS_EXPIRING: 'CREDENTIALS_EXPIRING',
  /** Signing failed (credentials could not be resolved, endpoint could not be built). */
  SIGNING_FAILED: 'SIGNING_FAILED',
  /** A multipart upload's lifetime (`multipart.expiresIn`) has passed: it takes no more parts. */
  UPLOAD_EXPIRED: 'UPLOAD_EXPIRED',
  /** `complete()`: no object was uploaded under the key. */
  UPLOAD_MISSING: 'UPLOAD_MISSING',
  /** `complete()`: the object's size is outside the granted bounds. */
  SIZE_MISMATCH: 'SIZE_MISMATCH',
  /** `complete()`: the object's stored Content-Type is not the granted one. */
  TYPE_MISMATCH: 'TYPE_MISMATCH',
  /** `complete()`: the bytes are not what the declared type says they are. */
  CONTENT_MISMATCH: 'CONTENT_MISMATCH',
  /** `complete()`: the object's checksum does not match the granted one. */
  CHECKSUM_MISMATCH: 'CHECKSUM_MISMATCH',
  /** `complete()`: the object exists but the completing client may not read it (an uploader changed its ACL). It was rejected. */
  OBJECT_UNREADABLE: 'OBJECT_UNREADABLE',
  /** `complete()`: the scan hook reported the object infected, threw or timed out. */
  SCAN_FAILED: 'SCAN_FAILED',
  /** `complete()`: the upload was already rejected. */
  UPLOAD_REJECTED: 'UPLOAD_REJECTED',
  /** S3 failed while verifying or promoting an upload. */
  S3_ERROR: 'S3_ERROR',
  /** A download ticket was already redeemed. */
  TICKET_USED: 'TICKET_USED',
  /** A download ticket has expired. */
  TICKET_EXPIRED: 'TICKET_EXPIRED',
  /** A download ticket id is malformed or unknown. */
  TICKET_INVALID: 'TICKET_INVALID',
  /** Handler: `authenticate(request)` named no user. */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** Handler: the request's Origin is not in `allowedOrigins`. */
  ORIGIN_NOT_ALLOWED: 'ORIGIN_NOT_ALLOWED',
  /** Handler: no such route under `basePath`. */
  ROUTE_NOT_FOUND: 'ROUTE_NOT_FOUND',
  /** Handler: the route exists, with another HTTP method. */
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  /** Handler: a request body that is not `application/json`. */
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  /** Handler: a request body over the cap (64 KiB by default). */
  BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  /** Handler: an error that is not the library's; its message is not sent to the client. */
  INTERNAL: 'INTERNAL',
} as const

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]

export interface SafePresignErrorOptions {
  cause?: unknown
  /** Machine-readable details: the option, the value and the limit. Never secrets. */
  details?: Record<string, unknown>
  /**
   * What the server observed that the caller did not declare (an object's real size, digest or
   * sniffed type). For logs and audit only: never in `message`, never in `toJSON()`.
   */
  observed?: Record<string, unknown>
}

export class SafePresignError extends Error {
  override readonly name = 'SafePresignError' as const
  readonly code: ErrorCode
  readonly details: Record<string, unknown> | undefined
  /**
   * Server-side facts a client must not learn (they would be an oracle: an object's real size or
   * digest lets an attacker tune the next grant to it). Left out of `toJSON()`; log it, don't send it.
   */
  readonly observed: Record<string, unknown> | undefined

  constructor(code: ErrorCode, message: string, options: SafePresignErrorOptions = {}) {
    // Messages may quote user input (a key, a URL from a store error): redact before it is stored.
    super(redact(message), options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    // Details are as public as the message: loggers and util.inspect print them. A value quoting
    // user input (a presigned URL pasted as a key) must lose its secrets here, not only in toJSON().
    this.details = options.details === undefined ? undefined : (redactDeep(options.details) as Record<string, unknown>)
    this.observed = options.observed === undefined ? undefined : (redactDeep(options.observed) as Record<string, unknown>)
  }

  /** Safe to send to a client: code, message and details; no stack, no cause, no secrets. */
  toJSON(): { name: 'SafePresignError'; code: ErrorCode; message: string; details?: Record<string, unknown> } {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      ...(this.details ? { details: JSON.parse(redact(JSON.stringify(this.details))) } : {}),
    }
  }
}

function redactDeep(value: unknown): unknown {
  if (typeof value === 'string') return redact(value)
  if (Array.isArray(value)) return value.map(redactDeep)
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v)]))
  }
  return value
}

/** True for a SafePresignError, even one from another copy of the library or another realm. */
export function isSafePresignError(error: unknown): error is SafePresignError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { name?: unknown }).name === 'SafePresignError' &&
    typeof (error as { code?: unknown }).code === 'string'
  )
}

/** @internal Shorthand used across the library. */
export function fail(code: ErrorCode, message: string, details?: Record<string, unknown>, cause?: unknown): never {
  throw new SafePresignError(code, message, { details, cause })
}
