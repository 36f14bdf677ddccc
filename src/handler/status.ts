// One HTTP status per error code, exactly as docs/protocol.md's table says. Typed as a complete map:
// a new ErrorCode fails to compile until it is given a status here (and in the table).
import type { ErrorCode } from '../errors.js'

export const ERROR_STATUS: Readonly<Record<ErrorCode, number>> = Object.freeze({
  INVALID_REQUEST: 400,
  INVALID_KEY: 400,
  INVALID_FILENAME: 400,
  EXPIRY_TOO_LONG: 400,
  CHECKSUM_REQUIRED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  ORIGIN_NOT_ALLOWED: 403,
  NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  TICKET_INVALID: 404,
  METHOD_NOT_ALLOWED: 405,
  NOT_COMMITTED: 409,
  UPLOAD_MISSING: 409,
  UPLOAD_REJECTED: 409,
  // Gone for good: 410, so a client does not retry.
  UPLOAD_EXPIRED: 410,
  TICKET_USED: 410,
  TICKET_EXPIRED: 410,
  FILE_TOO_LARGE: 413,
  BODY_TOO_LARGE: 413,
  CONTENT_TYPE_NOT_ALLOWED: 415,
  UNSUPPORTED_MEDIA_TYPE: 415,
  // The upload arrived but is not what was granted: it was rejected and deleted.
  SIZE_MISMATCH: 422,
  TYPE_MISMATCH: 422,
  CONTENT_MISMATCH: 422,
  CHECKSUM_MISMATCH: 422,
  SCAN_FAILED: 422,
  OBJECT_UNREADABLE: 422,
  TOO_MANY_PENDING: 429,
  // The server's own fault: nothing the client can change.
  INVALID_CONFIG: 500,
  SIGNING_FAILED: 500,
  INTERNAL: 500,
  S3_ERROR: 502,
  // Try again later.
  STORE_UNAVAILABLE: 503,
  CREDENTIALS_EXPIRING: 503,
})
